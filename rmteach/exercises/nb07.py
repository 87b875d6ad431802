"""Exercises of notebook 07 (ties and calibration).

* ``ece`` – write ``my_ece(q, won, n_bins)``: the expected calibration error of predicted
  probabilities ``q`` (in [0.5, 1]) against outcomes ``won``, over equal-width bins.
* ``tie_accuracy`` – write ``my_accuracy(correct, wrong, ties, convention)`` for the three
  tie conventions.
"""

from __future__ import annotations

import numpy as np

from ..math.calibration import expected_calibration_error, reliability_table
from ..model.evaluate import TIES, accuracy_with_ties
from ._base import Exercise, Wrong, call, describe, isclose, require_callable

__all__ = ["ece", "tie_accuracy"]

_ECE = "my_ece"
_rng = np.random.default_rng(7)
_Q = _rng.uniform(0.5, 1.0, 200)
_ECE_CASES = [
    (np.array([0.55, 0.65, 0.95, 0.95]), np.array([1.0, 0.0, 1.0, 1.0]), 5),
    (np.array([0.62, 0.62, 0.62, 0.62, 0.9]), np.array([1.0, 1.0, 0.0, 0.0, 1.0]), 5),
    (_Q, (_rng.random(200) < _Q).astype(float), 10),
    (np.array([0.5, 1.0, 1.0]), np.array([0.0, 1.0, 0.0]), 4),
]


def _ece_slips(q, won, n_bins):
    mean_q, rate, count = reliability_table(q, won, n_bins=n_bins)
    keep = count > 0
    gaps = np.abs(rate[keep] - mean_q[keep])
    return [
        (float(np.mean(gaps)), "the plain mean over the non-empty bins; weight each bin by its "
                               "share of the pairs, n_b / n"),
        (float(abs(np.mean(won) - np.mean(q))), "|mean outcome − mean q| over all pairs at "
                                                "once: compare inside each bin first"),
        (float(np.mean(np.abs(won - q))), "the mean |outcome − q| pair by pair; average q and "
                                          "the outcomes within each bin first"),
        (float(np.sum(count[keep] * gaps)), "the count-weighted sum without dividing by n"),
    ]


def _check_ece(fn) -> str:
    require_callable(fn, _ECE)
    for q, won, n_bins in _ECE_CASES:
        args = f"{describe(q) if q.size < 10 else f'q ({q.size} values)'}, " \
               f"{describe(won) if won.size < 10 else 'won'}, {n_bins}"
        out = call(fn, q.copy(), won.copy(), n_bins, name=_ECE, shown=args)
        try:
            value = float(np.asarray(out, dtype=float).reshape(()))
        except (TypeError, ValueError):
            raise Wrong(f"{_ECE}({args}) returned {out!r}; return one number.") from None
        want = expected_calibration_error(q, won, n_bins=n_bins)
        if isclose(value, want):
            continue
        for slip, why in _ece_slips(q, won, n_bins):
            if isclose(value, slip):
                raise Wrong(f"{_ECE}({args}) returned {value:.6g}, which is {why}. Expected "
                            f"{want:.6g}.")
        raise Wrong(f"{_ECE}({args}) returned {value:.6g}; expected {want:.6g}. Bins are "
                    f"[0.5, 0.5 + w), …, [1 − w, 1] with w = 0.5 / n_bins (1.0 goes in the "
                    "last bin).")
    return "your ECE matches: Σ_b (n_b / n) |observed rate_b − mean q_b| over equal-width bins."


ece = Exercise(
    name="ece",
    starter='''\
def my_ece(q, won, n_bins):
    # Your code here: one number.
    ...


ex.ece.check(my_ece)
''',
    title="The expected calibration error",
    task=("Write my_ece(q, won, n_bins): q holds predicted probabilities in [0.5, 1], won the "
          "outcomes (1 = annotators agreed, 0 = not). Cut [0.5, 1] into n_bins equal bins, and "
          "return Σ_b (n_b / n) |mean(won in b) − mean(q in b)|."),
    hint=("First find each q's bin from its distance above 0.5 and the bin width. Which bin "
          "must q = 1.0, the right edge of the last bin, go in? An empty bin has no observed "
          "rate: what should it add to the sum?"),
    solution_code='''
def my_ece(q, won, n_bins):
    q, won = np.asarray(q, dtype=float), np.asarray(won, dtype=float)
    b = np.minimum(((q - 0.5) / (0.5 / n_bins)).astype(int), n_bins - 1)
    total = 0.0
    for k in range(n_bins):
        sel = b == k
        if sel.any():
            total += sel.sum() / len(q) * abs(won[sel].mean() - q[sel].mean())
    return total
''',
    checker=_check_ece)


_ACC = "my_accuracy"
_ACC_CASES = [(6, 2, 2), (70, 10, 20), (5, 0, 5), (3, 1, 0)]


def _check_accuracy(fn) -> str:
    require_callable(fn, _ACC)
    for counts in _ACC_CASES:
        for conv in TIES:
            args = f"{counts[0]}, {counts[1]}, {counts[2]}, {conv!r}"
            out = call(fn, *counts, conv, name=_ACC, shown=args)
            try:
                value = float(out)
            except (TypeError, ValueError):
                raise Wrong(f"{_ACC}({args}) returned {out!r}; return one number.") from None
            want = accuracy_with_ties(*counts, conv)
            if isclose(value, want):
                continue
            others = {c: accuracy_with_ties(*counts, c) for c in TIES if c != conv}
            for c, v in others.items():
                if isclose(value, v):
                    raise Wrong(f"{_ACC}({args}) returned {value:.4g}, the {c!r} convention's "
                                f"value; {conv!r} gives {want:.4g}.")
            raise Wrong(f"{_ACC}({args}) returned {value:.4g}; expected {want:.4g}.")
    return ("all three conventions right: exclude = c/(c+w), wrong = c/(c+w+t), "
            "split = (c + t/2)/(c+w+t).")


tie_accuracy = Exercise(
    name="tie_accuracy",
    starter='''\
def my_accuracy(correct, wrong, ties, convention):
    # Your code here: one number.
    ...


ex.tie_accuracy.check(my_accuracy)
''',
    title="Accuracy under three tie conventions",
    task=("Write my_accuracy(correct, wrong, ties, convention) for convention 'exclude' (ties "
          "left out), 'wrong' (a tie is an error, as TRL counts) or 'split' (half a point per "
          "tie, RewardBench 2's 1/k with k = 2)."),
    hint="Only the numerator and the denominator change between the three conventions.",
    solution_code='''
def my_accuracy(correct, wrong, ties, convention):
    if convention == "exclude":
        return correct / (correct + wrong)
    if convention == "wrong":
        return correct / (correct + wrong + ties)
    return (correct + 0.5 * ties) / (correct + wrong + ties)
''',
    checker=_check_accuracy)
