"""Exercises of notebook 11 (the reward model inside DPO).

* ``ipo_loss`` (implement) – write ``my_ipo_loss(policy_chosen_logps, policy_rejected_logps,
  ref_chosen_logps, ref_rejected_logps, beta)``: IPO's loss per pair, from its definition
  (Azar et al. 2023, Eq. 17), as :func:`rmteach.math.losses.dpo_loss` computes it with
  ``loss_type="ipo"`` and ``reduction="none"``.
"""

from __future__ import annotations

import numpy as np

from ..math.losses import dpo_loss
from ._base import Exercise, Wrong, as_float_array, call, close, describe, require_callable

__all__ = ["ipo_loss"]

_NAME = "my_ipo_loss"
#: (policy_chosen, policy_rejected, ref_chosen, ref_rejected, beta)
_CASES = [
    (np.array([-3.0, -6.0, -2.0]), np.array([-5.0, -4.0, -2.5]),
     np.array([-4.0, -5.0, -3.0]), np.array([-4.0, -5.0, -2.0]), 0.1),
    (np.array([-1.0, -2.0]), np.array([-2.0, -1.0]), np.array([-1.5, -1.5]),
     np.array([-1.5, -1.5]), 0.5),
    (np.array([-10.0]), np.array([-10.0]), np.array([-12.0]), np.array([-9.0]), 2.0),
]


def _check(fn) -> str:
    require_callable(fn, _NAME)
    for pc, pr, rc, rr, beta in _CASES:
        args = f"{describe(pc)}, {describe(pr)}, {describe(rc)}, {describe(rr)}, {beta}"
        got = as_float_array(call(fn, pc, pr, rc, rr, beta, name=_NAME), name=_NAME,
                             args_text=args)
        want = dpo_loss(pc, pr, rc, rr, beta=beta, loss_type="ipo", reduction="none")
        if close(got, want):
            continue
        gap = (pc - rc) - (pr - rr)
        if got.shape != want.shape:
            if close(got, np.mean(want)):
                raise Wrong(f"{_NAME}({args}) averaged the pairs. Return one loss per pair "
                            f"(shape {want.shape}); averaging is the caller's reduction.")
            raise Wrong(f"{_NAME}({args}) returned shape {got.shape}; return one loss per "
                        f"pair, shape {want.shape}.")
        if close(got, (gap - 1 / beta) ** 2):
            raise Wrong(f"{_NAME}({args}): your target for Δ is twice IPO's. Look again at "
                        "where the squared loss of Eq. 17 is zero.")
        if close(got, (beta * gap - 0.5) ** 2):
            raise Wrong(f"{_NAME}({args}) measured the implicit reward margin β·Δ against "
                        "1/2. That is the same minimiser, but a loss β² times smaller: IPO "
                        "squares the gap of the log-ratios itself.")
        if close(got, (gap + 1 / (2 * beta)) ** 2) or close(got, (-gap - 1 / (2 * beta)) ** 2):
            raise Wrong(f"{_NAME}({args}) has a sign slip: the chosen response's log-ratio "
                        "must end up *above* the rejected one's.")
        if close(got, -np.log(1 / (1 + np.exp(-beta * gap)))):
            raise Wrong(f"{_NAME}({args}) returned DPO's sigmoid loss. IPO replaces it with "
                        "a squared error against a fixed target.")
        raise Wrong(f"{_NAME}({args}) returned {describe(got)}; expected {describe(want)}.")
    return ("(Δ − 1/(2β))²: IPO regresses the gap of the log-ratios onto a fixed, finite "
            "target, so it stops pushing once the gap reaches 1/(2β); DPO never stops.")


ipo_loss = Exercise(
    name="ipo_loss",
    starter='''\
def my_ipo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps,
                ref_rejected_logps, beta):
    # Your code here: one loss per pair (NumPy arrays in, a NumPy array out).
    ...


ex.ipo_loss.check(my_ipo_loss)''',
    title="IPO's loss from its definition",
    task=("Write my_ipo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, "
          "ref_rejected_logps, beta): arrays of sequence log-probabilities of the chosen and "
          "rejected responses under the policy and the reference, and IPO's regularisation "
          "parameter β (τ in the paper). Return IPO's loss for each pair: the squared "
          "distance between the gap of the log-ratios Δ and IPO's target for it."),
    hint=("First build Δ: each response's log-ratio log π − log π_ref, then chosen minus "
          "rejected. IPO's target for Δ is the point where the squared loss is zero; it "
          "shrinks as β grows, and the notebook's widget shows where it lies at β = 0.1."),
    solution_code='''
def my_ipo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps,
                ref_rejected_logps, beta):
    gap = ((np.asarray(policy_chosen_logps) - np.asarray(ref_chosen_logps))
           - (np.asarray(policy_rejected_logps) - np.asarray(ref_rejected_logps)))
    return (gap - 1 / (2 * beta)) ** 2
''',
    checker=_check)
