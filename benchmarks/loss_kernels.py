"""Part 1: the loss kernels, vectorised against a Python loop and against pair-exploding.

For a batch of B ranked lists of N rewards each (B × N = 1024 × {2, 4, 8, 16, 32}):

* **vectorised**: one call of ``rmteach.listwise_loss`` (Eq. 4.57) or
  ``rmteach.plackett_luce_loss`` (Eqs. 4.58–4.61) on the (B, N) array;
* **(a) Python loop**: the same formula written as plain Python loops over a list
  of lists with ``math.log1p`` / ``math.exp`` (the rows are handed over as Python
  lists, converted outside the timing, which favours the loop);
* **(b) pair-exploded**: what a TRL user does today — explode every list into its
  N(N−1)/2 (chosen, rejected) pairs and call ``rmteach.pairwise_loss`` on them.
  The explode step is inside the timing and is itself vectorised (pair positions
  from ``rmteach.ranked_pair_positions`` and one fancy-indexing gather), the
  strongest form of this baseline.  For the listwise loss it gives the identical
  number (Eq. 4.57 is the mean over the ranked pairs); for Plackett–Luce it is a
  different objective on the same data, so only its cost is compared.

Backends: NumPy float64 and torch float32 on the CPU (forward only, and forward
plus backward for the gradient a training step needs), each with the rows already
best first and with a per-row ranking (the kernel then also gathers and validates
the ranking); the same torch code on CUDA when a device is given.  Every
vectorised result is checked against the loop and the exploded value before a
time is reported.
"""

from __future__ import annotations

import math

import numpy as np

from .timing import CpuMeter, measure_interleaved

BATCH = 1024
NS = (2, 4, 8, 16, 32)
LOSSES = ("listwise", "plackett-luce")


# ---------------------------------------------------------------------------
# (a) the plain Python double loops
# ---------------------------------------------------------------------------


def _softplus(x: float) -> float:
    """log(1 + e^x), stable for any x: max(x, 0) + log1p(exp(−|x|))."""
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def listwise_loop(rows: list[list[float]], rankings: list[list[int]] | None = None) -> float:
    """Eq. 4.57 with two nested loops per list: mean over lists of the mean over the
    ranked pairs (a above b) of −log Sigmoid(r_a − r_b) = softplus(r_b − r_a)."""
    total = 0.0
    for r, row in enumerate(rows):
        if rankings is not None:
            row = [row[k] for k in rankings[r]]
        n = len(row)
        acc = 0.0
        for a in range(n):
            for b in range(a + 1, n):
                acc += _softplus(row[b] - row[a])
        total += acc / (n * (n - 1) / 2)
    return total / len(rows)


def plackett_luce_loop(rows: list[list[float]], rankings: list[list[int]] | None = None) -> float:
    """Eq. 4.61 with nested loops: Σ_k [log Σ_{j≥k} exp(r_j) − r_k] per list (max subtracted)."""
    total = 0.0
    for r, row in enumerate(rows):
        if rankings is not None:
            row = [row[k] for k in rankings[r]]
        n = len(row)
        acc = 0.0
        for k in range(n):
            m = row[k]
            for j in range(k + 1, n):
                if row[j] > m:
                    m = row[j]
            s = 0.0
            for j in range(k, n):
                s += math.exp(row[j] - m)
            acc += m + math.log(s) - row[k]
        total += acc
    return total / len(rows)


# ---------------------------------------------------------------------------
# Building the variants
# ---------------------------------------------------------------------------


def _numpy_variants(rm, scores, ranking):
    """(name → zero-argument callable) for NumPy; ranking None means rows best first."""
    lw, pl, pw, positions = (rm.listwise_loss, rm.plackett_luce_loss, rm.pairwise_loss,
                             rm.ranked_pair_positions)
    n = scores.shape[-1]

    if ranking is None:
        def explode():
            i, j = positions(n)
            return pw(scores[:, i], scores[:, j])
    else:
        def explode():
            i, j = positions(n)
            return pw(np.take_along_axis(scores, ranking[:, i], -1),
                      np.take_along_axis(scores, ranking[:, j], -1))
    out = {
        "listwise": lambda: lw(scores, ranking),
        "plackett-luce": lambda: pl(scores, ranking),
        "exploded": explode,
    }
    if ranking is None:
        out["floor"] = _floor(np, scores)
    return out


def _floor(xp, scores):
    """The bare arithmetic of Eq. 4.57 on best-first rows the way the library computes it
    (gather both sides of every ranked pair, log-sigmoid, mean), nothing else: pair
    positions precomputed, no validation, no dispatch.  It bounds what this formulation
    can reach; another formulation (the gaps as one matrix product with a ±1 difference
    matrix, say) is not bounded by it."""
    from rmteach.math._arrays import is_torch, log_sigmoid
    from rmteach.math.ranking import ranked_pair_positions

    i, j = ranked_pair_positions(scores.shape[-1])
    if is_torch(scores):
        import torch

        i = torch.as_tensor(i, device=scores.device)
        j = torch.as_tensor(j, device=scores.device)
        return lambda: -torch.nn.functional.logsigmoid(scores[:, i] - scores[:, j]).mean()
    return lambda: -xp.mean(log_sigmoid(xp, scores[:, i] - scores[:, j]))


def _torch_variants(rm, torch, scores, ranking, *, backward: bool):
    lw, pl, pw, positions = (rm.listwise_loss, rm.plackett_luce_loss, rm.pairwise_loss,
                             rm.ranked_pair_positions)
    n = scores.shape[-1]
    device = scores.device

    if ranking is None:
        def explode_value():
            i, j = positions(n)
            i = torch.as_tensor(i, device=device)
            j = torch.as_tensor(j, device=device)
            return pw(scores[:, i], scores[:, j])
    else:
        def explode_value():
            i, j = positions(n)
            i = torch.as_tensor(i, device=device)
            j = torch.as_tensor(j, device=device)
            return pw(torch.gather(scores, 1, ranking[:, i]),
                      torch.gather(scores, 1, ranking[:, j]))

    values = {
        "listwise": lambda: lw(scores, ranking),
        "plackett-luce": lambda: pl(scores, ranking),
        "exploded": explode_value,
    }
    if ranking is None:
        values["floor"] = _floor(None, scores)
    if not backward:
        return values

    def with_backward(f):
        def run():
            loss = f()
            loss.backward()
            scores.grad = None
            return loss
        return run
    return {name: with_backward(f) for name, f in values.items()}


def _value(x) -> float:
    try:
        return float(x.detach().cpu()) if hasattr(x, "detach") else float(x)
    except TypeError:
        return float(x)


def run(cfg, device: str = "cpu") -> dict:
    """Measure every N and backend; returns the JSON-ready section."""
    import rmteach as rm

    try:
        import torch
    except ImportError:
        torch = None

    rng = np.random.default_rng(0)
    batch = cfg.loss_batch
    rows_out = []
    backends = ["numpy", "numpy+ranking"]
    if torch is not None:
        backends += ["torch", "torch+ranking", "torch fwd+bwd"]
    cuda = device.startswith("cuda")
    if cuda:
        backends += ["cuda", "cuda+ranking", "cuda fwd+bwd"]

    for n in cfg.loss_ns:
        scores = rng.normal(0.0, 2.0, size=(batch, n))
        ranking = np.argsort(rng.random((batch, n)), axis=1)
        rows = scores.tolist()
        rank_rows = ranking.tolist()

        fns: dict[str, object] = {
            "loop|listwise": lambda rows=rows: listwise_loop(rows),
            "loop|plackett-luce": lambda rows=rows: plackett_luce_loop(rows),
            "loop+ranking|listwise": lambda rows=rows, rr=rank_rows: listwise_loop(rows, rr),
            "loop+ranking|plackett-luce": lambda rows=rows, rr=rank_rows: plackett_luce_loop(rows,
                                                                                           rr),
        }
        for name, f in _numpy_variants(rm, scores, None).items():
            fns[f"numpy|{name}"] = f
        for name, f in _numpy_variants(rm, scores, ranking).items():
            fns[f"numpy+ranking|{name}"] = f
        tensors = {}
        if torch is not None:
            for dev, prefix in ([("cpu", "torch")] + ([(device, "cuda")] if cuda else [])):
                st = torch.tensor(scores, dtype=torch.float32, device=dev)
                rt = torch.as_tensor(ranking, device=dev)
                sg = st.clone().requires_grad_(True)
                tensors[prefix] = st
                for name, f in _torch_variants(rm, torch, st, None, backward=False).items():
                    fns[f"{prefix}|{name}"] = f
                for name, f in _torch_variants(rm, torch, st, rt, backward=False).items():
                    fns[f"{prefix}+ranking|{name}"] = f
                for name, f in _torch_variants(rm, torch, sg, None, backward=True).items():
                    fns[f"{prefix} fwd+bwd|{name}"] = f

        # Correctness first: a speed-up of a wrong number is worth nothing.
        values = {key: _value(f()) for key, f in fns.items()}
        checks = {}
        for backend in backends:
            tol = 1e-9 if backend.startswith("numpy") else 1e-4
            ref = "loop+ranking" if "ranking" in backend else "loop"
            for loss in LOSSES:
                diff = abs(values[f"{backend}|{loss}"] - values[f"{ref}|{loss}"])
                checks[f"{backend}|{loss} vs {ref}"] = diff
                if diff > tol * max(1.0, abs(values[f"{ref}|{loss}"])):
                    raise RuntimeError(f"{backend} {loss} = {values[f'{backend}|{loss}']} but the "
                                       f"Python loop gives {values[f'{ref}|{loss}']} (N = {n})")
            if f"{backend}|floor" in values:
                diff = abs(values[f"{backend}|floor"] - values[f"{ref}|listwise"])
                checks[f"{backend}|floor vs {ref} listwise"] = diff
                if diff > tol * max(1.0, abs(values[f"{ref}|listwise"])):
                    raise RuntimeError(f"{backend} floor disagrees with Eq. 4.57 (N = {n})")
            diff = abs(values[f"{backend}|exploded"] - values[f"{ref}|listwise"])
            checks[f"{backend}|exploded vs {ref} listwise"] = diff
            if diff > tol * max(1.0, abs(values[f"{ref}|listwise"])):
                raise RuntimeError(f"{backend} pair-exploded loss disagrees with Eq. 4.57 "
                                   f"(N = {n})")

        sync = torch.cuda.synchronize if (cuda and torch is not None) else (lambda: None)
        cfg.extra.get("before_measure", lambda: None)()
        meter = CpuMeter()
        timings = measure_interleaved(fns, warmup=cfg.warmup, min_rounds=cfg.min_rounds,
                                      max_rounds=cfg.max_rounds, budget_s=cfg.loss_budget_s,
                                      sync=sync)
        other = meter.other_cores()
        for backend in backends:
            loop_key = "loop+ranking" if "ranking" in backend else "loop"
            exploded = timings[f"{backend}|exploded"].median_s
            for loss in LOSSES:
                vec = timings[f"{backend}|{loss}"].median_s
                loop = None if "fwd+bwd" in backend else timings[f"{loop_key}|{loss}"].median_s
                row = {
                    "n": n, "batch": batch, "backend": backend, "loss": loss,
                    "vectorised_s": vec,
                    "loop_s": loop,
                    "exploded_s": exploded,
                    "speedup_vs_loop": None if loop is None else loop / vec,
                    "speedup_vs_exploded": exploded / vec,
                    "vectorised_p95_s": timings[f"{backend}|{loss}"].p95_s,
                    "samples": timings[f"{backend}|{loss}"].samples,
                    "other_load_cores": other,
                }
                floor_key = f"{backend}|floor"
                if loss == "listwise" and floor_key in timings:
                    row["floor_s"] = timings[floor_key].median_s
                    if loop is not None:
                        row["floor_speedup_vs_loop"] = loop / row["floor_s"]
                if backend.startswith("cuda"):
                    # Minimum traffic: the (B, N) float32 scores are read once.
                    row["gb_per_s"] = batch * n * 4 / vec / 1e9
                rows_out.append(row)
        del tensors

    section = {
        "batch": batch,
        "ns": list(cfg.loss_ns),
        "dtypes": {"numpy": "float64", "torch": "float32"},
        "loop_input": "Python lists of floats (converted outside the timing)",
        "exploded": "vectorised explode: ranked_pair_positions + one gather, then pairwise_loss; "
                    "inside the timing",
        "rows": rows_out,
        "timing": f"median per call after {cfg.warmup} warm-up calls, over >= "
                  f"{cfg.min_rounds} interleaved rounds (each round: ~3 ms of single-call "
                  "samples of every variant, at least one)",
    }
    if cuda and torch is not None:
        section["cuda"] = _cuda_bandwidth(torch, device)
    else:
        section["cuda"] = {"skipped": "no CUDA device" if not cuda else "torch not installed"}
    return section


def _cuda_bandwidth(torch, device: str) -> dict:
    """Device memory bandwidth, measured with a large device-to-device copy."""
    x = torch.empty(256 * 2**20 // 4, dtype=torch.float32, device=device)
    y = torch.empty_like(x)
    timing = measure_interleaved({"copy": lambda: y.copy_(x)}, warmup=3, min_rounds=10,
                                 max_rounds=20, budget_s=1.0, sync=torch.cuda.synchronize)
    measured = 2 * x.numel() * 4 / timing["copy"].median_s / 1e9
    props = torch.cuda.get_device_properties(torch.device(device))
    out = {"device_name": props.name, "copy_bandwidth_gb_per_s": measured}
    clock = getattr(props, "memory_clock_rate", None)
    width = getattr(props, "memory_bus_width", None)
    if clock and width:  # kHz and bits; double data rate
        out["theoretical_bandwidth_gb_per_s"] = 2 * clock * 1e3 * width / 8 / 1e9
    return out
