"""Exercises of notebook 07 (ties and calibration).

* ``ece`` (implement) – write ``my_ece(q, won, n_bins)``: the expected calibration error of
  predicted probabilities ``q`` (in [0.5, 1]) against outcomes ``won``, over equal-width bins.
* ``tie_accuracy`` (choose) – choose the tie convention that predicts a best-of-2 pick with
  coin-flip tie-breaking, and write ``my_pick_rate(correct, wrong, ties)``.
"""

from __future__ import annotations

import numpy as np

from ..math.calibration import expected_calibration_error, reliability_table
from ..model.evaluate import accuracy_with_ties
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


_ACC = "my_pick_rate"
_ACC_CASES = [(6, 2, 2), (70, 10, 20), (5, 0, 5), (3, 1, 0), (0, 0, 4)]
_WHY = {
    "exclude": ("it pretends the tied pairs are not there, but the selection still has to "
                "pick one response of each of them, and the coin gets half of those right"),
    "wrong": ("it counts every tie as a lost pick, but the coin picks the better response "
              "of a tied pair half of the time"),
}


def _check_accuracy(fn) -> str:
    require_callable(fn, _ACC)
    for correct, wrong, ties in _ACC_CASES:
        args = f"{correct}, {wrong}, {ties}"
        out = call(fn, correct, wrong, ties, name=_ACC, shown=args)
        try:
            value = float(out)
        except (TypeError, ValueError):
            raise Wrong(f"{_ACC}({args}) returned {out!r}; return one number.") from None
        want = accuracy_with_ties(correct, wrong, ties, "split")
        if isclose(value, want):
            continue
        for conv in ("exclude", "wrong"):
            if correct + wrong > 0 and isclose(value, accuracy_with_ties(correct, wrong, ties,
                                                                         conv)):
                raise Wrong(f"{_ACC}({args}) returned {value:.4g}, the {conv!r} convention's "
                            f"value: {_WHY[conv]}. The pick rate is {want:.4g}.")
        if isclose(value, correct + ties / 2):
            raise Wrong(f"{_ACC}({args}) returned {value:.4g}, the expected number of good "
                        f"picks; a rate divides it by the {correct + wrong + ties} pairs.")
        if isclose(value, 100 * want):
            raise Wrong(f"{_ACC}({args}) returned a percentage; return a fraction ({want:.4g}).")
        raise Wrong(f"{_ACC}({args}) returned {value:.4g}; the expected pick rate is "
                    f"{want:.4g}.")
    return ("you chose the 'split' convention (half a point per tie): it is the only one "
            "that equals the expected share of good picks when ties are broken by a fair "
            "coin. 'exclude' drops the tied pairs the selection must still decide, 'wrong' "
            "counts them all as lost; which convention is right depends on what the number "
            "is used for.")


tie_accuracy = Exercise(
    name="tie_accuracy",
    kind="choose",
    starter='''\
def my_pick_rate(correct, wrong, ties):
    # Your code here: one number. In a comment: which convention is this, and why?
    ...


ex.tie_accuracy.check(my_pick_rate)
''',
    title="Choose the tie convention for a use",
    task=("A 1–5 judge will pick the better of two responses (best-of-2), and its ties are "
          "broken by a fair coin. On held-out pairs it orders `correct` pairs like r* (the "
          "labels here are noiseless), `wrong` pairs the other way, and ties on `ties` pairs. "
          "Choose the convention of this notebook whose accuracy predicts how often its pick "
          "is the response r* prefers, write my_pick_rate(correct, wrong, ties) returning "
          "that rate, and say in a comment why the other two would mislead here."),
    hint=("Follow one tied pair through the selection: which response does the coin pick, "
          "and how often is that the better one? Then look at what each convention of the "
          "list above does with a tie."),
    solution_code='''
def my_pick_rate(correct, wrong, ties):
    # 'split': a fair coin picks the better response of a tied pair half of the time;
    # 'exclude' would drop pairs the selection must still decide, 'wrong' would lose them all
    return (correct + 0.5 * ties) / (correct + wrong + ties)
''',
    checker=_check_accuracy)
