"""Course labs in a real browser: a student's release notebook in JupyterLab with the nbgrader
extension loaded (Run All runs the whole lab, stops only in "Graded checks" at the end, and
shows no solution), and an opt-in walk through every notebook as a
learner would (cell by cell with Shift+Enter) that times it for docs/instructors.md.

Uses the server, browser and page fixtures of tests/test_browser.py (same Chromium, same
fresh settings).  The walk runs only with ``RMTEACH_TIME_WALK=1`` (or ``=04,07``); it writes
``artifacts/walk_times.json`` and prints one line per notebook.
"""

from __future__ import annotations

import json
import os
import re
import time

import nbformat
import pytest

from .conftest import NOTEBOOKS_DIR, REPO_ROOT
from .test_browser import (  # noqa: F401 (fixtures)
    _output_texts,
    _run_all,
    _wait_idle,
    _wait_until,
    browser,
    lab,
    page,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RELEASE_NOTEBOOK = "01_preference_probability"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

# The human part of a learner's walk, beside the measured machine time: stated rates, not
# measurements (docs/instructors.md says so).
WORDS_PER_MINUTE = 150          # technical prose with inline maths
MINUTES_PER_WIDGET = 1.5        # move the controls, watch the figure, read the readout
MINUTES_PER_QUIZ = 1.5          # answer, read the feedback (and a second try)
MINUTES_PER_EXERCISE = 7.0      # read the task, write 3-8 lines, check, hint, retry


def test_release_notebook_in_jupyterlab_with_nbgrader_shows_no_solution(lab, page):  # noqa: F811
    pytest.importorskip("nbgrader", reason="pip install -r requirements-instructor.txt")
    from rmteach.course import lab as rmlab
    from rmteach.exercises import EXERCISES

    course = rmlab.build(lab.root / "course", [RELEASE_NOTEBOOK[:2]])
    rel = f"course/release/{RELEASE_NOTEBOOK}/{RELEASE_NOTEBOOK}.ipynb"
    assert (lab.root / rel).exists() and course.assignments[0].exercises
    page.goto(f"{lab.url}/lab/tree/{rel}?reset")
    config = json.loads(page.locator("#jupyter-config-data").text_content())
    names = [e.get("name") for e in config.get("federated_extensions", [])]
    assert "@jupyter/nbgrader" in names, names                 # the extension is loaded
    _wait_idle(page)
    _wait_until(lambda: page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").count()
                or page.locator(".jp-Toolbar-item", has_text="Validate").count(),
                30, "the nbgrader extension's menu or Validate button")
    nb = nbformat.read(lab.root / rel, as_version=4)
    _run_all(page, sum(c.cell_type == "code" for c in nb.cells))
    text = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").inner_text()
    outputs = "\n".join(_output_texts(page))
    # Run All ran the whole lab: both exercises' inline check() said "not yet" without
    # stopping, and the first graded check (the end of the notebook) raised
    assert outputs.count("Not yet") >= len(course.assignments[0].exercises) + 1, outputs
    assert "Graded checks" in text and "AssertionError" in text
    assert "Solution:" not in text and "BEGIN SOLUTION" not in text
    for key, ex in EXERCISES.items():
        if key.startswith("nb01."):
            for line in ex.solution_code().splitlines():
                if len(line.strip()) > 12 and not line.strip().startswith(("def ", "#")):
                    assert line.strip() not in text, line
            assert f"ex.{ex.name}.solution" not in text
    assert "ex.bt_probability.hint()" in text                  # hints stay


def _walk(page, lab, name: str) -> float:  # noqa: F811
    """Open a notebook (outputs cleared) and run it cell by cell with Shift+Enter,
    waiting for the kernel after each code cell; returns the seconds it took."""
    nb = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
    page.goto(f"{lab.url}/lab/tree/notebooks/{name}?reset")
    _wait_idle(page)
    cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")
    cells.first.click()
    page.keyboard.press("Escape")                              # command mode
    start = time.perf_counter()
    for cell in nb.cells:
        page.keyboard.press("Shift+Enter")
        if cell.cell_type == "code":
            time.sleep(0.05)
            _wait_idle(page, timeout_s=180)
    return time.perf_counter() - start


@pytest.mark.skipif(not os.environ.get("RMTEACH_TIME_WALK"),
                    reason="opt-in timing for docs/instructors.md: RMTEACH_TIME_WALK=1 (every "
                           "notebook) or RMTEACH_TIME_WALK=04,07 (those)")
def test_walk_every_notebook_as_a_learner(lab, page):  # noqa: F811
    only = os.environ["RMTEACH_TIME_WALK"]
    rows = {}
    for path in sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")):
        if only != "1" and path.name[:2] not in only.split(","):
            continue
        nb = nbformat.read(path, as_version=4)
        seconds = _walk(page, lab, path.name)
        prose = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
        words = len(re.findall(r"[A-Za-z]+", re.sub(r"\$[^$]*\$", " x ", prose)))
        code = [c for c in nb.cells if c.cell_type == "code"]
        quizzes = sum(len(re.findall(r"quiz\.show\(", c.source)) for c in code)
        widgets = sum(any(WIDGET_MIME in o.get("data", {}) for o in c.get("outputs", []))
                      for c in code) - quizzes         # live widgets other than quizzes
        exercises = sum(bool(re.search(r"^\w+\.\w+\.check\(", c.source, re.M)) for c in code)
        minutes = (seconds / 60 + words / WORDS_PER_MINUTE + widgets * MINUTES_PER_WIDGET
                   + quizzes * MINUTES_PER_QUIZ + exercises * MINUTES_PER_EXERCISE)
        rows[path.stem] = {"walk_seconds": round(seconds, 1), "words": words,
                           "widgets": widgets, "quizzes": quizzes, "exercises": exercises,
                           "estimate_minutes": round(minutes)}
        print(f"\n{path.stem}: walk {seconds:.1f} s, {words} words, {widgets} widgets, "
              f"{quizzes} quizzes, {exercises} exercises -> about {minutes:.0f} min")
        lab.shutdown_kernels()
    out = REPO_ROOT / "artifacts" / "walk_times.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    old = json.loads(out.read_text()) if out.exists() else {}
    out.write_text(json.dumps({**old, **rows}, indent=1))
    assert rows and all(r["walk_seconds"] > 0 for r in rows.values())
