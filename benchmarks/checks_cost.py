"""The input checks' cost on the losses' kernels: a git revision against the working tree,
timed side by side in ONE process (issue 24: at most 5 %).

    nice -n 10 python -m benchmarks.checks_cost [REVISION]      (default: main)

The revision's ``rmteach`` is extracted with ``git archive`` into a temporary folder and
imported as ``rmteach_main``; both are called on the same arrays, interleaved
(:func:`benchmarks.timing.measure_interleaved`), after checking that they agree.
"""
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

torch.set_num_threads(1)
_OLD = tempfile.mkdtemp(prefix="rmteach-main-")
_REV = sys.argv[1] if len(sys.argv) > 1 else "main"
_ROOT = Path(__file__).resolve().parents[1]
_tar = subprocess.run(["git", "-C", str(_ROOT), "archive", _REV, "rmteach"], check=True,
                      capture_output=True).stdout
subprocess.run(["tar", "-x", "-C", _OLD], input=_tar, check=True)
Path(_OLD, "rmteach").rename(Path(_OLD, "rmteach_main"))
sys.path.insert(0, _OLD)
import rmteach_main.math.calibration as old_cal  # noqa: E402
import rmteach_main.math.losses as old  # noqa: E402

import rmteach.math.calibration as new_cal  # noqa: E402
import rmteach.math.losses as new  # noqa: E402
from benchmarks.timing import measure_interleaved  # noqa: E402

rng = np.random.default_rng(0)
rows = []
for n in (2, 8, 32):
    s = rng.normal(size=(1024, n))
    st = torch.tensor(s, dtype=torch.float32)
    rank = np.argsort(rng.random((1024, n)), axis=1)
    c, r = rng.normal(size=1024 * n), rng.normal(size=1024 * n)
    cases = {f"listwise np N={n}": lambda m, s=s: m.listwise_loss(s),
             f"listwise torch N={n}": lambda m, st=st: m.listwise_loss(st),
             f"listwise np ranking N={n}":
                 lambda m, s=s, rank=rank: m.listwise_loss(s, ranking=rank),
             f"plackett-luce np N={n}": lambda m, s=s: m.plackett_luce_loss(s),
             f"pairwise np pairs={1024*n}": lambda m, c=c, r=r: m.pairwise_loss(c, r)}
    for name, f in cases.items():
        assert float(f(new)) == float(f(old))
        t = measure_interleaved({"main": lambda f=f: f(old), "branch": lambda f=f: f(new)},
                                budget_s=1.0)
        rows.append((name, t["main"].median_s, t["branch"].median_s))
d = rng.normal(size=4096)
for name, f in {"log_loss (validated) 4096": lambda m: m.log_loss(d, 1.5)}.items():
    mods = {"main": old_cal, "branch": new_cal}
    t = measure_interleaved({k: (lambda f=f, m=m: f(m)) for k, m in mods.items()}, budget_s=1.0)
    rows.append((name, t["main"].median_s, t["branch"].median_s))
print(f"revision {_REV} vs the working tree")
print("| kernel | main (µs) | branch (µs) | branch / main |\n|---|---|---|---|")
for name, a, b in rows:
    print(f"| {name} | {a*1e6:.1f} | {b*1e6:.1f} | {b/a:.3f} |")
