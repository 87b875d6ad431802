"""The nbgrader course-lab cycle, timed: ``python -m benchmarks.lab_cycle [--notebooks 01,02,03]``.

Build a course from the suite, release it, submit three students (untouched, the
instructor's solutions, one wrong answer per notebook), autograde, generate feedback and
export grades.csv: the same cycle as ``tests/test_lab.py`` (which checks the grades; this
only times it).  Reports wall seconds, this process's CPU seconds (its kernels included)
and how busy the machine was with other work, and writes
``benchmarks/results/lab_cycle.json``.  Target: <= 60 s on the 2-core CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from .timing import ROOT, CpuMeter, load_average

RESULTS = Path(__file__).resolve().parent / "results"


def run(notebooks: list[str]) -> dict:
    sys.path.insert(0, str(ROOT))
    from tests.test_lab import _cycle

    meter, t0, start = CpuMeter(), os.times(), time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        course, rows, _, _ = _cycle(Path(tmp), notebooks)
    wall = time.perf_counter() - start
    t1 = os.times()
    cpu = (t1.user + t1.system + t1.children_user + t1.children_system
           - t0.user - t0.system - t0.children_user - t0.children_system)
    return {"notebooks": [a.name for a in course.assignments], "students": 3,
            "grade_rows": len(rows), "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
            "other_load_cores": meter.other_cores(), "load_average": load_average(),
            "cpu_count": os.cpu_count(), "target_s": 60}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--notebooks", default="01,02,03", help="default: 01,02,03")
    args = p.parse_args(argv)
    result = run(args.notebooks.split(","))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "lab_cycle.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
