"""Using a reward model: draw responses, pick the best of n, and measure what it cost.

**Best-of-n** (rejection sampling): for a prompt x, draw n responses from the
reference policy (here the data generator, :func:`rmteach.data.generate.sample_response`),
score each with the learned reward model r, and keep the one with the highest r.
It is the simplest way to optimise against a reward model, and it has a closed-form
cost: the KL divergence of the best-of-n policy from the reference policy,
KL(π_bon ‖ π_ref), is (Stiennon et al. 2020; Gao, Schulman & Hilton 2022)

    KL_bon = log n − (n − 1) / n          (nats; 0 at n = 1)

exactly when no two draws can share a score, and at most that when they can, as with
draws from a finite pool (Beirami et al. 2024).

:func:`expected_best_of_n` computes the *exact* expected value of anything (the true
reward r*, the proxy r, the length) at the pick, when the n draws are taken with
replacement from a fixed pool of responses, so curves are smooth without Monte-Carlo
noise.  :func:`best_of_n` is the plain version: draw n, keep the argmax.

Picking by r* itself is the **oracle** (the ceiling); picking by a constant score is
a **random** pick (the floor, the mean of the pool).

Everything here is NumPy; the model only enters through its scores.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..data.generate import sample_response, tokenize, true_reward
from ..math._checks import validated

__all__ = [
    "best_of_n",
    "draw_pool",
    "expected_best_of_n",
    "kl_best_of_n",
    "length_reward_correlation",
    "response_lengths",
    "true_rewards",
]


#: the largest pool :func:`draw_pool` draws per prompt (a guard against runaway sizes)
MAX_POOL = 100_000


#: the most draws best_of_n makes for one pick (an index array of that size is drawn)
MAX_DRAWS = 1_000_000


def _check_n(n, name: str = "n", hi: int | None = None) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or int(n) < 1 or (
            hi is not None and int(n) > hi):
        bound = f" and <= {hi:,}" if hi is not None else ""
        shown = f"{n!r:.40}" if not isinstance(n, int) or abs(n) < 10**30 else "a huge number"
        raise ValueError(f"{name} must be a whole number of responses >= 1{bound}; got "
                         f"{shown}.")
    return int(n)


def _check_texts(texts, name: str) -> list:
    texts = list(texts)
    for i, y in enumerate(texts):
        if not isinstance(y, str):
            raise ValueError(f"{name} must be a list of strings; {name}[{i}] is "
                             f"{type(y).__name__} {y!r:.40}.")
    return texts


def kl_best_of_n(n) -> float | np.ndarray:
    """KL(best-of-n ‖ reference) = log n − (n − 1)/n, in nats (an array for an array of n).

    >>> kl_best_of_n(1)
    0.0
    >>> round(kl_best_of_n(2), 4)       # log 2 − 1/2
    0.1931
    """
    arr = np.asarray(n)
    if arr.ndim == 0:
        k = _check_n(n)
        return math.log(k) - (k - 1) / k
    if arr.size == 0 or not np.issubdtype(arr.dtype, np.integer) or (arr < 1).any():
        raise ValueError(f"n must hold whole numbers of responses >= 1; got {n!r}.")
    k = arr.astype(float)
    return np.log(k) - (k - 1) / k


@validated(size="int", seed="seed", keys="items?")
def draw_pool(prompts: Sequence[str], size: int, *, seed: int = 0,
              keys: Sequence[int] | None = None) -> list[list[str]]:
    """``size`` responses per prompt from the reference policy (the data generator).

    The responses of the k-th prompt depend on (seed, keys[k]) only (``keys`` defaults
    to 0, 1, 2, …), and the first m of a pool do not depend on ``size``.
    """
    size = _check_n(size, "size")
    if size > MAX_POOL:
        raise ValueError(f"size must be at most {MAX_POOL:,} responses per prompt; got {size:,}.")
    if isinstance(prompts, str):
        raise ValueError("prompts must be a list of prompt strings, not one string.")
    if isinstance(prompts, (bytes, dict)) or not hasattr(prompts, "__iter__"):
        raise ValueError(f"prompts must be a list of prompt strings; got {type(prompts).__name__}.")
    prompts = _check_texts(prompts, "prompts")
    keys = range(len(prompts)) if keys is None else [int(k) for k in keys]
    if len(keys) != len(prompts):
        raise ValueError(f"keys must give one integer per prompt; got {len(keys)} keys for "
                         f"{len(prompts)} prompts.")
    out = []
    for k, prompt in zip(keys, prompts):
        rng = np.random.default_rng([seed, 8, k])
        out.append([sample_response(prompt, rng) for _ in range(size)])
    return out


@validated(prompt="str", responses="items")
def true_rewards(prompt: str, responses: Sequence[str]) -> np.ndarray:
    """r*(x, y) for each response (the hidden truth of the synthetic language)."""
    responses = _check_texts(responses, "responses")
    return np.array([true_reward(prompt, y) for y in responses], dtype=float)


@validated(responses="items")
def response_lengths(responses: Sequence[str]) -> np.ndarray:
    """The length of each response in words."""
    responses = _check_texts(responses, "responses")
    return np.array([len(tokenize(y)) for y in responses], dtype=float)


@validated(scores="array")
def best_of_n(scores: Sequence[float], n: int, rng: np.random.Generator) -> int:
    """Draw n of the pool (with replacement), return the index of the highest-scoring one.

    Ties go to the first drawn.  ``scores`` are the selector's scores of the whole
    pool (the learned reward for best-of-n, r* for the oracle).
    """
    n = _check_n(n, hi=MAX_DRAWS)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a NumPy random Generator (np.random.default_rng(seed)); "
                         f"got {type(rng).__name__}.")
    s = np.asarray(scores, dtype=float)
    if s.ndim != 1 or s.size == 0:
        raise ValueError(f"scores must be a non-empty 1-D list (one per response); got shape "
                         f"{s.shape}.")
    idx = rng.integers(s.size, size=n)
    return int(idx[int(np.argmax(s[idx]))])


@validated(select="array", values="array")
def expected_best_of_n(select: Sequence[float], values: Sequence[float],
                       ns: Sequence[int]) -> np.ndarray:
    """Exact E[value of the pick] for best-of-n drawn with replacement from a pool.

    The pick is the draw with the highest ``select`` score; ties are broken uniformly
    at random.  With the pool's distinct select scores s_1 < … < s_G and F_g the share
    of the pool scoring at most s_g, the best of n scores s_g with probability
    F_g^n − F_{g−1}^n, and the pick is then a uniform member of group g:

        E[value] = Σ_g (F_g^n − F_{g−1}^n) · mean(values in group g)

    >>> expected_best_of_n([1, 2], [10, 20], [1, 2]).tolist()   # n=2: 20 unless both are 1
    [15.0, 17.5]
    """
    s = np.asarray(select, dtype=float)
    v = np.asarray(values, dtype=float)
    if s.ndim != 1 or s.shape != v.shape or s.size == 0:
        raise ValueError(f"select and values must be 1-D, of the same non-zero length; got "
                         f"shapes {s.shape} and {v.shape}.")
    if not (np.isfinite(s).all() and np.isfinite(v).all()):
        raise ValueError("select and values must be finite numbers (no NaN or inf).")
    ns = [_check_n(n) for n in np.atleast_1d(ns).tolist()]
    groups, inverse, counts = np.unique(s, return_inverse=True, return_counts=True)
    group_mean = np.bincount(inverse, weights=v, minlength=len(groups)) / counts
    cdf = np.cumsum(counts) / s.size
    prev = np.concatenate([[0.0], cdf[:-1]])
    return np.array([float(np.sum((cdf ** n - prev ** n) * group_mean)) for n in ns])


@validated(rewards="array", true="array", lengths="array")
def length_reward_correlation(rewards: Sequence[float], true: Sequence[float],
                              lengths: Sequence[float]) -> float:
    """Correlation of a reward with length **at fixed true reward**.

    Responses are grouped by their r* value; within each group the reward and the
    length are centred, and the correlation of what is left is returned (pooled over
    the groups).  An honest reward model has ≈ 0: among responses that are equally
    good, length should not matter.  A model that learned a length shortcut has a
    clearly positive value.  NaN when no group has two different lengths.
    """
    r = np.asarray(rewards, dtype=float)
    t = np.asarray(true, dtype=float)
    n = np.asarray(lengths, dtype=float)
    if not (r.shape == t.shape == n.shape) or r.ndim != 1:
        raise ValueError(f"rewards, true and lengths must be 1-D of one length; got shapes "
                         f"{r.shape}, {t.shape}, {n.shape}.")
    _, inverse = np.unique(t, return_inverse=True)
    counts = np.bincount(inverse)
    rc = r - (np.bincount(inverse, weights=r) / counts)[inverse]
    nc = n - (np.bincount(inverse, weights=n) / counts)[inverse]
    denom = math.sqrt(float(np.sum(rc * rc)) * float(np.sum(nc * nc)))
    return float(np.sum(rc * nc) / denom) if denom > 0 else float("nan")
