"""Exercises of notebook 05 (training a tiny reward model).

* ``phi_counts`` – write ``my_phi_counts(model)``: the parameters of φ in the backbone
  and in the head W_r of a :class:`~rmteach.model.network.TinyRewardModel`.
* ``pairwise_accuracy`` – write ``my_pairwise_accuracy(r_better, r_worse)``: the share
  of pairs ordered right, with ties left out (reported separately, not counted wrong).
"""

from __future__ import annotations

import numpy as np

from ._base import (
    Exercise,
    Wrong,
    as_float_array,
    call,
    describe,
    isclose,
    require_callable,
)

__all__ = ["pairwise_accuracy", "phi_counts"]

_PHI_NAME = "my_phi_counts"
_SIZES = ({"d_model": 32}, {"d_model": 16, "n_layers": 1, "d_ff": 32},
          {"d_model": 24, "n_layers": 3, "n_heads": 4, "d_ff": 48})


def _as_pair(out, args) -> tuple[int, int]:
    if isinstance(out, dict):
        if "backbone" not in out or "head" not in out:
            raise Wrong(f"{_PHI_NAME}({args}) returned a dict with keys {sorted(out)}; use the "
                        "keys 'backbone' and 'head', or return a tuple (backbone, head).")
        out = (out["backbone"], out["head"])
    try:
        backbone, head = out
        return int(backbone), int(head)
    except (TypeError, ValueError):
        raise Wrong(f"{_PHI_NAME}({args}) returned {out!r}; return two whole numbers, "
                    "(backbone, head).") from None


def _check_phi(fn) -> str:
    from ..model.network import TinyRewardModel

    require_callable(fn, _PHI_NAME)
    for sizes in _SIZES:
        model = TinyRewardModel(**sizes, seed=0)
        args = "TinyRewardModel(" + ", ".join(f"{k}={v}" for k, v in sizes.items()) + ")"
        backbone, head = _as_pair(call(fn, model, name=_PHI_NAME, shown=args), args)
        want = model.param_counts()
        wb, wh, total = want["backbone"], want["head"], want["total"]
        if (backbone, head) == (wb, wh):
            continue
        d = sizes["d_model"]
        if (backbone, head) == (wh, wb):
            raise Wrong(f"for {args} you returned ({backbone}, {head}): backbone and head are "
                        "swapped. The head W_r is the small part: one weight per hidden unit.")
        if head == wh + 1:
            raise Wrong(f"for {args} your head has {head} parameters, one too many: W_r maps "
                        f"h_last (d_model = {d} numbers) to one reward, and it has no bias "
                        "(a bias would cancel in every reward difference).")
        if backbone == total and head == wh:
            raise Wrong(f"for {args} your backbone count {backbone} is the whole model: it "
                        f"includes the head's {wh} weights. φ = backbone + head, so "
                        f"backbone = total − head = {wb}.")
        emb = sum(p.numel() for p in model.token_embedding.parameters()) + \
            sum(p.numel() for p in model.position_embedding.parameters())
        if head == wh and backbone == wb - emb:
            raise Wrong(f"for {args} your backbone count {backbone} leaves out the token and "
                        f"position embeddings ({emb} parameters). They are trained with the "
                        "rest and belong to the backbone.")
        if head == wh:
            raise Wrong(f"for {args} the head ({head}) is right but the backbone should have "
                        f"{wb} parameters, not {backbone}: every parameter that is not the "
                        "head (embeddings, transformer layers, final norm).")
        raise Wrong(f"for {args} you returned (backbone, head) = ({backbone}, {head}); "
                    f"expected ({wb}, {wh}).")
    return ("φ is every trainable parameter: the backbone (embeddings, transformer layers, "
            "final norm) and the head W_r, one weight per hidden unit of h_last.")


phi_counts = Exercise(
    name="phi_counts",
    starter='''\
def my_phi_counts(model):
    # Your code here: return (parameters in the backbone, parameters in the head W_r).
    ...


ex.phi_counts.check(my_phi_counts)
''',
    title="What φ is made of",
    task=("Write my_phi_counts(model) that returns (backbone, head): the number of "
          "parameters of a TinyRewardModel in its backbone and in its head W_r "
          "(model.head)."),
    hint=("A tensor knows how many numbers it holds, and a module lists its parameters. "
          "Count all of φ, count the head, and think about what is left."),
    solution_code='''
def my_phi_counts(model):
    head = sum(p.numel() for p in model.head.parameters())
    total = sum(p.numel() for p in model.parameters())
    return total - head, head
''',
    checker=_check_phi)


_ACC_NAME = "my_pairwise_accuracy"
_ACC_CASES = [
    (np.array([2.0, 1.0, 0.5, 3.0]), np.array([1.0, 2.0, -0.5, 0.0])),      # 3 of 4, no tie
    (np.array([1.0, 0.0, 2.0, 2.0, -1.0]), np.array([0.0, 0.0, 1.0, 2.0, 1.0])),   # 2 ties
    (np.array([0.3, 0.3, 0.9]), np.array([0.3, 0.1, 1.5])),                 # 1 tie
]


def _check_accuracy(fn) -> str:
    require_callable(fn, _ACC_NAME)
    for better, worse in _ACC_CASES:
        args = f"{describe(better)}, {describe(worse)}"
        out = call(fn, better.copy(), worse.copy(), name=_ACC_NAME)
        got = as_float_array(out, name=_ACC_NAME, args_text=args)
        if got.size != 1:
            raise Wrong(f"{_ACC_NAME}({args}) returned {describe(got)}; return one number, "
                        "the share of decided pairs ordered right.")
        value = float(got.reshape(()))
        gap = better - worse
        correct, wrong, ties = int(np.sum(gap > 0)), int(np.sum(gap < 0)), int(np.sum(gap == 0))
        want = correct / (correct + wrong)
        if isclose(value, want):
            continue
        n = gap.size
        if isclose(value, correct / n) and ties:
            raise Wrong(f"{_ACC_NAME}({args}) returned {value:.4g} = {correct}/{n}: you counted "
                        f"the {ties} tie(s) as wrong. A tie says nothing about the order; leave "
                        f"ties out: {correct}/({correct} + {wrong}) = {want:.4g}.")
        if isclose(value, (correct + ties) / n) and ties:
            raise Wrong(f"{_ACC_NAME}({args}) returned {value:.4g}: you counted the {ties} "
                        f"tie(s) as right (>= instead of >). Leave ties out: "
                        f"{correct}/({correct} + {wrong}) = {want:.4g}.")
        if isclose(value, wrong / (correct + wrong)) or isclose(value, wrong / n):
            raise Wrong(f"{_ACC_NAME}({args}) returned {value:.4g}, the share ordered wrong: "
                        "a pair is right when r_better > r_worse.")
        if isclose(value, 100 * want):
            raise Wrong(f"{_ACC_NAME}({args}) returned {value:.4g}, a percentage; return a "
                        f"fraction between 0 and 1 ({want:.4g}).")
        if isclose(value, correct):
            raise Wrong(f"{_ACC_NAME}({args}) returned {value:.4g}, the number of correct pairs; "
                        f"divide by the number of decided pairs ({correct + wrong}).")
        raise Wrong(f"{_ACC_NAME}({args}) returned {value:.4g}; expected {want:.4g} "
                    f"({correct} right, {wrong} wrong, {ties} tie(s) left out).")
    return ("right on every input, ties left out as rmteach.model.evaluate does (they are reported "
            "separately, as neither right nor wrong).")


pairwise_accuracy = Exercise(
    name="pairwise_accuracy",
    starter='''\
def my_pairwise_accuracy(r_better, r_worse):
    # Your code here: right / (right + wrong), ties left out.
    ...


ex.pairwise_accuracy.check(my_pairwise_accuracy)
''',
    title="Pairwise accuracy, with ties left out",
    task=("Write my_pairwise_accuracy(r_better, r_worse): the rewards the model gave the "
          "human-preferred and the rejected response of each pair (NumPy arrays). Return "
          "the share of pairs ordered right among the pairs that are not ties."),
    hint=("Sort each pair into right, wrong or tie by the sign of its gap. Which group "
          "does the task leave out, and so what goes in the denominator?"),
    solution_code='''
def my_pairwise_accuracy(r_better, r_worse):
    gap = np.asarray(r_better, dtype=float) - np.asarray(r_worse, dtype=float)
    right, wrong = np.sum(gap > 0), np.sum(gap < 0)
    return float(right / (right + wrong))
''',
    checker=_check_accuracy)
