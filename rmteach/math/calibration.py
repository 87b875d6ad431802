"""Calibration: is Sigmoid(Δ) a probability you can trust?

A reward model predicts Pr(y_a ≻ y_b) = Sigmoid(Δ).  It is *calibrated* when, among
the pairs it gives probability p, annotators pick y_a a share p of the time.

* :func:`fold_pairs` – the symmetric view used here: for each labelled pair, the
  probability q = Sigmoid(|Δ|) ≥ 0.5 the model gives to the response it prefers, and
  whether annotators chose that response.
* :func:`reliability_table` – equal-width bins of q: mean predicted q, observed win rate, count.
* :func:`expected_calibration_error` – ECE = Σ_bins (n_b / n) · |win rate_b − mean q_b|.
* :func:`fit_temperature` – the T > 0 that minimises the log-loss of Sigmoid(Δ / T) on a
  **validation** split (one number; the order of the pairs never changes, so accuracy
  does not either).  Never fit it on the test split you report.
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import validated

__all__ = ["apply_temperature", "expected_calibration_error", "fit_temperature", "fold_pairs",
           "log_loss", "reliability_table"]


def _gaps(delta):
    d = np.asarray(delta, dtype=float)
    if d.ndim != 1 or d.size == 0 or not np.all(np.isfinite(d)):
        raise ValueError(f"delta must be a non-empty 1-D array of finite reward gaps; got shape "
                         f"{d.shape}.")
    return d


@validated(delta_chosen_minus_rejected="array")
def fold_pairs(delta_chosen_minus_rejected):
    """(q, won): q = Sigmoid(|Δ|), the model's probability for the response it prefers, and
    whether annotators chose that response (Δ = r_chosen − r_rejected > 0).  A tie in the
    rewards (Δ = 0) gives q = 0.5 and counts as half a win."""
    d = _gaps(delta_chosen_minus_rejected)
    q = 0.5 * (1.0 + np.tanh(0.5 * np.abs(d)))
    won = np.where(d > 0, 1.0, np.where(d < 0, 0.0, 0.5))
    return q, won


#: most bins a reliability table has (a bin needs pairs in it to say anything)
MAX_BINS = 10_000


@validated(q="array", won="array", n_bins=f"int[1,{MAX_BINS}]", lo="real[0,1)")
def reliability_table(q, won, *, n_bins: int = 5, lo: float = 0.5):
    """Equal-width bins of q over [lo, 1]: (mean q, observed win rate, count) per bin.

    ``q`` are probabilities in [lo, 1], ``won`` outcomes in [0, 1] (a tie is 0.5), at least
    one pair.  Empty bins get NaN means and count 0.
    """
    q = np.asarray(q, dtype=float)
    won = np.asarray(won, dtype=float)
    if q.shape != won.shape or q.ndim != 1 or q.size == 0:
        raise ValueError(f"q and won must be non-empty 1-D arrays of one shape; got {q.shape} "
                         f"and {won.shape}.")
    if not (np.all((q >= lo) & (q <= 1.0))):
        raise ValueError(f"q must hold probabilities between lo={lo:g} and 1 (the folded "
                         "probabilities of fold_pairs are >= 0.5); some are outside.")
    if not (np.all((won >= 0.0) & (won <= 1.0))):
        raise ValueError("won must hold outcomes between 0 and 1 (1 won, 0 lost, 0.5 a tie).")
    edges = np.linspace(lo, 1.0, int(n_bins) + 1)
    idx = np.clip(np.searchsorted(edges, q, side="right") - 1, 0, int(n_bins) - 1)
    count = np.bincount(idx, minlength=int(n_bins)).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_q = np.bincount(idx, weights=q, minlength=int(n_bins)) / count
        rate = np.bincount(idx, weights=won, minlength=int(n_bins)) / count
    return mean_q, rate, count.astype(int)


@validated(q="array", won="array", n_bins=f"int[1,{MAX_BINS}]", lo="real[0,1)")
def expected_calibration_error(q, won, *, n_bins: int = 5, lo: float = 0.5) -> float:
    """ECE = Σ_b (n_b / n) |observed win rate_b − mean q_b| over equal-width bins."""
    mean_q, rate, count = reliability_table(q, won, n_bins=n_bins, lo=lo)
    keep = count > 0
    return float(np.sum(count[keep] * np.abs(rate[keep] - mean_q[keep])) / count.sum())


@validated(delta_chosen_minus_rejected="array", temperature="real")
def log_loss(delta_chosen_minus_rejected, temperature: float = 1.0) -> float:
    """Mean −log Sigmoid(Δ / T) over labelled pairs (Δ = r_chosen − r_rejected)."""
    d = _gaps(delta_chosen_minus_rejected)
    _check_t(temperature)
    with np.errstate(over="ignore"):
        value = float(np.mean(np.logaddexp(0.0, -d / temperature)))
    if not math.isfinite(value):
        raise ValueError(f"the log-loss overflows (Δ / T beyond ±1.8e308 with "
                         f"temperature={temperature:g}); rescale the rewards or raise the "
                         "temperature.")
    return value


def _check_t(t):
    if not (math.isfinite(t) and t > 0):
        raise ValueError(f"temperature must be a finite number > 0; got {t}.")


def _scaled(d, temperature) -> np.ndarray:
    with np.errstate(over="ignore"):
        out = d / temperature
    if not np.isfinite(out).all():
        raise ValueError(f"delta / temperature overflows (beyond ±1.8e308) with "
                         f"temperature={temperature:g}; rescale the rewards or raise the "
                         "temperature.")
    return out


@validated(delta="array", temperature="real")
def apply_temperature(delta, temperature: float) -> np.ndarray:
    """Δ / T: the gaps of the temperature-scaled model (T > 1 softens, T < 1 sharpens)."""
    _check_t(temperature)
    d = np.asarray(delta, dtype=float)
    if not np.isfinite(d).all():
        raise ValueError("delta must hold finite reward gaps (no NaN or inf).")
    return _scaled(d, temperature)


@validated(delta_val="array", lo="real(0,]", hi="real(0,]")
def fit_temperature(delta_val, *, lo: float = 1e-2, hi: float = 1e3) -> float:
    """The temperature T minimising the validation log-loss of Sigmoid(Δ / T).

    Searched over log T by golden-section (the loss is unimodal in 1/T: convex in it).
    ``delta_val`` are Δ = r_chosen − r_rejected on the **validation** pairs.
    """
    d = _gaps(delta_val)
    if not lo < hi:
        raise ValueError(f"need lo < hi for the search; got lo={lo:g}, hi={hi:g}.")
    a, b = math.log(lo), math.log(hi)
    g = (math.sqrt(5) - 1) / 2

    def f(log_t):
        return float(np.mean(np.logaddexp(0.0, -d * math.exp(-log_t))))

    c, e = b - g * (b - a), a + g * (b - a)
    fc, fe = f(c), f(e)
    for _ in range(100):
        if fc < fe:
            b, e, fe = e, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, e, fe
            e = a + g * (b - a)
            fe = f(e)
    return float(math.exp((a + b) / 2))
