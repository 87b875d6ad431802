"""Peak memory of the whole suite, run as a learner runs it: every notebook, in reading
order, in ONE kernel (nothing is freed between notebooks).

    python tools/measure_memory.py                   # every notebooks/*.ipynb
    python tools/measure_memory.py --json mem.json   # also write the figures as JSON
    python tools/measure_memory.py 01_preference_probability.ipynb 03_listwise_loss.ipynb
    python tools/measure_memory.py --dir /tmp/copy/notebooks   # a copy elsewhere

How: the notebooks' code cells are joined into one in-memory notebook (stored
notebooks are never written) and executed with nbclient in a fresh ``python3`` kernel
whose working directory is the notebooks' folder (as in JupyterLab and nbval).  After
each notebook a probe cell reads the kernel's own peak resident set size with
``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (the high-water mark since the kernel
started, so later rows include earlier notebooks) and its current RSS; child processes
(``RUSAGE_CHILDREN``, e.g. data-loader workers) are reported separately.

Binder restarts a kernel above 2 GB; the suite must stay well under that.  The kernel
is ``python3`` of the Python running this script (so a venv measures itself).
Exit status: 0 when every notebook ran, 1 when a cell failed (the error is printed).
"""

from __future__ import annotations

import argparse
import copy
import itertools
import json
import platform
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
BINDER_LIMIT_BYTES = 2 * 1024**3
MARK = "RMTEACH-MEMORY-PROBE"

# Runs inside the kernel after each notebook.  ru_maxrss is KiB on Linux, bytes on macOS.
PROBE = f"""\
import json as _j, os as _o, resource as _r, sys as _s, time as _t
_u = 1 if _s.platform == "darwin" else 1024
try:
    _cur = int(open("/proc/self/statm").read().split()[1]) * _o.sysconf("SC_PAGE_SIZE")
except OSError:
    _cur = None
print("{MARK}" + _j.dumps({{"peak_rss": _r.getrusage(_r.RUSAGE_SELF).ru_maxrss * _u,
    "children_peak_rss": _r.getrusage(_r.RUSAGE_CHILDREN).ru_maxrss * _u,
    "rss": _cur, "clock": _t.perf_counter(), "python": _s.executable}}))
del _j, _o, _r, _s, _t, _u, _cur
"""


def _probe_cell(label: str):
    cell = nbformat.v4.new_code_cell(PROBE)
    cell.metadata["rmteach_probe"] = label
    return cell


def build_suite_notebook(paths: list[Path]) -> nbformat.NotebookNode:
    """One notebook: a start probe, then each notebook's code cells followed by a probe."""
    suite = nbformat.v4.new_notebook()
    suite.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                    "display_name": "Python 3 (ipykernel)"}
    suite.cells.append(_probe_cell("(kernel started)"))
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                code = copy.deepcopy(cell)
                code.outputs = []
                code.execution_count = None
                code.metadata["rmteach_source"] = path.name
                suite.cells.append(code)
        suite.cells.append(_probe_cell(path.name))
    return suite


def _probe_value(cell) -> dict:
    for out in cell.outputs:
        if out.output_type == "stream" and MARK in out.text:
            return json.loads(out.text.split(MARK, 1)[1].splitlines()[0])
    raise RuntimeError(f"the memory probe after {cell.metadata['rmteach_probe']} printed nothing")


def measure(paths: list[Path], timeout: int = 900) -> dict:
    """Run ``paths`` in one kernel; returns per-notebook rows and the overall peak."""
    if not paths:
        raise ValueError("no notebooks to run: expected notebooks/*.ipynb or names of them.")
    cwd = paths[0].parent
    suite = build_suite_notebook(paths)
    client = NotebookClient(suite, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}})
    error = None
    try:
        client.execute()
    except CellExecutionError as exc:
        error = str(exc)
    probes = [(c.metadata["rmteach_probe"], _probe_value(c)) for c in suite.cells
              if "rmteach_probe" in c.metadata and c.outputs]
    rows = []
    for (_, before), (name, after) in itertools.pairwise(probes):
        rows.append({"notebook": name, "seconds": round(after["clock"] - before["clock"], 2),
                     "peak_rss_bytes": after["peak_rss"], "rss_bytes": after["rss"]})
    last = probes[-1][1] if probes else {}
    return {
        "notebooks": [p.name for p in paths],
        "completed": len(rows) == len(paths) and error is None,
        "error": error,
        "rows": rows,
        "kernel_start_rss_bytes": probes[0][1]["peak_rss"] if probes else None,
        "peak_rss_bytes": last.get("peak_rss"),
        "children_peak_rss_bytes": last.get("children_peak_rss"),
        "binder_limit_bytes": BINDER_LIMIT_BYTES,
        "kernel_python": last.get("python"),
        "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
    }


def _mib(n) -> str:
    return "n/a" if n is None else f"{n / 2**20:,.0f} MiB"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebook file names in notebooks/ "
                        "(default: all, in reading order)")
    parser.add_argument("--dir", type=Path, default=NOTEBOOKS,
                        help="folder of the notebooks (default: this checkout's notebooks/)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    args = parser.parse_args(argv)
    folder = args.dir.resolve()
    paths = ([folder / n for n in args.names] if args.names
             else sorted(folder.glob("*.ipynb")))
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    start = time.perf_counter()
    result = measure(paths, timeout=args.timeout)
    result["wall_seconds"] = round(time.perf_counter() - start, 1)

    print(f"kernel: {result['kernel_python']}  ({result['machine']})")
    print(f"kernel at start: {_mib(result['kernel_start_rss_bytes'])}")
    print(f"{'notebook':40s} {'seconds':>8s} {'peak RSS so far':>16s} {'RSS after':>12s}")
    for row in result["rows"]:
        print(f"{row['notebook']:40s} {row['seconds']:8.1f} "
              f"{_mib(row['peak_rss_bytes']):>16s} {_mib(row['rss_bytes']):>12s}")
    print(f"peak RSS of the kernel over the whole suite: {_mib(result['peak_rss_bytes'])} "
          f"(Binder limit {_mib(BINDER_LIMIT_BYTES)}); child processes: "
          f"{_mib(result['children_peak_rss_bytes'])}; wall time {result['wall_seconds']} s")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    if result["error"]:
        print(result["error"], file=sys.stderr)
    return 0 if result["completed"] else 1


if __name__ == "__main__":
    sys.exit(main())
