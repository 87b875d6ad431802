"""Exercises of notebook 09 (reward hacking and the KL penalty).

* ``kl_penalised_reward`` – write ``my_penalised_reward(reward, logp_policy, logp_ref,
  beta_kl)``: the reward the policy maximises in PPO-based RLHF,
  r − β_KL · (log π(y|x) − log π_ref(y|x)), elementwise, as
  :func:`rmteach.experiments.policy.kl_penalised_reward` computes it.
"""

from __future__ import annotations

import math

import numpy as np

from ..experiments.policy import kl_penalised_reward as _reference
from ._base import Exercise, Wrong, as_float_array, call, close, describe, require_callable

__all__ = ["kl_penalised_reward"]

_NAME = "my_penalised_reward"
_L = math.log
#: (reward, logp_policy, logp_ref, beta_kl)
_CASES = [
    (np.array([1.0, -0.5, 2.0]), np.array([_L(0.5), _L(0.1), _L(0.9)]),
     np.array([_L(0.25), _L(0.25), _L(0.25)]), 0.1),
    (np.array([0.3, 0.3]), np.array([_L(0.8), _L(0.2)]), np.array([_L(0.5), _L(0.5)]), 1.0),
    (np.array([2.0, -1.0]), np.array([_L(0.6), _L(0.4)]), np.array([_L(0.3), _L(0.7)]), 0.0),
]


def _check(fn) -> str:
    require_callable(fn, _NAME)
    for r, lp, lr, b in _CASES:
        args = f"{describe(r)}, {describe(lp)}, {describe(lr)}, {b}"
        got = as_float_array(call(fn, r, lp, lr, b, name=_NAME), name=_NAME, args_text=args)
        want = _reference(r, lp, lr, b)
        if close(got, want):
            continue
        if got.shape != want.shape:
            raise Wrong(f"{_NAME}({args}) returned shape {got.shape}; return one penalised "
                        f"reward per response, shape {want.shape}.")
        if close(got, r + b * (lp - lr)):
            raise Wrong(f"{_NAME}({args}) added the KL term (or subtracted log π_ref − log "
                        "π). It is a penalty on log π − log π_ref, the sample estimate of "
                        "KL(π‖π_ref): subtract β_KL · (log π − log π_ref), so moving away "
                        "from π_ref costs reward.")
        if close(got, r - (lp - lr)):
            raise Wrong(f"{_NAME}({args}) forgot β_KL: multiply the log-ratio by beta_kl.")
        if close(got, r - b * (np.exp(lp) / np.exp(lr))):
            raise Wrong(f"{_NAME}({args}) used the probability ratio π/π_ref. The penalty is "
                        "its logarithm, log π − log π_ref (the inputs are already logs).")
        raise Wrong(f"{_NAME}({args}) returned {describe(got)}; expected {describe(want)}.")
    return ("r − β_KL (log π − log π_ref): averaged over samples of π, the penalty is "
            "β_KL · KL(π‖π_ref), the price of moving away from the reference policy.")


kl_penalised_reward = Exercise(
    name="kl_penalised_reward",
    starter='''\
def my_penalised_reward(reward, logp_policy, logp_ref, beta_kl):
    # Your code here: the learned reward minus the KL penalty, elementwise.
    ...


ex.kl_penalised_reward.check(my_penalised_reward)
''',
    title="The KL-penalised reward of RLHF",
    task=("Write my_penalised_reward(reward, logp_policy, logp_ref, beta_kl): arrays of the "
          "learned rewards r(x, y) of sampled responses, their log-probabilities under the "
          "policy and under the reference policy, and the KL coefficient. Return "
          "r − β_KL · (log π(y|x) − log π_ref(y|x)) for each response."),
    hint=("Everything is elementwise NumPy: reward - beta_kl * (logp_policy - logp_ref). "
          "The inputs are log-probabilities already."),
    solution_code='''
def my_penalised_reward(reward, logp_policy, logp_ref, beta_kl):
    return np.asarray(reward) - beta_kl * (np.asarray(logp_policy) - np.asarray(logp_ref))
''',
    checker=_check)
