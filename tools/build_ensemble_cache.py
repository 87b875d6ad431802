"""Build the cache of reward-model ensembles that notebook 12 reads.

    python tools/build_ensemble_cache.py             # both settings, 8 seeds x 5 members
    python tools/build_ensemble_cache.py --quick --out /tmp/cache   # one seed (tests)

For every setting of :data:`rmteach.experiments.ensembles.SETTINGS` and every seed of
``REPORT_SEEDS`` (the notebook's) and ``VALIDATION_SEEDS`` (where k and λ are chosen),
:func:`rmteach.experiments.ensembles.run_ensemble` trains 5 reward models on the same data and
stores the best-of-n curves of every way of combining them. Writes ``ensembles.json``
(to a temporary name, then renamed). Each (setting, seed) is kept in ``--work`` as it
finishes, so an interrupted build resumes. Training on CPU is deterministic: the same grid
gives the same file. About 80 trainings, 5-10 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rmteach.experiments.ensembles import (  # noqa: E402
    K_GRID,
    LAMBDA_GRID,
    MEMBERS,
    REPORT_SEEDS,
    SETTINGS,
    VALIDATION_SEEDS,
    run_ensemble,
)
from rmteach.experiments.overoptimization import CACHE_DIR  # noqa: E402


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    os.close(fd)
    try:
        Path(tmp).write_text(text, encoding="utf-8")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def one_run(work: Path, setting: str, seed: int) -> dict:
    """One ensemble, remembered in ``work`` so that an interrupted build resumes."""
    path = work / f"{setting.replace(' ', '_')}|seed={seed}|members={MEMBERS}.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    t = time.perf_counter()
    run = run_ensemble(setting, seed)
    _atomic_write(path, json.dumps(run))
    print(f"{setting} seed={seed}: acc={run['heldout_accuracy']} "
          f"({time.perf_counter() - t:.1f} s)", flush=True)
    return run


def build(out: Path, quick: bool = False, work: Path | None = None) -> dict:
    work = Path(work) if work is not None else ROOT / "build" / "ensemble-runs"
    work.mkdir(parents=True, exist_ok=True)
    settings = ["noisy labels"] if quick else list(SETTINGS)
    report = (0,) if quick else REPORT_SEEDS
    validation = () if quick else VALIDATION_SEEDS
    doc = {"members": MEMBERS, "k_grid": list(K_GRID), "lambda_grid": list(LAMBDA_GRID),
           "report_seeds": list(report), "validation_seeds": list(validation),
           "quick": quick, "runs": {}}
    for s in settings:
        doc["runs"][s] = {"report": [one_run(work, s, seed) for seed in report],
                          "validation": [one_run(work, s, seed) for seed in validation]}
    _atomic_write(out / "ensembles.json", json.dumps(doc, sort_keys=True) + "\n")
    return doc


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(CACHE_DIR),
                        help="folder to write (default: the package cache)")
    parser.add_argument("--quick", action="store_true", help="one setting, one seed (tests)")
    parser.add_argument("--work", default=None, help="folder for the per-run results (resume "
                        "after an interruption; default build/ensemble-runs)")
    args = parser.parse_args(argv)
    build(Path(args.out), quick=args.quick, work=args.work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
