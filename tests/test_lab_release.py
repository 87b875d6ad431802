"""Course labs, what students get (issue 21): nothing an instructor typed in ``notebooks/``
reaches a release, Run All runs the whole lab (only the "Graded checks" raise), one
placeholder per exercise, and the instructor chooses what is graded (``--exercises``)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from rmteach.course import lab
from rmteach.exercises import EXERCISES

pytest.importorskip("nbgrader", reason="nbgrader is the instructors' extra: pip install -r "
                                       "requirements-instructor.txt")

ROOT = Path(__file__).resolve().parents[1]
NB01 = "01_preference_probability"
TYPED = "d = np.asarray(r_a) - np.asarray(r_b)  # INSTRUCTOR-TYPED"


def _cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "rmteach", "lab", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def _files(folder: Path) -> dict:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} \
        if folder.exists() else {}


def _copy_suite(tmp_path: Path, git: bool) -> Path:
    suite = tmp_path / "repo" / "notebooks"
    suite.mkdir(parents=True)
    shutil.copy(ROOT / "notebooks" / f"{NB01}.ipynb", suite)
    if git:
        if shutil.which("git") is None:
            pytest.skip("git is not installed: the committed-text check needs it")
        run = dict(cwd=suite.parent, check=True, capture_output=True)
        subprocess.run(["git", "init", "-q"], **run)
        subprocess.run(["git", "add", "."], **run)
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q",
                        "-m", "suite"], **run)
    return suite


def _edit(suite: Path, pick, new_source: str) -> str:
    path = suite / f"{NB01}.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if pick(c))
    cell.source = new_source
    nbformat.write(nb, path)
    return cell.id


def _release(out: Path, name=NB01) -> str:
    return (out / "release" / name / f"{name}.ipynb").read_text(encoding="utf-8")


@pytest.mark.parametrize("git", [False, True])
def test_typed_exercise_answers_never_reach_the_release(tmp_path, git):
    """An instructor tried both exercises (JupyterLab autosaved): the release is clean."""
    suite = _copy_suite(tmp_path, git)
    _edit(suite, lambda c: c.source.endswith("ex.bt_probability.check(my_preference_probability)"),
          "def my_preference_probability(r_a, r_b):\n    " + TYPED + "\n    return 1 / (1 + "
          "np.exp(-d))\n\n\nex.bt_probability.check(my_preference_probability)")
    _edit(suite, lambda c: c.source.endswith("ex.scale_for_confidence.check(p_two_steps)"),
          "p_two_steps = '2.94'\n\nex.scale_for_confidence.check(p_two_steps)")
    course = lab.build(tmp_path / "out", suite=suite)
    release = _release(tmp_path / "out")
    source = (tmp_path / "out" / "source" / NB01 / f"{NB01}.ipynb").read_text()
    for text in (release, source):
        assert "INSTRUCTOR-TYPED" not in text and "2.94'" not in text
    nb = nbformat.reads(release, as_version=4)
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in nb.cells}
    for name in course.assignments[0].exercises:            # the package's starter, as is
        ex = EXERCISES[f"nb01.{name}"]
        assert [ln for ln in cells[name].split("\n") if ln.strip()] == \
            [ln for ln in ex.starter.split("\n") if ln.strip()]


def test_edits_elsewhere_stop_the_build_with_the_cell_and_the_fix(tmp_path):
    """Markdown, hints and lesson code flow from the notebook: an uncommitted edit there
    stops the build (git checkout), and nothing is written."""
    suite = _copy_suite(tmp_path, git=True)
    cell_id = _edit(suite, lambda c: c.cell_type == "markdown" and "Exercise 1" in c.source,
                    "### Exercise 1\n\nPS: the answer is np.where(d >= 0, ...)")
    with pytest.raises(lab.LabError, match=rf"id {cell_id}.*differs from the committed "
                                           r"notebook.*git checkout -- notebooks/01_pref"):
        lab.build(tmp_path / "out", suite=suite)
    r = _cli("build", str(tmp_path / "out"), "--suite", str(suite))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert r.stderr.startswith("error: 01_preference_probability.ipynb, cell ")
    assert not (tmp_path / "out").exists()
    assert not list(tmp_path.glob(".out.lab-build-*"))


def test_a_scratch_cell_with_an_answer_stops_the_build_without_git(tmp_path):
    suite = _copy_suite(tmp_path, git=False)
    path = suite / f"{NB01}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(5, nbformat.v4.new_code_cell("def my_preference_probability(a, b):\n"
                                                 "    return a - b"))
    nbformat.write(nb, path)
    with pytest.raises(lab.LabError, match=r"cell 5 .*typed code.*git checkout"):
        lab.build(tmp_path / "out", suite=suite)
    assert not (tmp_path / "out").exists()


def _execute(path: Path) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def _run_all_raises_only_in_graded_checks(out: Path, name: str) -> None:
    nb = _execute(out / "release" / name / f"{name}.ipynb")
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), name                  # everything ran
    raised = [c for c in code if any(o.output_type == "error" for o in c.outputs)]
    graded = [c for c in code if c.metadata.get("nbgrader", {}).get("grade")]
    assert raised == graded and graded, (name, [c.source[:60] for c in raised])
    heading = next(i for i, c in enumerate(nb.cells) if c.get("id") == "graded-checks")
    assert all(nb.cells.index(c) > heading for c in graded)            # gathered at the end
    for c in code:                                 # inline check() says "not yet", calmly
        if re.search(r"^ex\.\w+\.check\(", c.source, re.M):
            text = "".join(o.get("text", "") for o in c.outputs)
            assert text.startswith("Not yet"), (name, c.source[-60:], text)


def test_run_all_runs_the_whole_release_and_only_the_graded_checks_raise(tmp_path):
    out = tmp_path / "out"
    course = lab.build(out, ["01", "02"])
    for a in course.assignments:
        _run_all_raises_only_in_graded_checks(out, a.name)


@pytest.mark.slow
def test_run_all_in_every_release_notebook(tmp_path):
    out = tmp_path / "out"
    course = lab.build(out, [p.stem for p in lab.suite_notebooks() if p.stem[:2] not in
                             ("01", "02") and lab.notebook_exercises(p)])
    for a in course.assignments:
        _run_all_raises_only_in_graded_checks(out, a.name)


def test_one_placeholder_and_release_words_that_match_the_cells(tmp_path):
    course = lab.build(tmp_path / "out", ["01", "02", "03"])
    for a in course.assignments:
        nb = nbformat.reads(_release(tmp_path / "out", a.name), as_version=4)
        for c in nb.cells:
            meta = c.metadata.get("nbgrader", {})
            assert "NotImplementedError" not in c.source
            if meta.get("solution"):
                assert c.source.count("...") == 1, c.source          # one placeholder
                assert re.search(r"^ex\.\w+\.check\(\w+\)$", c.source, re.M)
            if c.cell_type == "markdown" and "grade()" in c.source:
                assert meta.get("grade_id") == "graded_checks"
            if meta.get("grade"):
                assert ".grade(" in c.source and ".check(" not in c.source


def test_the_instructor_chooses_what_is_graded(tmp_path):
    out = tmp_path / "out"
    r = _cli("build", str(out), "--notebooks", "01,02", "--exercises",
             "bt_probability,nb02.stable_pairwise_loss")
    assert r.returncode == 0, r.stderr
    assert ("01_preference_probability: 1 graded exercise(s), 1 point(s); practice: "
            "scale_for_confidence") in r.stdout
    assert "02_pairwise_loss: 1 graded exercise(s), 1 point(s); practice: empirical_loss" \
        in r.stdout
    nb = nbformat.reads(_release(out), as_version=4)
    graded = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
              if c.metadata.get("nbgrader", {}).get("grade")]
    assert graded == ["bt_probability_test"]
    practice = next(c for c in nb.cells
                    if c.source.endswith("ex.scale_for_confidence.check(p_two_steps)"))
    assert practice.source == EXERCISES["nb01.scale_for_confidence"].starter
    assert "nbgrader" not in practice.metadata


@pytest.mark.parametrize("args, words", [
    (["--notebooks", "01", "--exercises", "no_such"],
     "--exercises: no exercise 'no_such' in the selected notebooks; expected names from "
     "bt_probability, scale_for_confidence"),
    (["--notebooks", "01,02", "--exercises", "bt_probability,listwise"],
     "--exercises: 'listwise' is an exercise of notebook 03, which --notebooks does not "
     "select"),
    (["--notebooks", "01", "--exercises", ","], "--exercises: empty list"),
])
def test_bad_exercises_are_one_error_line_and_write_nothing(tmp_path, args, words):
    out = tmp_path / "out"
    r = _cli("build", str(out), *args)
    assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr
    assert r.stderr.startswith(f"error: {words}"), r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_out_inside_the_notebooks_folder_is_refused(tmp_path):
    before = sorted(p.name for p in (ROOT / "notebooks").iterdir())
    for out in ("notebooks/lab-out", "notebooks"):
        r = _cli("build", out, "--notebooks", "01")
        assert r.returncode == 2 and "Traceback" not in r.stderr
        assert r.stderr.startswith(f"error: OUT='{out}' is inside the suite's notebooks folder")
    assert sorted(p.name for p in (ROOT / "notebooks").iterdir()) == before
