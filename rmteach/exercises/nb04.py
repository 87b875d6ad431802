"""Exercises of notebook 04 (what the loss does to the rewards).

* ``reward_gradient`` – write ``my_reward_gradients(r_chosen, r_rejected)``: the gradient of
  each pair's loss −log Sigmoid(r_c − r_r) with respect to its two rewards, checked
  against torch's autograd.
"""

from __future__ import annotations

import numpy as np

from ..math.losses import pairwise_loss
from ._base import Exercise, Wrong, as_float_array, call, close, describe, require_callable

__all__ = ["reward_gradient"]

_NAME = "my_reward_gradients"
_CASES = [
    (np.array([0.0]), np.array([0.0])),
    (np.array([2.0, -1.0, 0.5]), np.array([0.0, 1.0, 0.5])),
    (np.array([4.0, -4.0]), np.array([0.0, 0.0])),
    (np.array([800.0, -800.0]), np.array([0.0, 0.0])),
]


def autograd_gradients(r_chosen, r_rejected):
    """(∂/∂r_c, ∂/∂r_r) of the SUM of the pair losses, by torch's autograd."""
    import torch

    from ..math._arrays import paired_arrays

    c, r = paired_arrays((r_chosen, r_rejected), ("r_chosen", "r_rejected"))
    c = torch.tensor(c, requires_grad=True)
    r = torch.tensor(r, requires_grad=True)
    pairwise_loss(c, r, reduction="sum").backward()
    return c.grad.numpy(), r.grad.numpy()


def _check(fn) -> str:
    require_callable(fn, _NAME)
    for c, r in _CASES:
        args = f"{describe(c)}, {describe(r)}"
        out = call(fn, c.copy(), r.copy(), name=_NAME)
        try:
            g_c, g_r = out
        except (TypeError, ValueError):
            raise Wrong(f"{_NAME}({args}) returned {out!r}; return a pair (g_chosen, "
                        "g_rejected) of arrays, one gradient per pair.") from None
        g_c = as_float_array(g_c, name=_NAME, args_text=args)
        g_r = as_float_array(g_r, name=_NAME, args_text=args)
        want_c, want_r = autograd_gradients(c, r)
        if g_c.shape != want_c.shape or g_r.shape != want_r.shape:
            raise Wrong(f"{_NAME}({args}) returned shapes {g_c.shape} and {g_r.shape}; expected "
                        f"one gradient per pair, shape {want_c.shape}.")
        if not (np.all(np.isfinite(g_c)) and np.all(np.isfinite(g_r))):
            raise Wrong(f"{_NAME}({args}) returned {describe(g_c)}, {describe(g_r)}: a gap of "
                        "±800 overflowed. Sigmoid(−Δ) can be written without exp of a big "
                        "number (e.g. 0.5 * (1 + tanh(−Δ/2))).")
        if close(g_c, want_c) and close(g_r, want_r):
            continue
        if close(g_c, -want_c) and close(g_r, -want_r):
            raise Wrong(f"for {args} your signs are flipped: the loss FALLS as r_c rises, so "
                        f"∂ℓ/∂r_c is negative. Expected {describe(want_c)}, {describe(want_r)}.")
        if close(g_c, want_c / len(c)) and close(g_r, want_r / len(c)):
            raise Wrong(f"for {args} you divided by the number of pairs (the mean loss). Give "
                        "each pair's own gradient, as the sum of the losses has.")
        delta = c - r
        sig_plus = 0.5 * (1 + np.tanh(delta / 2))
        if close(g_c, -sig_plus) or close(g_c, sig_plus):
            raise Wrong(f"for {args} you used Sigmoid(Δ); the push is Sigmoid(−Δ) = 1 − "
                        "Sigmoid(Δ): large when the pair is wrong, tiny when it is right.")
        if close(g_c, want_c) and close(g_r, want_c):
            raise Wrong(f"for {args} ∂ℓ/∂r_r has the sign of ∂ℓ/∂r_c; the two are equal and "
                        "opposite, since ℓ depends on r_c − r_r only.")
        raise Wrong(f"{_NAME}({args}) returned {describe(g_c)}, {describe(g_r)}; autograd "
                    f"gives {describe(want_c)}, {describe(want_r)}.")
    return ("your gradients match autograd: ∂ℓ/∂r_c = −Sigmoid(−Δ), ∂ℓ/∂r_r = +Sigmoid(−Δ), "
            "equal and opposite, vanishing once a pair is confidently right.")


reward_gradient = Exercise(
    name="reward_gradient",
    starter='''\
def my_reward_gradients(r_chosen, r_rejected):
    # Your code here: return (g_chosen, g_rejected), one number per pair each.
    ...


ex.reward_gradient.check(my_reward_gradients)
''',
    title="The gradient of the pair loss, reward by reward",
    task=("Write my_reward_gradients(r_chosen, r_rejected): arrays of the chosen and rejected "
          "rewards of some pairs. Return (g_chosen, g_rejected), the gradient of each pair's "
          "loss −log Sigmoid(r_c − r_r) with respect to r_c and to r_r."),
    hint=("Differentiate the loss with respect to the gap first (notebook 2's gradient "
          "curve gives its value at a gap of 0: −0.5), then apply the chain rule once for "
          "each reward. Keep every exponential finite for gaps of ±800."),
    solution_code='''
def my_reward_gradients(r_chosen, r_rejected):
    delta = np.asarray(r_chosen, dtype=float) - np.asarray(r_rejected, dtype=float)
    push = 0.5 * (1 + np.tanh(-delta / 2))          # Sigmoid(−Δ), stable
    return -push, push
''',
    checker=_check)
