"""Build the cache of over-optimisation experiments that notebooks 08 and 09 read.

    python tools/build_overopt_cache.py            # the full grid (a few minutes on 2 cores)
    python tools/build_overopt_cache.py --quick --out /tmp/cache   # one tiny cell (tests)
    python tools/build_overopt_cache.py --policy-only              # notebook 09's runs only
    python tools/build_overopt_cache.py --strong-only              # add the strong setting only

For every setting of the grid (training-set size × label noise β, plus the length
shortcut settings) and 5 seeds, :func:`rmteach.experiments.overoptimization.run_best_of_n`
trains a TinyRewardModel and measures best-of-n against it.  Writes

* ``best_of_n.json``: the curves of every run, including :data:`STRONG`, a reward model
  strong enough (held-out accuracy >= 0.85) to make "a better reward model" a real contrast
  to the weak proxies of the grid (``--strong-only`` adds just it to the existing file);
* ``policy_curves.json``: notebook 09's tiny RLHF loop (:mod:`rmteach.experiments.policy`) at
  every β_KL against the 5 filler-biased reward models (``--policy-only`` rebuilds
  just this file, about 5 minutes on 2 cores).

Files are written to a temporary name and renamed, so a failed run leaves the old
cache intact.  Training on CPU is deterministic, so the same grid gives the same files.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rmteach.experiments.overoptimization import CACHE_DIR, run_best_of_n, setting_key  # noqa: E402

SEEDS = (0, 1, 2, 3, 4)
SIZES = (50, 150, 300)
BETAS = (1.0, 3.0, math.inf)
#: (n_prompts, beta, length_bias, length_controlled)
LENGTH_SETTINGS = ((150, math.inf, 0.5, False), (150, math.inf, 0.5, True))
#: a strong proxy for notebook 08: (n_prompts, beta, max_n): 1,000 prompts, perfect labels,
#: lists of up to 6 responses (held-out accuracy about 0.86, against 0.65-0.72 in the grid)
STRONG = (1000, math.inf, 6)
#: the reward models of notebook 09's policy: annotators impressed by filler words
POLICY_DATA = (100, math.inf, {"filler": 1.5})
#: the policy runs stored for notebook 09 (per beta_kl and reward-model seed)
POLICY_TRAIN = {"lr": 0.2, "batch": 16, "steps": 300, "record_every": 5}
BETA_KLS = (0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)


def grid(quick: bool = False):
    """(n_prompts, beta, length_bias, length_controlled, seeds) of every setting."""
    if quick:
        return [(50, 1.0, 0.0, False, (0,))]
    cells = [(n, b, 0.0, False, SEEDS) for n in SIZES for b in BETAS]
    cells += [(n, b, lb, lc, SEEDS) for n, b, lb, lc in LENGTH_SETTINGS]
    # the settings the notebooks lean on first (a build under load can be resumed)
    first = [c for c in cells if c[:2] in ((50, 1.0), (150, math.inf))]
    return first + [c for c in cells if c not in first]


def _atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _one_run(work: Path, n, beta, lb, lc, seed, epochs, kb=None, max_n: int = 4) -> dict:
    """One experiment, remembered in ``work`` so that an interrupted build resumes."""
    key = setting_key(n, beta, lb, lc, kb)
    tail = "" if max_n == 4 else f"|max_n={max_n}"
    path = work / f"{key}|seed={seed}|epochs={epochs}{tail}.json"
    if path.exists():
        return json.loads(path.read_text())
    t = time.perf_counter()
    run = run_best_of_n(n, beta=beta, seed=seed, length_bias=lb, length_controlled=lc,
                        kind_bias=kb, epochs=epochs, max_n=max_n)
    if max_n != 4:
        run.setting["max_n"] = int(max_n)
    doc = {"run": run.as_dict()}
    _atomic_write(path, lambda p: Path(p).write_text(json.dumps(doc)))
    print(f"{key} seed={seed}: acc={run.heldout_accuracy:.3f} "
          f"({time.perf_counter() - t:.1f} s)", flush=True)
    return doc


def build(out: Path, quick: bool = False, epochs: int = 12, work: Path | None = None) -> dict:
    work = Path(work) if work is not None else ROOT / "build" / "overopt-runs"
    work.mkdir(parents=True, exist_ok=True)
    runs: dict[str, list] = {}
    cells = [(n, b, lb, lc, seeds, None) for n, b, lb, lc, seeds in grid(quick)]
    if not quick:
        cells.insert(0, (POLICY_DATA[0], POLICY_DATA[1], 0.0, False, SEEDS, POLICY_DATA[2]))
    for n, beta, lb, lc, seeds, kb in cells:
        key = setting_key(n, beta, lb, lc, kb)
        runs[key] = [_one_run(work, n, beta, lb, lc, seed, epochs, kb)["run"]
                     for seed in seeds]
    if not quick:
        runs.update(strong_runs(work, epochs))
    doc = {"grid": {"sizes": list(SIZES), "betas": [str(b) for b in BETAS],
                    "seeds": list(SEEDS), "epochs": epochs, "quick": quick},
           "runs": runs}
    _atomic_write(out / "best_of_n.json",
                  lambda p: Path(p).write_text(json.dumps(doc, sort_keys=True) + "\n"))
    if not quick:
        policy_curves(out)
    return doc


def strong_runs(work: Path, epochs: int = 12, seeds=SEEDS) -> dict:
    """``{setting_key: [run per seed]}`` of the :data:`STRONG` setting."""
    n, beta, max_n = STRONG
    return {setting_key(n, beta): [_one_run(work, n, beta, 0.0, False, s, epochs,
                                            max_n=max_n)["run"] for s in seeds]}


def add_strong(out: Path, epochs: int = 12, work: Path | None = None) -> dict:
    """Add the :data:`STRONG` setting to an existing ``best_of_n.json`` (nothing else
    changes)."""
    work = Path(work) if work is not None else ROOT / "build" / "overopt-runs"
    work.mkdir(parents=True, exist_ok=True)
    path = out / "best_of_n.json"
    doc = json.loads(path.read_text())
    doc["runs"].update(strong_runs(work, epochs))
    _atomic_write(path, lambda p: Path(p).write_text(json.dumps(doc, sort_keys=True) + "\n"))
    return doc


def policy_curves(out: Path, seeds=SEEDS, beta_kls=BETA_KLS, train=None) -> dict:
    """Notebook 09's policy runs: every beta_kl against the reward models of ``seeds``."""
    from rmteach.experiments import policy

    train = dict(POLICY_TRAIN if train is None else train)
    problems = [policy.load_problem(s) for s in seeds]
    doc = {"setting": setting_key(POLICY_DATA[0], POLICY_DATA[1], 0.0, False, POLICY_DATA[2]),
           "train": train, "seeds": list(seeds), "runs": {},
           "mean_length": policy.MEAN_LENGTH,
           "ref_true": float(np.mean([policy.MEAN_LENGTH * np.sum(p.ref * p.values, 1).mean()
                                      for p in problems])),
           "best_true": float(np.mean([policy.MEAN_LENGTH * p.values.max(1).mean()
                                       for p in problems]))}
    for b in beta_kls:
        t = time.perf_counter()
        runs = [policy.train_policy(p, beta_kl=b, seed=s, **train)
                for p, s in zip(problems, seeds)]
        kinds = [policy.what_changed(p, r.probs)[0] for p, r in zip(problems, runs)]
        _, words = policy.what_changed(problems[0], runs[0].probs, top=6)
        doc["runs"][f"{b:g}"] = {
            "steps": runs[0].steps.tolist(),
            **{f: [[round(float(v), 5) for v in getattr(r, f)] for r in runs]
               for f in ("proxy", "true", "kl")},
            "kinds": {k: [list(kd[k]) for kd in kinds] for k in kinds[0]},
            "words": [list(w) for w in words]}
        print(f"policy beta_kl={b:g}: {time.perf_counter() - t:.1f} s", flush=True)
    _atomic_write(out / "policy_curves.json",
                  lambda p: Path(p).write_text(json.dumps(doc, sort_keys=True) + "\n"))
    return doc


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(CACHE_DIR), help="folder to write (default: "
                        "the package cache)")
    parser.add_argument("--quick", action="store_true", help="one tiny cell (for tests)")
    parser.add_argument("--policy-only", action="store_true",
                        help="rebuild only notebook 09's policy_curves.json")
    parser.add_argument("--strong-only", action="store_true",
                        help="add only the strong setting (STRONG) to the existing best_of_n.json")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--work", default=None, help="folder for the per-run results (resume "
                        "after an interruption; default build/overopt-runs)")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        print(f"error: --epochs must be >= 1; got {args.epochs}", file=sys.stderr)
        return 2
    if args.policy_only:
        policy_curves(Path(args.out))
    elif args.strong_only:
        add_strong(Path(args.out), epochs=args.epochs, work=args.work)
    else:
        build(Path(args.out), quick=args.quick, epochs=args.epochs, work=args.work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
