"""Exercises of notebook 06 (diagnosing and comparing reward models).

* ``diagnose_run`` (diagnose) – diagnose a run from its curves: write ``my_diagnosis(train_loss,
  train_acc, heldout_acc)`` that says ``"stuck"``, ``"overfitting"`` or ``"healthy"``, with
  rules and thresholds the learner chooses (the five runs are clear-cut, so any sensible
  rule passes; :func:`rmteach.experiments.diagnose.diagnose_curves` agrees on all five).
* ``prompt_weights`` (implement) – write ``my_pair_weights(ns)``: each prompt's share of the
  pair-averaged loss when prompt i has a ranked list of ``ns[i]`` responses.
"""

from __future__ import annotations

import math

import numpy as np

from ..experiments.diagnose import diagnose_curves
from ..widgets.data_mix import pair_weights
from ._base import Exercise, Wrong, as_float_array, call, close, describe, require_callable

__all__ = ["diagnose_run", "prompt_weights"]

_DIAG_NAME = "my_diagnosis"
_LABELS = ("stuck", "overfitting", "healthy")

#: (train_loss, train_acc, heldout_acc, what a learner should notice)
_RUNS = [
    ([0.6932, 0.6931, 0.6931, 0.6931], [0.50, 0.51, 0.50, 0.50], [0.50, 0.49, 0.50, 0.51],
     "the loss never leaves ln 2 ≈ 0.693 and the accuracy stays at 50 %"),
    ([0.69, 0.52, 0.41, 0.33], [0.62, 0.78, 0.85, 0.89], [0.60, 0.76, 0.83, 0.86],
     "the loss starts at ln 2 (every model does) and then falls, and train and held-out "
     "accuracy stay close"),
    ([0.66, 0.40, 0.22, 0.10], [0.70, 0.88, 0.95, 0.99], [0.66, 0.74, 0.76, 0.75],
     "train accuracy ends at 99 % but held-out at 75 %: a 24-point gap"),
    ([0.705, 0.702, 0.700, 0.699], [0.52, 0.51, 0.52, 0.51], [0.50, 0.50, 0.51, 0.50],
     "0.70 is within a hair of ln 2, and the accuracy is a coin flip"),
    ([0.60, 0.45, 0.37, 0.31], [0.72, 0.82, 0.87, 0.90], [0.70, 0.80, 0.84, 0.87],
     "a steadily falling loss with a held-out accuracy close to the train accuracy"),
]


def _reference(train_loss, train_acc, heldout_acc) -> str:
    """The rule the task states (tests check it agrees with experiments.diagnose on _RUNS)."""
    if abs(train_loss[-1] - math.log(2.0)) <= 0.02 and train_acc[-1] <= 0.65:
        return "stuck"
    if train_acc[-1] - heldout_acc[-1] > 0.10 and train_acc[-1] > 0.7:
        return "overfitting"
    return "healthy"


def reference_codes(train_loss, train_acc, heldout_acc) -> list[str]:
    """What :func:`rmteach.experiments.diagnose.diagnose_curves` finds for the same curves."""
    return diagnose_curves(train_loss, None, train_acc, heldout_acc).codes


def _check_diagnosis(fn) -> str:
    require_callable(fn, _DIAG_NAME)
    for train_loss, train_acc, held_acc, why in _RUNS:
        args = f"{describe(train_loss)}, {describe(train_acc)}, {describe(held_acc)}"
        out = call(fn, list(train_loss), list(train_acc), list(held_acc), name=_DIAG_NAME)
        if not isinstance(out, str) or out.strip().lower() not in _LABELS:
            raise Wrong(f"{_DIAG_NAME}({args}) returned {out!r}; return one of the strings "
                        "'stuck', 'overfitting' or 'healthy'.")
        got, want = out.strip().lower(), _reference(train_loss, train_acc, held_acc)
        if got == want:
            continue
        if want == "healthy" and got == "stuck":
            raise Wrong(f"{_DIAG_NAME}({args}) said 'stuck', but {why}. Judge the loss at the "
                        "end of training, not its first value.")
        if want == "stuck":
            raise Wrong(f"{_DIAG_NAME}({args}) said {got!r}, but {why}: the model cannot tell "
                        "responses apart. Compare the last loss with ln 2 (say within 0.02).")
        if want == "overfitting":
            raise Wrong(f"{_DIAG_NAME}({args}) said {got!r}, but {why}. Compare the last train "
                        "accuracy with the last held-out accuracy (a gap above 0.10, with train "
                        "accuracy above 0.7, is overfitting).")
        raise Wrong(f"{_DIAG_NAME}({args}) said {got!r}, but {why}: that run is {want!r}.")
    return ("stuck at ln 2, overfitting and healthy runs all told apart, as "
            "rmteach.experiments.diagnose does.")


diagnose_run = Exercise(
    name="diagnose_run",
    kind="diagnose",
    starter='''\
def my_diagnosis(train_loss, train_acc, heldout_acc):
    # Your code here: return "stuck", "overfitting" or "healthy".
    ...


ex.diagnose_run.check(my_diagnosis)
''',
    title="Read the training curves",
    task=("Diagnose a run from its curves. Write my_diagnosis(train_loss, train_acc, "
          "heldout_acc), three per-epoch lists, that returns 'stuck', 'overfitting' or "
          "'healthy'. Choose the rules yourself: which epoch to read, which numbers to "
          "compare, which thresholds. check() tries five runs and says which one your rule "
          "misreads. Then write in a comment which threshold you would loosen if the "
          "held-out set had only 40 pairs, and why."),
    hint=("What does a model that cannot tell two responses apart pay per pair, and how "
          "often is it right on the training pairs? What would memorising the training "
          "pairs do to the training accuracy but not to the held-out one? Judge the end of "
          "training, not its start."),
    solution_code='''
def my_diagnosis(train_loss, train_acc, heldout_acc):
    ln2 = np.log(2.0)
    if abs(train_loss[-1] - ln2) <= 0.02 and train_acc[-1] <= 0.65:
        return "stuck"
    if train_acc[-1] - heldout_acc[-1] > 0.10 and train_acc[-1] > 0.7:
        return "overfitting"
    return "healthy"
''',
    checker=_check_diagnosis)


_W_NAME = "my_pair_weights"
_W_CASES = ([2, 4], [9, 2, 2, 2], [3, 3, 5, 8, 4])


def _check_weights(fn) -> str:
    require_callable(fn, _W_NAME)
    for ns in _W_CASES:
        args = describe(list(ns))
        got = as_float_array(call(fn, list(ns), name=_W_NAME), name=_W_NAME, args_text=args)
        want = pair_weights(ns)
        if got.shape != want.shape:
            raise Wrong(f"{_W_NAME}({args}) returned shape {got.shape}; return one weight per "
                        f"prompt, shape {want.shape}.")
        if close(got, want):
            continue
        n = np.asarray(ns, dtype=float)
        if close(got, np.full(n.size, 1 / n.size)):
            raise Wrong(f"{_W_NAME}({args}) returned equal weights {describe(got)}: that is the "
                        "listwise loss averaged over lists. Averaging over *pairs* gives a "
                        "list of N responses N(N−1)/2 pairs, so long lists weigh more.")
        if close(got, n / n.sum()):
            raise Wrong(f"{_W_NAME}({args}) returned weights proportional to N. A list of N "
                        "responses gives N(N−1)/2 pairs, not N.")
        if close(got, n ** 2 / (n ** 2).sum()):
            raise Wrong(f"{_W_NAME}({args}) returned weights proportional to N². The number "
                        "of distinct pairs is N(N−1)/2: a response is never compared with "
                        "itself, and each pair counts once.")
        pairs = n * (n - 1) / 2
        if close(got, pairs) or close(got, 2 * pairs):
            raise Wrong(f"{_W_NAME}({args}) returned the pair counts {describe(got)}; divide "
                        "by their total so the weights sum to 1.")
        if not math.isclose(float(got.sum()), 1.0, abs_tol=1e-6):
            raise Wrong(f"{_W_NAME}({args}) returned weights that sum to {got.sum():.4g}; "
                        "shares of the loss must sum to 1.")
        raise Wrong(f"{_W_NAME}({args}) returned {describe(got)}; expected {describe(want)}.")
    return ("a prompt with N responses weighs N(N−1)/2 pairs in the pair-averaged loss: with "
            "lists of 9 and 2, the first prompt counts 36 times as much.")


prompt_weights = Exercise(
    name="prompt_weights",
    starter='''\
def my_pair_weights(ns):
    # Your code here: one weight per prompt, summing to 1.
    ...


ex.prompt_weights.check(my_pair_weights)
''',
    title="How many pairs each prompt brings",
    task=("Write my_pair_weights(ns): prompt i has a ranked list of ns[i] responses. When "
          "the lists are exploded into pairs and the loss is averaged over all pairs (Eq. "
          "4.37), what share of the loss does each prompt get? Return an array that sums "
          "to 1."),
    hint=("Count the pairs each ranked list implies (the cell above printed them for "
          "[9, 2, 2, 2]). The pair average gives every pair the same weight, whatever list "
          "it came from."),
    solution_code='''
def my_pair_weights(ns):
    n = np.asarray(ns, dtype=float)
    pairs = n * (n - 1) / 2
    return pairs / pairs.sum()
''',
    checker=_check_weights)
