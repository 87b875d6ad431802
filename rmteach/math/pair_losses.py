"""The pair-wise math of ch. 4: Bradley–Terry (Eq. 4.35), the pair-wise loss (Eq. 4.37), centering.

Every function takes NumPy arrays, Python numbers or lists (and returns NumPy), or torch
tensors (and returns torch tensors with dtype, device and autograd kept).  Computed through
log-sigmoid, never ``log(sigmoid(x))``: finite for score gaps of ±1e4.  Re-exported by
:mod:`rmteach.math.losses`.

Notation: r(x, y) is the reward of response y to input x;
Δ = r(x, y_a) − r(x, y_b) is the score gap.
"""

from __future__ import annotations

import numpy as np

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
    sigmoid,
)

__all__ = ["centering_penalty", "pairwise_loss", "preference_probability",
           "preference_probability_softmax"]


def _pair_inputs(r_a, r_b, names=("r_a", "r_b")):
    xp, (a, b) = as_arrays(r_a, r_b, names=names)
    check_finite(a, names[0])
    check_finite(b, names[1])
    a, b = broadcast(xp, [a, b], names)
    return xp, a, b


@_quiet
def preference_probability(r_a, r_b):
    """Bradley–Terry probability that y_a is preferred to y_b (Eq. 4.35, sigmoid form).

    Pr(y_a ≻ y_b | x) = Sigmoid(r(x, y_a) − r(x, y_b)) = 1 / (1 + exp(−Δ)).

    Only the gap Δ matters: adding a constant to both rewards changes nothing,
    scaling both changes the confidence.  Elementwise, with broadcasting.

    >>> print(preference_probability(2.0, 1.0))
    0.7310585786300049
    >>> preference_probability([0.0, 5.0], [0.0, 5.0])
    array([0.5, 0.5])
    """
    xp, a, b = _pair_inputs(r_a, r_b)
    return _scalarize(sigmoid(xp, a - b))


@_quiet
def preference_probability_softmax(r_a, r_b):
    """The same probability in its exponential form (Eq. 4.35): e^{r_a} / (e^{r_a} + e^{r_b}).

    Computed with the max subtracted first, so large rewards do not overflow.  It
    equals :func:`preference_probability` to rounding: divide top and bottom by
    e^{r_a} to get 1 / (1 + e^{−(r_a − r_b)}).

    >>> print(preference_probability_softmax(2.0, 1.0))
    0.7310585786300049
    """
    xp, a, b = _pair_inputs(r_a, r_b)
    m = xp.maximum(a, b)
    ea, eb = xp.exp(a - m), xp.exp(b - m)
    return _scalarize(ea / (ea + eb))


@_quiet
def pairwise_loss(r_chosen, r_rejected, *, margin=0.0, reduction="mean"):
    """Pair-wise ranking loss: −log Pr(y_a ≻ y_b | x) = −log Sigmoid(r_a − r_b − m).

    ``r_chosen`` holds r(x, y_a) of the preferred responses, ``r_rejected`` r(x, y_b).
    With ``reduction="mean"`` this is the empirical loss of Eq. 4.37,

        L = −(1/|D|) Σ_{(x, y_a, y_b) ∈ D} log Sigmoid(r(x, y_a) − r(x, y_b)),

    the sample average that stands in for the expectation over D when the pairs
    are drawn uniformly.  ``"sum"`` adds the per-pair losses, ``"none"`` returns
    them, as in ``torch.nn.functional``.

    ``margin`` m ≥ 0 asks the chosen response to win by at least m (the margin
    loss used by Llama 2); m = 0 is the book's loss.  Computed as
    softplus(−(Δ − m)), finite for any finite gap.

    >>> round(float(pairwise_loss(0.0, 0.0)), 6)    # an undecided model: ln 2
    0.693147
    >>> pairwise_loss([3.0, 0.0], [1.0, 2.0], reduction="none")
    array([0.126928, 2.126928])
    """
    check_reduction(reduction)
    xp, (c, r, m) = as_arrays(r_chosen, r_rejected, margin,
                              names=("r_chosen", "r_rejected", "margin"))
    check_finite(c, "r_chosen")
    check_finite(r, "r_rejected")
    check_finite(m, "margin")
    c, r = broadcast(xp, [c, r], ("r_chosen", "r_rejected"))
    try:
        fits = np.broadcast_shapes(tuple(c.shape), tuple(m.shape)) == tuple(c.shape)
    except ValueError:
        fits = False
    if not fits:      # a margin may not add pairs: it must broadcast *to* the rewards' shape
        raise ValueError(f"margin of shape {tuple(m.shape)} does not fit the rewards of shape "
                         f"{tuple(c.shape)}; pass a number or one margin per pair.")
    gap = c - r - m
    out = reduce(xp, -log_sigmoid(xp, gap), reduction, name="r_chosen")
    return _scalarize(_finite_result(out, "r_chosen − r_rejected − margin"))


@_quiet
def centering_penalty(r_a, r_b, *, reduction="mean"):
    """Centering regulariser (r(x, y_a) + r(x, y_b))², averaged with ``reduction="mean"``.

    Bradley–Terry sees only reward gaps, so the loss leaves the level of the rewards
    free (shift invariance).  Adding ``coef * centering_penalty(r_a, r_b)`` to the loss
    pins the rewards of each pair around zero without changing any preference
    probability (the trick used for OpenAssistant-style reward models).

    >>> centering_penalty([1.0, -1.0], [1.0, 0.5], reduction="none")
    array([4.  , 0.25])
    """
    check_reduction(reduction)
    xp, a, b = _pair_inputs(r_a, r_b)
    out = reduce(xp, (a + b) ** 2, reduction, name="r_a")
    return _scalarize(_finite_result(out, "r_a + r_b"))


# ---------------------------------------------------------------------------
# Ranked lists
# ---------------------------------------------------------------------------
