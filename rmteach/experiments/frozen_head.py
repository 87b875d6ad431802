"""What the loss does to the rewards: gradients, scale, offsets and margins.

The lessons of notebook 04 use the book's reward model r(x, y) = h · W_r with the
hidden state h **frozen**: h(x, y) is a small, readable feature vector, and only the
head W_r is learned.  That keeps every fit exact and instant, and the lesson is the
same as for the full model: the loss reaches the backbone only through the same
per-pair factor Sigmoid(−Δ).

    h(x, y) = [on-topic, polite, off-topic, filler, rude words of y,   (5 response counts)
               topic of x is weather, cooking, space, music, sports]    (5 prompt indicators)

The true reward of the synthetic language is exactly linear in h:
r*(x, y) = h · w* with w* = (1, 0.5, −0.5, −0.25, −1.5, 0, 0, 0, 0, 0)
(:data:`TRUE_HEAD`), so a fitted W_r can be read against the truth weight by weight.
The last five weights add the same number to every response of a prompt: the
per-prompt offset f(x) that the Bradley–Terry loss cannot see.

Loss of one pair, with margin m (Llama 2) and Δ = r_c − r_r:

    ℓ = −log Sigmoid(Δ − m),   ∂ℓ/∂r_c = −Sigmoid(−(Δ − m)),   ∂ℓ/∂r_r = +Sigmoid(−(Δ − m)),
    ∂ℓ/∂W_r = −Sigmoid(−(Δ − m)) · (h_c − h_r)         (logistic regression on h_c − h_r)
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from ..data.generate import (
    TOPICS,
    WORD_VALUES,
    explain_reward,
    make_pair_data,
    topic_of,
    true_reward,
)
from ..math._arrays import paired_arrays
from ..math._checks import validated

__all__ = [
    "FEATURE_NAMES", "PENALTIES", "STRENGTH_LABELS", "TRUE_HEAD", "HeadFit", "PairSet",
    "descend_head", "features", "fit_head", "head_gradient", "label_entropy",
    "learned_scale", "llama2_margins", "normalise", "pair_set", "preference_strength",
    "reward_gradients", "topic_offsets",
]

_KINDS = tuple(WORD_VALUES)
_TOPICS = tuple(TOPICS)
FEATURE_NAMES: tuple[str, ...] = (*_KINDS, *(f"topic={t}" for t in _TOPICS))
#: w*: the head that gives exactly the true reward r*
TRUE_HEAD = np.array([WORD_VALUES[k] for k in _KINDS] + [0.0] * len(_TOPICS))
PENALTIES = (None, "trl", "torchrl")
#: Llama 2's four strength levels, weakest first (index = level)
STRENGTH_LABELS = ("negligibly better / unsure", "slightly better", "better",
                   "significantly better")
_STRENGTH_EDGES = (1.0, 2.0, 4.0)      # true-gap edges between the levels (reward units)


def features(prompt: str, response: str) -> np.ndarray:
    """h(x, y): word-kind counts of the response, then the prompt's topic as 0/1 (10 numbers).

    >>> features("explain rain", "sunny thanks um").tolist()
    [1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]
    >>> float(features("explain rain", "sunny thanks um") @ TRUE_HEAD)      # = r*(x, y)
    1.25
    """
    counts = explain_reward(prompt, response)["counts"]
    topic = topic_of(prompt)
    return np.array([counts[k] for k in _KINDS] + [float(t == topic) for t in _TOPICS],
                    dtype=float)


@dataclass(frozen=True)
class PairSet:
    """Pairs of responses with their features, oriented better first by the TRUE reward.

    ``h_better``, ``h_worse``: (n, 10) features; ``true_gap``: r*(better) − r*(worse) > 0;
    ``topic``: index of each prompt's topic.  :meth:`label` simulates annotators.
    """

    prompts: tuple[str, ...]
    better: tuple[str, ...]
    worse: tuple[str, ...]
    h_better: np.ndarray
    h_worse: np.ndarray
    true_gap: np.ndarray
    topic: np.ndarray

    def __len__(self) -> int:
        return len(self.prompts)

    def label(self, beta: float, *, seed: int = 0):
        """(h_chosen, h_rejected, agrees) as annotators of rationality ``beta`` label them.

        Pr(the better one is chosen) = Sigmoid(β · Δ*), drawn with one fixed logistic
        noise per pair (the same draws for every β, so the labels change smoothly with β).
        """
        if not (beta >= 0):
            raise ValueError(f"beta must be >= 0 (0 = coin flips, inf = perfect labels); "
                             f"got {beta}.")
        noise = np.random.default_rng([seed, 21]).logistic(size=len(self))
        agrees = (self.true_gap > 0) if math.isinf(beta) else beta * self.true_gap + noise > 0
        hc = np.where(agrees[:, None], self.h_better, self.h_worse)
        hr = np.where(agrees[:, None], self.h_worse, self.h_better)
        return hc, hr, agrees

    def subset(self, n: int) -> PairSet:
        """The first ``n`` pairs."""
        return PairSet(self.prompts[:n], self.better[:n], self.worse[:n], self.h_better[:n],
                       self.h_worse[:n], self.true_gap[:n], self.topic[:n])


@functools.lru_cache(maxsize=16)
def pair_set(n_prompts: int = 1000, *, split: str = "train", seed: int = 0) -> PairSet:
    """One pair per prompt from :func:`rmteach.data.generate.make_pair_data` (cached, read-only)."""
    data = make_pair_data(n_prompts, seed=seed)
    pairs = data.pairs(split)
    hb = np.array([features(p.prompt, p.chosen) for p in pairs])
    hw = np.array([features(p.prompt, p.rejected) for p in pairs])
    gap = np.array([true_reward(p.prompt, p.chosen) - true_reward(p.prompt, p.rejected)
                    for p in pairs])
    topic = np.array([_TOPICS.index(topic_of(p.prompt)) for p in pairs])
    for a in (hb, hw, gap, topic):
        a.setflags(write=False)
    return PairSet(tuple(p.prompt for p in pairs), tuple(p.chosen for p in pairs),
                   tuple(p.rejected for p in pairs), hb, hw, gap, topic)


# ---------------------------------------------------------------------------
# Gradients
# ---------------------------------------------------------------------------


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))   # stable for any z


@validated(r_chosen="array", r_rejected="array", margin="array")
def reward_gradients(r_chosen, r_rejected, *, margin=0.0):
    """(∂ℓ/∂r_c, ∂ℓ/∂r_r) of each pair's loss ℓ = −log Sigmoid(r_c − r_r − m).

    = (−Sigmoid(−(Δ − m)), +Sigmoid(−(Δ − m))): equal and opposite, largest when the pair
    is confidently wrong, vanishing once it is confidently right.

    >>> g_c, g_r = reward_gradients([0.0, 5.0, -5.0], [0.0, 0.0, 0.0])
    >>> g_c.round(4).tolist(), g_r.round(4).tolist()
    ([-0.5, -0.0067, -0.9933], [0.5, 0.0067, 0.9933])
    """
    c, r, m = paired_arrays((r_chosen, r_rejected, margin), ("r_chosen", "r_rejected", "margin"))
    push = _sigmoid(-(c - r - m))
    return -push, push


def _objective_parts(w, hc, hr, margin, penalty, coef):
    """Objective J(w), its gradient and Hessian (mean over pairs)."""
    n = hc.shape[0]
    d = hc - hr
    z = d @ w - margin
    loss = float(np.mean(np.logaddexp(0.0, -z)))
    s = _sigmoid(-z)
    grad = -(d.T @ s) / n
    hess = (d.T * (s * (1 - s))) @ d / n
    if penalty == "trl":             # coef · mean (r_c + r_r)²
        u = hc + hr
        ru = u @ w
        loss += coef * float(np.mean(ru ** 2))
        grad = grad + coef * 2 * (u.T @ ru) / n
        hess = hess + coef * 2 * (u.T @ u) / n
    elif penalty == "torchrl":       # coef · mean (r_c² + r_r²)
        rc, rr = hc @ w, hr @ w
        loss += coef * float(np.mean(rc ** 2 + rr ** 2))
        grad = grad + coef * 2 * (hc.T @ rc + hr.T @ rr) / n
        hess = hess + coef * 2 * (hc.T @ hc + hr.T @ hr) / n
    return loss, grad, hess


@validated(w="array", h_chosen="array", h_rejected="array", margin="array")
def head_gradient(w, h_chosen, h_rejected, *, margin=0.0) -> np.ndarray:
    """∂L/∂W_r of the mean pair loss: mean over pairs of −Sigmoid(−(Δ − m)) (h_c − h_r)."""
    hc, hr, w, m = _check_head(w, h_chosen, h_rejected, margin)
    return _objective_parts(w, hc, hr, m, None, 0.0)[1]


def _check_head(w, hc, hr, margin):
    w = np.asarray(w, dtype=float)
    hc = np.atleast_2d(np.asarray(hc, dtype=float))
    hr = np.atleast_2d(np.asarray(hr, dtype=float))
    if hc.shape != hr.shape or hc.shape[-1] != w.shape[-1]:
        raise ValueError(f"h_chosen {hc.shape}, h_rejected {hr.shape} and w {w.shape} must agree "
                         "(one feature row per pair, one weight per feature).")
    m = np.broadcast_to(np.asarray(margin, dtype=float), (hc.shape[0],))
    return hc, hr, w, m


# ---------------------------------------------------------------------------
# Fitting the head
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HeadFit:
    """A fitted head: ``w`` (W_r), the final objective, the mean pair loss alone, iterations."""

    w: np.ndarray
    objective: float
    loss: float
    iterations: int

    @property
    def scale(self) -> float:
        return learned_scale(self.w)


@validated(h_chosen="array", h_rejected="array", margin="array", coef="real", w0="array?",
           max_iter="int", tol="real")
def fit_head(h_chosen, h_rejected, *, margin=0.0, penalty: str | None = None,
             coef: float = 0.0, w0=None, max_iter: int = 100, tol: float = 1e-10) -> HeadFit:
    """Minimise mean −log Sigmoid(Δ − m) [+ coef · penalty] over W_r by Newton's method.

    ``penalty``: None, ``"trl"`` (TRL's centering, mean (r_c + r_r)²) or ``"torchrl"``
    (mean r_c² + r_r²).  Directions the objective cannot see (the per-topic offsets,
    without a penalty) keep their starting value ``w0`` exactly: each step is the
    minimum-norm solution of the Newton system.  With noiseless (separable) labels the
    minimum does not exist; use :func:`descend_head` to watch the scale grow.
    """
    if penalty not in PENALTIES:
        raise ValueError(f"penalty must be None, 'trl' or 'torchrl'; got {penalty!r}.")
    if not (math.isfinite(coef) and coef >= 0):
        raise ValueError(f"coef must be a finite number >= 0; got {coef}.")
    w = np.zeros(len(FEATURE_NAMES)) if w0 is None else np.array(w0, dtype=float)
    hc, hr, w, m = _check_head(w, h_chosen, h_rejected, margin)
    obj, grad, hess = _objective_parts(w, hc, hr, m, penalty, coef)
    it = 0
    while it < max_iter:
        it += 1
        step = np.linalg.lstsq(hess, grad, rcond=1e-10)[0]
        t = 1.0
        while True:                                  # backtracking line search
            w_new = w - t * step
            new = _objective_parts(w_new, hc, hr, m, penalty, coef)
            if new[0] <= obj - 1e-4 * t * float(grad @ step) or t < 1e-8:
                break
            t *= 0.5
        done = obj - new[0] < tol
        w, (obj, grad, hess) = w_new, new
        if done:
            break
    loss = float(np.mean(np.logaddexp(0.0, -((hc - hr) @ w - m))))
    return HeadFit(w, obj, loss, it)


@validated(h_chosen="array", h_rejected="array", steps="int", lr="real", margin="array",
           w0="array?", record="int")
def descend_head(h_chosen, h_rejected, *, steps: int, lr: float = 0.5, margin=0.0, w0=None,
                 record: int = 50) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Plain gradient descent on the mean pair loss: (step numbers, heads, losses).

    ``record`` evenly spaced snapshots (the first and last included).  With noiseless
    labels the loss keeps falling towards 0 and the head keeps growing.
    """
    if int(steps) < 1 or not (lr > 0):
        raise ValueError(f"steps must be >= 1 and lr > 0; got steps={steps}, lr={lr}.")
    w = np.zeros(len(FEATURE_NAMES)) if w0 is None else np.array(w0, dtype=float)
    hc, hr, w, m = _check_head(w, h_chosen, h_rejected, margin)
    d = hc - hr
    keep = set(np.unique(np.linspace(0, int(steps), int(record)).round().astype(int)).tolist())
    at, heads, losses = [], [], []
    for k in range(int(steps) + 1):
        z = d @ w - m
        if k in keep:
            at.append(k)
            heads.append(w.copy())
            losses.append(float(np.mean(np.logaddexp(0.0, -z))))
        if k < steps:
            w = w + lr * (d.T @ _sigmoid(-z)) / len(d)
    return np.array(at), np.array(heads), np.array(losses)


# ---------------------------------------------------------------------------
# Reading a head against the truth
# ---------------------------------------------------------------------------


@validated(w="array")
def learned_scale(w) -> float:
    """The scale s of the response weights against w*: the least-squares s in w ≈ s · w*.

    A head that learned β · r* has scale β.
    """
    w = np.asarray(w, dtype=float)
    k = len(_KINDS)
    star = TRUE_HEAD[:k]
    return float(w[..., :k] @ star / (star @ star))


@validated(w="array")
def topic_offsets(w) -> np.ndarray:
    """The per-topic offsets f(x) of a head (its last five weights), in reward units."""
    return np.asarray(w, dtype=float)[len(_KINDS):]


@validated(true_gap="array", beta="real+inf")
def label_entropy(true_gap, beta: float) -> float:
    """Mean binary entropy (nats) of labels Pr = Sigmoid(β Δ*): the loss floor at rationality β.

    No model can score below it on fresh labels; ln 2 at β = 0, 0 at β = ∞.

    >>> round(label_entropy([1.0], 0.0), 6)
    0.693147
    """
    gap = np.abs(np.asarray(true_gap, dtype=float))
    if not (beta >= 0):
        raise ValueError(f"beta must be >= 0; got {beta}.")
    if math.isinf(beta):
        return 0.0
    z = beta * gap
    p = _sigmoid(z)
    # H = log(1 + e^{-z}) + z (1 − p) for p = σ(z): stable for large z
    return float(np.mean(np.logaddexp(0.0, -z) + z * (1.0 - p)))


@validated(rewards="array", reference="array")
def normalise(rewards, reference) -> np.ndarray:
    """Post-hoc normalisation: (r − mean) / std of the rewards on a ``reference`` set."""
    ref = np.asarray(reference, dtype=float)
    if ref.size < 2 or not np.std(ref) > 0:
        raise ValueError("the reference rewards need at least 2 different values.")
    return (np.asarray(rewards, dtype=float) - ref.mean()) / ref.std()


# ---------------------------------------------------------------------------
# Margins (Llama 2)
# ---------------------------------------------------------------------------


@validated(true_gap="array")
def preference_strength(true_gap) -> np.ndarray:
    """How strongly a simulated annotator prefers the chosen response: level 0..3.

    Read off the true gap |r*_c − r*_r|: below 1 "negligibly better / unsure", below 2
    "slightly better", below 4 "better", else "significantly better"
    (:data:`STRENGTH_LABELS`).  Deterministic: no random numbers are drawn.

    >>> preference_strength([0.5, 1.5, 3.0, 7.25]).tolist()
    [0, 1, 2, 3]
    """
    return np.searchsorted(_STRENGTH_EDGES, np.abs(np.asarray(true_gap, dtype=float)),
                           side="right")


@validated(levels="array", size="str")
def llama2_margins(levels, *, size: str = "small") -> np.ndarray:
    """Llama 2's margin m for each strength level: ``"small"`` (0, 1/3, 2/3, 1) or
    ``"large"`` (0, 1, 2, 3), weakest first.

    >>> llama2_margins([0, 3], size="large").tolist()
    [0.0, 3.0]
    """
    table = {"small": (0.0, 1 / 3, 2 / 3, 1.0), "large": (0.0, 1.0, 2.0, 3.0)}
    if size not in table:
        raise ValueError(f"size must be 'small' or 'large' (Llama 2's two margin tables); "
                         f"got {size!r}.")
    lv = np.asarray(levels)
    if lv.size and (lv.min() < 0 or lv.max() > 3):
        raise ValueError(f"strength levels run from 0 to 3; got {lv.min()}..{lv.max()}.")
    return np.asarray(table[size])[lv]
