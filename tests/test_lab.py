"""Course labs (rmteach.course.lab): build an nbgrader course from the suite, release it, submit
three students, autograde, export the grades and check every number; plus the build's
errors, its determinism and what the student release must not show.

The fast cycle uses notebooks 01-03: about 43 s of CPU time in all (build 3 s, nine
autograded notebooks about 4 s each, feedback, export 2.5 s), so about that on an idle
2-core machine; it prints its wall time (135 s measured here under a load average of 11-15).
The slow one runs the same cycle over every other lesson notebook that has exercises (the
training notebooks take about 15 s per execution, three executions each).
"""

from __future__ import annotations

import csv
import filecmp
import html
import io
import json
import re
import subprocess
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import nbformat
import pytest

from rmteach.course import lab
from rmteach.exercises import EXERCISES

nbgrader = pytest.importorskip(
    "nbgrader", reason="nbgrader is the instructors' extra: pip install -r "
                       "requirements-instructor.txt (the README's test command installs it)")

ROOT = Path(__file__).resolve().parents[1]
FAST = ["01", "02", "03"]

# One deliberately wrong answer per notebook: (exercise, code for the solution region,
# words the feedback must contain: what was wrong, in the learner's terms).
WRONG = {
    "01_preference_probability": (
        "bt_probability",
        "return 1.0 / (1.0 + np.exp(-(np.asarray(r_b, dtype=float) - r_a)))",
        "The sigmoid takes r_a − r_b, not r_b − r_a"),
    "02_pairwise_loss": (
        "stable_pairwise_loss",
        "d = np.asarray(r_chosen, dtype=float) - np.asarray(r_rejected, dtype=float)\n"
        "return -np.log(1.0 / (1.0 + np.exp(-d)))",
        "np.log(sigmoid(Δ)) turns a tiny probability into log(0)"),
    "03_listwise_loss": (
        "ranking_pairs",
        "return [(ranking[i], ranking[i + 1]) for i in range(len(ranking) - 1)]",
        "you returned only the 3 neighbouring pairs"),
    "05_training_a_reward_model": (
        "pairwise_accuracy",
        "gaps = np.array([rewards[ranking[i]] - rewards[ranking[j]]\n"
        "                 for i in range(len(ranking)) for j in range(i + 1, len(ranking))])\n"
        "return float(np.mean(gaps > 0))",
        "you counted the 1 tie(s) as wrong"),
    "06_diagnosing_and_comparing": (
        "prompt_weights",
        "n = np.asarray(ns, dtype=float)\nreturn n / n.sum()",
        "returned weights proportional to N"),
    "04_what_the_loss_does_to_rewards": (
        "reward_gradient",
        "delta_after_two = 2.0",
        "applies the same push twice"),
    "07_ties_and_calibration": (
        "tie_accuracy",
        "return correct / (correct + wrong)",
        "the 'exclude' convention's value"),
    "08_best_of_n_and_shortcuts": (
        "best_of_n",
        "drawn = list(rewards)\nreturn responses[drawn.index(max(drawn))]",
        "Only the first n = 2 were drawn"),
    "09_reward_hacking_and_kl": (
        "kl_penalised_reward",
        "return np.asarray(reward) + beta_kl * (np.asarray(logp_policy) - np.asarray(logp_ref))",
        "added the KL term"),
    "11_the_reward_model_inside_dpo": (
        "ipo_loss",
        "gap = ((np.asarray(policy_chosen_logps) - np.asarray(ref_chosen_logps))\n"
        "       - (np.asarray(policy_rejected_logps) - np.asarray(ref_rejected_logps)))\n"
        "return (gap - 1 / beta) ** 2",
        "twice IPO's"),
    "12_beyond_one_bradley_terry": (
        "best_of_4",
        "s = np.asarray(scores, dtype=float)\n"
        "return float(np.mean(np.all(s[:, :1] >= s[:, 1:], axis=1)))",
        "counted a tie"),
}
GENERIC_WRONG = ("raise ValueError('a deliberate mistake')", "raised ValueError")


def _quiet(fn, *args, **kwargs):
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        return fn(*args, **kwargs)


def _api(root: Path):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    return NbGraderAPI(CourseDirectory(config=config), config=config)


def _wrong_notebook(source: Path, exercise: str, code: str) -> nbformat.NotebookNode:
    """The instructor's notebook with one exercise's solution region replaced by ``code``."""
    nb = nbformat.read(source, as_version=4)
    cell = next(c for c in nb.cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == exercise)
    m = re.search(r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION", cell.source,
                  re.S | re.M)
    indent = m.group(1)
    cell.source = (cell.source[:m.start()]
                   + "\n".join(indent + ln for ln in code.split("\n"))
                   + cell.source[m.end():])
    return nb


def _submit(root: Path, student: str, name: str, nb) -> None:
    folder = root / "submitted" / student / name
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{name}.ipynb")


def _cycle(tmp_path: Path, notebooks: list[str]):
    """Build, release, submit three students, autograde, feedback, export; timed."""
    start = time.perf_counter()
    root = tmp_path / "course"
    course = lab.build(root, notebooks)
    api = _api(root)
    wrong = {}
    for a in course.assignments:
        release = nbformat.read(root / "release" / a.name / f"{a.name}.ipynb", as_version=4)
        source = root / "source" / a.name / f"{a.name}.ipynb"
        _submit(root, "untouched", a.name, release)
        _submit(root, "solutions", a.name, nbformat.read(source, as_version=4))
        exercise, code, words = WRONG.get(a.name, (a.exercises[0], *GENERIC_WRONG))
        wrong[a.name] = (exercise, words)
        _submit(root, "partial", a.name, _wrong_notebook(source, exercise, code))
    for a in course.assignments:
        for student in ("untouched", "solutions", "partial"):
            result = _quiet(api.autograde, a.name, student, force=True, create=True)
            assert result["success"], result["log"]
        result = _quiet(api.generate_feedback, a.name, "partial", force=True)
        assert result["success"], result["log"]
    export = subprocess.run([sys.executable, "-m", "nbgrader", "export", "--to", "grades.csv"],
                            cwd=root, capture_output=True, text=True, timeout=120)
    assert export.returncode == 0, export.stderr
    seconds = time.perf_counter() - start
    with open(root / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return course, rows, wrong, seconds


def _check_cycle(course, rows, wrong, seconds, label):
    root = course.root
    print(f"\nnbgrader cycle ({label}: build, release, 3 students autograded, feedback, "
          f"export): {seconds:.1f} s")
    names = {a.name for a in course.assignments}
    assert len(rows) == 3 * len(names)
    got = {(r["student_id"], r["assignment"]): r for r in rows}
    assert {a for _, a in got} == names
    for a in course.assignments:
        assert a.points == lab.POINTS * len(a.exercises) > 0
        expect = {"untouched": 0.0, "solutions": float(a.points),
                  "partial": float(a.points - lab.POINTS)}
        for student, score in expect.items():
            r = got[(student, a.name)]
            assert float(r["max_score"]) == a.points, (student, a.name, r)
            assert float(r["raw_score"]) == score, (student, a.name, r)
            assert float(r["score"]) == score, (student, a.name, r)
            assert float(r["late_submission_penalty"]) == 0.0
        # the feedback says what was wrong, in the learner's terms
        exercise, words = wrong[a.name]
        feedback = (root / "feedback" / "partial" / a.name / f"{a.name}.html").read_text()
        text = html.unescape(re.sub(r"<[^>]+>", "", feedback))
        assert "Not quite" in text and words in text, (a.name, exercise)
        graded = nbformat.read(root / "autograded" / "partial" / a.name / f"{a.name}.ipynb", 4)
        failed = [c.metadata["nbgrader"]["grade_id"] for c in graded.cells
                  if c.metadata.get("nbgrader", {}).get("grade")
                  and any(o.get("output_type") == "error" for o in c.outputs)]
        assert failed == [f"{exercise}_test"], (a.name, failed)


def test_cycle_fast(tmp_path):
    course, rows, wrong, seconds = _cycle(tmp_path, FAST)
    assert [a.name for a in course.assignments] == [
        "01_preference_probability", "02_pairwise_loss", "03_listwise_loss"]
    _check_cycle(course, rows, wrong, seconds, "notebooks 01-03")


@pytest.mark.slow
def test_cycle_rest_of_suite(tmp_path):
    rest = [p.stem for p in lab.suite_notebooks()
            if p.stem[:2] not in FAST and lab.lab_notebook(p)[1].exercises]
    if not rest:
        pytest.skip("no lesson notebook beyond 01-03 has exercises")
    course, rows, wrong, seconds = _cycle(tmp_path, rest)
    _check_cycle(course, rows, wrong, seconds, ",".join(r[:2] for r in rest))


def test_every_suite_exercise_becomes_a_graded_cell():
    """Every exercise the suite's notebooks use is graded once, with its own checker."""
    for path in lab.suite_notebooks():
        nb, a = lab.lab_notebook(path)
        module = f"nb{path.stem[:2]}."
        assert sorted(a.exercises) == sorted(k[len(module):] for k in EXERCISES
                                             if k.startswith(module)), path.name
        ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
        assert len(ids) == len(set(ids))
        tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
        assert [c.metadata["nbgrader"]["grade_id"] for c in tests] == [
            f"{n}_test" for n in a.exercises]
        assert all(c.metadata["nbgrader"]["locked"] and c.metadata["nbgrader"]["points"]
                   == lab.POINTS for c in tests)
        assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")
        assert not any(re.search(r"\.solution\(", c.source) for c in nb.cells)


def test_release_shows_no_solution(tmp_path):
    course = lab.build(tmp_path / "c", FAST)
    for a in course.assignments:
        release = (tmp_path / "c" / "release" / a.name / f"{a.name}.ipynb").read_text()
        nb = nbformat.reads(release, as_version=4)
        assert "BEGIN SOLUTION" not in release
        assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")
        assert not any(".solution(" in c.source for c in nb.cells)
        for key, ex in EXERCISES.items():       # no model answer's code lines either
            if key.startswith(f"nb{a.name[:2]}."):
                for line in ex.solution_code().splitlines():
                    line = line.strip()
                    if len(line) > 12 and not line.startswith(("def ", "#")):
                        assert line not in release, (a.name, line)
        suite = nbformat.read(ROOT / "notebooks" / f"{a.name}.ipynb", as_version=4)
        hints = [c.source for c in suite.cells if c.source.strip().endswith(".hint()")]
        assert hints and hints == [c.source for c in nb.cells
                                   if c.source.strip().endswith(".hint()")]   # hints stay
        graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
        assert len(graded) == len(a.exercises) == 2
    # and the lab's locked cell switches solution() off, even with reveal=True
    ex = EXERCISES["nb01.bt_probability"]
    try:
        lab.graded_lab()
        out = io.StringIO()
        with redirect_stdout(out):
            ex.solution(reveal=True)
        assert "graded lab" in out.getvalue() and "np.where" not in out.getvalue()
    finally:
        lab.graded_lab(False)


def test_validator_passes_the_solutions_and_fails_the_release(tmp_path):
    from nbgrader.validator import Validator

    lab.build(tmp_path / "c", ["01"])
    name = "01_preference_probability"
    source = tmp_path / "c" / "source" / name / f"{name}.ipynb"
    release = tmp_path / "c" / "release" / name / f"{name}.ipynb"
    assert _quiet(Validator().validate, str(source)) == {}
    failed = _quiet(Validator().validate, str(release))["failed"]
    assert len(failed) == 2
    assert all("Not yet" in f["raw_error"] for f in failed)


def test_build_is_deterministic(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    lab.build(a, FAST)
    lab.build(b, FAST)
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert files_a == files_b
    differ = [p for p in files_a if not filecmp.cmp(a / p, b / p, shallow=False)]
    assert differ in ([], [Path("gradebook.db")]), differ     # nbgrader's timestamps only


def _cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "rmteach", "lab", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_cli_builds_and_refuses_to_overwrite(tmp_path):
    out = tmp_path / "course"
    r = _cli("build", str(out), "--notebooks", "1,02_pairwise_loss")
    assert r.returncode == 0, r.stderr
    assert "01_preference_probability: 2 graded exercise(s), 2 point(s)" in r.stdout
    assert sorted(p.name for p in (out / "release").iterdir()) == [
        "01_preference_probability", "02_pairwise_loss"]
    marker = out / "submitted" / "alice" / "01_preference_probability" / "x.ipynb"
    marker.parent.mkdir(parents=True)
    marker.write_text("{}")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    r = _cli("build", str(out), "--notebooks", "01")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.strip().splitlines() == [r.stderr.strip()]
    assert r.stderr.startswith("error: OUT=") and "--force" in r.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    r = _cli("build", str(out), "--notebooks", "01", "--force")
    assert r.returncode == 0, r.stderr
    assert marker.read_text() == "{}"                     # submissions are kept


@pytest.mark.parametrize("notebooks, words", [
    ("01,99", "--notebooks: no suite notebook '99'"),
    ("01,nope", "--notebooks: no suite notebook 'nope'"),
    (",", "--notebooks: empty list"),
])
def test_unknown_notebook_is_a_clear_error(tmp_path, notebooks, words):
    out = tmp_path / "never"
    r = _cli("build", str(out), "--notebooks", notebooks)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.startswith(f"error: {words}")
    assert not out.exists()


def _fake_suite(tmp_path, source: str, name="01_fake.ipynb") -> Path:
    suite = tmp_path / "suite"
    suite.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import numpy as np\n\n"
                                          "from rmteach.exercises import nb01 as ex"),
                nbformat.v4.new_code_cell(source)]
    nbformat.write(nb, suite / name)
    return suite


def test_exercise_without_checker_is_a_clear_error(tmp_path):
    suite = _fake_suite(tmp_path, "def my_fn(x):\n    ...\n\n\nex.no_such_exercise.check(my_fn)")
    with pytest.raises(lab.LabError, match=r"01_fake.ipynb, cell 1: ex.no_such_exercise has "
                                           r"no checker"):
        lab.build(tmp_path / "out", suite=suite)
    assert not (tmp_path / "out").exists()
    r = _cli("build", str(tmp_path / "out2"), "--suite", str(suite))
    assert r.returncode == 2 and r.stderr.startswith("error: 01_fake.ipynb, cell 1:")


def test_missing_exercise_module_is_a_clear_error(tmp_path):
    suite = tmp_path / "suite"
    suite.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from rmteach.exercises import nb77 as ex")]
    nbformat.write(nb, suite / "77_new.ipynb")
    with pytest.raises(lab.LabError, match=r"rmteach\.exercises\.nb77, which does not exist"):
        lab.build(tmp_path / "out", suite=suite)


def test_answer_region_keeps_the_starter(tmp_path):
    suite = _fake_suite(tmp_path, "def my_preference_probability(r_a, r_b):\n"
                                  "    # An edited starter: the package's is used.\n    ...\n\n\n"
                                  "ex.bt_probability.check(my_preference_probability)")
    nb, a = lab.lab_notebook(suite / "01_fake.ipynb")
    answer = nb.cells[2].source                          # after the locked cell
    starter = EXERCISES["nb01.bt_probability"].starter.split("\n")
    assert answer.startswith("\n".join(starter[:3]) + "\n    ### BEGIN SOLUTION\n")
    assert answer.endswith("    ### END SOLUTION\n\n\n" + starter[-1])
    assert nb.cells[-1].source.endswith("ex.bt_probability.grade(my_preference_probability)")
    assert nb.cells[-2].source.startswith("## Graded checks")
    assert a.exercises == ["bt_probability"]
    ns: dict = {}
    exec("import numpy as np\nfrom rmteach.exercises import nb01 as ex\n" + answer, ns)
    assert EXERCISES["nb01.bt_probability"].evaluate(ns["my_preference_probability"]).ok


def test_notebooks_show_no_solution_until_asked():
    """Self-learners: no stored notebook shows a model answer; Run All prints none."""
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            assert "reveal=True" not in cell.source, (path.name, cell.source)
            text = json.dumps(cell.get("outputs", []))
            assert "Solution:" not in text, (path.name, cell.source)
            if re.search(r"\.solution\(\)", cell.source):
                assert "solution(reveal=True)" in text, (path.name, cell.source)


def test_missing_nbgrader_is_a_clear_error(tmp_path, monkeypatch):
    for name in [m for m in sys.modules if m == "nbgrader" or m.startswith("nbgrader.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "nbgrader", None)        # import nbgrader -> ImportError
    with pytest.raises(lab.LabError, match=r"pip install -r requirements-instructor\.txt"):
        lab.build(tmp_path / "out", ["01"])
    assert not (tmp_path / "out").exists()


def test_notebook_without_exercises_is_an_ungraded_assignment(tmp_path):
    suite = tmp_path / "suite"
    suite.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Reading only"),
                nbformat.v4.new_code_cell("print(1 + 1)")]
    nbformat.write(nb, suite / "01_reading.ipynb")
    course = lab.build(tmp_path / "out", suite=suite)
    assert [(a.name, a.points) for a in course.assignments] == [("01_reading", 0)]
    release = nbformat.read(tmp_path / "out" / "release" / "01_reading" / "01_reading.ipynb", 4)
    assert [c.source for c in release.cells] == ["# Reading only", "print(1 + 1)"]
