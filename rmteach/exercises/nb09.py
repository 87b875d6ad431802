"""Exercises of notebook 09 (reward hacking and the KL penalty).

* ``kl_penalised_reward`` (variant) – write ``my_penalised_reward(reward, logp_policy, logp_ref,
  beta_kl)``: the reward the policy maximises in PPO-based RLHF,
  r − β_KL · (log π(y|x) − log π_ref(y|x)), one value per response, as
  :func:`rmteach.experiments.policy.kl_penalised_reward` computes it for whole responses;
  and the variant the notebook does not spell out: log-probabilities given **per token**
  (responses × tokens, NaN after a response's end), as real RLHF code holds them.
"""

from __future__ import annotations

import math

import numpy as np

from ..experiments.policy import kl_penalised_reward as _reference
from ._base import Exercise, Wrong, as_float_array, call, close, describe, require_callable

__all__ = ["kl_penalised_reward"]

_NAME = "my_penalised_reward"
_L = math.log
_NAN = float("nan")
#: (reward, logp_policy, logp_ref, beta_kl): whole responses first, then per token
_CASES = [
    (np.array([1.0, -0.5, 2.0]), np.array([_L(0.5), _L(0.1), _L(0.9)]),
     np.array([_L(0.25), _L(0.25), _L(0.25)]), 0.1),
    (np.array([0.3, 0.3]), np.array([_L(0.8), _L(0.2)]), np.array([_L(0.5), _L(0.5)]), 1.0),
    (np.array([2.0, -1.0]), np.array([_L(0.6), _L(0.4)]), np.array([_L(0.3), _L(0.7)]), 0.0),
    (np.array([1.0, -0.5]), np.array([[_L(0.5), _L(0.5), _NAN], [_L(0.1), _L(0.2), _L(0.3)]]),
     np.array([[_L(0.25), _L(0.25), _NAN], [_L(0.25), _L(0.25), _L(0.25)]]), 0.1),
    (np.array([0.3, 0.3, 2.0]),
     np.array([[_L(0.8), _NAN, _NAN], [_L(0.2), _L(0.9), _NAN], [_L(0.6), _L(0.6), _L(0.6)]]),
     np.array([[_L(0.5), _NAN, _NAN], [_L(0.5), _L(0.5), _NAN], [_L(0.3), _L(0.3), _L(0.3)]]),
     1.0),
]


def _penalised(reward, logp_policy, logp_ref, beta_kl) -> np.ndarray:
    """The model answer: a response's log-ratio is the sum of its tokens' (NaN = no token)."""
    ratio = np.asarray(logp_policy, dtype=float) - np.asarray(logp_ref, dtype=float)
    if ratio.ndim == 2:
        ratio = np.nansum(ratio, axis=1)
        return np.asarray(reward, dtype=float) - beta_kl * ratio
    return _reference(reward, logp_policy, logp_ref, beta_kl)


def _check(fn) -> str:
    require_callable(fn, _NAME)
    for r, lp, lr, b in _CASES:
        args = f"{describe(r)}, {describe(lp)}, {describe(lr)}, {b}"
        got = as_float_array(call(fn, r, lp, lr, b, name=_NAME), name=_NAME, args_text=args)
        want = _penalised(r, lp, lr, b)
        if got.shape == want.shape and close(got, want):
            continue
        if lp.ndim == 2 and got.shape == want.shape:
            if np.isnan(got).any():
                raise Wrong(f"{_NAME}({args}) returned NaN. A NaN marks a token after the end "
                            "of a shorter response: it is no token, so it adds nothing to the "
                            "response's log-probability.")
            if close(got, r - b * np.nanmean(lp - lr, axis=1)):
                raise Wrong(f"{_NAME}({args}) averaged the per-token log-ratios. A response's "
                            "log-probability is the sum of its tokens' log-probabilities, so "
                            "its log-ratio is a sum too: longer responses can drift further.")
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
    return ("r − β_KL (log π − log π_ref), with a response's log-ratio the sum over its "
            "tokens: averaged over samples of π, the penalty is β_KL · KL(π‖π_ref), the price "
            "of moving away from the reference policy.")


kl_penalised_reward = Exercise(
    name="kl_penalised_reward",
    kind="variant",
    starter='''\
def my_penalised_reward(reward, logp_policy, logp_ref, beta_kl):
    # Your code here: the learned reward minus the KL penalty, one value per response.
    ...


ex.kl_penalised_reward.check(my_penalised_reward)''',
    title="The KL-penalised reward of RLHF",
    task=("Write my_penalised_reward(reward, logp_policy, logp_ref, beta_kl): the learned "
          "rewards r(x, y) of sampled responses, their log-probabilities under the policy and "
          "under the reference policy, and the KL coefficient. Return the reward the policy "
          "maximises, one value per response. check() first gives whole-response "
          "log-probabilities (one per response), then what real RLHF code holds: one "
          "log-probability per token (a row per response, NaN after a shorter response "
          "ends). Make one function handle both."),
    hint=("Moving away from the reference should cost reward, in proportion to β_KL and to "
          "how much more likely the policy makes y than the reference did; the inputs are "
          "logs already. How does a response's log-probability follow from its tokens'?"),
    solution_code='''
def my_penalised_reward(reward, logp_policy, logp_ref, beta_kl):
    ratio = np.asarray(logp_policy, dtype=float) - np.asarray(logp_ref, dtype=float)
    if ratio.ndim == 2:                      # per token: a response's log-ratio is a sum
        ratio = np.nansum(ratio, axis=1)
    return np.asarray(reward, dtype=float) - beta_kl * ratio
''',
    checker=_check)
