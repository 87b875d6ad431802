"""Build the cache of notebook 11's runs: DPO, IPO, hinge and a reward model, 5 seeds.

    python tools/build_dpo_cache.py                      # every seed (about 30 s a seed)
    python tools/build_dpo_cache.py --seeds 0 --out /tmp/x   # one seed (tests)

Writes ``dpo_runs.json`` ({"seeds": [...], "runs": [...]}, one run per seed from
:func:`rmteach.experiments.dpo.run_dpo_seed`) to a temporary name and renames it, so a
failed run leaves the old cache intact.  Training on CPU is deterministic.
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

from rmteach.experiments.dpo import CACHE, run_dpo_seed  # noqa: E402
from rmteach.experiments.seeds import SEEDS  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    ap.add_argument("--out", type=Path, default=CACHE.parent)
    args = ap.parse_args(argv)
    runs = []
    for seed in args.seeds:
        runs.append(run_dpo_seed(seed))
        print(f"seed {seed}: {runs[-1]}", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=args.out, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"seeds": args.seeds, "runs": runs}, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, args.out / CACHE.name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
