"""What a person sees: every notebook after Run All in JupyterLab, measured in Chromium.

At 1280 × 900 (a 13-inch laptop) with JupyterLab's file browser open, inside every
suite widget and quiz (``.rmteach-widget``, ``.rmteach-quiz``):

* no two pieces of text are drawn over each other, and no radio circle sits on text that
  is not its own (the line boxes of each text node, from ``Range.getClientRects()``,
  and each radio ``<input>``, compared pairwise);
* no button or label is cut (``scrollWidth > clientWidth``: an ellipsis or clipped text).

Quizzes are measured again at 1024 px.  Before anything runs, the stored copy of each
notebook with widgets shows the "Run → Run All Cells first" note; after Run All it is
gone.  Screenshots of every widget and quiz go to ``artifacts/screenshots/layout/``.

Shares the server and browser fixtures of :mod:`tests.test_browser` (same skips).
"""

from __future__ import annotations

import json

import nbformat
import pytest

from .conftest import NOTEBOOKS_DIR
from .test_browser import SHOTS, _run_all, _wait_idle, _wait_until, browser, lab  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LAYOUT_DIR = SHOTS / "layout"
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


def _open(page, server, folder: str, name: str):
    page.goto(f"{server.url}/lab/tree/{folder}/{name}?reset")
    page.locator(".jp-NotebookPanel").first.wait_for()
    _wait_idle(page)
    browser_panel = page.locator("#filebrowser")
    if not browser_panel.is_visible():            # the learner's view: file browser open
        page.locator("[data-id='filebrowser']").first.click()
        _wait_until(browser_panel.is_visible, 10, "the file browser to open")


def _measure(page, selector: str) -> dict:
    return page.evaluate(LAYOUT_JS, selector)


def _shots(page, selector: str, stem: str) -> None:
    LAYOUT_DIR.mkdir(parents=True, exist_ok=True)
    items = page.locator(selector)
    for k in range(min(items.count(), 16)):
        item = items.nth(k)
        item.scroll_into_view_if_needed()
        item.screenshot(path=str(LAYOUT_DIR / f"{stem}-{k + 1:02d}.png"))


@pytest.fixture
def laptop(browser, lab):  # noqa: F811  (the fixtures imported above)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        yield page
    finally:
        context.close()
        lab.shutdown_kernels()


def _has_widgets(stored) -> bool:
    return any("rmteach.widgets" in "".join(c.source) or "quiz" in "".join(c.source)
               for c in stored.cells if c.cell_type == "code")


def test_first_screen_says_run_all_until_it_has_run(notebook_name, lab, laptop):  # noqa: F811
    stored = nbformat.read(NOTEBOOKS_DIR / notebook_name, as_version=4)
    if not _has_widgets(stored):
        pytest.skip(f"{notebook_name} has no widgets: no note needed")
    _open(laptop, lab, "stored", notebook_name)
    note = laptop.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .rmteach-run-all-note")
    _wait_until(lambda: note.count() > 0, 30, "the Run-All note of the stored notebook")
    assert NOTE in note.first.inner_text()
    first_code = next(i for i, c in enumerate(stored.cells) if c.cell_type == "code")
    assert all(c.cell_type == "markdown" for c in stored.cells[:first_code])


def test_widgets_and_quizzes_fit_at_1280_and_1024(notebook_name, lab, laptop):  # noqa: F811
    stored = nbformat.read(NOTEBOOKS_DIR / notebook_name, as_version=4)
    n_code = sum(c.cell_type == "code" for c in stored.cells)
    stem = notebook_name.removesuffix(".ipynb")
    _open(laptop, lab, "notebooks", notebook_name)
    _run_all(laptop, n_code)
    assert laptop.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .rmteach-run-all-note"
                          ).count() == 0, "the Run-All note is still shown after Run All"
    both = ".jp-NotebookPanel:not(.lm-mod-hidden) :is(.rmteach-widget, .rmteach-quiz)"
    quizzes = ".jp-NotebookPanel:not(.lm-mod-hidden) .rmteach-quiz"
    at_1280 = _measure(laptop, both)
    _shots(laptop, both, f"{stem}-1280")
    laptop.set_viewport_size({"width": 1024, "height": 900})
    laptop.wait_for_timeout(500)
    at_1024 = _measure(laptop, quizzes)
    _shots(laptop, quizzes, f"{stem}-1024-quiz")
    report = {"1280": at_1280, "1024 quizzes": at_1024}
    print(notebook_name, json.dumps({k: (v["n"], len(v["problems"]), len(v["cut"]))
                                     for k, v in report.items()}))
    bad = [f"{w}: {p}" for w, v in report.items() for p in v["problems"] + v["cut"]]
    assert not bad, f"{notebook_name}: {len(bad)} layout problems:\n" + "\n".join(bad[:30])
