"""Exercises of notebook 01 (the Bradley–Terry preference probability, Eq. 4.35).

* ``bt_probability`` (implement) – write ``my_preference_probability(r_a, r_b)``.
* ``scale_for_confidence`` (predict) – at the scale that makes one step 95%, predict the
  probability for two steps.
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
_ODDS = _TARGET / (1 - _TARGET)                  # 19 : 1 for one step
_P_TWO = _ODDS ** 2 / (_ODDS ** 2 + 1)           # two steps: 361 : 1, Pr ≈ 0.99724


def _check_two_steps(p) -> str:
    if p is None or p is Ellipsis:
        raise NotYet("set p_two_steps to your predicted probability (replace the `...`), "
                     "then check(p_two_steps).")
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating, np.integer)):
        raise Wrong(f"p_two_steps should be one number, a probability; got "
                    f"{type(p).__name__} {describe(p)}.")
    p = float(p)
    if not math.isfinite(p):
        raise Wrong(f"p_two_steps = {p} is not a finite number.")
    s_star = math.log(_ODDS)
    if abs(p - s_star) < 0.01:
        raise Wrong(f"{p:.3f} is the scale s itself; the question asks for the probability "
                    "Pr(y_a ≻ y_b) when the gap is two steps at that scale.")
    if not 0.0 <= p <= 1.0:
        raise Wrong(f"{p:.4g} is not a probability. Doubling the gap does not double the "
                    "probability: Pr can only approach 1.")
    if abs(p - (1 - (1 - _TARGET) ** 2)) < 5e-5:
        raise Wrong(f"{p:.4f} = 1 − 0.05²: that treats two steps as two independent chances "
                    "to win. The model does not draw twice; it compares one larger gap. "
                    "Follow the odds instead of the probability.")
    if abs(p - _TARGET) < 5e-4:
        raise Wrong("0.95 is the one-step probability; a gap twice as large must be more "
                    "certain.")
    if abs(p - _TARGET ** 2) < 5e-4:
        raise Wrong(f"{p:.4f} = 0.95²: the chance of winning two comparisons in a row, and "
                    "below 0.95. A larger gap can only make the preference more certain.")
    if abs(p - (1 + _TARGET) / 2) < 5e-4:
        raise Wrong(f"{p:.4f} goes halfway from 0.95 to 1. Probabilities do not add up like "
                    "that under Bradley–Terry; the gap (the log-odds) does.")
    if abs(p - float(preference_probability(2.0, 0.0))) < 5e-4:
        raise Wrong(f"{p:.4f} = Sigmoid(2): the gap of two steps at scale 1. At the scale "
                    "that makes one step 95%, each step is worth more than 1.")
    if abs(p - _P_TWO) <= 5e-4:
        return (f"Pr = {_P_TWO:.5f}. One step is odds of 19 : 1; the gap adds on the log-odds "
                "scale, so two steps multiply the odds twice: 19² = 361 : 1. A reward model "
                "that is 95% sure about one step is 99.7% sure about two: confidence grows "
                "fast with the gap.")
    side = "low" if p < _P_TWO else "high"
    raise Wrong(f"{p:.4f} is too {side}. Find the gap that gives 0.95, double it, and turn "
                "it back into a probability; compare with your prediction.")


scale_for_confidence = Exercise(
    name="scale_for_confidence",
    kind="predict",
    starter='''\
p_two_steps = ...  # your prediction: a probability, to 3 decimals

ex.scale_for_confidence.check(p_two_steps)
''',
    title="Predict: 95% for one step, how sure for two?",
    task=("The rewards 1 and 0 give Pr = σ(1) ≈ 0.731. Scale the reward model by s > 0 so "
          "that a one-step gap (rewards s·1 and s·0) gives Pr(y_a ≻ y_b) = 0.95. Predict, "
          "before computing it, Pr for a two-step gap at the same scale (rewards s·2 and "
          "s·0), to 3 decimals. Then check your prediction with the widget or a line of "
          "code."),
    hint=("Rewards live on the log-odds scale. What odds does a probability of 0.95 stand "
          "for, and what does a second step of the same size do to those odds? Convert "
          "back to a probability at the end."),
    solution_code='''
p_two_steps = 19**2 / (19**2 + 1)   # odds 19 : 1 per step; two steps: 361 : 1, about 0.997
''',
    checker=_check_two_steps)
