"""Every notebook in JupyterLab in a real browser (Debian's Chromium via Playwright).

A module-scoped fixture starts ``jupyter lab`` headless on 127.0.0.1 (a free port, fresh
settings/workspace/config folders) with its root in a temporary copy of ``notebooks/``
whose stored outputs are cleared: every output seen here comes from this run, and the
server cannot reach (or save) the repository's notebooks.

For each notebook the test opens ``lab/tree/notebooks/NAME?reset`` at 1280 × 900 with the
file browser open (a 13-inch laptop, the learner's view), runs Run > Run All Cells, waits
for the kernel to be idle, and asserts:

* every code cell ran and no cell shows a traceback;
* what a person sees (:mod:`tests.browser_layout`): the "Run → Run All Cells first" note
  is gone; every matplotlib figure the notebook made passes the bounding-box checks of
  :func:`rmteach.widgets.style.check_all_figures`, run in the notebook's own kernel; no
  two texts overlap and no button or label is cut inside any widget or quiz at 1280 px,
  nor inside quizzes at 1024 px;
* widgets rendered as widgets (``.jupyter-widgets``), never as ``VBox(children=...)``
  text or "Error displaying widget";
* in each widget notebook, moving a slider (keyboard on ``.noUi-handle``) inside an
  ``.rmteach-widget`` changes its figure (``.rmteach-figure``: the PNG bytes, not just
  the blob URL) and its printed numbers (``.rmteach-readout``); a notebook whose figure
  widgets have no slider (notebook 6 retrains on a dropdown) gets a dropdown changed;
* every quiz (``.rmteach-quiz-id-<ID>``) answered wrong then right shows exactly the
  feedback ``rmteach.quiz.bank`` gives ("Not quite..." / "Correct..."), and Show
  solution shows one;
* an invalid ranking typed into ``.rmteach-ranking-input`` ("A > A") shows a friendly
  ``.rmteach-message`` (no traceback) and the widget recovers when fixed.

Before that, each notebook is also opened *as stored* (a second copy, outputs kept): its
widget outputs must show their static figures, not "Error displaying widget", and a
notebook with widgets opens with the "Run → Run All Cells first" note above its first
code cell.

A screenshot per notebook (and per widget) goes to ``artifacts/screenshots/`` (git
ignores it).  ``RMTEACH_UPDATE_SCREENSHOT=1`` also refreshes ``docs/screenshot.png``
(the README's picture, a widget of notebook 01, kept < 200 KB).

The server's process group gets SIGTERM at teardown, which shuts its kernels down;
teardown fails if any server or kernel process outlives it.  Without
``/usr/bin/chromium`` the test skips (CI, which installs it, fails instead).
Never ``playwright install``: it downloads a browser.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from . import browser_layout as layout
from .conftest import NOTEBOOKS_DIR, REPO_ROOT, skip_or_fail_in_ci

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SHOTS = REPO_ROOT / "artifacts" / "screenshots"
LAYOUT_SHOTS = SHOTS / "layout"
README_SHOT = REPO_ROOT / "docs" / "screenshot.png"
README_SHOT_NOTEBOOK = "01_preference_probability.ipynb"
README_SHOT_MAX_BYTES = 200_000
# Notebooks that must have a slider whose move redraws a figure and its numbers (issue 4);
# any other notebook with such a widget is exercised the same way.
SLIDER_NOTEBOOKS = {"01_preference_probability.ipynb", "02_pairwise_loss.ipynb",
                    "03_listwise_loss.ipynb", "04_what_the_loss_does_to_rewards.ipynb",
                    "07_ties_and_calibration.ipynb", "08_best_of_n_and_shortcuts.ipynb",
                    "09_reward_hacking_and_kl.ipynb", "11_the_reward_model_inside_dpo.ipynb",
                    "12_beyond_one_bradley_terry.ipynb"}
RANKING_NOTEBOOK = "03_listwise_loss.ipynb"     # the learner types a ranking here
BAD_RANKING = "A > A"
RUN_ALL_TIMEOUT_S = 600
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_AS_TEXT = re.compile(r"\b(VBox|HBox|Box|IntSlider|FloatSlider|IntProgress|Button|"
                            r"RadioButtons|Text|HTML|Image|Output)\((children|value|layout|"
                            r"description)=")
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\s*Cell In\[\d+\], line \d+",
                       re.MULTILINE)

# Settings a learner would click away; set up front so nothing covers the notebook.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    # attach every cell to the DOM (the default virtualises off-screen cells)
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}

DIGEST_JS = """async (img) => {
  if (!img.src) return '';
  const buf = await (await fetch(img.src)).arrayBuffer();
  const d = await crypto.subtle.digest('SHA-256', buf);
  return Array.from(new Uint8Array(d)).map(x => x.toString(16).padStart(2, '0')).join('');
}"""
PROMPTS_JS = """() => Array.from(document.querySelectorAll(
  '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt'))
  .map(e => e.textContent.trim())"""


# -- the server ----------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _copy_notebooks_without_outputs(dest: Path) -> None:
    shutil.copytree(NOTEBOOKS_DIR, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for path in dest.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
        nb.metadata.pop("widgets", None)
        nbformat.write(nb, path)


class Lab:
    def __init__(self, url: str, root: Path, process: subprocess.Popen, log: Path):
        self.url, self.root, self.process, self.log = url, root, process, log

    def api(self, method: str, path: str):
        req = urllib.request.Request(self.url + path, method=method)
        with urllib.request.urlopen(req, timeout=30) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        for session in self.api("GET", "/api/sessions"):
            self.api("DELETE", f"/api/sessions/{session['id']}")
        for kernel in self.api("GET", "/api/kernels"):
            self.api("DELETE", f"/api/kernels/{kernel['id']}")

    def log_tail(self, n: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])


def _stop_server(lab: Lab) -> list[str]:
    """SIGTERM the server's process group (the server then shuts its kernels down);
    returns the processes that had to be killed (should be none)."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with ipykernel
        psutil = None
    family = []
    if psutil is not None:
        with contextlib.suppress(psutil.NoSuchProcess):
            parent = psutil.Process(lab.process.pid)
            family = [parent, *parent.children(recursive=True)]
    with contextlib.suppress(ProcessLookupError):
        os.killpg(lab.process.pid, signal.SIGTERM)
    leftovers = []
    try:
        lab.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        leftovers.append(f"jupyter lab (pid {lab.process.pid}) ignored SIGTERM")
    if psutil is not None:
        _, alive = psutil.wait_procs(family, timeout=15)
        leftovers += [f"{p.pid} {' '.join(p.cmdline()[:3])}" for p in alive
                      if p.is_running()]
    with contextlib.suppress(ProcessLookupError):
        os.killpg(lab.process.pid, signal.SIGKILL)
    for p in family if psutil is not None else []:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()
    return leftovers


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not CHROMIUM.exists():
        skip_or_fail_in_ci(f"{CHROMIUM} not found: install Debian's Chromium with "
                           "`sudo apt-get update && sudo apt-get install -y chromium` "
                           "(never `playwright install`)")
    pytest.importorskip("playwright.sync_api", reason="pip install -r requirements-dev.txt")
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "root"
    _copy_notebooks_without_outputs(root / "notebooks")
    shutil.copytree(NOTEBOOKS_DIR, root / "stored",               # as a learner opens them
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings = tmp / "settings"
    for rel, values in LAB_SETTINGS.items():
        (settings / rel).parent.mkdir(parents=True, exist_ok=True)
        (settings / rel).write_text(json.dumps(values))
    env = dict(os.environ,
               JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
               JUPYTER_CONFIG_DIR=str(tmp / "config"),
               JUPYTER_DATA_DIR=str(tmp / "data"),
               JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               MPLBACKEND="Agg")
    port = _free_port()
    log = tmp / "jupyter-lab.log"
    assert not root.resolve().is_relative_to(REPO_ROOT), "the server must not serve the repo"
    with log.open("w") as fh:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
             f"--port={port}", "--allow-root", "--IdentityProvider.token=",
             "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
             f"--ServerApp.root_dir={root}", "--LabApp.news_url=None"],
            cwd=root, env=env, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
    server = Lab(f"http://127.0.0.1:{port}", root, process, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"jupyter lab exited ({process.returncode}):\n{server.log_tail()}")
            with contextlib.suppress(OSError):
                server.api("GET", "/api/status")
                break
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter lab did not answer in 90 s:\n{server.log_tail()}")
            time.sleep(0.25)
        yield server
    finally:
        leftovers = _stop_server(server)
    assert not leftovers, f"processes outlived the server's shutdown: {leftovers}"


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, lab):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    try:
        yield page
    finally:
        context.close()
        lab.shutdown_kernels()


# -- helpers -------------------------------------------------------------------------------

def _wait_until(predicate, timeout_s: float, what: str, poll_s: float = 0.1):
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(poll_s)


def _kernel_idle(page) -> bool:
    status = page.locator(".jp-StatusBar-TextItem", has_text="| Idle")
    indicator = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) "
                             ".jp-Notebook-ExecutionIndicator[data-status='idle']")
    return status.count() > 0 and indicator.count() > 0


def _wait_idle(page, timeout_s: float = 120) -> None:
    _wait_until(lambda: _kernel_idle(page), timeout_s, "the kernel to be idle")


def _run_all(page, n_code: int) -> list[str]:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator("li[data-command='runmenu:run-all']").click()

    def finished():
        prompts = page.evaluate(PROMPTS_JS)
        started = any(re.fullmatch(r"\[\d+\]:", p) for p in prompts)
        if started and "[*]:" not in prompts and _kernel_idle(page):
            return prompts
        return None

    return _wait_until(finished, RUN_ALL_TIMEOUT_S, "Run All to finish", poll_s=0.25)


def _output_texts(page) -> list[str]:
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output"
                        ).all_inner_texts()


def _tracebacks(page) -> list[str]:
    return [t[:1500] for t in _output_texts(page) if TRACEBACK.search(t)]


def _digest(image) -> str:
    return image.evaluate(DIGEST_JS)


def _normal(text: str) -> str:
    return " ".join(text.split())


def _shot(locator, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    locator.scroll_into_view_if_needed()
    locator.screenshot(path=str(path))


# -- the checks ------------------------------------------------------------------------------

def _check_widgets_rendered(page, stored: nbformat.NotebookNode) -> int:
    """Every cell that stored a widget output shows a live widget now."""
    cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")
    assert cells.count() == len(stored.cells), "DOM cells do not match the notebook's cells"
    expected = 0
    for i, cell in enumerate(stored.cells):
        if cell.cell_type != "code":
            continue
        # a widget that shows something when stored (not the page style, not a "working …"
        # note, which is closed when its cell is done)
        if any(WIDGET_MIME in o.get("data", {}) and layout.has_widgets_output(o)
               for o in cell.outputs):
            expected += 1
            _wait_until(lambda i=i: cells.nth(i).locator(
                ".jp-OutputArea-output .jupyter-widgets").count() > 0,
                30, f"the widget of cell {i} to render")
    texts = _output_texts(page)
    as_text = [t[:120] for t in texts if WIDGET_AS_TEXT.search(t)]
    assert not as_text, f"widgets shown as text (no widget manager?): {as_text}"
    broken = [t[:200] for t in texts if "Error displaying widget" in t
              or "Loading widget..." in t]
    assert not broken, f"widgets failed to render: {broken}"
    return expected


def _changed(image, readout, before_png, before_text, timeout_s) -> bool:
    """Wait (up to ``timeout_s``) until the figure's PNG bytes and the readout both differ."""
    try:
        _wait_until(lambda: _digest(image) != before_png
                    and readout.inner_text() != before_text,
                    timeout_s, "the figure and the readout to change")
    except AssertionError:
        return False
    return True


def _interact(page, notebook_name: str) -> dict | None:
    """In a notebook with figure widgets, change a control until the figure AND the printed
    numbers change: a slider (keyboard on its handle) where there is one, else a dropdown.
    Returns what was changed, or None for a notebook without figure widgets."""
    figure_widgets = page.locator(".rmteach-widget").filter(
        has=page.locator(".rmteach-figure")).filter(has=page.locator(".rmteach-readout"))
    if not figure_widgets.count():
        assert notebook_name not in SLIDER_NOTEBOOKS, (
            f"{notebook_name} has no .rmteach-widget with a figure and a readout")
        return None
    tried = []

    def done(widget, kind, before_text):
        _wait_idle(page)
        message = widget.locator(".rmteach-message").first.inner_text().strip()
        assert not message, f"changing a {kind} showed an error message: {message}"
        return {"widget": widget, "kind": kind, "before": before_text,
                "after": widget.locator(".rmteach-readout").first.inner_text()}

    for w in range(figure_widgets.count()):                 # sliders first
        widget = figure_widgets.nth(w)
        image = widget.locator(".rmteach-figure").first
        readout = widget.locator(".rmteach-readout").first
        handles = widget.locator(".noUi-handle")
        for h in range(handles.count()):
            handle = handles.nth(h)
            for key in ("ArrowRight", "ArrowLeft"):
                before_png, before_text = _digest(image), readout.inner_text()
                before_value = handle.get_attribute("aria-valuenow")
                handle.scroll_into_view_if_needed()
                handle.focus()
                for _ in range(3):
                    page.keyboard.press(key)
                if handle.get_attribute("aria-valuenow") == before_value:
                    continue                     # at the end of its range: other direction
                if _changed(image, readout, before_png, before_text, 15):
                    return done(widget, "slider", before_text)
                tried.append(f"widget {w} slider {h}")
                break
    if notebook_name in SLIDER_NOTEBOOKS:
        pytest.fail(f"no slider in an .rmteach-widget of {notebook_name} changed both its "
                    f".rmteach-figure and its .rmteach-readout (tried: {tried or 'none'})")
    for w in range(figure_widgets.count()):                 # then dropdowns
        widget = figure_widgets.nth(w)
        image = widget.locator(".rmteach-figure").first
        readout = widget.locator(".rmteach-readout").first
        selects = widget.locator("select")
        for k in range(selects.count()):
            select = selects.nth(k)
            values = select.locator("option").evaluate_all("os => os.map(o => o.value)")
            others = [v for v in values if v != select.input_value()]
            if not others:
                continue
            before_png, before_text = _digest(image), readout.inner_text()
            select.scroll_into_view_if_needed()
            select.select_option(value=others[0])
            if _changed(image, readout, before_png, before_text, 90):
                return done(widget, "dropdown", before_text)
            tried.append(f"widget {w} dropdown {k}")
    pytest.fail(f"no slider or dropdown of an .rmteach-widget in {notebook_name} changed both "
                f"its .rmteach-figure and its .rmteach-readout (tried: {tried or 'none'})")


def _answer_quizzes(page) -> list[str]:
    from rmteach.quiz.bank import QUIZZES

    checked = []
    quizzes = page.locator(".rmteach-quiz")
    for q in range(quizzes.count()):
        box = quizzes.nth(q)
        classes = box.get_attribute("class").split()
        ids = [c.removeprefix("rmteach-quiz-id-") for c in classes
               if c.startswith("rmteach-quiz-id-")]
        assert len(ids) == 1, f"quiz box without one rmteach-quiz-id-<ID> class: {classes}"
        quiz = QUIZZES[ids[0]]
        box.scroll_into_view_if_needed()
        feedback = box.locator(".rmteach-quiz-feedback").first
        if box.locator(".rmteach-quiz-choices").count():
            labels = box.locator(".rmteach-quiz-choices label").filter(has=page.locator("input"))
            texts = [_normal(t) for t in labels.all_inner_texts()]
            assert quiz.correct in texts, f"{quiz.id}: {quiz.correct!r} not among {texts}"
            wrong = next(t for t in texts if t != quiz.correct)
            attempts = [(wrong, "Not quite"), (quiz.correct, "Correct")]

            def choose(value, labels=labels, texts=texts):
                labels.nth(texts.index(value)).click()
        else:
            entry = box.locator(".rmteach-quiz-answer input").first
            wrong = quiz.correct + 10 * quiz.tolerance + 1.0
            attempts = [(repr(wrong), "Not quite"), (repr(quiz.correct), "Correct")]

            def choose(value, entry=entry):
                entry.fill(value)
                entry.press("Tab")
        for value, start in attempts:
            expected = _normal(quiz.answer(value))
            assert expected.startswith(start), f"{quiz.id}: bank says {expected!r}"
            choose(value)
            box.locator(".rmteach-quiz-check").first.click()
            _wait_until(lambda e=expected, f=feedback: _normal(f.inner_text()) == e, 20,
                        f"quiz {quiz.id}: feedback {expected[:60]!r}")
        solution = box.locator(".rmteach-quiz-solution").first
        if q == 0 and solution.count():
            box.locator(".rmteach-quiz-reveal").first.click()
            _wait_until(lambda s=solution: s.inner_text().strip(), 20,
                        f"quiz {quiz.id}: the solution to show")
        checked.append(quiz.id)
    return checked


def _bad_ranking(page) -> str | None:
    widget = page.locator(".rmteach-widget").filter(
        has=page.locator(".rmteach-ranking-input")).first
    if not page.locator(".rmteach-ranking-input").count():
        return None
    entry = widget.locator(".rmteach-ranking-input input").first
    message = widget.locator(".rmteach-message").first
    readout = widget.locator(".rmteach-readout").first
    entry.scroll_into_view_if_needed()
    good, good_readout = entry.input_value(), readout.inner_text()
    assert not message.inner_text().strip(), "the ranking widget starts with an error shown"
    entry.fill(BAD_RANKING)
    entry.press("Enter")
    text = _wait_until(lambda: message.inner_text().strip(), 20,
                       f"a message for the ranking {BAD_RANKING!r}")
    assert not TRACEBACK.search(text) and "Error" not in text.split(":", 1)[0], text
    assert not _tracebacks(page), "a bad ranking produced a traceback in the notebook"
    entry.fill(good)
    entry.press("Enter")
    _wait_until(lambda: not message.inner_text().strip(), 20, "the message to clear")
    _wait_until(lambda: readout.inner_text() == good_readout, 20,
                "the readout to come back after fixing the ranking")
    return text


def _save_readme_screenshot(widget) -> None:
    from PIL import Image

    png = widget.screenshot()
    img = Image.open(io.BytesIO(png)).convert("RGB")
    if img.width > 760:
        img = img.resize((760, round(img.height * 760 / img.width)), Image.LANCZOS)
    README_SHOT.parent.mkdir(exist_ok=True)
    img.quantize(colors=128).save(README_SHOT, optimize=True)
    size = README_SHOT.stat().st_size
    assert size < README_SHOT_MAX_BYTES, f"{README_SHOT} is {size} bytes"


def _check_what_a_person_sees(page, lab, notebook_name: str, stem: str) -> None:
    """After Run All, before any control moves: the Run-All note is gone; every figure the
    notebook made reads well (checked in its own kernel); no text over text and nothing
    cut in any widget or quiz at 1280 px with the file browser open, and in quizzes at
    1024 px (screenshots of each in ``artifacts/screenshots/layout/``)."""
    panel = ".jp-NotebookPanel:not(.lm-mod-hidden)"
    assert page.locator(f"{panel} .rmteach-run-all-note").count() == 0, (
        "the Run-All note is still shown after Run All")
    sessions = [s for s in lab.api("GET", "/api/sessions")
                if s["path"].endswith(notebook_name)]
    assert len(sessions) == 1, f"{notebook_name}: kernel sessions {sessions}"
    n_figures, figures = layout.figure_problems(lab.root.parent / "runtime",
                                                sessions[0]["kernel"]["id"])
    both = f"{panel} :is(.rmteach-widget, .rmteach-quiz)"
    quizzes = f"{panel} .rmteach-quiz"
    at_1280 = layout.measure(page, both)
    layout.shots(page, both, LAYOUT_SHOTS, f"{stem}-1280")
    page.set_viewport_size({"width": 1024, "height": 900})
    page.wait_for_timeout(500)
    at_1024 = layout.measure(page, quizzes)
    layout.shots(page, quizzes, LAYOUT_SHOTS, f"{stem}-1024-quiz")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_timeout(300)
    report = {"1280": at_1280, "1024 quizzes": at_1024}
    print(notebook_name, f"{n_figures} figures, {len(figures)} problems; layout:",
          json.dumps({k: (v["n"], len(v["problems"]), len(v["cut"])) for k, v in report.items()}))
    wrapping = page.evaluate(layout.WRAPPING_PRE_JS, panel)
    bad = [f"figure {p}" for p in figures]
    bad += [f"printed output wraps instead of scrolling as a whole: {t!r}" for t in wrapping]
    bad += [f"{w}: {p}" for w, v in report.items() for p in v["problems"] + v["cut"]]
    assert not bad, f"{notebook_name}: {len(bad)} problems a person sees:\n" + "\n".join(bad[:30])


# -- the tests ---------------------------------------------------------------------------------

def test_stored_notebook_opens_with_its_static_figures(notebook_name, lab, page):
    """What a learner (or a Binder visitor) sees on opening, before running anything: the
    stored widget outputs fall back to their static picture / HTML (the widget state is
    not stored), never to "Error displaying widget" or ``VBox(children=...)`` text."""
    stored_path = NOTEBOOKS_DIR / notebook_name
    if not stored_path.exists():
        pytest.fail(f"{stored_path} is missing", pytrace=False)
    stored = nbformat.read(stored_path, as_version=4)
    page.goto(f"{lab.url}/lab/tree/stored/{notebook_name}?reset")
    page.locator(".jp-NotebookPanel").first.wait_for()
    _wait_idle(page)
    cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")
    _wait_until(lambda: cells.count() == len(stored.cells), 30, "every cell to show")
    for i, cell in enumerate(stored.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            data = out.get("data", {})
            if WIDGET_MIME in data and "image/png" in data:
                _wait_until(lambda i=i: cells.nth(i).locator(".jp-OutputArea-output img")
                            .count() > 0, 30, f"the stored figure of cell {i}")
    texts = _output_texts(page)
    bad = [t[:120] for t in texts if "Error displaying widget" in t or WIDGET_AS_TEXT.search(t)]
    assert not bad, f"stored widget outputs show as errors or text: {bad}"
    assert not _tracebacks(page), "a stored output shows a traceback"
    if layout.has_widgets(stored):     # the first screen: "Run → Run All Cells first"
        note = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .rmteach-run-all-note")
        _wait_until(lambda: note.count() > 0, 30, "the Run-All note of the stored notebook")
        assert layout.NOTE in note.first.inner_text()
        first_code = next(i for i, c in enumerate(stored.cells) if c.cell_type == "code")
        assert all(c.cell_type == "markdown" for c in stored.cells[:first_code]), (
            "the note must come before the first code cell")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first.screenshot(
        path=str(SHOTS / f"{notebook_name.removesuffix('.ipynb')}--as-stored.png"))



def test_notebook_runs_and_its_widgets_work_in_jupyterlab(notebook_name, lab, page):
    stored_path = NOTEBOOKS_DIR / notebook_name
    if not stored_path.exists():
        pytest.fail(f"{stored_path} is missing (names are fixed in CONTRIBUTING.md)",
                    pytrace=False)
    stored = nbformat.read(stored_path, as_version=4)
    n_code = sum(c.cell_type == "code" for c in stored.cells)
    stem = notebook_name.removesuffix(".ipynb")

    layout.open_with_file_browser(page, lab, "notebooks", notebook_name, _wait_idle, _wait_until)
    prompts = _run_all(page, n_code)
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first
    try:
        errors = _tracebacks(page)
        assert not errors, f"{notebook_name}: cells show errors:\n\n" + "\n\n".join(errors)
        assert len(prompts) == n_code and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts), (
            f"not every code cell ran: prompts {prompts}")
        _check_what_a_person_sees(page, lab, notebook_name, stem)
        n_widgets = _check_widgets_rendered(page, stored)
        moved = _interact(page, notebook_name) if n_widgets else None
        if notebook_name in SLIDER_NOTEBOOKS:
            assert moved and moved["kind"] == "slider", f"{notebook_name}: no slider moved"
        quizzes = _answer_quizzes(page)
        ranking_message = _bad_ranking(page)
        if notebook_name == RANKING_NOTEBOOK:
            assert ranking_message, f"{notebook_name} has no .rmteach-ranking-input"
        assert not _tracebacks(page), "an interaction produced a traceback"
        print(f"{notebook_name}: {n_code} code cells, {n_widgets} widget outputs, "
              f"changed {moved['kind'] if moved else 'nothing'}, quizzes {quizzes}, "
              f"bad-ranking message {ranking_message!r}, JS errors {page.js_errors}")
        if moved and notebook_name == README_SHOT_NOTEBOOK and \
                os.environ.get("RMTEACH_UPDATE_SCREENSHOT") == "1":
            _save_readme_screenshot(moved["widget"])
    finally:
        # the overview: the first interactive widget in view (or the top of the notebook)
        first = page.locator(".rmteach-widget").first
        if first.count():
            first.scroll_into_view_if_needed()
        SHOTS.mkdir(parents=True, exist_ok=True)
        panel.screenshot(path=str(SHOTS / f"{stem}.png"))
        widgets = page.locator(".rmteach-widget")
        for k in range(min(widgets.count(), 12)):
            with contextlib.suppress(Exception):
                _shot(widgets.nth(k), SHOTS / f"{stem}--widget-{k + 1}.png")
