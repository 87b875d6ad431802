"""Publishing: the repository URL lives in ONE place (pyproject.toml's [project.urls]) and
every Binder / nbgitpuller / GitHub link agrees with it; the JupyterLab settings that
turn the "Jupyter news?" toast off reach every environment."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("sync_links", ROOT / "tools" / "sync_links.py")
sync_links = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sync_links)


def test_readme_notebook00_and_guide_agree_with_pyproject():
    assert sync_links.disagreements() == []
    want = sync_links.owner_repo()
    for name in sync_links.FILES:
        found = list(sync_links.links((ROOT / name).read_text(encoding="utf-8")))
        assert ("binder", want) in found, name


def test_the_guide_is_linked_from_readme_and_notebook00():
    assert "(docs/instructors.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(../docs/instructors.md)" in (ROOT / "notebooks" / "00_start_here.ipynb").read_text(
        encoding="utf-8")


def test_one_edit_moves_every_link(tmp_path):
    """Change the URL in pyproject.toml, run --write: every link follows, nothing else moves."""
    for name in ("pyproject.toml", *sync_links.FILES):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    old = sync_links.repository_url(tmp_path / "pyproject.toml")
    py = tmp_path / "pyproject.toml"
    py.write_text(py.read_text().replace(old, "https://github.com/uni-lab/rm-course"))
    assert sync_links.disagreements(tmp_path)                 # out of step until --write
    assert sorted(sync_links.write(tmp_path)) == sorted(sync_links.FILES)
    assert sync_links.disagreements(tmp_path) == []
    readme = (tmp_path / "README.md").read_text()
    assert "https://mybinder.org/v2/gh/uni-lab/rm-course/main?urlpath=lab/tree/notebooks/" \
        in readme
    assert sync_links.owner_repo(old) not in readme.replace("rmteach.", "")
    guide = (tmp_path / "docs" / "instructors.md").read_text()
    assert "repo=https%3A%2F%2Fgithub.com%2Funi-lab%2Frm-course" in guide
    assert "urlpath=lab%2Ftree%2Frm-course%2Fnotebooks" in guide
    nb = json.loads((tmp_path / "notebooks" / "00_start_here.ipynb").read_text())
    assert nb["cells"]                                        # still a valid notebook


def test_link_helpers():
    url = "https://github.com/uni-lab/rm-course"
    assert sync_links.binder_link("02_pairwise_loss.ipynb", url) == (
        "https://mybinder.org/v2/gh/uni-lab/rm-course/main?urlpath=lab/tree/notebooks/"
        "02_pairwise_loss.ipynb")
    assert sync_links.nbgitpuller_link("https://hub.example.edu/", url=url) == (
        "https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2F"
        "uni-lab%2Frm-course&branch=main&urlpath=lab%2Ftree%2Frm-course%2Fnotebooks%2F"
        "00_start_here.ipynb")


def test_no_news_toast_settings_reach_every_environment(tmp_path):
    """jupyter-settings/ is a tiny package whose wheel puts overrides.json where JupyterLab
    reads it ({sys.prefix}/share/jupyter/lab/settings/); the open command's requirements and
    Binder's both install it (rmteach itself is editable there: no data files)."""
    overrides = json.loads((ROOT / "jupyter-settings" / "overrides.json").read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    for req in ("requirements.txt", "binder/requirements.txt"):
        lines = [ln.split("#")[0].strip() for ln in (ROOT / req).read_text().splitlines()]
        assert "./jupyter-settings" in lines, req
    src = tmp_path / "src"
    shutil.copytree(ROOT / "jupyter-settings", src)
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                        "--no-build-isolation", "-w", str(tmp_path / "whl"), str(src)],
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0 and "No module named" in r.stderr:
        pytest.skip(f"cannot build a wheel offline here: {r.stderr.strip()[-200:]}")
    assert r.returncode == 0, r.stderr
    (wheel,) = (tmp_path / "whl").glob("*.whl")
    with zipfile.ZipFile(wheel) as z:
        data = [n for n in z.namelist()
                if n.endswith(".data/data/share/jupyter/lab/settings/overrides.json")]
        assert len(data) == 1
        assert json.loads(z.read(data[0])) == overrides
