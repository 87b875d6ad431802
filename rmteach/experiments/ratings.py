"""Notebook 12: regression on Likert ratings against Bradley–Terry on pairs, and how
benchmark-style scores track what best-of-n gains.

**Ratings.** For each prompt, K responses (the data generator's) are rated 1–5 by one
annotator (as one annotator rates the responses of a prompt side by side).  Annotator a
has an offset o_a and a scale c_a; with z the true reward r* standardised over the data,

    rating = clip(round(3 + c_a·z + o_a + noise), 1, 5),   noise ~ N(0, 0.5²).

**Two reward models** (notebook 5's :class:`~rmteach.model.network.TinyRewardModel`, the
same size and steps), trained on the same ratings:

* *regression*: squared error between r(x, y) and the rating − 3
  (:func:`rmteach.math.losses.regression_loss`);
* *Bradley–Terry*: the pair-wise loss (Eq. 4.37) on the pairs the ratings imply within a
  prompt (higher rating chosen; equal ratings give no pair).

Each is scored on the held-out prompts against r*: ``accuracy``, the pair accuracy of all
pairs of 8 new responses per prompt; ``best_of_4``, RewardBench 2's format (the response
with the highest r* of 8 against three drawn from the 7 below it; success only when its
reward is *strictly* above all three, so a tie fails; chance 25%); ``bon_gain``, the true
reward r* that best-of-16 by the model gains over a random pick, averaged over prompts.

The grid (:data:`GRID`, 5 seeds each) is stored in ``rmteach/_cache/rating_runs.json`` by
``tools/build_ratings_cache.py``; a test rebuilds one run and compares.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..data.generate import make_prompts, sample_response, true_reward
from ..math._checks import check_int, check_seed, validated
from ..math.losses import pairwise_loss, regression_loss

__all__ = ["GRID", "KINDS", "best_of_4_accuracy", "load_rating_runs", "make_ratings",
           "rank_correlation", "run_rating_seed"]

#: (name, n_prompts, annotator offset sd, annotator log-scale sd)
GRID = (("few ratings, fair annotators", 40, 0.0, 0.0),
        ("few ratings, offset annotators", 40, 1.0, 0.5),
        ("many ratings, fair annotators", 120, 0.0, 0.0),
        ("many ratings, offset annotators", 120, 1.0, 0.5))
KINDS = ("regression", "Bradley-Terry")
CACHE = Path(__file__).resolve().parents[1] / "_cache" / "rating_runs.json"
_K, _N_ANNOTATORS, _NOISE, _N_EVAL, _STEPS, _LR = 4, 8, 0.5, 8, 120, 0.01
_Z = (0.0, 3.0)        # r* is standardised with this mean and sd (the generator's spread)


def make_ratings(n_prompts: int, *, offset_sd: float = 0.0, scale_sd: float = 0.0,
                 seed: int = 0, k: int = _K):
    """Prompts, responses (K per prompt, prompt-major), r*, Likert ratings 1–5 (module doc)."""
    n_prompts = check_int(n_prompts, "n_prompts", lo=1, hi=1000)
    k = check_int(k, "k", lo=2, hi=50)
    for name, v in (("offset_sd", offset_sd), ("scale_sd", scale_sd)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v < 10:
            raise ValueError(f"{name} must be a number in [0, 10); got {v!r}.")
    check_seed(seed)
    rng = np.random.default_rng([seed, 12])
    offsets = rng.normal(0.0, offset_sd, _N_ANNOTATORS)
    scales = np.exp(rng.normal(0.0, scale_sd, _N_ANNOTATORS))
    prompts = make_prompts(n_prompts, seed=seed)
    ps, ys, truth, ratings = [], [], [], []
    for p in prompts:
        a = int(rng.integers(_N_ANNOTATORS))
        for _ in range(k):
            y = sample_response(p, rng)
            z = (true_reward(p, y) - _Z[0]) / _Z[1]
            s = np.clip(np.round(3 + scales[a] * z + offsets[a] + rng.normal(0, _NOISE)), 1, 5)
            ps.append(p), ys.append(y), truth.append(true_reward(p, y)), ratings.append(float(s))
    return ps, ys, np.array(truth), np.array(ratings)


def _pairs(ratings, k):
    chosen, rejected = [], []
    for start in range(0, len(ratings), k):
        for i in range(start, start + k):
            for j in range(start, start + k):
                if ratings[i] > ratings[j]:
                    chosen.append(i), rejected.append(j)
    return np.array(chosen), np.array(rejected)


def _train(prompts, responses, ratings, kind, seed):
    import torch

    from ..model.network import TinyRewardModel

    torch.manual_seed(seed)
    model = TinyRewardModel(seed=seed)
    ids, lengths = model.encode(prompts, responses)
    target = torch.tensor(ratings - 3.0, dtype=torch.float32)
    ci, ri = (torch.as_tensor(a) for a in _pairs(ratings, _K))
    opt = torch.optim.Adam(model.parameters(), lr=_LR)
    for _ in range(_STEPS):
        opt.zero_grad()
        r = model(ids, lengths)
        loss = regression_loss(r, target) if kind == "regression" else pairwise_loss(r[ci], r[ri])
        loss.backward()
        opt.step()
    model.eval()
    return model


@validated(scores="array", truth="array")
def best_of_4_accuracy(scores, truth) -> float:
    """RewardBench 2's best-of-4 on groups of 4 (the first is the chosen, best by ``truth``):
    the share of groups whose chosen score is strictly above the other three (a tie fails)."""
    s, t = np.asarray(scores, float), np.asarray(truth, float)
    if s.shape != t.shape or s.ndim != 2 or s.shape[1] != 4:
        raise ValueError(f"scores and truth must both be groups × 4; got {s.shape}, {t.shape}.")
    if np.any(t[:, :1] <= t[:, 1:]):
        raise ValueError("truth: the first response of each group must have the highest r*.")
    return float(np.mean(np.all(s[:, :1] > s[:, 1:], axis=1)))


@validated(x="array", y="array")
def rank_correlation(x, y) -> float:
    """Spearman's rank correlation of ``x`` and ``y`` (ties get their average rank).

    >>> rank_correlation([1, 2, 3, 4], [10, 30, 20, 40])
    0.8
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    if x.shape != y.shape or x.ndim != 1 or len(x) < 3:
        raise ValueError(f"x and y must be 1-D of one length >= 3; got {x.shape}, {y.shape}.")

    def ranks(v):
        order = np.argsort(v, kind="stable")
        r = np.empty(len(v))
        r[order] = np.arange(len(v), dtype=float)
        for value in np.unique(v):              # ties: the average of their ranks
            r[v == value] = r[v == value].mean()
        return r

    rx, ry = ranks(x), ranks(y)
    if rx.std() == 0 or ry.std() == 0:
        raise ValueError("x or y is constant: its rank correlation is undefined.")
    return round(float(np.corrcoef(rx, ry)[0, 1]), 12)


def _evaluate(model, seed):
    held = make_prompts(1000, seed=seed)[-40:]            # prompts no training set of <= 960 uses
    rng = np.random.default_rng([seed, 13])
    acc, bo4, gain = [], [], []
    from .dpo import pair_accuracy

    for p in held:
        ys = [sample_response(p, rng) for _ in range(16)]
        t = np.array([true_reward(p, y) for y in ys])
        s = model.score([p] * len(ys), ys).numpy()
        if len(set(t[:_N_EVAL])) > 1:
            acc.append(pair_accuracy(s[:_N_EVAL], t[:_N_EVAL]))
        order = np.argsort(-t[:8], kind="stable")
        if t[order[0]] > t[order[1]]:          # a clear best against three of the other 7
            idx = [int(order[0]), *rng.choice(order[1:], 3, replace=False).tolist()]
            bo4.append(best_of_4_accuracy(s[idx][None], t[idx][None]))
        gain.append(float(t[int(np.argmax(s))] - t.mean()))
    return float(np.mean(acc)), float(np.mean(bo4)), float(np.mean(gain))


def run_rating_seed(seed: int = 0, cells=None) -> dict:
    """Every cell of :data:`GRID` (or the first ``cells``) for one seed:
    {cell name: {kind: {accuracy, best_of_4, bon_gain}}}."""
    check_seed(seed)
    grid = GRID if cells is None else GRID[:check_int(cells, "cells", lo=1, hi=len(GRID))]
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        out = {}
        for name, n, off, sc in grid:
            ps, ys, _, ratings = make_ratings(n, offset_sd=off, scale_sd=sc, seed=seed)
            out[name] = {}
            for kind in KINDS:
                a, b, g = _evaluate(_train(ps, ys, ratings, kind, seed), seed)
                out[name][kind] = {"accuracy": round(a, 6), "best_of_4": round(b, 6),
                                   "bon_gain": round(g, 6)}
        return out
    finally:
        torch.set_num_threads(threads)


def load_rating_runs() -> dict:
    """The stored runs: ``{"seeds": [...], "runs": [run_rating_seed(seed) for each seed]}``."""
    with open(CACHE, encoding="utf-8") as f:
        return json.load(f)

