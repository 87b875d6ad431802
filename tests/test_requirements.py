"""The learners' install carries no test stack; the README's open command works with any
``python3`` >= 3.10 and roots JupyterLab at the repository; notebook 00 shows that same
command; notebook 10's TRL hint works from the notebook's own folder."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST_TOOLS = ("pytest", "pytest-timeout", "pytest-xdist", "hypothesis", "nbval", "nbclient",
              "nbformat", "playwright", "ruff")
LEARNER = ("torch", "jupyterlab", "ipywidgets", "numpy", "matplotlib", "tqdm",
           "array-api-compat", "-e .", "./jupyter-settings")


def _names(path: Path) -> list[str]:
    out = []
    for raw in path.read_text().splitlines():
        line = raw.split("#")[0].strip()
        if line:
            out.append(line if line.startswith(("-", ".")) else re.split(r"[<>=!~\[ ]", line)[0])
    return out


def _open_command() -> str:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- open-command -->(.*?)<!-- /open-command -->", text, re.S)
    assert block, "README.md has no open-command block"
    (line,) = [ln for ln in block.group(1).splitlines() if "venv" in ln]
    return line.strip()


def test_learners_requirements_hold_no_test_tools():
    names = _names(ROOT / "requirements.txt")
    assert names[0] == "torch" and "torch==2.13.0" in (ROOT / "requirements.txt").read_text()
    assert set(LEARNER) <= set(names), set(LEARNER) - set(names)
    assert not set(TEST_TOOLS) & set(names), set(TEST_TOOLS) & set(names)
    dev = _names(ROOT / "requirements-dev.txt")
    assert "-r requirements.txt" in dev and set(TEST_TOOLS) <= set(dev)


def test_open_command_uses_any_python3_and_roots_lab_at_the_repository():
    command = _open_command()
    assert command.startswith("python3 -m venv .venv ") and not re.search(r"python3\.\d", command)
    assert "pip install -r requirements.txt" in command
    assert command.endswith("jupyter lab --ServerApp.root_dir=. notebooks/00_start_here.ipynb")


def test_notebook_00_shows_the_readme_command():
    nb = json.loads((ROOT / "notebooks" / "00_start_here.ipynb").read_text())
    text = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert _open_command() in text


def test_trl_hint_names_a_file_that_exists_from_the_notebook_folder():
    from rmteach.course.trl_bridge import INSTALL_HINT

    (path,) = re.findall(r"%pip install -r (\S+?)\b(?:,|\s|$)", INSTALL_HINT + " ")
    assert (ROOT / "notebooks" / path).resolve() == ROOT / "requirements-trl.txt"
