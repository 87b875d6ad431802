"""Exercises of notebook 12 (beyond one Bradley–Terry model).

* ``best_of_4`` (implement) – write ``my_best_of_4(scores)``: RewardBench 2's best-of-4 accuracy for
  groups of 4 rewards (column 0 the chosen response, columns 1–3 the rejected ones), as
  :func:`rmteach.experiments.ratings.best_of_4_accuracy` computes it.
"""

from __future__ import annotations

import numpy as np

from ..experiments.ratings import best_of_4_accuracy
from ._base import Exercise, Wrong, as_float_array, call, close, describe, require_callable

__all__ = ["best_of_4"]

_NAME = "my_best_of_4"
_TRUTH = np.array([[4.0, 3.0, 2.0, 1.0]])
_CASES = [
    np.array([[2.0, 1.0, 0.5, -1.0], [0.0, 1.0, -1.0, -2.0], [3.0, 3.0, 1.0, 0.0],
              [5.0, 4.9, 4.8, 4.7]]),
    np.array([[1.0, 1.0, 1.0, 1.0]]),
    np.array([[0.2, 0.1, 0.3, 0.0], [9.0, -9.0, 8.0, 8.5], [-1.0, -2.0, -3.0, -4.0]]),
]


def _check(fn) -> str:
    require_callable(fn, _NAME)
    for s in _CASES:
        args = describe(s)
        got = as_float_array(call(fn, s, name=_NAME), name=_NAME, args_text=args)
        want = best_of_4_accuracy(s, np.repeat(_TRUTH, len(s), axis=0))
        if close(got, want):
            continue
        if close(got, np.mean(np.all(s[:, :1] >= s[:, 1:], axis=1))):
            raise Wrong(f"{_NAME}({args}) counted a tie with a rejected response as a success. "
                        "Under RewardBench 2's rule the chosen response must score strictly "
                        "higher than each of the three.")
        if close(got, np.mean(s[:, :1] > s[:, 1:])):
            raise Wrong(f"{_NAME}({args}) scored each of the three comparisons on its own "
                        "(pair accuracy). A group counts only when the chosen response beats "
                        "all three at once.")
        if close(got, np.mean(s[:, 0] > s[:, 1])):
            raise Wrong(f"{_NAME}({args}) compared the chosen response with the first rejected "
                        "one only.")
        raise Wrong(f"{_NAME}({args}) returned {describe(got)}; expected {describe(want)}.")
    return ("A group counts only when the chosen reward is strictly above all three others: "
            "a model that scores everything alike gets 0, a random one 1/4.")


best_of_4 = Exercise(
    name="best_of_4",
    starter='''\
def my_best_of_4(scores):
    # Your code here: the share of rows the model gets right (a number between 0 and 1).
    ...


ex.best_of_4.check(my_best_of_4)''',
    title="RewardBench 2's best-of-4 accuracy",
    task=("Write my_best_of_4(scores): a NumPy array of shape (groups, 4), the rewards a model "
          "gives one chosen response (column 0) and three rejected responses (columns 1–3) of "
          "each prompt. Return the share of groups the model gets right under RewardBench 2's "
          "rule, ties included."),
    hint=("Work a group at a time: when is a group right? Decide what a reward equal to the "
          "chosen one's should count as, then average over groups. Check your function on a "
          "model that gives every response the same reward."),
    solution_code='''
def my_best_of_4(scores):
    scores = np.asarray(scores, dtype=float)
    return float(np.mean(np.all(scores[:, :1] > scores[:, 1:], axis=1)))
''',
    checker=_check)
