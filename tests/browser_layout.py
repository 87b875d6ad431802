"""What a person sees, measured in Chromium: the helpers of :mod:`tests.test_browser`.

At 1280 px (a 13-inch laptop) with JupyterLab's file browser open, inside every suite
widget and quiz (``.rmteach-widget``, ``.rmteach-quiz``):

* no two pieces of text are drawn over each other, and no radio circle sits on text that
  is not its own (the line boxes of each text node, from ``Range.getClientRects()``,
  and each radio ``<input>``, compared pairwise);
* no button or label is cut (``scrollWidth > clientWidth``: an ellipsis or clipped text).

Quizzes are measured again at 1024 px.  Screenshots of every widget and quiz go to
``artifacts/screenshots/layout/``.  After Run All, :func:`figure_problems` asks the
notebook's own kernel for :func:`rmteach.widgets.style.check_all_figures` (every figure
the notebook made, measured with the renderer's bounding boxes), so the figure check
shares the browser's run instead of executing every notebook once more.

Not collected by pytest (no ``test_`` prefix): the tests live in ``test_browser.py``.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

NOTE = "Run → Run All Cells first"

# text boxes and radio circles of every suite widget / quiz in view, compared pairwise
LAYOUT_JS = """(selector) => {
  const problems = [], cut = [];
  const visible = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden') return false;
    }
    return true;
  };
  const roots = Array.from(document.querySelectorAll(selector));
  roots.forEach((root, r) => {
    const boxes = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.textContent.trim() || !visible(n.parentElement)) continue;
      if (n.parentElement.closest('style, script, .MathJax_Preview')) continue;
      const range = document.createRange(); range.selectNodeContents(n);
      for (const b of range.getClientRects())
        if (b.width > 1 && b.height > 1)
          boxes.push({who: n.textContent.trim().slice(0, 40), b, owner: n.parentElement});
    }
    root.querySelectorAll('input[type=radio]').forEach((el) => {
      if (visible(el)) boxes.push({who: 'radio circle', b: el.getBoundingClientRect(),
                                   owner: el.parentElement});
    });
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const p = boxes[i], q = boxes[j];
      if (p.owner === q.owner && p.who !== 'radio circle' && q.who !== 'radio circle') continue;
      if (p.who === 'radio circle' || q.who === 'radio circle') {
        if (p.owner === q.owner) continue;        // a circle beside its own text
      }
      const dx = Math.min(p.b.right, q.b.right) - Math.max(p.b.left, q.b.left);
      const dy = Math.min(p.b.bottom, q.b.bottom) - Math.max(p.b.top, q.b.top);
      if (dx > 2 && dy > 2) problems.push(`widget ${r}: "${p.who}" over "${q.who}"`);
    }
    root.querySelectorAll('button, label, .widget-label, .widget-label-basic')
      .forEach((el) => {
        if (visible(el) && el.textContent.trim() && el.scrollWidth > el.clientWidth + 1)
          cut.push(`widget ${r}: "${el.textContent.trim().slice(0, 40)}" is cut ` +
                   `(${el.scrollWidth} px of text in ${el.clientWidth} px)`);
      });
  });
  return {n: roots.length, problems, cut};
}"""


def open_with_file_browser(page, server, folder: str, name: str, wait_idle, wait_until):
    page.goto(f"{server.url}/lab/tree/{folder}/{name}?reset")
    page.locator(".jp-NotebookPanel").first.wait_for()
    wait_idle(page)
    browser_panel = page.locator("#filebrowser")
    if not browser_panel.is_visible():            # the learner's view: file browser open
        page.locator("[data-id='filebrowser']").first.click()
        wait_until(browser_panel.is_visible, 10, "the file browser to open")


def measure(page, selector: str) -> dict:
    return page.evaluate(LAYOUT_JS, selector)


def shots(page, selector: str, folder: Path, stem: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    items = page.locator(selector)
    for k in range(min(items.count(), 16)):
        item = items.nth(k)
        item.scroll_into_view_if_needed()
        item.screenshot(path=str(folder / f"{stem}-{k + 1:02d}.png"))


def has_widgets_output(output) -> bool:
    """A stored widget output that shows something: not the page style nor a "working …"
    note, whose stored forms are empty."""
    data = output.get("data", {})
    return ("application/vnd.jupyter.widget-view+json" in data
            and bool("".join(data.get("text/plain", "")).strip() or "image/png" in data))


def has_widgets(stored) -> bool:
    """A stored widget output that shows something (the page style's shows nothing)."""
    return any(has_widgets_output(o) for c in stored.cells if c.cell_type == "code"
               for o in c.get("outputs", []))


CHECK_FIGURES = ("(lambda s: __import__('json').dumps([len(s._FIGURES), s.check_all_figures()]))"
                 "(__import__('rmteach.widgets.style', fromlist=['style']))")


def figure_problems(runtime_dir: Path, kernel_id: str,
                    timeout_s: float = 120) -> tuple[int, list[str]]:
    """Every figure the kernel's notebook made, checked in that kernel: no text over text
    or outside the figure, no legend or label over data
    (:func:`rmteach.widgets.style.check_all_figures`).  Returns (figures, problems)."""
    from jupyter_client import BlockingKernelClient

    client = BlockingKernelClient(connection_file=str(runtime_dir / f"kernel-{kernel_id}.json"))
    client.load_connection_file()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=timeout_s)
        msg_id = client.execute("", silent=True, store_history=False,
                                user_expressions={"problems": CHECK_FIGURES})
        while True:
            reply = client.get_shell_msg(timeout=timeout_s)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        result = reply["content"]["user_expressions"]["problems"]
        assert result.get("status") == "ok", f"the figure check failed in the kernel: {result}"
        n, problems = json.loads(ast.literal_eval(result["data"]["text/plain"]))
        return n, problems
    finally:
        client.stop_channels()


#: printed outputs (tables, messages) that would wrap: with the suite's page CSS every
#: ``pre`` of an output keeps its lines and scrolls as a whole instead
WRAPPING_PRE_JS = """(panel) => Array.from(document.querySelectorAll(
  panel + ' .jp-OutputArea-output pre'))
  .filter(e => e.textContent.trim() && getComputedStyle(e).whiteSpace !== 'pre')
  .map(e => e.textContent.trim().slice(0, 60))"""
