"""The list-wise math of ch. 4: the listwise loss (Eq. 4.57) and Plackett–Luce (Eqs. 4.58–4.61).

A batch of ranked lists is a (batch, N) score array plus the ranking (best first) and,
for lists of different lengths, ``lengths``.  NumPy or torch in, the same out; computed
through log-sigmoid and log-sum-exp.  Re-exported by :mod:`rmteach.math.losses`.
"""

from __future__ import annotations

import numpy as np

from ._arrays import (
    _finite_result,
    _quiet,
    _scalarize,
    _size,
    as_arrays,
    check_finite,
    check_reduction,
    gather_last,
    index_on,
    is_torch,
    log_sigmoid,
    reduce,
    reverse_logcumsumexp,
)
from .pair_losses import pairwise_loss  # noqa: F401  (the doctests compare with it)
from .ranking import (
    _check_permutation_rows,
    _pair_difference_matrix,
    _pair_difference_matrix_on,
    _pair_positions_on,
    ranked_pair_positions,
)

__all__ = ["MAX_LIST_ITEMS", "MAX_PAIRS", "listwise_loss", "plackett_luce_loss"]


def _to_numpy_ints(x, name):
    if x is None or isinstance(x, (str, bytes, dict, set, frozenset)):
        raise ValueError(f"{name} must hold whole numbers (item indices or list lengths); "
                         f"got {type(x).__name__}.")
    if is_torch(x):
        if x.device.type == "meta":
            raise ValueError(f"{name} is on the meta device, which holds no values.")
        x = x.detach().cpu().numpy()
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists, or an object whose __array__ raises
        raise ValueError(f"{name} must hold whole numbers (item indices or list lengths); "
                         f"converting {type(x).__name__} failed ({type(exc).__name__}).") \
            from None
    if arr.dtype.kind == "f" and arr.size and np.all(np.isfinite(arr)) \
            and np.all(arr == np.round(arr)):
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iu" or arr.dtype == bool:
        raise ValueError(f"{name} must hold whole numbers (item indices or list lengths); "
                         f"got dtype {arr.dtype}.")
    return arr.astype(np.int64, copy=False)


def _prepare_lists(scores, ranking, lengths):
    """Validate; return (xp, best-first scores, valid mask, lengths).

    Without ``lengths`` the mask and lengths are ``None`` (every item is real); with
    them, padded entries are zeroed so that nothing non-finite flows into the math.
    """
    xp, (s,) = as_arrays(scores, names=("scores",))
    if s.ndim == 0:
        raise ValueError("scores must have shape (..., N): one ranked list of N rewards per row; "
                         "got a single number.")
    n = s.shape[-1]
    if n < 2:
        raise ValueError(f"a ranked list needs at least 2 items (N(N−1) = 0 pairs otherwise); "
                         f"scores has N = {n} on its last axis.")
    if n > MAX_LIST_ITEMS:
        raise ValueError(f"scores has N = {n:,} items per list; at most {MAX_LIST_ITEMS:,} "
                         "(the ranked pairs grow as N(N−1)/2).")
    lens = None if lengths is None else _check_lengths(lengths, tuple(s.shape[:-1]), n)
    if ranking is not None:
        s = _gather_ranking(xp, s, ranking, lens)
    if lens is None:
        check_finite(s, "scores")
        return xp, s, None, None
    valid_np = np.arange(n) < lens[..., None]
    if is_torch(s):
        import torch

        valid = torch.as_tensor(valid_np, device=s.device)
        length = torch.as_tensor(lens, dtype=s.dtype, device=s.device)
    else:
        valid, length = valid_np, lens.astype(s.dtype)
    check_finite(s, "scores", where=valid)
    return xp, xp.where(valid, s, xp.zeros_like(s)), valid, length


def _check_lengths(lengths, batch, n):
    lens = _to_numpy_ints(lengths, "lengths")
    try:
        lens = np.broadcast_to(lens, batch).copy()
    except ValueError:
        raise ValueError(f"lengths has shape {lens.shape} but scores has {len(batch)} batch "
                         f"dims {batch}; give one length per list.") from None
    if (lens < 0).any() or (lens > n).any():
        raise ValueError(f"lengths must lie between 2 and N = {n} (the padded list size); "
                         f"got {lens.min()}..{lens.max()}.")
    if (lens < 2).any():
        raise ValueError(f"every list needs at least 2 items (N(N−1) = 0 otherwise); lengths "
                         f"contains {lens.min()}.")
    return lens


def _gather_ranking(xp, s, ranking, lens):
    """Reorder each row of ``s`` best first by an index ``ranking`` (checked)."""
    n = s.shape[-1]
    rank = _to_numpy_ints(ranking, "ranking")
    if rank.ndim == 0 or rank.shape[-1] != n:
        raise ValueError(f"ranking must list the N = {n} item indices best first (shape "
                         f"({n},) or {tuple(s.shape)}); got shape {rank.shape}.")
    if rank.ndim == 1 and lens is None:              # one ranking shared by every row
        _check_permutation_rows(rank, n, None)
        return s[..., index_on(s, rank)]
    try:
        if rank.shape != tuple(s.shape):
            rank = np.broadcast_to(rank, tuple(s.shape))
    except ValueError:
        raise ValueError(f"ranking has shape {rank.shape}, which does not match scores "
                         f"{tuple(s.shape)}; give one ranking for all rows or one per row."
                         ) from None
    _check_permutation_rows(rank, n, lens)
    if lens is not None:                             # padded tail: any in-range index will do
        rank = np.where(np.arange(n) < lens[..., None], rank, np.arange(n))
    if is_torch(s):
        import torch

        return gather_last(xp, s, torch.as_tensor(rank, device=s.device))
    return gather_last(xp, s, rank)


#: most items in one ranked list (N(N−1)/2 = ~12.5M pairs at the limit)
MAX_LIST_ITEMS = 5000
#: most ranked pairs in one call of listwise_loss (batch × N(N−1)/2; 160 MB of float64 each)
MAX_PAIRS = 20_000_000

_MATMUL_MAX_N = 32      # above this, a gather is cheaper than the (N × N(N−1)/2) product


def _ranked_gaps(s):
    """r_i − r_j for the N(N−1)/2 ranked pairs i < j of each best-first row: (..., N) → (..., P).

    Up to N = 32 on the CPU as one matrix product with the ±1 pair-difference matrix
    (exact, and much faster than two gathers); otherwise by gathering the two positions.
    torch on a GPU, or under autocast, always gathers: TF32 or bf16 matrix products
    would round the gaps.
    """
    n = s.shape[-1]
    if is_torch(s):
        import torch

        exact_matmul = s.device.type == "cpu" and not torch.is_autocast_enabled("cpu")
        if n <= _MATMUL_MAX_N and exact_matmul:
            return s @ _pair_difference_matrix_on(n, s.dtype, str(s.device))
        better, worse = _pair_positions_on(n, str(s.device))
    else:
        if n <= _MATMUL_MAX_N:
            return s @ _pair_difference_matrix(n, s.dtype.str)
        better, worse = ranked_pair_positions(n)
    return s[..., better] - s[..., worse]


@_quiet
def listwise_loss(scores, ranking=None, *, lengths=None, reduction="mean"):
    """Listwise loss accumulated from pairwise comparisons (Eq. 4.57).

        L_list = −E_{(x, Y) ∼ D} [ 1/(N(N−1)) Σ_{y_a, y_b ∈ Y, a ≠ b} log Pr(y_a ≻ y_b | x) ]

    Each of the N(N−1) ordered pairs is scored by the probability of its *true*
    order (Pr(y_a ≻ y_b) when y_a is ranked above y_b, Pr(y_b ≻ y_a) otherwise).
    Both orders of a pair then give the same term, so this equals the mean of
    −log Sigmoid(r_better − r_worse) over the N(N−1)/2 ranked pairs.  A model that
    gives every response the same reward scores ln 2 for every N.

    Read literally instead, with Pr(y_a ≻ y_b) for every ordered pair whatever the
    ranking, the sum is minimised by making all rewards equal: it cannot learn a
    ranking.  That reading is *not* what this function computes.

    Args:
        scores: shape (..., N), the rewards of one list per row.
        ranking: None when each row is already best first; otherwise item indices,
            best first, shape (N,) for every row or (..., N) per row.
        lengths: optional number of real items per row, for lists padded at the end
            (2 ≤ length ≤ N).  Padded entries are ignored, whatever they hold.
        reduction: ``"mean"`` over lists (the expectation), ``"sum"``, or ``"none"``
            for one loss per list, shape (...).

    >>> float(listwise_loss([0.0, 0.0, 0.0]))      # ln 2, whatever N
    0.6931471805599453
    >>> print(listwise_loss([0.5, -1.0, 2.0, 0.1], ranking=[2, 0, 3, 1]))  # A..D, "C > A > D > B"
    0.23185...
    """
    check_reduction(reduction)
    xp, s, valid, length = _prepare_lists(scores, ranking, lengths)
    n = s.shape[-1]
    lists = int(np.prod(tuple(s.shape[:-1]), dtype=np.int64))
    if lists * (n * (n - 1) // 2) > MAX_PAIRS:
        raise ValueError(f"scores of shape {tuple(s.shape)} imply {lists * (n * (n - 1) // 2):,} "
                         f"ranked pairs; at most {MAX_PAIRS:,} per call (split the batch).")
    if lists == 0 and reduction == "mean":
        raise ValueError("scores is empty: there is nothing to average. Give at least one "
                         "list (or use reduction='sum' or 'none').")
    nll = -log_sigmoid(xp, _ranked_gaps(s))         # −log Pr(true order), per ranked pair
    if lengths is None and reduction == "mean":
        # every list has the same N(N−1)/2 pairs: the mean of the per-list means is the mean
        return _scalarize(_finite_result(reduce(xp, nll, reduction), "a gap between the scores"))
    if lengths is None:
        per_list = xp.mean(nll, axis=-1)
    else:
        _, worse = ranked_pair_positions(s.shape[-1])
        in_list = valid[..., index_on(s, worse)]            # j < L implies i < L
        nll = xp.where(in_list, nll, xp.zeros_like(nll))
        per_list = xp.sum(nll, axis=-1) / (length * (length - 1) / 2)
    out = reduce(xp, per_list, reduction, name="scores")
    return _scalarize(_finite_result(out, "a gap between the scores"))


@_quiet
def plackett_luce_loss(scores, ranking=None, *, lengths=None, reduction="mean"):
    """Plackett–Luce negative log-likelihood of a ranking (Eqs. 4.58–4.61).

        Pr(Y | x) = Π_{k=1}^{N} exp(r(x, y_k)) / Σ_{j=k}^{N} exp(r(x, y_j))
        L_PL = −log Pr(Y | x) = Σ_k [ logsumexp_{j ≥ k} r(x, y_j) − r(x, y_k) ]

    The ranking is built by picking the best response with a softmax over all,
    then the next from those left, and so on.  For N = 2 it is exactly the
    pair-wise loss −log Sigmoid(r_1 − r_2).  Unlike Eq. 4.57 it is a sum over the
    N − 1 choices, not an average, so it grows with N.  Arguments as in
    :func:`listwise_loss`.

    >>> round(float(plackett_luce_loss([1.0, 0.0])), 6) == round(float(pairwise_loss(1.0, 0.0)), 6)
    True
    >>> round(float(plackett_luce_loss([0.0, 0.0, 0.0])), 6)    # log 3! : all orders equally likely
    1.791759
    """
    check_reduction(reduction)
    xp, s, valid, _ = _prepare_lists(scores, ranking, lengths)
    if _size(s) == 0 and reduction == "mean":
        raise ValueError("scores is empty: there is nothing to average. Give at least one "
                         "list (or use reduction='sum' or 'none').")
    # Shift invariance made exact: subtract each row's largest real score (a constant, so no
    # gradient flows through it).  Every exponent is then <= 0 and the result no longer
    # depends on how far the rewards sit from 0 (fp16 at 1e4 gives ln 2 for a tie, not 0).
    if _size(s):
        top = xp.max(s if valid is None else xp.where(valid, s, xp.min(s, axis=-1,
                                                                         keepdims=True)),
                     axis=-1, keepdims=True)
        s = s - (top.detach() if is_torch(top) else top)
    if lengths is not None:
        # Padding must not join any softmax pool: put it far below every real score, where
        # exp underflows to exactly 0 (finite, so gradients stay clean).
        floor = xp.min(s, axis=-1, keepdims=True) - 1e4
        s_pool = xp.where(valid, s, floor + xp.zeros_like(s))
    else:
        s_pool = s
    lse = reverse_logcumsumexp(xp, s_pool)      # lse[k] = log Σ_{j ≥ k} exp(s_j)
    terms = lse - s
    if lengths is not None:
        terms = xp.where(valid, terms, xp.zeros_like(terms))
    per_list = xp.sum(terms, axis=-1)
    out = reduce(xp, per_list, reduction, name="scores")
    return _scalarize(_finite_result(out, "a gap between the scores"))
