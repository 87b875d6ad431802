"""Exercises of notebook 01 (the Bradley–Terry preference probability, Eq. 4.35).

* ``bt_probability`` – write ``my_preference_probability(r_a, r_b)``.
* ``scale_for_confidence`` – find the reward scale that makes a gap of 1 mean 95%.
"""

from __future__ import annotations

import math

import numpy as np

from ..math.losses import preference_probability
from ._base import (
    Exercise,
    NotYet,
    Wrong,
    as_float_array,
    call,
    close,
    describe,
    finite_or_wrong,
    require_callable,
)

__all__ = ["bt_probability", "scale_for_confidence"]

_NAME = "my_preference_probability"


def _check_bt(fn) -> str:
    require_callable(fn, _NAME)
    cases = [
        (2.0, 1.0),
        (np.array([0.0, 1.0, -3.0]), np.array([0.0, 2.0, -3.0])),
        (np.array([5.0, -2.0]), np.array([5.5, -4.0])),
    ]
    for r_a, r_b in cases:
        args = f"{describe(r_a)}, {describe(r_b)}"
        got = as_float_array(call(fn, r_a, r_b, name=_NAME), name=_NAME, args_text=args)
        want = np.asarray(preference_probability(r_a, r_b))
        if got.shape != want.shape:
            raise Wrong(f"{_NAME}({args}) returned shape {got.shape}; expected {want.shape}: "
                        "one probability per pair (work elementwise, no sum or mean).")
        if close(got, want):
            continue
        gap = np.asarray(r_a) - np.asarray(r_b)
        if close(got, 1 - want):
            raise Wrong(f"{_NAME}({args}) returned {describe(got)} = Pr(y_b ≻ y_a). The "
                        "sigmoid takes r_a − r_b, not r_b − r_a.")
        if close(got, gap):
            raise Wrong(f"{_NAME}({args}) returned the gap r_a − r_b = {describe(got)}; apply "
                        "Sigmoid(z) = 1 / (1 + e^(−z)) to it.")
        if close(got, np.exp(gap)) or close(got, np.exp(-gap)):
            raise Wrong(f"{_NAME}({args}) returned {describe(got)}, an exponential of the gap; "
                        "the probability is 1 / (1 + e^(−(r_a − r_b))).")
        raise Wrong(f"{_NAME}({args}) returned {describe(got)}; expected {describe(want)}.")
    for r_a, r_b in ((1000.0, 1000.0), (1e4, 0.0), (0.0, 1e4), (-800.0, -800.5)):
        args = f"{describe(r_a)}, {describe(r_b)}"
        got = as_float_array(call(fn, r_a, r_b, name=_NAME), name=_NAME, args_text=args)
        want = float(preference_probability(r_a, r_b))
        finite_or_wrong(got, name=_NAME, args_text=args, expected=want)
        if not close(got, want, 1e-6):
            raise Wrong(f"{_NAME}({args}) returned {describe(got)}; expected {want:.6g}. "
                        "Rewards this large overflow e^r: use the gap r_a − r_b, which is "
                        "all that matters (shift invariance).")
    return ("your function matches Eq. 4.35 on scalars and arrays, and it stays right for "
            "rewards of 1000 and gaps of ±10⁴.")


bt_probability = Exercise(
    name="bt_probability",
    starter='''\
def my_preference_probability(r_a, r_b):
    # Your code here: return Sigmoid(r_a - r_b), one probability per pair.
    ...


ex.bt_probability.check(my_preference_probability)
''',
    title="Write the Bradley–Terry probability",
    task=("Write my_preference_probability(r_a, r_b) returning Pr(y_a ≻ y_b) = "
          "Sigmoid(r_a − r_b) elementwise for NumPy arrays. It must stay right for rewards "
          "like 1000 and gaps like ±10⁴."),
    hint=("Only the gap between the two rewards matters. Which way of writing the "
          "probability never raises e to a large positive power? Try your function on "
          "r_a = 1000, r_b = 0 and on a gap of −10⁴ before you check."),
    solution_code='''
def my_preference_probability(r_a, r_b):
    d = np.asarray(r_a, dtype=float) - np.asarray(r_b, dtype=float)
    # exp(-|d|) never overflows; pick the algebraically equal form for each sign of d
    e = np.exp(-np.abs(d))
    return np.where(d >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
''',
    checker=_check_bt)


_TARGET = 0.95
_S_STAR = math.log(_TARGET / (1 - _TARGET))


def _check_scale(s) -> str:
    if s is None or s is Ellipsis:
        raise NotYet("set s to a number (replace the `...`), then check(s).")
    if isinstance(s, bool) or not isinstance(s, (int, float, np.floating, np.integer)):
        raise Wrong(f"s should be one number; got {type(s).__name__} {s!r}.")
    s = float(s)
    if not math.isfinite(s):
        raise Wrong(f"s = {s} is not a finite number.")
    p = float(preference_probability(s * 1.0, 0.0))
    if abs(s - _S_STAR) <= 0.01:
        return (f"with s = {s:.3f} a gap of 1 becomes {s:.3f} and Pr = σ({s:.3f}) = {p:.3f}. "
                "The same ranking, more confidence: scale sets how sure the model is.")
    if abs(s - _TARGET) < 1e-9:
        raise Wrong("0.95 is the target probability; s is the factor that multiplies both "
                    "rewards so that Sigmoid(s · 1) = 0.95.")
    if s < 0:
        raise Wrong(f"a negative scale flips the preference: Sigmoid({s:.3f} · 1) = {p:.3f} "
                    "< 0.5, now y_b is preferred.")
    if abs(s + _S_STAR) <= 0.01:
        raise Wrong("that sign flips the preference; use the positive value.")
    direction = "more" if p < _TARGET else "less"
    raise Wrong(f"with s = {s:.4g} the gap becomes {s:.4g} and Pr = {p:.4f}, not 0.95; "
                f"you need a {direction} confident model. Solve Sigmoid(s) = 0.95.")


scale_for_confidence = Exercise(
    name="scale_for_confidence",
    starter='''\
s = ...  # your answer: a number

ex.scale_for_confidence.check(s)
''',
    title="How much scale for 95%?",
    task=("r(x, y_a) = 1 and r(x, y_b) = 0 give Pr = σ(1) ≈ 0.731. Find the scale s > 0 "
          "such that the rewards s·1 and s·0 give Pr(y_a ≻ y_b) = 0.95 (to 2 decimals)."),
    hint=("Work backwards: which gap makes Sigmoid(gap) = 0.95? (It is called the "
          "log-odds of 0.95.) With rewards s·1 and s·0, how is s related to that gap?"),
    solution_code='''
s = np.log(0.95 / 0.05)     # the log-odds of 0.95: about 2.944
''',
    checker=_check_scale)
