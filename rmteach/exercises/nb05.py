"""Exercises of notebook 05 (training a tiny reward model).

* ``phi_counts`` (predict) – predict the size of φ when the width of the
  :class:`~rmteach.model.network.TinyRewardModel` doubles, from its table of parts.
* ``pairwise_accuracy`` (variant) – write ``my_list_accuracy(rewards, ranking)``: the share of
  a ranked list's implied pairs ordered right, ties left out (reported separately).
"""

from __future__ import annotations

import numpy as np

from ._base import (
    Exercise,
    NotYet,
    Wrong,
    as_float_array,
    call,
    describe,
    isclose,
    require_callable,
)

__all__ = ["pairwise_accuracy", "phi_counts"]

_BASE = {"d_model": 32, "n_layers": 2, "n_heads": 2, "d_ff": 64}
_WIDE = {"d_model": 64, "n_layers": 2, "n_heads": 2, "d_ff": 128}
_TOLERANCE = 0.08                       # a prediction within 8% of the count is right


def _counts(sizes: dict) -> dict:
    from ..model.network import TinyRewardModel

    return TinyRewardModel(**sizes, seed=0).param_counts()


def _check_phi(guess) -> str:
    if guess is None or guess is Ellipsis:
        raise NotYet("set phi_total_wide to your predicted number of parameters (replace the "
                     "`...`), then check(phi_total_wide).")
    if isinstance(guess, bool) or not isinstance(guess, (int, float, np.floating, np.integer)):
        raise Wrong(f"phi_total_wide should be one number, a count of parameters; got "
                    f"{type(guess).__name__} {describe(guess)}.")
    g = float(guess)
    if not np.isfinite(g) or g <= 0:
        raise Wrong(f"phi_total_wide = {describe(g)} is not a positive count of parameters.")
    base, wide = _counts(_BASE), _counts(_WIDE)
    total, now = wide["total"], base["total"]
    parts = (f"the wide model has {total:,} parameters: head {wide['head']}, backbone "
             f"{wide['backbone']:,}")
    if abs(g - total) <= _TOLERANCE * total:
        deep = _counts({**_BASE, "n_layers": 2 * _BASE["n_layers"]})["total"]
        return (f"{parts} ({total / now:.2f} × the {now:,} of the model above). The head, the "
                "embeddings and the norm hold vectors of d_model numbers and double; each "
                "Transformer layer is mostly d_model × d_model and d_model × d_ff matrices, "
                f"which grow 4×. Doubling the depth instead would give {deep:,} "
                f"({deep / now:.2f} ×).")
    if abs(g - 2 * now) <= 0.02 * now:
        raise Wrong(f"{g:,.0f} doubles every part. The vectors (embedding rows, norm, head) "
                    "double, but what happens to a matrix whose two sides both double?")
    if abs(g - 4 * now) <= 0.02 * now:
        raise Wrong(f"{g:,.0f} multiplies every part by 4. The Transformer layers' matrices "
                    "grow that way, but the embeddings, the norm and the head are vectors of "
                    "d_model numbers per row.")
    if abs(g - now) <= 0.02 * now:
        raise Wrong(f"{g:,.0f} is the count of the model above; the wide model has twice the "
                    "hidden units.")
    side = "low" if g < total else "high"
    raise Wrong(f"{g:,.0f} is too {side} (off by more than {_TOLERANCE:.0%}). Go through the "
                "table row by row: does that part hold vectors of d_model numbers, or "
                "matrices with d_model (or d_ff) on both sides?")


phi_counts = Exercise(
    name="phi_counts",
    kind="predict",
    starter='''\
phi_total_wide = ...  # your prediction: the number of parameters in φ, within 8%

ex.phi_counts.check(phi_total_wide)
''',
    title="Predict: what doubling the width does to φ",
    task=("The table above counts φ for d_model = 32, d_ff = 64 (2 layers, 2 heads). Predict "
          "how many parameters φ has when the width doubles, d_model = 64 and d_ff = 128 "
          "(layers, heads and vocabulary unchanged), to within 8%, from the table alone, "
          "before you build the model. Then check, and compare with "
          "rw.phi_table(TinyRewardModel(d_model=64, n_layers=2, n_heads=2, d_ff=128))."),
    hint=("Go through the table row by row. Which parts hold one vector of d_model numbers "
          "(per token, per position, or just one)? Which hold matrices that map hidden units "
          "to hidden units? What does doubling the width do to each kind?"),
    solution_code='''
# vectors (embeddings, norm, head) double; the layers' matrices grow 4x: about 78,900
phi_total_wide = 2 * (3136 + 2048 + 64 + 32) + 4 * (2 * 8544)
''',
    checker=_check_phi)


_ACC_NAME = "my_list_accuracy"
_ACC_CASES = [
    ({"A": 2.0, "B": 1.0, "C": 1.0, "D": -0.5}, ["A", "C", "B", "D"]),     # one tie
    ({"p": 0.3, "q": 0.9, "r": 0.1}, ["p", "q", "r"]),                     # no tie
    ({"A": 1.0, "B": 0.0, "C": 2.0, "D": 2.0, "E": -1.0}, ["C", "A", "D", "E", "B"]),
    ({"x": 0.0, "y": 0.0, "z": 1.0}, ["z", "x", "y"]),                     # one tie
]


def _implied(ranking):
    return [(ranking[i], ranking[j]) for i in range(len(ranking))
            for j in range(i + 1, len(ranking))]


def _check_accuracy(fn) -> str:
    require_callable(fn, _ACC_NAME)
    for rewards, ranking in _ACC_CASES:
        args = f"{describe(rewards)}, {describe(ranking)}"
        out = call(fn, dict(rewards), list(ranking), name=_ACC_NAME)
        got = as_float_array(out, name=_ACC_NAME, args_text=args)
        if got.size != 1:
            raise Wrong(f"{_ACC_NAME}({args}) returned {describe(got)}; return one number, "
                        "the share of decided pairs ordered right.")
        value = float(got.reshape(()))
        gap = np.array([rewards[a] - rewards[b] for a, b in _implied(ranking)])
        correct, wrong, ties = int(np.sum(gap > 0)), int(np.sum(gap < 0)), int(np.sum(gap == 0))
        want = correct / (correct + wrong)
        if isclose(value, want):
            continue
        n = gap.size
        adjacent = np.array([rewards[ranking[k]] - rewards[ranking[k + 1]]
                             for k in range(len(ranking) - 1)])
        adj_decided = int(np.sum(adjacent != 0))
        if isclose(value, correct / n) and ties:
            raise Wrong(f"{_ACC_NAME}({args}) returned {value:.4g} = {correct}/{n}: you counted "
                        f"the {ties} tie(s) as wrong. A tie says nothing about the order; leave "
                        f"ties out: {correct}/({correct} + {wrong}) = {want:.4g}.")
        if isclose(value, (correct + ties) / n) and ties:
            raise Wrong(f"{_ACC_NAME}({args}) returned {value:.4g}: you counted the {ties} "
                        f"tie(s) as right (>= instead of >). Leave ties out: "
                        f"{correct}/({correct} + {wrong}) = {want:.4g}.")
        if adj_decided and (isclose(value, float(np.sum(adjacent > 0)) / adj_decided)
                            or isclose(value, float(np.mean(adjacent > 0)))):
            raise Wrong(f"{_ACC_NAME}({args}) returned {value:.4g}, from the {len(adjacent)} "
                        f"neighbouring pairs only; the ranking implies {n} pairs (notebook 3), "
                        "and a model can order every neighbour right and a distant pair wrong.")
        if isclose(value, wrong / (correct + wrong)) or isclose(value, wrong / n):
            raise Wrong(f"{_ACC_NAME}({args}) returned {value:.4g}, the share ordered wrong: "
                        "a pair is right when the better item's reward is higher.")
        if isclose(value, 100 * want):
            raise Wrong(f"{_ACC_NAME}({args}) returned {value:.4g}, a percentage; return a "
                        f"fraction between 0 and 1 ({want:.4g}).")
        if isclose(value, correct):
            raise Wrong(f"{_ACC_NAME}({args}) returned {value:.4g}, the number of correct pairs; "
                        f"divide by the number of decided pairs ({correct + wrong}).")
        raise Wrong(f"{_ACC_NAME}({args}) returned {value:.4g}; expected {want:.4g} "
                    f"({correct} right, {wrong} wrong, {ties} tie(s) left out, of the {n} "
                    "pairs the ranking implies).")
    return ("right on every list: all N(N−1)/2 implied pairs, ties left out as "
            "rmteach.model.evaluate does (they are reported separately, as neither right nor "
            "wrong).")


pairwise_accuracy = Exercise(
    name="pairwise_accuracy",
    kind="variant",
    starter='''\
def my_list_accuracy(rewards, ranking):
    # Your code here: one number, the share of decided pairs ordered right.
    ...


ex.pairwise_accuracy.check(my_list_accuracy)
''',
    title="Pairwise accuracy of a ranked list, with ties left out",
    task=("The held-out data are ranked lists, not pairs. Write my_list_accuracy(rewards, "
          "ranking): rewards is a dict label → the model's reward, ranking the annotators' "
          "labels best first. Return the share of the pairs the ranking implies that the "
          "model orders right, among the pairs it does not tie (a tie says nothing about "
          "the order)."),
    hint=("Which pairs does a ranking of N items imply (notebook 3)? Sort each of them into "
          "right, wrong or tie by the sign of its reward gap. Which group does the task "
          "leave out, and so what goes in the denominator?"),
    solution_code='''
def my_list_accuracy(rewards, ranking):
    gaps = np.array([rewards[ranking[i]] - rewards[ranking[j]]
                     for i in range(len(ranking)) for j in range(i + 1, len(ranking))])
    right, wrong = np.sum(gaps > 0), np.sum(gaps < 0)
    return float(right / (right + wrong))
''',
    checker=_check_accuracy)
