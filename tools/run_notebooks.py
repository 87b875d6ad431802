"""Re-execute the notebooks and store their outputs, the way nbval will check them.

    python tools/run_notebooks.py                 # every notebooks/*.ipynb
    python tools/run_notebooks.py 03_listwise_loss.ipynb

Each notebook runs in a fresh ``python3`` kernel with ``notebooks/`` as its working
directory (as nbval runs it).  Afterwards the bulky widget state is
dropped (the notebooks re-create their widgets when run), the kernelspec is set
to ``python3`` and the notebook is saved in place.  Prints the seconds each took.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


_BAR = re.compile(r"^(?P<desc>.*?)\s*0%\|\s*\| 0/(?P<n>\d+) \[[^\]]*\]$")


def finish_progress_bars(nb) -> int:
    """A tqdm bar's saved ``text/plain`` is its first frame ("0% 0/400"), which is what a
    notebook opened without a kernel shows: store the finished bar instead (no timing).
    Returns how many bars were rewritten."""
    done = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            m = _BAR.match(str(data.get("text/plain", "")).strip())
            if m and "application/vnd.jupyter.widget-view+json" in data:
                n, desc = m.group("n"), m.group("desc")
                data["text/plain"] = f"{desc} 100%|██████████| {n}/{n}".strip()
                done += 1
    return done


def run_notebook(path: Path, timeout: int = 600) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    seconds = time.perf_counter() - start
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata.setdefault("language_info", {"name": "python"})
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    finish_progress_bars(nb)
    nbformat.write(nb, path)
    return seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebook file names (default: all)")
    args = parser.parse_args(argv)
    paths = ([NOTEBOOKS / n for n in args.names] if args.names
             else sorted(NOTEBOOKS.glob("*.ipynb")))
    total = 0.0
    for path in paths:
        seconds = run_notebook(path)
        total += seconds
        print(f"{path.name}: {seconds:.1f} s")
    print(f"total: {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
