"""Exercises of notebook 04 (what the loss does to the rewards).

* ``reward_gradient`` (predict) – predict the gap of one pair after two gradient steps from
  Δ = 0, using the gradient the notebook derives and prints.
"""

from __future__ import annotations

import math

import numpy as np

from ..math.losses import pairwise_loss
from ._base import Exercise, NotYet, Wrong, describe

__all__ = ["reward_gradient"]

def autograd_gradients(r_chosen, r_rejected):
    """(∂/∂r_c, ∂/∂r_r) of the SUM of the pair losses, by torch's autograd."""
    import torch

    from ..math._arrays import paired_arrays

    c, r = paired_arrays((r_chosen, r_rejected), ("r_chosen", "r_rejected"))
    c = torch.tensor(c, requires_grad=True)
    r = torch.tensor(r, requires_grad=True)
    pairwise_loss(c, r, reduction="sum").backward()
    return c.grad.numpy(), r.grad.numpy()


def _sigmoid(z: float) -> float:
    return 0.5 * (1.0 + math.tanh(z / 2.0))


def _after_steps(steps: int, *, both: bool = True, refresh: bool = True) -> float:
    """The gap after ``steps`` gradient steps (learning rate 1) from Δ = 0 on one pair."""
    delta, push = 0.0, 0.5
    for _ in range(steps):
        if refresh:
            push = _sigmoid(-delta)
        delta += (2.0 if both else 1.0) * push
    return delta


_DELTA_TWO = _after_steps(2)          # 1 + 2 Sigmoid(−1) ≈ 1.5379


def _check(delta) -> str:
    if delta is None or delta is Ellipsis:
        raise NotYet("set delta_after_two to your predicted gap (replace the `...`), then "
                     "check(delta_after_two).")
    if isinstance(delta, bool) or not isinstance(delta, (int, float, np.floating, np.integer)):
        raise Wrong(f"delta_after_two should be one number, the gap r_a − r_b; got "
                    f"{type(delta).__name__} {describe(delta)}.")
    d = float(delta)
    if not math.isfinite(d):
        raise Wrong(f"delta_after_two = {d} is not a finite number.")
    if abs(d - _DELTA_TWO) <= 0.006:
        return (f"Δ = 0 → 1 → {_DELTA_TWO:.4f}. The first step pushes each reward by 0.5 (the "
                "gap grows by 1); the second by only Sigmoid(−1) = 0.2689 each, because the "
                "pair is already right. The push fades as the pair becomes confidently "
                "right: that is why an easy pair stops mattering.")
    if abs(d + _DELTA_TWO) <= 0.006:
        raise Wrong(f"{d:.4f} has the wrong sign: a step goes against the gradient, so the "
                    "chosen reward rises and the rejected one falls.")
    if abs(d - 1.0) <= 0.006:
        raise Wrong("Δ = 1 is where the FIRST step lands. Take the second step from there.")
    if abs(d - _after_steps(2, refresh=False)) <= 0.006:
        raise Wrong("2.0 applies the same push twice. After the first step the gap is no "
                    "longer 0, so the gradient is not the same: read it again at the new gap.")
    if abs(d - _after_steps(2, both=False)) <= 0.006:
        raise Wrong(f"{d:.4f} moves only the chosen reward. Both rewards move, in opposite "
                    "directions, so the gap changes by twice the push.")
    if abs(d - (1.0 + _sigmoid(-1.0))) <= 0.006:
        raise Wrong(f"{d:.4f}: the first step is right (Δ = 1), but in the second you moved "
                    "only one reward; both move, so the gap gains twice the push.")
    side = "small" if d < _DELTA_TWO else "large"
    raise Wrong(f"{d:.4f} is too {side}. Work one step at a time: the push at the current "
                "gap, applied to both rewards, gives the next gap.")


reward_gradient = Exercise(
    name="reward_gradient",
    kind="predict",
    starter='''\
delta_after_two = ...  # your prediction: the gap r_a - r_b after two steps, to 2 decimals

ex.reward_gradient.check(delta_after_two)
''',
    title="Predict: two gradient steps on one pair",
    task=("One pair, its two rewards free numbers (the widget's free mode), both starting at "
          "0. Plain gradient descent on this pair's loss with learning rate 1: each reward "
          "moves by minus its own gradient. Predict the gap Δ = r_a − r_b after two steps, "
          "to 2 decimals, before you compute it; then check."),
    hint=("How far does each reward move in the first step, and in which direction? What is "
          "the gap then? The table printed above gives the gradient at the gaps you will "
          "meet; read it again before the second step."),
    solution_code='''
delta_after_two = 1 + 2 * 0.2689   # step 1: each reward moves 0.5, gap 0 -> 1; step 2: 0.2689 each
''',
    checker=_check)
