"""Build the cache of notebook 12's runs: regression and Bradley–Terry on Likert ratings.

    python tools/build_ratings_cache.py                     # every seed (minutes a seed)
    python tools/build_ratings_cache.py --seeds 0 --cells 1 --out /tmp/x   # one cell (tests)
    python tools/build_ratings_cache.py --merge DIR ...     # join per-seed files built apart

Writes ``rating_runs.json`` ({"seeds": [...], "runs": [...]}, one run per seed from
:func:`rmteach.experiments.ratings.run_rating_seed`) to a temporary name and renames it.
Training on CPU is deterministic, so seeds built in separate processes join exactly.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rmteach.experiments.ratings import CACHE, run_rating_seed  # noqa: E402
from rmteach.experiments.seeds import SEEDS  # noqa: E402


def _write(out: Path, seeds, runs) -> None:
    out.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"seeds": list(seeds), "runs": runs}, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, out / CACHE.name)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    ap.add_argument("--cells", type=int, default=None, help="only the first CELLS of the grid")
    ap.add_argument("--out", type=Path, default=CACHE.parent)
    ap.add_argument("--merge", type=Path, nargs="+", default=None,
                    help="folders holding one-seed rating_runs.json files, in seed order")
    args = ap.parse_args(argv)
    if args.merge:
        docs = [json.loads((d / CACHE.name).read_text()) for d in args.merge]
        _write(args.out, [s for d in docs for s in d["seeds"]],
               [r for d in docs for r in d["runs"]])
        return 0
    runs = []
    for seed in args.seeds:
        runs.append(run_rating_seed(seed, cells=args.cells))
        print(f"seed {seed}: {runs[-1]}", flush=True)
    _write(args.out, args.seeds, runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
