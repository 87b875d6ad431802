"""Exercises of notebook 02 (the pair-wise loss and the empirical loss, Eq. 4.37).

* ``stable_pairwise_loss`` (implement) – write ``my_pairwise_loss(r_chosen, r_rejected)``, one loss
  per pair, finite for gaps of ±10⁴.
* ``empirical_loss`` (variant) – write ``my_weighted_loss(r_chosen, r_rejected, weights)``:
  Eq. 4.37 with a weight per pair, a version the book does not spell out.
"""

from __future__ import annotations

import numpy as np

from ..math.losses import pairwise_loss, preference_probability
from ._base import (
    Exercise,
    Wrong,
    as_float_array,
    call,
    close,
    describe,
    finite_or_wrong,
    require_callable,
)

__all__ = ["empirical_loss", "stable_pairwise_loss"]

_CASES = [
    (np.array([2.0]), np.array([1.0])),
    (np.array([3.0, 0.0, 1.0]), np.array([1.0, 2.0, 1.0])),
    (np.array([0.5, -1.5, 4.0, 2.0]), np.array([-0.5, 1.0, 4.0, -3.0])),
]
_HUGE = (np.array([0.0, 1e4, -5e3]), np.array([1e4, 0.0, 5e3]))


def _diagnose_values(got, want, r_c, r_r, name, args) -> None:
    """Raise a Wrong that names the most likely slip behind ``got``."""
    gap = r_c - r_r
    if close(got, pairwise_loss(r_r, r_c, reduction="none")):
        raise Wrong(f"{name}({args}) returned {describe(got)}, the loss of the pairs with "
                    "chosen and rejected swapped. Use r_chosen − r_rejected inside the sigmoid.")
    if close(got, -pairwise_loss(r_c, r_r, reduction="none")):
        raise Wrong(f"{name}({args}) returned {describe(got)}: negative. The loss is "
                    "−log Sigmoid(Δ) (note the minus sign), which is ≥ 0.")
    if close(got, preference_probability(r_c, r_r)):
        raise Wrong(f"{name}({args}) returned the probabilities Sigmoid(Δ) = {describe(got)}; "
                    "the loss is −log of them.")
    if close(got, -gap):
        raise Wrong(f"{name}({args}) returned −Δ = {describe(got)}: only the asymptote for "
                    "very negative Δ. The loss is log(1 + e^(−Δ)).")
    raise Wrong(f"{name}({args}) returned {describe(got)}; expected {describe(want)}.")


_LOSS_NAME = "my_pairwise_loss"


def _check_pairwise(fn) -> str:
    require_callable(fn, _LOSS_NAME)
    for r_c, r_r in _CASES:
        args = f"{describe(r_c)}, {describe(r_r)}"
        got = as_float_array(call(fn, r_c, r_r, name=_LOSS_NAME), name=_LOSS_NAME,
                             args_text=args)
        want = pairwise_loss(r_c, r_r, reduction="none")
        if got.shape != want.shape and got.size == want.size == 1:
            got = got.reshape(want.shape)
        if got.shape != want.shape:
            if got.ndim == 0 and r_c.size > 1:
                what = ("the sum" if np.isclose(got, want.sum()) else "the mean"
                        if np.isclose(got, want.mean()) else "one number")
                raise Wrong(f"{_LOSS_NAME}({args}) returned {what} ({describe(got)}); return "
                            f"one loss per pair, shape {want.shape}. The average comes in the "
                            "next exercise.")
            raise Wrong(f"{_LOSS_NAME}({args}) returned shape {got.shape}; expected "
                        f"{want.shape}, one loss per pair.")
        if not np.all(np.isfinite(got)):
            finite_or_wrong(got, name=_LOSS_NAME, args_text=args, expected=want)
        if not close(got, want):
            _diagnose_values(got, want, r_c, r_r, _LOSS_NAME, args)
    r_c, r_r = _HUGE
    args = f"{describe(r_c)}, {describe(r_r)}"
    got = as_float_array(call(fn, r_c, r_r, name=_LOSS_NAME), name=_LOSS_NAME, args_text=args)
    want = pairwise_loss(r_c, r_r, reduction="none")
    if got.shape == want.shape and not np.all(np.isfinite(got)):
        bad = [f"pair {i + 1} (gap {r_c[i] - r_r[i]:+.0f}) gave {got[i]}" for i in range(len(got))
               if not np.isfinite(got[i])]
        raise Wrong(f"unstable: {', '.join(bad)}; the right values are {describe(want)}. "
                    "np.log(sigmoid(Δ)) turns a tiny probability into log(0) = −inf. Compute "
                    "log(1 + e^(−Δ)) directly, e.g. np.logaddexp(0, −Δ) (see hint()).")
    if not close(got, want, 1e-6):
        raise Wrong(f"{_LOSS_NAME}({args}) returned {describe(got)}; expected "
                    f"{describe(want)} (a gap of −10⁴ costs about 10⁴).")
    return ("one loss per pair, right on every input, and finite for gaps of ±10⁴ "
            "(confident and wrong costs ≈ |Δ|, confident and right ≈ 0).")


stable_pairwise_loss = Exercise(
    name="stable_pairwise_loss",
    starter='''\
def my_pairwise_loss(r_chosen, r_rejected):
    # Your code here: one loss per pair, finite even for gaps of +-1e4.
    ...


ex.stable_pairwise_loss.check(my_pairwise_loss)
''',
    title="A numerically stable pair-wise loss",
    task=("Write my_pairwise_loss(r_chosen, r_rejected) that returns −log Sigmoid(r_chosen − "
          "r_rejected) for each pair (NumPy arrays in, an array of the same shape out). It must "
          "stay finite for reward gaps of ±10⁴."),
    hint=("Rewrite −log Sigmoid(Δ) so that no exponential of a large positive number and no "
          "log of 0 appears. NumPy computes log(e^a + e^b) safely: which a and b do you need?"),
    solution_code='''
def my_pairwise_loss(r_chosen, r_rejected):
    d = np.asarray(r_chosen, dtype=float) - np.asarray(r_rejected, dtype=float)
    return np.logaddexp(0.0, -d)          # log(1 + e^(-d)), stable for any finite d
''',
    checker=_check_pairwise)


_EMP_NAME = "my_weighted_loss"
_WEIGHTED_CASES = [
    (np.array([3.0, 0.0, 1.0]), np.array([1.0, 2.0, 1.0]), np.array([1.0, 1.0, 1.0])),
    (np.array([3.0, 0.0, 1.0]), np.array([1.0, 2.0, 1.0]), np.array([1.0, 0.5, 0.0])),
    (np.array([0.5, -1.5, 4.0, 2.0]), np.array([-0.5, 1.0, 4.0, -3.0]),
     np.array([2.0, 2.0, 1.0, 0.25])),
    (np.array([0.0, 1e4, -5e3]), np.array([1e4, 0.0, 5e3]), np.array([0.2, 1.0, 0.7])),
]


def _weighted(r_c, r_r, w) -> float:
    per_pair = pairwise_loss(r_c, r_r, reduction="none")
    return float(np.sum(w * per_pair) / np.sum(w))


def _check_weighted(fn) -> str:
    require_callable(fn, _EMP_NAME)
    for r_c, r_r, w in _WEIGHTED_CASES:
        args = f"{describe(r_c)}, {describe(r_r)}, {describe(w)}"
        got = as_float_array(call(fn, r_c, r_r, w, name=_EMP_NAME), name=_EMP_NAME,
                             args_text=args)
        per_pair = pairwise_loss(r_c, r_r, reduction="none")
        want = _weighted(r_c, r_r, w)
        if got.size != 1:
            raise Wrong(f"{_EMP_NAME}({args}) returned shape {got.shape}; return one number, "
                        "the loss of the whole data set.")
        value = float(got.reshape(()))
        if not np.isfinite(value):
            finite_or_wrong(got, name=_EMP_NAME, args_text=args, expected=want)
        if close(value, want, 1e-6):
            continue
        n = r_c.size
        if close(value, float(np.sum(w * per_pair)) / n, 1e-6):
            raise Wrong(f"{_EMP_NAME}({args}) returned {value:.6g}: the weighted sum divided "
                        f"by the number of pairs, {n}. Then doubling every weight doubles the "
                        "loss, and a pair of weight 0 still counts in the average. What "
                        "should the average divide by once pairs weigh differently?")
        if close(value, float(np.sum(w * per_pair)), 1e-6):
            raise Wrong(f"{_EMP_NAME}({args}) returned the weighted sum {value:.6g}; Eq. 4.37 "
                        "is an average, and this one must not change when every weight is "
                        f"doubled. Expected {want:.6g}.")
        if close(value, float(per_pair.mean()), 1e-6):
            raise Wrong(f"{_EMP_NAME}({args}) returned {value:.6g}, plain Eq. 4.37: the "
                        f"weights {describe(w)} change nothing. Expected {want:.6g}.")
        if close(value, -want, 1e-6):
            raise Wrong(f"{_EMP_NAME}({args}) returned {value:.6g}: the sign is off; a loss "
                        "is ≥ 0.")
        if close(value, _weighted(r_r, r_c, w), 1e-6):
            raise Wrong(f"{_EMP_NAME}({args}) returned {value:.6g}, the loss with chosen and "
                        "rejected swapped.")
        raise Wrong(f"{_EMP_NAME}({args}) returned {value:.6g}; expected {want:.6g}.")
    return ("your weighted loss is Eq. 4.37 when every weight is 1, ignores a pair of weight "
            "0, does not change when all weights are scaled, and stays finite for gaps of "
            "±10⁴: the uniform 1/|D_r| of Eq. 4.37 is the special case of equal weights.")


empirical_loss = Exercise(
    name="empirical_loss",
    kind="variant",
    starter='''\
def my_weighted_loss(r_chosen, r_rejected, weights):
    # Your code here: one number; Eq. 4.37 when every weight is 1.
    ...


ex.empirical_loss.check(my_weighted_loss)
''',
    title="A variant of Eq. 4.37: pairs that count more than others",
    task=("Annotators also say how sure they were: one weight w ≥ 0 per pair (0: skip this "
          "pair, 1: sure). Write my_weighted_loss(r_chosen, r_rejected, weights), a version "
          "of the empirical loss (Eq. 4.37) in which each pair counts in proportion to its "
          "weight. It must equal Eq. 4.37 when every weight is 1, ignore a pair of weight 0 "
          "as if it were not in D_r, stay the same when every weight is doubled, and stay "
          "finite for gaps of ±10⁴ (reuse your my_pairwise_loss)."),
    hint=("In Eq. 4.37, what is the 1/|D_r| in front of the sum counting? Ask what it should "
          "count once a pair can weigh one half, or nothing. Try your function with all "
          "weights 1 and then all weights 2 before you check."),
    solution_code='''
def my_weighted_loss(r_chosen, r_rejected, weights):
    d = np.asarray(r_chosen, dtype=float) - np.asarray(r_rejected, dtype=float)
    w = np.asarray(weights, dtype=float)
    return float(np.sum(w * np.logaddexp(0.0, -d)) / np.sum(w))
''',
    checker=_check_weighted)
