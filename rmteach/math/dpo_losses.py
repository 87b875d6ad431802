"""DPO's implicit reward and the DPO loss family (sigmoid, robust, hinge, IPO), TRL 1.16's names.

Beyond the book (ch. 4 stops at the explicit reward model).  DPO (Rafailov et al. 2023)
starts from the optimum of the KL-regularised objective, π*(y|x) ∝ π_ref(y|x)·exp(r(x, y)/β),
solves it for the reward, r(x, y) = β·log π*(y|x)/π_ref(y|x) + β·log Z(x), and puts that
into the pair-wise loss (Eq. 4.37): Z(x) cancels in the gap, so the policy *is* the reward
model, with the implicit reward

    r_φ(x, y) = β · (log π_φ(y|x) − log π_ref(y|x)).

Let Δ = (log π_c − log π_ref,c) − (log π_r − log π_ref,r), the gap of the log-ratios of the
chosen (c) and rejected (r) responses, and ε the label smoothing.  The losses, per pair:

* ``sigmoid``: −log σ(β·Δ), the pair-wise loss of the implicit rewards; with ε > 0 the
  conservative form −(1 − ε)·log σ(β·Δ) − ε·log σ(−β·Δ) (cDPO; older TRL versions mixed
  ε in here, TRL 1.16's ``sigmoid`` has no label smoothing);
* ``robust``: (−(1 − ε)·log σ(β·Δ) + ε·log σ(−β·Δ)) / (1 − 2ε) (Chowdhury et al. 2024's
  unbiased loss under flipped labels; TRL 1.16's ``robust``);
* ``hinge``: max(0, 1 − β·Δ) (the SLiC-style hinge; TRL's ``hinge``);
* ``ipo``: (Δ − 1/(2β))², Eq. 17 of the IPO paper (Azar et al. 2023, with τ = β).  When
  ``chosen_lengths`` and ``rejected_lengths`` (token counts) are given, each response's
  log-ratio is first divided by its count, as TRL 1.16 does (the paper's equation has no
  such division).

Every function takes NumPy arrays, Python numbers or lists (and returns NumPy), or torch
tensors (returns torch, autograd kept), computed through log-sigmoid: finite for gaps of ±1e4.
Re-exported by :mod:`rmteach.math.losses`.
"""

from __future__ import annotations

import math
import numbers

from ._arrays import (
    _finite_result,
    _quiet,
    _scalarize,
    as_arrays,
    broadcast,
    check_finite,
    check_reduction,
    log_sigmoid,
    reduce,
)

__all__ = ["DPO_LOSS_TYPES", "dpo_loss", "implicit_reward"]

#: the loss types :func:`dpo_loss` knows (TRL 1.16's names for them)
DPO_LOSS_TYPES = ("sigmoid", "robust", "hinge", "ipo")


def _as_float(x) -> float:
    """``float(x)``, or inf for an integer too large for a float (then refused as not finite)."""
    try:
        return float(x)
    except OverflowError:
        return math.inf


def _check_beta(beta) -> float:
    if isinstance(beta, bool) or not isinstance(beta, numbers.Real) \
            or not math.isfinite(_as_float(beta)) or float(beta) <= 0:
        raise ValueError(f"beta must be a number > 0 (the KL coefficient β, e.g. 0.1); "
                         f"got {beta!r:.60}.")
    return float(beta)


@_quiet
def implicit_reward(policy_logps, ref_logps, beta=0.1):
    """DPO's implicit reward r(x, y) = β · (log π(y|x) − log π_ref(y|x)), elementwise.

    ``policy_logps`` and ``ref_logps`` are the sequence log-probabilities (sums over the
    response's tokens) of the trained policy and of the reference policy.  The reward
    is defined up to β·log Z(x), a per-prompt constant that every pair-wise loss ignores.

    >>> print(implicit_reward(-2.0, -3.0, beta=0.5))
    0.5
    >>> implicit_reward([-1.0, -4.0], [-2.0, -2.0], beta=0.1)
    array([ 0.1, -0.2])
    """
    beta = _check_beta(beta)
    xp, (p, r) = as_arrays(policy_logps, ref_logps, names=("policy_logps", "ref_logps"))
    check_finite(p, "policy_logps")
    check_finite(r, "ref_logps")
    p, r = broadcast(xp, [p, r], ("policy_logps", "ref_logps"))
    return _scalarize(_finite_result(beta * (p - r), "β·(policy_logps − ref_logps)"))


def _check_smoothing(label_smoothing, loss_type) -> float:
    ok = not isinstance(label_smoothing, bool) and isinstance(label_smoothing, numbers.Real) \
        and math.isfinite(_as_float(label_smoothing)) and 0.0 <= float(label_smoothing) < 0.5
    if not ok:
        raise ValueError(f"label_smoothing must be a number in [0, 0.5) (the assumed share of "
                         f"flipped labels); got {label_smoothing!r:.60}.")
    eps = float(label_smoothing)
    if eps > 0 and loss_type not in ("sigmoid", "robust"):
        raise ValueError(f"label_smoothing is used only by loss_type 'sigmoid' (cDPO) and "
                         f"'robust'; got label_smoothing={eps} with loss_type={loss_type!r}.")
    return eps


@_quiet
def dpo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps,
             beta=0.1, loss_type="sigmoid", label_smoothing=0.0, chosen_lengths=None,
             rejected_lengths=None, reduction="mean"):
    """The DPO family's loss per pair (module doc), reduced with ``reduction``.

    Arguments are TRL's names: the sequence log-probabilities of the chosen and rejected
    responses under the policy and the reference policy; ``beta`` > 0; ``loss_type`` one
    of ``"sigmoid"``, ``"robust"``, ``"hinge"``, ``"ipo"``; ``label_smoothing`` ε in [0, 0.5)
    (``sigmoid`` and ``robust`` only); ``chosen_lengths`` / ``rejected_lengths`` the token
    counts (``ipo`` only, both or neither).  With ``loss_type="sigmoid"`` and ε = 0 it is
    exactly :func:`~rmteach.math.pair_losses.pairwise_loss` of the implicit rewards.

    >>> round(float(dpo_loss(-1.0, -1.0, -1.0, -1.0)), 6)       # no gap: ln 2
    0.693147
    >>> dpo_loss([-1.0, -5.0], [-3.0, -2.0], -2.0, -2.0, beta=1.0, loss_type="hinge",
    ...          reduction="none")
    array([0., 4.])
    >>> print(dpo_loss(0.0, 0.0, 0.0, 0.0, beta=0.5, loss_type="ipo"))   # (0 − 1/(2·0.5))²
    1.0
    """
    check_reduction(reduction)
    if not isinstance(loss_type, str) or loss_type not in DPO_LOSS_TYPES:
        raise ValueError(f"unknown loss_type {loss_type!r:.60}; expected one of "
                         f"{', '.join(map(repr, DPO_LOSS_TYPES))}.")
    beta = _check_beta(beta)
    eps = _check_smoothing(label_smoothing, loss_type)
    if (chosen_lengths is None) != (rejected_lengths is None):
        raise ValueError("chosen_lengths and rejected_lengths go together: give both token "
                         "counts or neither.")
    if chosen_lengths is not None and loss_type != "ipo":
        raise ValueError(f"chosen_lengths and rejected_lengths are used only by loss_type "
                         f"'ipo' (as in TRL 1.16); got loss_type={loss_type!r}.")
    names = ["policy_chosen_logps", "policy_rejected_logps", "ref_chosen_logps",
             "ref_rejected_logps"]
    values = [policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps]
    if chosen_lengths is not None:
        names += ["chosen_lengths", "rejected_lengths"]
        values += [chosen_lengths, rejected_lengths]
    xp, arrays = as_arrays(*values, names=names)
    for a, n in zip(arrays, names):
        check_finite(a, n)
    arrays = broadcast(xp, arrays, names)
    pc, pr, rc, rr = arrays[:4]
    chosen, rejected = pc - rc, pr - rr
    if chosen_lengths is not None:
        for a, n in zip(arrays[4:], names[4:]):
            if bool((a <= 0).any()):
                raise ValueError(f"{n} must be token counts > 0; got a value <= 0.")
        chosen, rejected = chosen / arrays[4], rejected / arrays[5]
    gap = chosen - rejected
    if loss_type == "sigmoid":
        per_pair = -log_sigmoid(xp, beta * gap)
        if eps > 0:
            per_pair = (1 - eps) * per_pair - eps * log_sigmoid(xp, -beta * gap)
    elif loss_type == "robust":
        per_pair = (-(1 - eps) * log_sigmoid(xp, beta * gap)
                    + eps * log_sigmoid(xp, -beta * gap)) / (1 - 2 * eps)
    elif loss_type == "hinge":
        per_pair = xp.maximum(1 - beta * gap, xp.zeros_like(gap))
    else:
        per_pair = (gap - 1 / (2 * beta)) ** 2
    out = reduce(xp, per_pair, reduction, name="policy_chosen_logps")
    return _scalarize(_finite_result(out, "the log-ratio gap Δ"))
