"""Course labs, one notebook: a suite notebook turned into an nbgrader assignment.

Each exercise (a learner cell whose last line is ``ex.NAME.check(ARG)``) is rebuilt from its
package definition (``Exercise.starter``), never from the saved cell, so nothing typed into
``notebooks/`` (an instructor trying the exercises while JupyterLab autosaves) reaches a
release.  A **graded** exercise gives

* a **solution cell**, in place: the starter code, then the model answer between
  ``### BEGIN SOLUTION`` / ``### END SOLUTION``; the course's ``nbgrader_config.py`` makes
  nbgrader clear that region to nothing, so the student gets the starter as it is: one
  ``...`` to replace, and ``check()`` on its last line, which prints "Not yet" and never
  raises;
* a locked, autograded **test cell** worth :data:`POINTS` point(s),
  ``ex.NAME.grade(ARG)``, gathered with the others under "Graded checks" at the end of
  the notebook, so *Run All* runs the whole lesson before the first one raises.

An exercise that is not graded (``lab build --exercises`` leaves it out) stays as practice:
its starter and ``check()``, no grade.  ``ex.NAME.hint()`` cells are rewritten from the name;
``ex.NAME.solution()`` cells (and a one-line "see the solution" note just before one) are
left out.  Every other cell is taken from the notebook: when the suite is a git checkout,
a cell whose text differs from the committed notebook stops the build (it names the cell
and how to restore it), and a code cell that defines a function or sets an exercise's
answer name stops it everywhere.
"""

from __future__ import annotations

import ast
import copy
import importlib
import os
import re
import subprocess
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..math._checks import validated

__all__ = ["POINTS", "Assignment", "LabError", "lab_notebook", "notebook_exercises",
           "select_exercises", "select_notebooks", "suite_dir", "suite_notebooks"]

POINTS = 1
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
SCHEMA = 3

_IMPORT = re.compile(r"^\s*from\s+rmteach\.exercises\s+import\s+(\w+)\s+as\s+(\w+)\s*$", re.M)
_CHECK = r"^{alias}\.(\w+)\.check\((.*)\)\s*$"
_CALL = r"^\s*{alias}\.(\w+)\.({what})\((.*)\)\s*$"


class LabError(ValueError):
    """A course cannot be built as asked; the message says why and what to do."""


@dataclass
class Assignment:
    name: str
    exercises: list[str] = field(default_factory=list)      # graded
    practice: list[str] = field(default_factory=list)       # check() only

    @property
    def points(self) -> int:
        return POINTS * len(self.exercises)


@validated(suite="path?")
def suite_dir(suite=None) -> Path:
    if suite is not None:
        return Path(suite)
    here = Path(__file__).resolve().parents[2] / "notebooks"
    return here if here.is_dir() else Path.cwd() / "notebooks"


def suite_notebooks(suite: Path | None = None) -> list[Path]:
    """The suite's lesson notebooks (``NN_name.ipynb``, 00 excluded: it is the map)."""
    suite = suite_dir(suite)
    if not suite.is_dir():
        raise LabError(f"suite={str(suite)!r}: no notebooks folder there; run the command from "
                       "the rmteach repository, or pass --suite PATH/TO/notebooks.")
    return sorted(p for p in suite.glob("[0-9][0-9]_*.ipynb") if not p.name.startswith("00_"))


def select_notebooks(paths: list[Path], notebooks: str | list[str] | None) -> list[Path]:
    """The notebooks ``--notebooks`` names (numbers or full names), in the order given."""
    if not isinstance(paths, (list, tuple)) or not all(isinstance(p, Path) for p in paths):
        raise LabError(f"paths must be a list of Paths (suite_notebooks()); got {paths!r:.40}.")
    if notebooks is not None and not isinstance(notebooks, (str, list, tuple)):
        raise LabError(f"notebooks must be e.g. '01,02,03' or a list; got {notebooks!r:.40}.")
    if notebooks is None:
        return paths
    wanted = notebooks.split(",") if isinstance(notebooks, str) else list(notebooks)
    chosen = []
    for raw in wanted:
        key = str(raw).strip().removesuffix(".ipynb")
        if not key:
            continue
        hits = [p for p in paths if p.stem == key or p.stem.split("_", 1)[0] == key.zfill(2)]
        if len(hits) != 1:
            known = ", ".join(p.stem.split("_", 1)[0] for p in paths)
            raise LabError(f"--notebooks: no suite notebook {str(raw).strip()!r}; expected "
                           f"numbers from {known} (comma-separated, e.g. 01,02,03) or full "
                           "names.")
        if hits[0] not in chosen:
            chosen.append(hits[0])
    if not chosen:
        raise LabError("--notebooks: empty list; give e.g. --notebooks 01,02,03.")
    return chosen


def _read_notebook(path) -> nbformat.NotebookNode:
    """A notebook file (read_text_file refuses FIFOs, devices, huge files), or a LabError."""
    from ..data._io import read_text_file

    try:
        return nbformat.reads(read_text_file(path, "path"), as_version=4)
    except (nbformat.reader.NotJSONError, nbformat.validator.ValidationError, KeyError,
            AttributeError, TypeError) as exc:
        raise LabError(f"{str(path)!r:.200}: not a notebook ({type(exc).__name__}).") from None


def notebook_exercises(path: Path) -> list[str]:
    """The names of the exercises a suite notebook checks, in order."""
    nb = _read_notebook(path)
    aliases = [alias for _, alias in _IMPORT.findall(
        "\n".join(c.source for c in nb.cells if c.cell_type == "code"))]
    names = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            last = cell.source.rstrip().split("\n")[-1]
            for alias in aliases:
                m = re.match(_CHECK.format(alias=alias), last)
                if m:
                    names.append(m.group(1))
    return names


def select_exercises(chosen: list[Path], exercises, suite: list[Path]) -> set[str] | None:
    """The exercise names ``--exercises`` grades (None: every exercise of the notebooks)."""
    if exercises is None:
        return None
    for name, paths in (("chosen", chosen), ("suite", suite)):
        if not isinstance(paths, (list, tuple)) or not all(isinstance(p, Path) for p in paths):
            raise LabError(f"{name} must be a list of notebook Paths; got {paths!r:.40}.")
    wanted = exercises.split(",") if isinstance(exercises, str) else list(exercises)
    wanted = [str(w).strip() for w in wanted if str(w).strip()]
    if not wanted:
        raise LabError("--exercises: empty list; give e.g. --exercises "
                       "bt_probability,stable_pairwise_loss, or leave the flag out to grade "
                       "every exercise.")
    inside = {name: p for p in chosen for name in notebook_exercises(p)}
    graded = set()
    for raw in wanted:
        name = raw.split(".", 1)[1] if re.match(r"nb\d\d\.", raw) else raw
        if name in inside:
            graded.add(name)
            continue
        elsewhere = [p.stem[:2] for p in suite if p not in chosen
                     and name in notebook_exercises(p)]
        if elsewhere:
            raise LabError(f"--exercises: {raw!r} is an exercise of notebook {elsewhere[0]}, "
                           f"which --notebooks does not select; add {elsewhere[0]} to "
                           f"--notebooks or leave {raw!r} out.")
        raise LabError(f"--exercises: no exercise {raw!r} in the selected notebooks; expected "
                       f"names from {', '.join(sorted(inside)) or '(none)'}.")
    return graded


def _nbgrader_meta(grade_id: str, *, solution=False, grade=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked,
            "schema_version": SCHEMA, "solution": solution}
    if points is not None:
        meta["points"] = points
    return meta


def _is_placeholder(stmt: ast.stmt) -> bool:
    value = stmt.value if isinstance(stmt, (ast.Expr, ast.Return)) else None
    return (isinstance(stmt, ast.Pass)
            or (isinstance(value, ast.Constant) and value.value in (Ellipsis, None))
            or (isinstance(stmt, ast.Expr) and isinstance(value, ast.Constant)
                and isinstance(value.value, str)))


def _answer_source(starter: str, arg: str, solution: str) -> str:
    """The starter code, then the model answer in an nbgrader solution region (inside the
    function when the starter is a function whose body is only placeholders)."""
    lines = starter.rstrip().split("\n")
    fn = next((n for n in ast.parse(starter).body
               if isinstance(n, ast.FunctionDef) and n.name == arg), None)
    sol_body = ast.parse(solution).body
    sol_fn = sol_body[0] if len(sol_body) == 1 else None
    if (fn is not None and isinstance(sol_fn, ast.FunctionDef) and sol_fn.name == arg
            and all(_is_placeholder(s) for s in fn.body)):
        sol_lines = solution.strip("\n").split("\n")
        header_end = sol_fn.body[0].lineno - 1
        while header_end > sol_fn.lineno and sol_lines[header_end - 1].lstrip().startswith("#"):
            header_end -= 1                        # keep comments between def and first line
        body = textwrap.dedent("\n".join(sol_lines[header_end:sol_fn.end_lineno]))
        last = fn.body[-1].end_lineno - 1
        indent = re.match(r"\s*", lines[fn.body[0].lineno - 1]).group(0)
        region = [indent + BEGIN]
        region += [indent + ln if ln.strip() else "" for ln in body.split("\n")]
        region += [indent + END]
        return "\n".join(lines[:last + 1] + region + lines[last + 1:])
    return "\n".join([*lines, BEGIN, solution.strip("\n"), END])


def _committed(path: Path) -> dict[str, str] | None:
    """Cell id -> source of the committed notebook, or None (not in a git checkout)."""
    try:
        top = subprocess.run(["git", "-C", str(path.parent), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, timeout=30)
        if top.returncode:
            return None
        rel = os.path.relpath(path.resolve(), Path(top.stdout.strip()).resolve())
        shown = subprocess.run(["git", "-C", top.stdout.strip(), "show",
                                f"HEAD:{Path(rel).as_posix()}"],
                               capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if shown.returncode:
        return None                                 # a new, uncommitted notebook
    nb = nbformat.reads(shown.stdout, as_version=4)
    return {c.get("id"): c.source for c in nb.cells}


def _where(path: Path, i: int, cell) -> str:
    first = cell.source.strip().split("\n")[0][:60]
    return f"{path.name}, cell {i} (id {cell.get('id')}, {first!r})"


def _own_code(path: Path, i: int, cell, answers: set[str]) -> None:
    """Refuse a code cell that defines a function or class or sets an exercise's answer."""
    try:
        tree = ast.parse(cell.source)
    except SyntaxError:
        return                                       # IPython magics: not an answer
    for node in ast.walk(tree):
        bad = (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
               or (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
                   and node.id in answers))
        if bad:
            raise LabError(f"{_where(path, i, cell)}: looks like typed code (a definition or "
                           "an exercise's answer) outside an exercise cell; delete the cell or "
                           f"restore the notebook (git checkout -- notebooks/{path.name}), "
                           "then build again.")


def lab_notebook(path: Path, graded: set[str] | None = None
                 ) -> tuple[nbformat.NotebookNode, Assignment]:
    """The instructor (source) version of one suite notebook, and what it grades
    (``graded``: the exercise names to grade; None grades every one)."""
    from ..exercises import Exercise

    if isinstance(path, (bytes, bool)) or not isinstance(path, (str, os.PathLike)):
        raise LabError(f"path must be a path to a notebook; got {type(path).__name__}.")
    path = Path(path)
    if path.suffix != ".ipynb":
        raise LabError(f"path={str(path)!r:.200} must be an existing notebook file (.ipynb).")
    nb = _read_notebook(path)
    assignment = Assignment(path.stem)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    imports = _IMPORT.findall(code)
    if not imports:
        return _clean(nb), assignment
    if len({alias for _, alias in imports}) != len(imports):
        raise LabError(f"{path.name}: more than one exercise module under one name.")
    modules = {}
    for module_name, alias in imports:
        try:
            modules[alias] = importlib.import_module(f"rmteach.exercises.{module_name}")
        except ImportError:
            raise LabError(f"{path.name}: imports rmteach.exercises.{module_name}, which does "
                           "not exist: its exercises have no checker.") from None

    def exercise(alias, name, cell_no):
        ex = getattr(modules[alias], name, None)
        short = modules[alias].__name__.rsplit('.', 1)[-1]
        if not isinstance(ex, Exercise):
            raise LabError(f"{path.name}, cell {cell_no}: {alias}.{name} has no checker: "
                           f"rmteach.exercises.{short} defines no exercise {name!r}.")
        m = re.match(_CHECK.format(alias="ex"), ex.starter.split("\n")[-1])
        if not m or m.group(1) != name:
            raise LabError(f"{path.name}, cell {cell_no}: rmteach.exercises.{short}.{name} has "
                           "no starter= text ending in its check() line; copy the notebook's "
                           "exercise cell into starter=.")
        return ex, m.group(2).strip()

    committed = _committed(path)
    answers, tests, out = set(), [], []
    for i, cell in enumerate(nb.cells):
        cell = copy.deepcopy(cell)
        src = cell.source.rstrip()
        handled = False
        for alias in modules if cell.cell_type == "code" else ():
            m = re.match(_CALL.format(alias=alias, what="solution|hint"), src)
            if m and "\n" not in src:
                exercise(alias, m.group(1), i)
                if m.group(2) == "solution":
                    prev = out[-1] if out else None
                    if (prev is not None and prev.cell_type == "markdown"
                            and "solution" in prev.source.lower() and "\n" not in
                            prev.source.strip()):
                        out.pop()                 # "Run the next cell to see one solution."
                else:
                    cell.source = f"{alias}.{m.group(1)}.hint()"
                    out.append(cell)
                handled = True
                break
            m = re.match(_CHECK.format(alias=alias), src.split("\n")[-1])
            if m:
                name = m.group(1)
                ex, arg = exercise(alias, name, i)
                if re.search(rf"^def {re.escape(arg)}\(", ex.starter, re.M):
                    answers.add(arg)                 # a generic name like s is not checked
                body = "\n".join(ex.starter.split("\n")[:-1])
                check = "\n" * (1 + len(body) - len(body.rstrip("\n"))) + (
                    f"{alias}.{name}.check({arg})")
                body = body.rstrip("\n")
                if graded is None or name in graded:
                    cell.source = _answer_source(body, arg, ex.solution_code()) + check
                    cell.metadata["nbgrader"] = _nbgrader_meta(name, solution=True)
                    tests.append((alias, ex, arg))
                    assignment.exercises.append(name)
                else:
                    cell.source = body + check
                    assignment.practice.append(name)
                out.append(cell)
                handled = True
                break
            if re.search(rf"^{alias}\.\w+\.solution\(", src, re.M):
                raise LabError(f"{path.name}, cell {i}: shows a solution in a cell the lab "
                               "builder does not recognise; keep ex.NAME.solution() alone in "
                               "its cell.")
        if handled:
            continue
        if committed is not None and committed.get(cell.get("id")) != cell.source:
            raise LabError(f"{_where(path, i, cell)} differs from the committed notebook; a "
                           "lab ships the committed text: restore it with git checkout -- "
                           f"notebooks/{path.name} (or commit the change if it is meant for "
                           "students), then build again.")
        out.append(cell)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and not any(
                re.match(_CHECK.format(alias=a), cell.source.rstrip().split("\n")[-1])
                for a in modules):
            _own_code(path, i, cell, answers)
    for j, c in enumerate(out):
        if c.cell_type == "code" and _IMPORT.search(c.source):
            lock = nbformat.v4.new_code_cell(
                "# Graded lab (locked): solution() is switched off; hint() and check() work "
                "as usual.\n# The graded checks are in the last cells of this notebook.\n"
                "import rmteach.course.lab\n\nrmteach.course.lab.graded_lab()")
            lock.id = "graded-lab"
            lock.metadata["nbgrader"] = _nbgrader_meta("graded_lab", locked=True)
            out.insert(j + 1, lock)
            break
    out += _graded_section(tests, assignment)
    nb.cells = out
    return _clean(nb), assignment


def _graded_section(tests, assignment: Assignment) -> list:
    if not tests:
        return []
    names = ", ".join(f"`{ex.name}`" for _, ex, _ in tests)
    practice = (" Not graded (practice, with `check()` only): "
                + ", ".join(f"`{n}`" for n in assignment.practice) + "."
                if assignment.practice else "")
    intro = nbformat.v4.new_markdown_cell(
        "## Graded checks\n\n"
        f"These locked cells grade your answers ({names}), {POINTS} point each. Each calls "
        "`grade()`, which runs the same checker as the `check()` line of the exercise: it "
        "prints the same message and, unless the answer is right, raises an error. That "
        "error is expected while an answer is missing: *Run All* has already run the whole "
        "lab above, and stops at the first answer still to do." + practice)
    intro.id = "graded-checks"
    intro.metadata["nbgrader"] = _nbgrader_meta("graded_checks", locked=True)
    cells = [intro]
    for alias, ex, arg in tests:
        test = nbformat.v4.new_code_cell(f"# Graded (locked): {ex.title}\n"
                                         f"{alias}.{ex.name}.grade({arg})")
        test.id = f"{ex.name}-test"[:64]
        test.metadata["nbgrader"] = _nbgrader_meta(f"{ex.name}_test", grade=True, locked=True,
                                                   points=POINTS)
        cells.append(test)
    return cells


def _clean(nb):
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    return nb
