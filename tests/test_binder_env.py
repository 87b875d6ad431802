"""The Binder environment, rebuilt the way repo2docker builds it, runs the whole suite.

repo2docker (with a ``binder/`` folder) reads only ``binder/``: ``runtime.txt`` picks
Python 3.11 and it runs ``pip install --no-cache-dir -r binder/requirements.txt`` from
the repository root, so the ``.`` line installs rmteach from the checkout.  Here that is
done in a fresh venv; then every notebook is executed there, in one kernel as a learner
would (``tools/measure_memory.py``), on a copy of ``notebooks/`` outside the repository
(so ``import rmteach`` must come from the installed package, not the source tree), and
the kernel's peak memory is checked against Binder's 2 GB limit.

Slow (a ~1.3 GB venv): marked ``slow``.  CI runs it.  The PyTorch CPU index cannot be
reached from the CI machines: ``PIP_RETRIES=0`` stops pip from retrying it for every
package (pip then takes ``torch==2.13.0+cpu`` from the local wheel); nothing else
differs from repo2docker's command.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import NOTEBOOKS_DIR, REPO_ROOT, skip_or_fail_in_ci

BINDER = REPO_ROOT / "binder"
ARTIFACTS = REPO_ROOT / "artifacts"
BINDER_LIMIT_BYTES = 2 * 1024**3
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def _requirement_lines() -> list[str]:
    lines = []
    for raw in (BINDER / "requirements.txt").read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


# -- the files repo2docker reads (fast) --------------------------------------------------

def test_binder_folder_is_what_repo2docker_reads():
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"
    # environment.yml would win over requirements.txt (and pull conda's torch)
    for overriding in ("environment.yml", "Pipfile", "Project.toml", "setup.py"):
        assert not (BINDER / overriding).exists(), f"binder/{overriding} would change the build"
    postbuild = BINDER / "postBuild"
    if postbuild.exists():
        assert "set -e" in postbuild.read_text(), "postBuild must stop on errors (set -e)"


def test_binder_requirements_cpu_torch_widgets_and_rmteach():
    lines = _requirement_lines()
    assert f"--extra-index-url {CPU_INDEX}" in lines, "torch must come from the CPU index"
    torch = [ln for ln in lines if re.match(r"^torch\b", ln)]
    assert torch == ["torch==2.13.0+cpu"], (
        f"torch line(s) {torch}: pin the CPU build exactly (any other spec pulls CUDA)")
    names = {re.split(r"[<>=!~\[ ;]", ln, maxsplit=1)[0].lower() for ln in lines
             if not ln.startswith("-")}
    for needed in ("ipywidgets", "jupyterlab", "matplotlib", "numpy", "tqdm"):
        assert needed in names, f"binder/requirements.txt does not list {needed}"
    # No TRL on Binder (a decision, not an omission): notebook 10 is optional, the TRL stack
    # adds about 400 MB to the image, and without it the notebook runs its export part and
    # says how to add TRL (tests/test_trl_bridge.py checks that path; the suite run below
    # takes it too).
    for heavy in ("trl", "transformers", "datasets", "accelerate"):
        assert heavy not in names, f"binder/requirements.txt lists {heavy}: Binder stays lean"
    # rmteach itself: a local path, resolved by pip from repo2docker's cwd (the repo root)
    assert "." in lines or "-e ." in lines, "binder/requirements.txt must install rmteach ('.')"


# -- the environment itself (slow) -------------------------------------------------------

def _python311() -> str:
    if sys.version_info[:2] == (3, 11):
        return sys.executable
    found = shutil.which("python3.11")
    if not found:
        skip_or_fail_in_ci("python3.11 is not installed (Binder's runtime.txt asks for 3.11)")
    return found


def _clean_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PIP_REQUIRE_VIRTUALENV")}
    env.update(PIP_RETRIES="0", PIP_NO_INPUT="1",
               # no user-level kernelspecs or Jupyter config may leak in
               JUPYTER_DATA_DIR=str(tmp / "jupyter-data"),
               JUPYTER_CONFIG_DIR=str(tmp / "jupyter-config"),
               JUPYTER_RUNTIME_DIR=str(tmp / "jupyter-runtime"),
               MPLCONFIGDIR=str(tmp / "mpl"))
    return env


@pytest.fixture(scope="module")
def binder_venv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("binder")
    venv = tmp / "venv"
    env = _clean_env(tmp)
    subprocess.run([_python311(), "-m", "venv", str(venv)], check=True, env=env)
    python = venv / "bin" / "python"
    log = tmp / "pip.log"
    with log.open("w") as fh:
        proc = subprocess.run(
            [str(python), "-m", "pip", "install", "--no-cache-dir",
             "-r", "binder/requirements.txt"],
            cwd=REPO_ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT, timeout=1500)
    if proc.returncode != 0:
        tail = "\n".join(log.read_text().splitlines()[-40:])
        pytest.fail(f"pip install -r binder/requirements.txt failed:\n{tail}", pytrace=False)
    return {"python": python, "venv": venv, "env": env, "tmp": tmp}


def _run(binder_venv, code: str) -> str:
    out = subprocess.run([str(binder_venv["python"]), "-c", code], cwd=binder_venv["tmp"],
                         env=binder_venv["env"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.mark.slow
def test_binder_env_has_cpu_torch_and_installed_rmteach(binder_venv):
    info = json.loads(_run(binder_venv, """
import json, importlib.metadata as md
import torch, ipywidgets, jupyterlab, rmteach, rmteach.widgets, rmteach.quiz.bank
dists = sorted({(d.metadata["Name"] or "").lower() for d in md.distributions()})
print(json.dumps({"torch": torch.__version__, "cuda": torch.version.cuda,
                  "ipywidgets": ipywidgets.__version__, "jupyterlab": jupyterlab.__version__,
                  "rmteach": rmteach.__file__, "dists": dists}))
"""))
    assert info["torch"] == "2.13.0+cpu" and info["cuda"] is None, info["torch"]
    gpu_stack = [d for d in info["dists"] if d.startswith(("nvidia-", "triton"))]
    assert not gpu_stack, f"CUDA packages installed in the Binder env: {gpu_stack}"
    assert str(binder_venv["venv"]) in info["rmteach"], (
        f"rmteach was imported from {info['rmteach']}, not from the Binder env")
    assert int(info["ipywidgets"].split(".")[0]) >= 8
    assert int(info["jupyterlab"].split(".")[0]) >= 4


@pytest.mark.slow
def test_binder_env_jupyterlab_has_the_widget_extension(binder_venv):
    jupyter = binder_venv["venv"] / "bin" / "jupyter"
    out = subprocess.run([str(jupyter), "labextension", "list"], capture_output=True,
                         text=True, env=binder_venv["env"], timeout=300)
    text = out.stdout + out.stderr
    line = next((ln for ln in text.splitlines()
                 if "@jupyter-widgets/jupyterlab-manager" in ln), "")
    assert "enabled" in line and "OK" in line, (
        f"the ipywidgets extension is not enabled in JupyterLab there:\n{text}")


@pytest.mark.slow
def test_every_notebook_runs_in_binder_env_under_the_memory_limit(binder_venv):
    # (a missing suite notebook fails tests/test_notebooks_meta.py::test_the_suite_is_complete)
    copy = binder_venv["tmp"] / "suite" / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, copy, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    result_file = binder_venv["tmp"] / "memory.json"
    proc = subprocess.run(
        [str(binder_venv["python"]), str(REPO_ROOT / "tools" / "measure_memory.py"),
         "--dir", str(copy), "--json", str(result_file)],
        cwd=copy.parent, env=binder_venv["env"], capture_output=True, text=True, timeout=1500)
    print(proc.stdout)
    assert result_file.exists(), f"measure_memory.py wrote nothing:\n{proc.stderr[-3000:]}"
    result = json.loads(result_file.read_text())
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "binder-memory.json").write_text(json.dumps(result, indent=2) + "\n")
    assert result["completed"], f"a notebook failed in the Binder env:\n{result['error']}"
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert [r["notebook"] for r in result["rows"]] == sorted(p.name for p in copy.glob("*.ipynb"))
    assert str(binder_venv["venv"]) in result["kernel_python"]
    peak = result["peak_rss_bytes"]
    assert peak < BINDER_LIMIT_BYTES, (
        f"the suite's kernel peaks at {peak / 2**20:.0f} MiB in one session; Binder restarts "
        f"kernels above {BINDER_LIMIT_BYTES / 2**20:.0f} MiB")


@pytest.mark.slow
def test_binder_env_turns_the_jupyter_news_toast_off(binder_venv):
    """overrides.json (jupyter-settings/) sits where this env's JupyterLab reads it."""
    found = json.loads(_run(binder_venv, """
import json, os
from jupyterlab.commands import get_app_dir
path = os.path.join(get_app_dir(), "settings", "overrides.json")
print(json.dumps(json.load(open(path)) if os.path.exists(path) else None))
"""))
    assert found == {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false"}}
