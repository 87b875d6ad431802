"""The measurements notebooks 04 and 07 print: each a function of seeds, so tests run them.

* :func:`offset_fix` / :func:`offset_table` – one head trained with each way of pinning
  the offsets (none, TRL centering, TorchRL's penalty, post-hoc normalisation), read
  against the truth: scale, spread of the per-topic offsets, level and spread on a
  reference set, held-out log-loss.
* :func:`margin_table` – Llama 2's margins against none, for several data sizes, over seeds.
* :func:`judge_scores` / :func:`calibration_setup` – the models notebook 07 evaluates.
"""

from __future__ import annotations

import numpy as np

from ..data.generate import make_preference_data, split_by_prompt
from ..math._checks import validated
from .frozen_head import (
    PairSet,
    features,
    fit_head,
    learned_scale,
    llama2_margins,
    normalise,
    pair_set,
    preference_strength,
)
from .seeds import pm, spread

__all__ = [
    "FIXES",
    "calibration_setup",
    "calibration_table",
    "list_features",
    "margin_table",
    "offset_fix",
    "offset_table",
    "split_gaps",
    "topic_levels",
]

#: the ways of pinning the offsets, as (label, penalty, post-hoc normalisation)
FIXES = {
    "none": (None, False),
    "TRL centering": ("trl", False),
    "TorchRL r_c²+r_r²": ("torchrl", False),
    "post-hoc normalisation": (None, True),
}


def _start(seed: int) -> np.ndarray:
    """A starting head with arbitrary per-topic offsets (what a network happens to output)."""
    rng = np.random.default_rng([seed, 51])
    return np.r_[np.zeros(5), rng.normal(0.0, 2.0, 5)]


@validated(rewards="array", true_rewards="array")
def topic_levels(rewards, true_rewards, topic) -> tuple[float, np.ndarray]:
    """(scale, offsets): the pooled within-topic slope of rewards on r*, and each topic's
    intercept r − scale · r* (its offset f(x))."""
    r, t, k = (np.asarray(a) for a in (rewards, true_rewards, topic))
    rc, tc = r.astype(float).copy(), t.astype(float).copy()
    for j in np.unique(k):
        rc[k == j] -= r[k == j].mean()
        tc[k == j] -= t[k == j].mean()
    scale = float(rc @ tc / (tc @ tc))
    offsets = np.array([np.mean(r[k == j] - scale * t[k == j]) for j in range(5)])
    return scale, offsets


@validated(fix="str", coef="real", beta="real+inf", seed="seed")
def offset_fix(fix: str, *, coef: float = 0.01, beta: float = 2.0, seed: int = 0,
               train: PairSet | None = None, reference: PairSet | None = None) -> dict:
    """Train the head with one way of pinning the offsets and read it against the truth."""
    if fix not in FIXES:
        raise ValueError(f"fix must be one of {', '.join(map(repr, FIXES))}; got {fix!r}.")
    train = train or pair_set(1000, seed=0)
    reference = reference or pair_set(1000, split="heldout", seed=0)
    penalty, post_hoc = FIXES[fix]
    hc, hr, _ = train.label(beta, seed=seed)
    fit = fit_head(hc, hr, penalty=penalty, coef=coef if penalty else 0.0, w0=_start(seed))
    h_ref = np.r_[reference.h_better, reference.h_worse]
    r_ref = h_ref @ fit.w
    true_ref = h_ref @ np.r_[1.0, 0.5, -0.5, -0.25, -1.5, np.zeros(5)]
    topic = np.r_[reference.topic, reference.topic]
    if post_hoc:
        r_out = normalise(r_ref, r_ref)
    else:
        r_out = r_ref
    scale, offsets = topic_levels(r_out, true_ref, topic)
    rc_h, rr_h, _ = reference.label(beta, seed=seed + 1000)
    gap = (rc_h - rr_h) @ fit.w
    if post_hoc:
        gap = gap / r_ref.std()
    return {"fix": fix, "w": fit.w, "rewards": r_out, "true": true_ref, "topic": topic,
            "scale": scale, "offsets": offsets, "offset_spread": float(np.std(offsets)),
            "relative_spread": float(np.std(offsets) / scale),
            "mean": float(r_out.mean()), "std": float(r_out.std()),
            "heldout_log_loss": float(np.mean(np.logaddexp(0.0, -gap))),
            "heldout_accuracy": float(np.mean(gap > 0))}


@validated(coef="real", beta="real+inf", seeds="items", fixes="items")
def offset_table(*, coef: float = 0.01, beta: float = 2.0, seeds=range(5),
                 fixes=tuple(FIXES)) -> dict:
    """fix -> {metric: :class:`rmteach.seeds.Spread` over seeds} for scale, offset spread,
    level, spread, log-loss, accuracy (``.mean``, ``.sd`` with n − 1, ``.pm()`` to print)."""
    keys = ("scale", "offset_spread", "relative_spread", "mean", "std", "heldout_log_loss",
            "heldout_accuracy")
    seeds, fixes = _seed_list(seeds), list(fixes)
    out = {}
    for fix in fixes:
        runs = [offset_fix(fix, coef=coef, beta=beta, seed=s) for s in seeds]
        out[fix] = {k: spread(r[k] for r in runs) for k in keys}
    return out


def _seed_list(seeds, name: str = "seeds") -> list[int]:
    """``seeds`` as a non-empty list of checked seeds (at most 1,000 of them)."""
    from ..math._checks import check_int, check_seed

    seeds = list(seeds)
    check_int(len(seeds), f"the number of {name}", lo=1, hi=1000)
    return [check_seed(s, f"{name}[{k}]") for k, s in enumerate(seeds)]


@validated(ns="items", beta="real+inf", seeds="items")
def margin_table(ns=(50, 800), *, beta: float = 1.0, seeds=range(10)) -> dict:
    """n -> {margins: {metric: per-seed values}} for no margin and Llama 2's two tables.

    Metrics on held-out pairs: ``accuracy`` against the TRUE order, ``scale``, and
    ``log_loss`` against fresh labels from the same annotators (calibration).
    """
    from ..math._checks import check_int

    seeds = _seed_list(seeds)
    train, held = pair_set(1000, seed=0), pair_set(1000, split="heldout", seed=0)
    ns = [check_int(n, f"ns[{k}]", lo=1, hi=len(train)) for k, n in enumerate(ns)]
    d_true = held.h_better - held.h_worse
    out = {}
    for n in ns:
        res = {k: {"accuracy": [], "scale": [], "log_loss": []} for k in ("none", "small", "large")}
        for seed in seeds:
            idx = np.random.default_rng([seed, 5]).permutation(len(train))[: int(n)]
            hc, hr, agrees = train.label(beta, seed=seed)
            levels = np.where(agrees, preference_strength(train.true_gap), 0)[idx]
            hc_h, hr_h, _ = held.label(beta, seed=seed + 1000)
            for k in res:
                m = 0.0 if k == "none" else llama2_margins(levels, size=k)
                w = fit_head(hc[idx], hr[idx], margin=m).w
                res[k]["accuracy"].append(float(np.mean(d_true @ w > 0)))
                res[k]["scale"].append(learned_scale(w))
                res[k]["log_loss"].append(float(np.mean(np.logaddexp(0.0, -(hc_h - hr_h) @ w))))
        out[int(n)] = {k: {m: np.array(v) for m, v in d.items()} for k, d in res.items()}
    return out


@validated(lists="items")
def list_features(lists) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(prompt, features of each response (N × 10), ranking) for each ranked list."""
    return [(x.prompt, np.array([features(x.prompt, y) for y in x.responses]),
             np.array(x.ranking)) for x in lists]


def calibration_setup(*, n_prompts: int = 800, heldout_beta: float = 1.0, steps: int = 2000,
                      seed: int = 0, split_seed: int = 0) -> dict:
    """Notebook 07's model: the head trained by gradient descent on NOISELESS ranked lists,
    then judged by annotators of rationality ``heldout_beta`` on held-out prompts, split
    by prompt (``split_seed``) into validation and test halves.

    Returns the head ``w``, its ``scale``, the per-list held-out gaps and, for
    "validation" and "test", the labelled gaps Δ = r_chosen − r_rejected of their pairs.
    """
    from .frozen_head import descend_head

    data = make_preference_data(n_prompts, max_n=5, heldout_beta=heldout_beta, seed=seed)
    pairs = data.pairs("train")
    hc = np.array([features(p.prompt, p.chosen) for p in pairs])
    hr = np.array([features(p.prompt, p.rejected) for p in pairs])
    w = descend_head(hc, hr, steps=steps, lr=1.0, record=2)[1][-1]
    per_list = {}
    for lst in data.heldout:
        d = [features(p.prompt, p.chosen) - features(p.prompt, p.rejected) for p in lst.pairs()]
        per_list[lst.prompt] = np.array(d) @ w
    out = {"w": w, "data": data, "scale": learned_scale(w), "heldout_beta": heldout_beta,
           "per_list": per_list}
    out.update(split_gaps(out, split_seed))
    return out


@validated(setup="dict", split_seed="seed")
def split_gaps(setup: dict, split_seed: int) -> dict:
    """Validation / test gaps of a :func:`calibration_setup`, split by prompt with this seed."""
    val, test = split_by_prompt(setup["data"].heldout, heldout_fraction=0.5, seed=split_seed)
    return {"validation_gap": np.concatenate([setup["per_list"][x.prompt] for x in val]),
            "test_gap": np.concatenate([setup["per_list"][x.prompt] for x in test])}


@validated(setup="dict", n_bins="int")
def calibration_table(setup: dict, seeds=range(5), *, n_bins: int = 10) -> dict:
    """Per split seed: T fitted on validation; test ECE and log-loss before and after."""
    from ..math.calibration import expected_calibration_error, fit_temperature, fold_pairs, log_loss

    rows = {k: [] for k in ("T", "ece_before", "ece_after", "ll_before", "ll_after",
                            "accuracy")}
    for s in seeds:
        g = split_gaps(setup, s)
        t = fit_temperature(g["validation_gap"])
        rows["T"].append(t)
        rows["ece_before"].append(expected_calibration_error(*fold_pairs(g["test_gap"]),
                                                             n_bins=n_bins))
        rows["ece_after"].append(expected_calibration_error(*fold_pairs(g["test_gap"] / t),
                                                            n_bins=n_bins))
        rows["ll_before"].append(log_loss(g["test_gap"]))
        rows["ll_after"].append(log_loss(g["test_gap"], t))
        rows["accuracy"].append(float(np.mean(g["test_gap"] > 0)))
    return {k: np.array(v) for k, v in rows.items()}


def mean_sd(values) -> str:
    """``"0.912 ± 0.031 (sd, n = 5)"``: mean ± sample sd over seeds, printed by
    :func:`rmteach.seeds.pm` (the suite's one way to print a ±)."""
    return pm(values)


