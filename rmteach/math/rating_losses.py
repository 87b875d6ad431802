"""The regression (squared-error) loss of a reward model trained on absolute ratings.

Beyond the book: instead of pairs, annotators give each response a rating s (e.g. a
Likert score 1–5), and the reward model is fitted to it by least squares,

    L = (1/|D|) Σ_{(x, y, s) ∈ D} (r(x, y) − s)²,

as in the regression reward models of HelpSteer2 (Wang et al. 2024), which set them
head to head with Bradley–Terry on pairs.  NumPy and torch, like every loss of
:mod:`rmteach.math.losses`, which re-exports it.
"""

from __future__ import annotations

from ._arrays import (
    _finite_result,
    _quiet,
    _scalarize,
    as_arrays,
    broadcast,
    check_finite,
    check_reduction,
    reduce,
)

__all__ = ["regression_loss"]


@_quiet
def regression_loss(rewards, ratings, *, reduction="mean"):
    """Squared error (r(x, y) − s)² between predicted rewards and ratings s.

    ``reduction``: ``"mean"`` (the loss above), ``"sum"`` or ``"none"`` (per response).
    Unlike the pair-wise loss it is not shift invariant: the rewards must match the
    ratings' level and scale, not only their order.

    >>> regression_loss([3.0, 1.0], [4.0, 1.0], reduction="none")
    array([1., 0.])
    >>> print(regression_loss([3.0, 1.0], [4.0, 1.0]))
    0.5
    """
    check_reduction(reduction)
    xp, (r, s) = as_arrays(rewards, ratings, names=("rewards", "ratings"))
    check_finite(r, "rewards")
    check_finite(s, "ratings")
    r, s = broadcast(xp, [r, s], ("rewards", "ratings"))
    out = reduce(xp, (r - s) ** 2, reduction, name="rewards")
    return _scalarize(_finite_result(out, "(rewards − ratings)²"))
