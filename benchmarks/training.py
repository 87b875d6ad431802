"""Parts 2 and 3: what training costs, grouped listwise against pair-exploded, and how long
each loss takes to reach 0.90 held-out pairwise accuracy.

Every run goes through ``rmteach.model.training.train`` (the library's own loop, defaults
unless stated) in a fresh process (:mod:`benchmarks.train_worker`).

**Part 2.**  Data: ``make_preference_data(min_n=N, max_n=N, seed=0)``, noiseless
labels, every list of exactly N responses.  Three runs per N, the same number of
epochs:

* ``grouped``: the listwise loss (Eq. 4.57), one ranked list per batch element, each
  response scored once (InstructGPT), the library's default batch of lists;
* ``exploded``: every ranked pair its own shuffled (chosen, rejected) example with
  the pairwise loss, what a TRL user feeds, the library's default batch of pairs;
* ``exploded, matched batch``: the same, with N(N−1)/2 times as many pairs per batch,
  so it takes as many optimizer steps per epoch, each over the same number of
  comparisons, as grouped training: the cheapest way to explode, and the baseline
  that isolates the forward passes.

Seconds per epoch are training time only (the library's per-epoch ``seconds``, the
evaluation after each epoch excluded), the median over epochs.

**Part 3.**  The library's default data and settings (``train(loss=...)``: grouped
mode), trained epoch by epoch until the held-out pairwise accuracy reaches 0.90 or a
cap of epochs; plus the pairwise loss in exploded mode, the TRL way.  Reported: the
training seconds up to that epoch (and the wall time including the per-epoch
evaluations the stop needs).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from .timing import ROOT

_TIMEOUT_S = 900


def _worker(spec: dict) -> dict:
    proc = subprocess.run([sys.executable, "-m", "benchmarks.train_worker", json.dumps(spec)],
                          cwd=ROOT, capture_output=True, text=True, timeout=_TIMEOUT_S)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise RuntimeError(f"training run {spec} failed: {tail}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _data_kwargs(prompts, **kw) -> dict:
    if prompts is not None:
        kw["n_prompts"] = prompts
    return kw


def _summarize(mode_label: str, n: int, out: dict) -> dict:
    recs = out["records"]
    last = recs[-1]
    return {
        "n": n, "mode": mode_label, "loss": out["spec"]["loss"],
        "batch_size": out["spec"].get("batch_size"),
        "epochs": len(recs),
        "forward_per_epoch": recs[0]["forward_passes"],
        "epoch_s": statistics.median(r["seconds"] for r in recs),
        "epoch_s_all": [r["seconds"] for r in recs],
        "peak_mib": out["peak_mib"],
        "memory_method": out["memory_method"],
        "heldout_accuracy": last["heldout_accuracy"],
        "heldout_logloss": last["heldout_log_loss"],
        "heldout_listwise_loss": last["heldout_loss"],
        "train_accuracy": last["train_accuracy"],
        "train_lists": out["train_lists"],
        "train_pairs": out["train_pairs"],
        "device": out["device"],
    }


def _clean(v):
    """NaN → None, so the JSON stays valid."""
    if isinstance(v, float) and v != v:
        return None
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_clean(x) for x in v]
    return v


def run_cost(cfg, device: str = "cpu") -> dict:
    try:
        from rmteach.model.training import DEFAULTS
    except ImportError as exc:
        return {"skipped": f"rmteach.model.training cannot be imported ({exc})"}
    batch = DEFAULTS["batch_size"]
    epochs = cfg.train_epochs or DEFAULTS["epochs"]
    runs, comparisons = [], []
    for n in cfg.train_ns:
        pairs_per_list = n * (n - 1) // 2
        base = {"data": _data_kwargs(cfg.train_prompts, min_n=n, max_n=n, seed=0),
                "epochs": epochs, "device": device, "seed": 0}
        specs = {
            "grouped": {**base, "loss": "listwise", "mode": "grouped"},
            "exploded": {**base, "loss": "pairwise", "mode": "exploded"},
            "exploded, matched batch": {**base, "loss": "pairwise", "mode": "exploded",
                                        "batch_size": batch * pairs_per_list},
        }
        by_mode = {}
        for label, spec in specs.items():
            by_mode[label] = _summarize(label, n, _worker(spec))
            runs.append(by_mode[label])
        g = by_mode["grouped"]
        for label in ("exploded", "exploded, matched batch"):
            e = by_mode[label]
            comparisons.append({
                "n": n, "baseline": label,
                "epoch_speedup": e["epoch_s"] / g["epoch_s"],
                "grouped_epoch_s": g["epoch_s"], "exploded_epoch_s": e["epoch_s"],
                "forward_pass_ratio": e["forward_per_epoch"] / g["forward_per_epoch"],
                "grouped_forward": g["forward_per_epoch"],
                "exploded_forward": e["forward_per_epoch"],
                "grouped_accuracy": g["heldout_accuracy"],
                "exploded_accuracy": e["heldout_accuracy"],
                "grouped_logloss": g["heldout_logloss"],
                "exploded_logloss": e["heldout_logloss"],
                "grouped_peak_mib": g["peak_mib"], "exploded_peak_mib": e["peak_mib"],
            })
    return _clean({
        "method": (f"rmteach.model.training.train on make_preference_data("
                   f"{'' if cfg.train_prompts is None else f'{cfg.train_prompts}, '}"
                   f"min_n=N, max_n=N, seed=0) "
                   f"(noiseless labels), {epochs} epochs each, seed 0, one fresh "
                   f"process per run. grouped = listwise loss, one list per batch element, "
                   f"batch {batch} lists; exploded = pairwise loss, one pair per example, batch "
                   f"{batch} pairs; matched batch = {batch}·N(N−1)/2 pairs (same steps per "
                   "epoch as grouped). s / epoch: training time without evaluation, median "
                   "over epochs. Peak memory: " + (runs[0]["memory_method"] if runs else "")
                   + "."),
        "default_batch_size": batch,
        "runs": runs,
        "comparisons": comparisons,
    })


def run_time_to_accuracy(cfg, device: str = "cpu") -> dict:
    try:
        from rmteach.model.training import DEFAULTS
    except ImportError as exc:
        return {"skipped": f"rmteach.model.training cannot be imported ({exc})"}
    target = cfg.time_to_acc_target
    variants = {loss: {"loss": loss, "mode": "grouped"} for loss in cfg.time_to_acc_losses}
    if cfg.mode == "full":
        variants["pairwise (exploded)"] = {"loss": "pairwise", "mode": "exploded"}
    losses = {}
    for name, v in variants.items():
        spec = {**v, "data": _data_kwargs(cfg.tta_prompts, seed=0),
                "epochs": cfg.time_to_acc_max_epochs, "device": device, "seed": 0,
                "target": target, "eval_train": False, "max_train_s": cfg.time_to_acc_max_s}
        out = _worker(spec)
        recs = out["records"]
        hit = out["reached_epoch"]
        upto = [r for r in recs if hit is None or r["epoch"] <= hit]
        losses[name] = {
            "mode": v["mode"],
            "seconds_to_target": sum(r["seconds"] for r in upto) if hit else None,
            "wall_to_target": upto[-1]["wall_since_start"] if hit else None,
            "epoch_reached": hit,
            "forward_to_target": sum(r["forward_passes"] for r in upto) if hit else None,
            "best_accuracy": max(r["heldout_accuracy"] for r in recs),
            "accuracy_per_epoch": [r["heldout_accuracy"] for r in recs],
            "seconds_per_epoch": [r["seconds"] for r in recs],
            "epochs_run": len(recs),
            "train_seconds": sum(r["seconds"] for r in recs),
            "device": out["device"],
        }
    return _clean({
        "method": (f"rmteach.model.training.train(loss=..., seed=0) on the default data "
                   f"make_preference_data(seed=0) (N = 2..9, noiseless), library defaults "
                   f"(lr {DEFAULTS['lr']}, batch {DEFAULTS['batch_size']}), grouped mode unless "
                   f"named; stopped at the first epoch whose held-out pairwise accuracy is "
                   f">= {target}, at most {cfg.time_to_acc_max_epochs} epochs or "
                   f"{cfg.time_to_acc_max_s:.0f} s of training. Seconds: "
                   "training time up to that epoch (the per-epoch evaluation excluded; "
                   "wall_to_target in the JSON includes it)."),
        "target": target,
        "losses": losses,
    })
