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

from ._checks import validated
from .losses import pairwise_loss
from .ranking import parse_tiers, tiers_to_pairs

__all__ = ["as_ratings", "davidson_labels", "davidson_nll", "davidson_probabilities",
           "fit_davidson", "tiered_listwise_loss", "tiered_pair_count"]


@validated()
def tiered_pair_count(tiers) -> int:
    """(N² − Σ n_t²) / 2: the pairs a tiered ranking implies.

    >>> tiered_pair_count("A > B = C > D")
    5
    """
    if isinstance(tiers, str):
        tiers = parse_tiers(tiers)
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
    if isinstance(tiers, str):
        tiers = parse_tiers(tiers)
    pairs = tiers_to_pairs(tiers)
    if not pairs:
        raise ValueError("every item is in one tier (all tied): the ranking implies no "
                         "preference, so the loss is undefined. Add a '>' between tiers.")
    missing = sorted({x for p in pairs for x in p} - set(scores))
    if missing:
        raise ValueError(f"no reward given for {', '.join(map(repr, missing))}; scores needs "
                         "one reward per label of the ranking.")
    better = [float(scores[a]) for a, _ in pairs]
    worse = [float(scores[b]) for _, b in pairs]
    return float(pairwise_loss(better, worse))


# ---------------------------------------------------------------------------
# Davidson's tie model
# ---------------------------------------------------------------------------


def _check_nu(nu):
    if not (math.isfinite(nu) and nu >= 0):
        raise ValueError(f"nu (the tie parameter) must be a finite number >= 0; got {nu}.")


@validated(delta="array", nu="real")
def davidson_probabilities(delta, nu: float):
    """(Pr(a ≻ b), Pr(tie), Pr(b ≻ a)) for reward gaps Δ = r_a − r_b (stable for any Δ).

    >>> [round(float(p), 4) for p in davidson_probabilities(0.0, 1.0)]
    [0.3333, 0.3333, 0.3333]
    """
    _check_nu(nu)
    d = np.asarray(delta, dtype=float) / 2
    # divide everything by the largest term e^{|Δ|/2}
    m = np.abs(d)
    ea, eb, en = np.exp(d - m), np.exp(-d - m), nu * np.exp(-m)
    z = ea + eb + en
    return ea / z, en / z, eb / z


@validated(delta="array", outcome="array", nu="real")
def davidson_nll(delta, outcome, nu: float) -> float:
    """Mean −log Pr(outcome) with ``outcome`` +1 (a won), 0 (tie), −1 (b won)."""
    _check_nu(nu)
    d = np.asarray(delta, dtype=float) / 2
    o = np.asarray(outcome)
    log_z = np.logaddexp(np.logaddexp(d, -d), math.log(nu) if nu > 0 else -np.inf)
    num = np.where(o > 0, d, np.where(o < 0, -d, math.log(nu) if nu > 0 else -np.inf))
    return float(np.mean(log_z - num))


@validated(true_gap="array", beta="real+inf", nu="real", seed="seed")
def davidson_labels(true_gap, beta: float, nu: float, *, seed: int = 0) -> np.ndarray:
    """Outcomes (+1 better wins, 0 tie, −1 worse wins) of annotators following Davidson at β·Δ*."""
    win, tie, _ = davidson_probabilities(beta * np.asarray(true_gap, dtype=float), nu)
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


def fit_davidson(h_a, h_b, outcome, *, max_iter: int = 100, tol: float = 1e-12):
    """Fit the head W_r and ν of Davidson's model by maximum likelihood (Newton's method).

    ``outcome``: +1 when y_a won, 0 for a tie, −1 when y_b won.  Returns
    ``(w, nu, nll)``.  With no ties the likelihood wants ν = 0 (Bradley–Terry): ``ValueError``.
    """
    x = np.asarray(h_a, dtype=float) - np.asarray(h_b, dtype=float)
    o = np.asarray(outcome)
    if x.ndim != 2 or o.shape != (x.shape[0],):
        raise ValueError(f"need one feature row and one outcome per pair; got {x.shape} and "
                         f"{o.shape}.")
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


@validated(rewards="array", levels="int", lo="real?", hi="real?")
def as_ratings(rewards, *, levels: int = 10, lo: float | None = None,
               hi: float | None = None) -> np.ndarray:
    """A judge's ratings 1..``levels``: rewards cut into equal-width bins between lo and hi.

    Rewards below ``lo`` get 1, above ``hi`` get ``levels`` (default: the rewards' range).
    Responses whose rewards fall in one bin tie.

    >>> as_ratings([0.0, 0.4, 0.6, 1.0], levels=2).tolist()
    [1, 1, 2, 2]
    """
    r = np.asarray(rewards, dtype=float)
    if int(levels) < 2:
        raise ValueError(f"levels must be at least 2; got {levels}.")
    lo = float(r.min()) if lo is None else float(lo)
    hi = float(r.max()) if hi is None else float(hi)
    if not hi > lo:
        raise ValueError(f"need hi > lo to cut ratings; got lo={lo}, hi={hi}.")
    k = np.floor((r - lo) / (hi - lo) * int(levels)).astype(int) + 1
    return np.clip(k, 1, int(levels))
