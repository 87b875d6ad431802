"""Course labs, the folder (issue 24): the build checks its tools first, builds in a temporary
folder and moves it into place only on success, ``--force`` replaces only what a build wrote
(its manifest), anything else in the way is one ``error:`` line with its path, and
nbgrader's SQLAlchemy warnings stay out of the instructor's terminal."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from rmteach.course import lab, lab_build

pytest.importorskip("nbgrader", reason="nbgrader is the instructors' extra: pip install -r "
                                       "requirements-instructor.txt")

ROOT = Path(__file__).resolve().parents[1]
NB01 = "01_preference_probability"


def _cli(*args, env=None, python=sys.executable):
    return subprocess.run([python, "-m", "rmteach", "lab", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def _files(folder: Path) -> dict:
    return {p: str(p.readlink()) if p.is_symlink() else p.read_bytes()
            for p in folder.rglob("*") if p.is_file() or p.is_symlink()}


def _one_line_error(r, starts: str) -> None:
    assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert r.stderr.startswith(f"error: {starts}"), r.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("lab") / "course"
    lab.build(out, ["01"])
    return out


def _fresh_copy(built: Path, tmp_path: Path) -> Path:
    out = tmp_path / "course"
    shutil.copytree(built, out, symlinks=True)
    return out


def test_the_manifest_lists_every_file_the_build_wrote(built):
    files = json.loads((built / lab.MANIFEST).read_text())["files"]
    on_disk = {p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file()}
    assert set(files) == on_disk - {lab.MANIFEST}
    assert {"nbgrader_config.py", "gradebook.db", f"source/{NB01}/{NB01}.ipynb",
            f"release/{NB01}/{NB01}.ipynb"} <= set(files)
    assert not list(built.parent.glob(".course.lab-build-*"))      # no temporary left


def test_force_keeps_a_users_own_files_and_updates_the_rest(built, tmp_path):
    out = _fresh_copy(built, tmp_path)
    mine = [out / "notes.txt", out / "source" / NB01 / "my_extra.md",
            out / "submitted" / "alice" / NB01 / f"{NB01}.ipynb"]
    for p in mine:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("mine")
    release = out / "release" / NB01 / f"{NB01}.ipynb"
    release.write_bytes(release.read_bytes())                   # same bytes: still ours
    r = _cli("build", str(out), "--notebooks", "01", "--force")
    assert r.returncode == 0, r.stderr
    assert all(p.read_text() == "mine" for p in mine)
    nbformat.read(release, as_version=4)


@pytest.mark.parametrize("make, words", [
    (lambda out: (out / "nbgrader_config.py").write_text("c = get_config()  # mine\n"),
     "{out}/nbgrader_config.py was changed after lab build wrote it"),
    (lambda out: (shutil.rmtree(out / "source" / NB01),
                  (out / "source" / NB01).symlink_to(out / "release" / NB01)),
     "{out}/source/" + NB01 + " is a symbolic link"),
    (lambda out: (shutil.rmtree(out / "release"), (out / "release").write_text("x")),
     "{out}/release is a file where lab build needs a folder"),
])
def test_force_refuses_what_it_did_not_write_with_the_path(built, tmp_path, make, words):
    out = _fresh_copy(built, tmp_path)
    make(out)
    before = _files(out)
    r = _cli("build", str(out), "--notebooks", "01", "--force")
    _one_line_error(r, words.format(out=out))
    assert _files(out) == before


def test_force_refuses_a_folder_it_never_wrote(tmp_path):
    out = tmp_path / "course"
    out.mkdir()
    (out / "nbgrader_config.py").write_text("c = get_config()  # the instructor's own\n")
    r = _cli("build", str(out), "--notebooks", "01", "--force")
    _one_line_error(r, f"OUT='{out}' was not written by lab build")
    assert [p.name for p in out.iterdir()] == ["nbgrader_config.py"]


def test_build_works_without_an_activated_venv(tmp_path):
    """nbgrader calls `alembic` by name: the build finds it beside the interpreter."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV",)}
    env["PATH"] = "/usr/bin:/bin"
    r = _cli("build", str(tmp_path / "c"), "--notebooks", "01", env=env,
             python=str(Path(sys.executable).absolute()))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "c" / "release" / NB01 / f"{NB01}.ipynb").is_file()


def test_missing_alembic_is_one_clear_line_and_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(lab_build.shutil, "which", lambda *a, **k: None)
    with pytest.raises(lab.LabError, match=r"^nbgrader needs its 'alembic' command.*"
                                           r"requirements-instructor\.txt$"):
        lab.build(tmp_path / "c", ["01"])
    assert list(tmp_path.iterdir()) == []


def test_a_failure_inside_nbgrader_leaves_nothing_behind(tmp_path, monkeypatch):
    from nbgrader.apps import NbGraderAPI

    def fail(self, *args, **kwargs):
        return {"success": False, "log": "Traceback (most recent call last):\n  ...\n"
                                         "OSError: the disk is full"}

    monkeypatch.setattr(NbGraderAPI, "generate_assignment", fail)
    with pytest.raises(lab.LabError) as err:
        lab.build(tmp_path / "c", ["01"])
    assert str(err.value) == (f"nbgrader could not generate the release of {NB01} (OSError: "
                              "the disk is full); nothing was written to OUT.")
    assert list(tmp_path.iterdir()) == []


def test_autograde_prints_no_sqlalchemy_warnings(built, tmp_path):
    out = _fresh_copy(built, tmp_path)
    sub = out / "submitted" / "bob" / NB01
    sub.mkdir(parents=True)
    shutil.copy(out / "release" / NB01 / f"{NB01}.ipynb", sub)
    r = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", NB01, "--force"],
                       cwd=out, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "SAWarning" not in r.stderr + r.stdout
    assert (out / "autograded" / "bob" / NB01 / f"{NB01}.ipynb").is_file()
