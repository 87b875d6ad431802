"""Course labs, the folder: write an nbgrader course safely.

:func:`build` checks everything first (the notebooks, the exercises, OUT, nbgrader and its
``alembic`` command), then builds the whole course in a temporary folder beside OUT and
moves it into place only when nbgrader has succeeded.  A manifest, ``OUT/.rmteach-lab.json``,
lists every file a build wrote; ``--force`` replaces only those (the gradebook is updated,
not replaced, so grades survive), and refuses, with the path, to touch anything else: an
instructor's own ``nbgrader_config.py``, a ``source/<assignment>`` that is a link, a
``release`` that is a file.  Students' ``submitted/`` and everything else stay as they are.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sys
import tempfile
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .lab_notebook import (
    Assignment,
    LabError,
    lab_notebook,
    select_exercises,
    select_notebooks,
    suite_dir,
    suite_notebooks,
)

__all__ = ["CONFIG", "MANIFEST", "Course", "build"]

MANIFEST = ".rmteach-lab.json"
GRADEBOOK = "gradebook.db"
CONFIG = '''\
"""nbgrader configuration of the rmteach course (written by `python -m rmteach lab build`).

Run nbgrader from this folder: `nbgrader generate_assignment NAME --force`,
`nbgrader autograde NAME`, `nbgrader export`; or open the Formgrader in JupyterLab.
"""
import os
import warnings

try:   # SQLAlchemy 2.x warns about nbgrader's session use on every autograde: harmless noise
    from sqlalchemy.exc import SAWarning
    warnings.filterwarnings("ignore", category=SAWarning)
except ImportError:
    pass

c = get_config()  # noqa: F821 (nbgrader provides it)
c.CourseDirectory.course_id = "rmteach"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(c.CourseDirectory.root, "gradebook.db")
# The answer region is cleared to nothing: the student keeps the exercise's own `...`.
c.ClearSolutions.code_stub = {"python": ""}
# The training notebooks take about 15 s; 120 s leaves room on a busy lab machine.
c.ExecutePreprocessor.timeout = 120
'''


@dataclass
class Course:
    root: Path
    assignments: list[Assignment]


def _as_path(value, name: str) -> Path:
    if isinstance(value, (bytes, bool)) or not isinstance(value, (str, os.PathLike)) \
            or not str(value).strip():
        raise LabError(f"{name} must be a path (a string or pathlib.Path); got "
                       f"{type(value).__name__} {value!r}."[:300])
    return Path(value)


def _nbgrader():
    try:
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config.loader import PyFileConfigLoader
    except ImportError:
        raise LabError("nbgrader is not installed; course labs need the instructors' extra: "
                       "pip install -r requirements-instructor.txt") from None
    return NbGraderAPI, CourseDirectory, PyFileConfigLoader


@contextmanager
def _tools_on_path():
    """nbgrader runs ``alembic`` by name: put this interpreter's scripts first on PATH (so a
    build works without an activated venv), or fail in one line if it is nowhere."""
    old = os.environ.get("PATH", "")
    path = os.pathsep.join([str(Path(sys.executable).parent), old])
    if shutil.which("alembic", path=path) is None:
        raise LabError("nbgrader needs its 'alembic' command, which is neither beside this "
                       f"Python ({Path(sys.executable).parent}) nor on PATH; install the "
                       "instructors' extra into this environment: pip install -r "
                       "requirements-instructor.txt")
    os.environ["PATH"] = path
    try:
        yield
    finally:
        os.environ["PATH"] = old


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_manifest(root: Path) -> dict[str, str]:
    path = root / MANIFEST
    if not path.is_file():
        return {}
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
        return {str(k): str(v) for k, v in files.items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        raise LabError(f"{path} is not a manifest lab build wrote (it cannot be read); "
                       "choose a new OUT folder.") from None


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.resolve().relative_to(parent.resolve())
        return True
    except ValueError:
        return False


def _check_targets(root: Path, targets: list[str], owned: dict[str, str]) -> None:
    """Refuse, with the path, anything in the way that a previous build did not write."""
    for rel in targets:
        parts = Path(rel).parts
        for k in range(1, len(parts)):
            p = root.joinpath(*parts[:k])
            if p.is_symlink():
                raise LabError(f"{p} is a symbolic link; lab build writes a real folder there "
                               "and never follows links: remove the link, or choose a new OUT "
                               "folder.")
            if p.exists() and not p.is_dir():
                raise LabError(f"{p} is a file where lab build needs a folder; move it away, "
                               "or choose a new OUT folder.")
        p = root / rel
        if p.is_symlink() or (p.exists() and not p.is_file()):
            raise LabError(f"{p} is not a regular file; lab build would write a file there: "
                           "move it away, or choose a new OUT folder.")
        if p.exists() and rel not in owned:
            raise LabError(f"{p} was not written by lab build (it is not listed in "
                           f"{root / MANIFEST}); lab build never replaces a file it did not "
                           "write: move it away, or choose a new OUT folder.")
        if p.exists() and rel != GRADEBOOK and owned[rel] != _digest(p):
            raise LabError(f"{p} was changed after lab build wrote it; move your version "
                           "away (or delete it), then build again.")


def build(out, notebooks=None, *, exercises=None, force: bool = False, suite=None) -> Course:
    """Write the nbgrader course folder ``out`` (see :mod:`rmteach.course.lab`)."""
    root = _as_path(out, "OUT")
    everything = suite_notebooks(suite)
    paths = select_notebooks(everything, notebooks)
    if _inside(root, suite_dir(suite)):
        raise LabError(f"OUT={str(out)!r} is inside the suite's notebooks folder "
                       f"({suite_dir(suite)}); choose a folder outside it.")
    if root.is_symlink() or (root.exists() and not root.is_dir()):
        raise LabError(f"OUT={str(out)!r} is a file or a link; give a folder for the course.")
    graded = select_exercises(paths, exercises, everything)
    built = [lab_notebook(p, graded) for p in paths]     # every error before anything is written
    NbGraderAPI, CourseDirectory, PyFileConfigLoader = _nbgrader()
    fresh = not root.exists() or not any(root.iterdir())
    owned = {} if fresh else _read_manifest(root)
    if not fresh and not force:
        raise LabError(f"OUT={str(out)!r} already exists and is not empty; pass --force to "
                       "rebuild the suite's assignments there (the gradebook and students' "
                       "submissions are kept), or choose a new folder.")
    if not fresh and not owned:
        raise LabError(f"OUT={str(out)!r} was not written by lab build (it has no {MANIFEST}); "
                       "--force only rebuilds a course lab build wrote: choose a new folder.")
    names = [a.name for _, a in built]
    targets = ["nbgrader_config.py", GRADEBOOK]
    for name in names:
        targets += [f"source/{name}/{name}.ipynb", f"release/{name}/{name}.ipynb"]
    if not fresh:
        _check_targets(root, targets, owned)
    with _tools_on_path():
        root.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{root.name}.lab-build-", dir=root.parent))
        try:
            _build_in(tmp, built, root if not fresh else None, NbGraderAPI, CourseDirectory,
                      PyFileConfigLoader)
            _move_into_place(tmp, root, fresh, names, owned)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return Course(root, [a for _, a in built])


def _build_in(tmp: Path, built, old: Path | None, NbGraderAPI, CourseDirectory,
              PyFileConfigLoader) -> None:
    (tmp / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    if old is not None and (old / GRADEBOOK).is_file():
        shutil.copy2(old / GRADEBOOK, tmp / GRADEBOOK)   # keep its students and grades
    for nb, assignment in built:
        folder = tmp / "source" / assignment.name
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{assignment.name}.ipynb")
    config = PyFileConfigLoader("nbgrader_config.py", path=str(tmp)).load_config()
    for _, assignment in built:
        log = io.StringIO()
        try:
            with redirect_stdout(log), redirect_stderr(log):
                api = NbGraderAPI(CourseDirectory(config=config), config=config)
                result = api.generate_assignment(assignment.name, force=True, create=True)
        except Exception as exc:  # nbgrader's own failure: one line, not its traceback
            result = {"success": False, "error": f"{type(exc).__name__}: {exc}"}
        if not result.get("success"):
            text = str(result.get("error") or result.get("log") or log.getvalue()).strip()
            line = text.split("\n")[-1][:300] if text else "no message"
            raise LabError(f"nbgrader could not generate the release of {assignment.name} "
                           f"({line}); nothing was written to OUT.")


def _move_into_place(tmp: Path, root: Path, fresh: bool, names: list[str],
                     owned: dict[str, str]) -> None:
    written = sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file())
    files = dict(owned)
    for rel in written:              # the gradebook changes as nbgrader grades: no digest
        files[rel] = "(nbgrader's gradebook)" if rel == GRADEBOOK else _digest(tmp / rel)
    stale = [rel for rel in owned if rel not in files
             and rel.split("/")[0] in ("source", "release")
             and len(rel.split("/")) > 1 and rel.split("/")[1] in names]
    for rel in stale:
        files.pop(rel)
    (tmp / MANIFEST).write_text(json.dumps({"written_by": "python -m rmteach lab build",
                                            "files": files}, indent=1, sort_keys=True) + "\n",
                                encoding="utf-8")
    if fresh:
        if root.exists():
            root.rmdir()                              # empty: checked above
        os.replace(tmp, root)
        tmp.mkdir()                                   # the caller's cleanup removes it
        return
    for rel in stale:
        (root / rel).unlink(missing_ok=True)
    for rel in [*written, MANIFEST]:
        dest = root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp / rel, dest)
