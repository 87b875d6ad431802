"""Ties: tiered rankings, a tie model, and rewards that tie.

* :func:`tiered_listwise_loss` – Eq. 4.57 for a ranking with tied tiers, ``A > B = C > D``:
  the mean of −log Sigmoid(r_better − r_worse) over the (N² − Σ n_t²)/2 pairs *across*
  tiers (tied items give no pair).  An undecided model still scores ln 2.
* Davidson's tie model (1970) with worth α(y) = exp r(x, y) and one extra parameter ν ≥ 0:

      Pr(y_a ≻ y_b) = α_a / (α_a + α_b + ν √(α_a α_b)) = e^{Δ/2} / (e^{Δ/2} + e^{−Δ/2} + ν)
      Pr(y_a = y_b) = ν / (e^{Δ/2} + e^{−Δ/2} + ν)

  ν = 0 is Bradley–Terry; a tie is most likely at Δ = 0, where Pr(tie) = ν / (2 + ν).
* :func:`davidson_labels` simulates annotators who may say "tie"; :func:`fit_davidson`
  fits the head W_r and ν together by maximum likelihood.
* :func:`as_ratings` turns rewards into a judge's 1..K ratings (ties by construction).
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import check_real, validated
from .losses import pairwise_loss
from .ranking import check_tiers, tiers_to_pairs

__all__ = ["as_ratings", "davidson_labels", "davidson_nll", "davidson_probabilities",
           "fit_davidson", "tiered_listwise_loss", "tiered_pair_count"]


@validated()
def tiered_pair_count(tiers) -> int:
    """(N² − Σ n_t²) / 2: the pairs a tiered ranking implies.

    >>> tiered_pair_count("A > B = C > D")
    5
    """
    tiers = check_tiers(tiers)
    n = sum(len(t) for t in tiers)
    return (n * n - sum(len(t) ** 2 for t in tiers)) // 2


@validated(scores="dict")
def tiered_listwise_loss(scores: dict, tiers) -> float:
    """Eq. 4.57 for a tiered ranking: mean −log Sigmoid(r_better − r_worse) over cross-tier pairs.

    ``scores`` maps each label to its reward; ``tiers`` is a string like ``"A > B = C > D"``
    or the list :func:`rmteach.math.ranking.parse_tiers` returns.

    >>> round(tiered_listwise_loss({"A": 0, "B": 0, "C": 0, "D": 0}, "A > B = C > D"), 6)
    0.693147
    """
    pairs = tiers_to_pairs(tiers)
    if not pairs:
        raise ValueError("every item is in one tier (all tied): the ranking implies no "
                         "preference, so the loss is undefined. Add a '>' between tiers.")
    missing = sorted({x for p in pairs for x in p} - set(scores))
    if missing:
        raise ValueError(f"no reward given for {', '.join(map(repr, missing))}; scores needs "
                         "one reward per label of the ranking.")
    value = {k: check_real(scores[k], f"scores[{k!r:.40}]")
             for k in {x for p in pairs for x in p}}
    better = [value[a] for a, _ in pairs]
    worse = [value[b] for _, b in pairs]
    return float(pairwise_loss(better, worse))


# ---------------------------------------------------------------------------
# Davidson's tie model
# ---------------------------------------------------------------------------


def _check_nu(nu):
    if not (math.isfinite(nu) and nu >= 0):
        raise ValueError(f"nu (the tie parameter) must be a finite number >= 0; got {nu}.")


#: |Δ/2| is clipped here: e^{±Δ/2} of an infinite gap is then exactly 1 and 0, not inf/inf
_HUGE = 1e300


def _half_gaps(delta, name="delta"):
    d = np.asarray(delta, dtype=float)
    if np.isnan(d).any():
        raise ValueError(f"{name} holds NaN; expected reward gaps (±inf is allowed).")
    return np.clip(d / 2, -_HUGE, _HUGE)


@validated(delta="array", nu="real")
def davidson_probabilities(delta, nu: float):
    """(Pr(a ≻ b), Pr(tie), Pr(b ≻ a)) for reward gaps Δ = r_a − r_b (stable for any Δ).

    >>> [round(float(p), 4) for p in davidson_probabilities(0.0, 1.0)]
    [0.3333, 0.3333, 0.3333]
    """
    _check_nu(nu)
    d = _half_gaps(delta)
    # divide everything by the largest term e^{|Δ|/2}
    m = np.abs(d)
    ea, eb, en = np.exp(d - m), np.exp(-d - m), nu * np.exp(-m)
    z = ea + eb + en
    return ea / z, en / z, eb / z


@validated(delta="array", outcome="array", nu="real")
def davidson_nll(delta, outcome, nu: float) -> float:
    """Mean −log Pr(outcome) with ``outcome`` +1 (a won), 0 (tie), −1 (b won): one outcome
    per gap, at least one pair.  ``ValueError`` when the value is infinite (a tie at
    ν = 0, or a loss at an infinite gap)."""
    _check_nu(nu)
    d = _half_gaps(delta)
    o = _check_outcome(outcome, d.shape)
    if nu == 0 and np.any(o == 0):
        raise ValueError("outcome holds a tie (0) but nu=0 gives a tie probability 0, so the "
                         "NLL is infinite; use nu > 0.")
    log_z = np.logaddexp(np.logaddexp(d, -d), math.log(nu) if nu > 0 else -np.inf)
    num = np.where(o > 0, d, np.where(o < 0, -d, math.log(nu) if nu > 0 else 0.0))
    with np.errstate(over="ignore"):
        value = float(np.mean(log_z - num))
    if not math.isfinite(value):
        raise ValueError("the Davidson NLL overflows: a pair with a huge gap went the other "
                         "way (its probability is 0); check delta and outcome.")
    return value


def _check_outcome(outcome, shape) -> np.ndarray:
    o = np.asarray(outcome, dtype=float)
    if o.shape != shape or o.ndim != 1 or o.size == 0:
        raise ValueError(f"outcome must hold one outcome per pair (+1, 0 or −1), as a 1-D list "
                         f"as long as the gaps, with at least one pair; got shapes {o.shape} "
                         f"and {shape}.")
    if not np.isin(o, (-1.0, 0.0, 1.0)).all():
        raise ValueError("outcome must hold only +1 (a won), 0 (tie) or −1 (b won).")
    return o


@validated(true_gap="array", beta="real+inf", nu="real", seed="seed")
def davidson_labels(true_gap, beta: float, nu: float, *, seed: int = 0) -> np.ndarray:
    """Outcomes (+1 better wins, 0 tie, −1 worse wins) of annotators following Davidson at β·Δ*.

    β = inf are perfect annotators: the better response always wins (a gap of 0 stays a
    gap of 0, where a tie has probability ν / (2 + ν)).

    >>> davidson_labels([1.0, 2.0], math.inf, 0.5).tolist()
    [1, 1]
    """
    if beta < 0:
        raise ValueError(f"beta must be a number >= 0 (annotator precision); got {beta:g}.")
    gap = np.asarray(true_gap, dtype=float)
    if np.isnan(gap).any():
        raise ValueError("true_gap holds NaN; expected reward gaps.")
    with np.errstate(invalid="ignore"):
        scaled = np.where(gap == 0, 0.0, beta * gap)
    win, tie, _ = davidson_probabilities(scaled, nu)
    u = np.random.default_rng([seed, 31]).random(np.shape(true_gap))
    return np.where(u < win, 1, np.where(u < win + tie, 0, -1))


def _davidson_parts(theta, x, o):
    """Mean NLL of Davidson's model, its gradient and Hessian in θ = (W_r, log ν)."""
    w, lam = theta[:-1], theta[-1]
    d = x @ w / 2
    log_z = np.logaddexp(np.logaddexp(d, -d), lam)
    pa, pb, pt = np.exp(d - log_z), np.exp(-d - log_z), np.exp(lam - log_z)
    num = np.where(o > 0, d, np.where(o < 0, -d, lam))
    value = float(np.mean(log_z - num))
    # log Z is the log-partition of the statistics (s, τ) = (±1 or 0, 1 for a tie)
    s_obs = np.sign(o).astype(float)
    t_obs = (o == 0).astype(float)
    g_d = (pa - pb) - s_obs                       # ∂/∂d
    g_l = pt - t_obs                              # ∂/∂λ
    n = len(o)
    grad = np.concatenate([x.T @ g_d / (2 * n), [g_l.mean()]])
    v_s = pa + pb - (pa - pb) ** 2
    c_st = -(pa - pb) * pt
    v_t = pt * (1 - pt)
    h_ww = (x.T * v_s) @ x / (4 * n)
    h_wl = x.T @ c_st / (2 * n)
    hess = np.block([[h_ww, h_wl[:, None]], [h_wl[None, :], np.array([[v_t.mean()]])]])
    return value, grad, hess


@validated(h_a="array", h_b="array", outcome="array", max_iter="int[1,100000]",
           tol="real[0,1]")
def fit_davidson(h_a, h_b, outcome, *, max_iter: int = 100, tol: float = 1e-12):
    """Fit the head W_r and ν of Davidson's model by maximum likelihood (Newton's method).

    ``outcome``: +1 when y_a won, 0 for a tie, −1 when y_b won.  Returns
    ``(w, nu, nll)``.  With no ties the likelihood wants ν = 0 (Bradley–Terry): ``ValueError``.
    """
    a, b = np.asarray(h_a, dtype=float), np.asarray(h_b, dtype=float)
    if a.shape != b.shape or a.ndim != 2 or not a.size:
        raise ValueError(f"h_a and h_b must be feature matrices of one shape (pairs × features);"
                         f" got shapes {a.shape} and {b.shape}.")
    x = a - b
    if not np.isfinite(x).all():
        raise ValueError("h_a and h_b must hold finite numbers (no NaN or inf).")
    o = _check_outcome(outcome, (x.shape[0],))
    if not np.any(o == 0):
        raise ValueError("outcome holds no ties (0): nu would be 0, which is plain "
                         "Bradley–Terry; fit that with experiments.frozen_head.fit_head instead.")
    theta = np.zeros(x.shape[1] + 1)
    value, grad, hess = _davidson_parts(theta, x, o)
    for _ in range(max_iter):
        step = np.linalg.lstsq(hess, grad, rcond=1e-10)[0]
        t = 1.0
        while True:
            new = _davidson_parts(theta - t * step, x, o)
            if new[0] <= value - 1e-4 * t * float(grad @ step) or t < 1e-8:
                break
            t *= 0.5
        done = value - new[0] < tol
        theta = theta - t * step
        value, grad, hess = new
        if done:
            break
    return theta[:-1].copy(), float(np.exp(theta[-1])), value


@validated(rewards="array", levels="int[2,1000000]", lo="real?", hi="real?")
def as_ratings(rewards, *, levels: int = 10, lo: float | None = None,
               hi: float | None = None) -> np.ndarray:
    """A judge's ratings 1..``levels``: rewards cut into equal-width bins between lo and hi.

    Rewards below ``lo`` get 1, above ``hi`` get ``levels`` (default: the rewards' range).
    Responses whose rewards fall in one bin tie.

    >>> as_ratings([0.0, 0.4, 0.6, 1.0], levels=2).tolist()
    [1, 1, 2, 2]
    """
    r = np.asarray(rewards, dtype=float)
    if r.size == 0 or not np.isfinite(r).all():
        raise ValueError("rewards must be a non-empty list of finite numbers.")
    lo = float(r.min()) if lo is None else float(lo)
    hi = float(r.max()) if hi is None else float(hi)
    if not hi > lo or not math.isfinite(hi - lo):
        raise ValueError(f"need hi > lo (a finite range) to cut ratings; got lo={lo:g}, "
                         f"hi={hi:g}.")
    scaled = np.clip((r - lo) / (hi - lo), 0.0, 1.0) * int(levels)
    return np.clip(np.floor(scaled).astype(np.int64) + 1, 1, int(levels))
