"""Part 4: how long the notebook suite takes to execute, through nbval's kernel path.

Each notebook runs in a fresh ``python3`` kernel (``jupyter_client`` via
``nbclient.NotebookClient``) with ``notebooks/`` as the working directory — what
``pytest --nbval`` and ``tools/run_notebooks.py`` do.  The notebook on disk is not
modified.  ``wall_s`` is from asking for the kernel to its shutdown (what a CI run
or a learner's Run All pays); ``cells_s`` is the sum of the cells' own execution
times as the kernel reported them.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from .timing import ROOT

NOTEBOOKS = ROOT / "notebooks"


def _cell_seconds(cell) -> float:
    timing = cell.get("metadata", {}).get("execution", {})
    start = timing.get("iopub.execute_input") or timing.get("shell.execute_request")
    end = timing.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    fmt = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return (fmt(end) - fmt(start)).total_seconds()


def run_one(path: Path, timeout: int) -> dict:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=True,
                            resources={"metadata": {"path": str(path.parent)}})
    error = None
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as exc:
        error = str(exc).strip().splitlines()[-1] if str(exc).strip() else repr(exc)
    except Exception as exc:  # a dead kernel, a timeout: recorded, the run goes on
        error = f"{type(exc).__name__}: {exc}".splitlines()[0]
    wall = time.perf_counter() - start
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    return {
        "notebook": path.name,
        "wall_s": wall,
        "cells_s": sum(_cell_seconds(c) for c in code_cells),
        "code_cells": len(code_cells),
        "error": error,
    }


def run(cfg, notebooks_dir: Path | None = None) -> dict:
    folder = Path(notebooks_dir) if notebooks_dir is not None else NOTEBOOKS
    available = sorted(folder.glob("*.ipynb"))
    if cfg.notebooks is None:
        paths = available
        note = "every notebook"
    else:
        paths = [folder / name for name in cfg.notebooks if (folder / name).exists()]
        if not paths and available:
            paths = available[:1]
        note = f"--{cfg.mode} mode: only {', '.join(p.name for p in paths) or 'none'}"
    if not paths:
        return {"skipped": f"no notebooks in {folder.name}/ yet"}
    results = [run_one(p, cfg.notebook_timeout_s) for p in paths]
    return {
        "kernel_path": "nbclient.NotebookClient, kernel python3, cwd notebooks/ (as nbval)",
        "selection": note,
        "notebooks": results,
        "total_wall_s": sum(r["wall_s"] for r in results),
        "total_cells_s": sum(r["cells_s"] for r in results),
        "errors": sum(r["error"] is not None for r in results),
        "complete_suite": cfg.notebooks is None,
    }
