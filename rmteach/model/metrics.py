"""Scoring a model and the per-pair measures under :mod:`rmteach.model.evaluate`: the tie
conventions (:data:`TIES`, :func:`accuracy_with_ties`, :func:`best_of_list_accuracy`),
Kendall τ, scoring lists of responses (:func:`score_lists`, :func:`score_encoded`) and
calibration from rewards (:class:`Calibration`, :func:`calibration_from_scores`).
Re-exported by :mod:`rmteach.model.evaluate`."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..data.generate import RankedList, as_ranked_list
from ..math._arrays import _check_numpy_input
from ..math._checks import check_int, validated

__all__ = ["TIES", "Calibration", "accuracy_with_ties", "best_of_list_accuracy",
           "calibration_from_scores", "kendall_tau", "score_lists"]


#: the tie conventions of ``ties=`` (see the module docstring)
TIES = ("exclude", "wrong", "split")


def _check_ties(ties):
    if ties not in TIES:
        raise ValueError(f"ties must be 'exclude' (ties left out), 'wrong' (a tie counts as an "
                         f"error, as TRL does) or 'split' (half a point, RewardBench 2); "
                         f"got {ties!r}.")


@validated(correct="int", wrong="int", ties="int")
def accuracy_with_ties(correct: int, wrong: int, ties: int, convention: str = "exclude") -> float:
    """Pairwise accuracy from the counts under a tie convention (NaN when nothing is counted).

    >>> [accuracy_with_ties(6, 2, 2, c) for c in TIES]
    [0.75, 0.6, 0.7]
    """
    _check_ties(convention)
    if convention == "exclude":
        total, points = correct + wrong, correct
    elif convention == "wrong":
        total, points = correct + wrong + ties, correct
    else:
        total, points = correct + wrong + ties, correct + 0.5 * ties
    return points / total if total else float("nan")


@validated(lists="items", scores="items", tie_tol="real")
def best_of_list_accuracy(lists: Sequence[RankedList], scores: Sequence[np.ndarray], *,
                          ties: str = "split", tie_tol: float = 1e-6) -> float:
    """Share of lists whose labelled best response gets the top reward (RewardBench 2 style).

    When the best response ties k − 1 others at the top: ``"split"`` gives 1/k,
    ``"wrong"`` gives 0, ``"exclude"`` leaves that list out.
    """
    _check_ties(ties)
    points = counted = 0.0
    for lst, s in zip([as_ranked_list(x) for x in lists], scores, strict=True):
        s = np.asarray(s, dtype=float)
        best = s[lst.ranking[0]]
        top = s.max()
        if best < top - tie_tol:
            counted += 1
            continue
        k = int(np.sum(s >= best - tie_tol))
        if k == 1:
            points, counted = points + 1, counted + 1
        elif ties == "split":
            points, counted = points + 1 / k, counted + 1
        elif ties == "wrong":
            counted += 1
    return points / counted if counted else float("nan")


@functools.lru_cache(maxsize=64)
def _pairs(n: int):
    """Positions (i, j), i < j, of the n(n−1)/2 pairs of a list of n (cached, read-only)."""
    i, j = np.triu_indices(n, k=1)
    i.setflags(write=False)
    j.setflags(write=False)
    return i, j


class NonFiniteRewardsError(ValueError):
    """The model gave NaN or infinite rewards (training has diverged)."""


#: most items kendall_tau compares (its pairs take ~ 32 bytes each)
MAX_TAU_ITEMS = 3000


def kendall_tau(x: Sequence[float], y: Sequence[float]) -> float:
    """Kendall's τ-b rank correlation between two score lists (ties handled).

        τ_b = (C − D) / sqrt((P − T_x)(P − T_y))

    with C concordant and D discordant pairs, P = n(n−1)/2 pairs, and T_x, T_y the
    pairs tied in x or y.  +1: same order, −1: reversed.  NaN when either list is
    constant (no order to compare).

    >>> kendall_tau([1, 2, 3, 4], [10, 20, 30, 40])
    1.0
    >>> kendall_tau([1, 2, 3], [3, 2, 1])
    -1.0
    """
    a = np.asarray(_check_numpy_input(x, "x"), dtype=float)
    b = np.asarray(_check_numpy_input(y, "y"), dtype=float)
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"kendall_tau needs two 1-D sequences of equal length; got shapes "
                         f"{a.shape} and {b.shape}.")
    if a.size < 2:
        raise ValueError(f"kendall_tau needs at least 2 items; got {a.size}.")
    if a.size > MAX_TAU_ITEMS:
        raise ValueError(f"kendall_tau compares all n(n−1)/2 pairs; at most {MAX_TAU_ITEMS:,} "
                         f"items, got {a.size:,}.")
    for name, v in (("x", a), ("y", b)):
        if not np.all(np.isfinite(v)):
            raise ValueError(f"{name} contains {int(np.sum(~np.isfinite(v)))} NaN or infinite "
                             "value(s); Kendall's tau needs finite scores to order.")
    i, j = _pairs(a.size)
    sa = np.sign(a[i] - a[j])
    sb = np.sign(b[i] - b[j])
    pairs = i.size
    tied_a = int(np.sum(sa == 0))
    tied_b = int(np.sum(sb == 0))
    denom = math.sqrt((pairs - tied_a) * (pairs - tied_b))
    if denom == 0:
        return float("nan")
    return float(np.sum(sa * sb) / denom)


def score_lists(model, lists: Sequence[RankedList], *, batch_size: int = 512) -> list[np.ndarray]:
    """The model's reward for every response, one array per list (response order)."""
    _check_model(model)
    batch_size = check_int(batch_size, "batch_size", lo=1)
    lists = [as_ranked_list(x) for x in _items(lists, "lists")]
    prompts = [x.prompt for x in lists for _ in x.responses]
    responses = [y for x in lists for y in x.responses]
    ids, lengths = model.encode(prompts, responses)
    flat = score_encoded(model, ids, lengths, batch_size=batch_size)
    out, k = [], 0
    for x in lists:
        out.append(flat[k:k + x.n])
        k += x.n
    return out


def _check_model(model, name: str = "model") -> None:
    if not (callable(getattr(model, "encode", None)) and hasattr(model, "device")
            and hasattr(model, "training")):
        raise ValueError(f"{name} must be a TinyRewardModel (or a model with encode() and "
                         f"forward()); got {type(model).__name__}.")


def _items(items, name: str) -> list:
    if items is None or isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
        raise ValueError(f"{name} must be a list of pairs or ranked lists; got "
                         f"{type(items).__name__}.")
    return list(items)


def check_encoded(model, ids, lengths, *, needs: tuple = ("encode", "eval", "train")) -> None:
    """A ``ValueError`` naming the argument unless ``model`` is a reward model (it has
    ``needs``, as a TinyRewardModel or a wrapper such as ScaledRewardModel does) and
    ``ids``, ``lengths`` are what its ``encode`` returns: a 2-D integer tensor of token ids
    (below the vocabulary size, when the model has a token embedding), and one length in
    1 .. ids.shape[1] per row."""
    import torch

    if not callable(model) or not all(hasattr(model, n) for n in needs):
        raise ValueError(f"model must be a TinyRewardModel; got {type(model).__name__}.")
    ok = (isinstance(ids, torch.Tensor) and ids.dim() == 2 and ids.shape[1] > 0
          and not ids.is_floating_point() and not ids.is_complex() and ids.dtype != torch.bool)
    if not ok:
        shape = f" of shape {tuple(ids.shape)}" if hasattr(ids, "shape") else ""
        raise ValueError("ids must be a 2-D integer torch tensor of token ids (what "
                         f"model.encode(prompts, responses) returns); got "
                         f"{type(ids).__name__}{shape}.")
    embedding = getattr(model, "token_embedding", None)
    vocab = embedding.num_embeddings if isinstance(embedding, torch.nn.Embedding) else 2**62
    if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= vocab):
        raise ValueError(f"ids must be token ids in 0 .. {vocab - 1}; got "
                         f"{int(ids.min())} .. {int(ids.max())}.")
    ok = (isinstance(lengths, torch.Tensor) and lengths.dim() == 1
          and not lengths.is_floating_point() and not lengths.is_complex()
          and lengths.dtype != torch.bool and lengths.shape[0] == ids.shape[0])
    if not ok:
        raise ValueError(f"lengths must be a 1-D integer torch tensor with one length per row "
                         f"of ids ({ids.shape[0]}); got {type(lengths).__name__}.")
    if lengths.numel() and (int(lengths.min()) < 1 or int(lengths.max()) > ids.shape[1]):
        raise ValueError(f"lengths must lie in 1 .. {ids.shape[1]} (the width of ids); got "
                         f"{int(lengths.min())} .. {int(lengths.max())}.")


def score_encoded(model, ids, lengths, *, batch_size: int = 512) -> np.ndarray:
    """Rewards (float64 NumPy) for pre-tokenised rows, in eval mode and without gradients."""
    import torch

    check_encoded(model, ids, lengths)
    batch_size = check_int(batch_size, "batch_size", lo=1)

    was_training = model.training
    model.eval()
    out = []
    try:
        with torch.no_grad():
            for start in range(0, ids.shape[0], batch_size):
                length = lengths[start:start + batch_size]
                t = int(length.max())
                rows = ids[start:start + batch_size, :t].to(model.device)
                out.append(model(rows, length.to(model.device)).double().cpu().numpy())
    finally:
        model.train(was_training)
    return np.concatenate(out) if out else np.zeros(0)


# ---------------------------------------------------------------------------
# Calibration
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Calibration:
    """How far Sigmoid(Δ / T) is from the observed agreement on labelled pairs.

    ``ece``: expected calibration error over ``n_bins`` equal bins of the probability given
    to the preferred response (in [0.5, 1]); ``log_loss``: mean −log Sigmoid(Δ / T) of the
    labelled order; ``mean_q``, ``observed``, ``count``: the reliability table.
    """

    pairs: int
    temperature: float
    ece: float
    log_loss: float
    accuracy: float
    mean_q: tuple
    observed: tuple
    count: tuple


@validated(lists="items", scores="items")
def calibration_from_scores(lists: Sequence[RankedList], scores: Sequence[np.ndarray], *,
                            temperature: float = 1.0, n_bins: int = 10) -> Calibration:
    """:class:`Calibration` of per-list rewards over every labelled (better, worse) pair."""
    from ..math.calibration import (
        apply_temperature,
        expected_calibration_error,
        fold_pairs,
        log_loss,
        reliability_table,
    )

    lists = [as_ranked_list(x) for x in lists]
    if len(lists) != len(scores) or not lists:
        raise ValueError(f"need one score array per list and at least one list; got "
                         f"{len(lists)} lists and {len(scores)} score arrays.")
    gaps = []
    for lst, s in zip(lists, scores):
        ordered = np.asarray(s, dtype=float)[list(lst.ranking)]
        i, j = _pairs(lst.n)
        gaps.append(ordered[i] - ordered[j])
    gap = np.concatenate(gaps)
    q, won = fold_pairs(apply_temperature(gap, temperature))
    mean_q, observed, count = reliability_table(q, won, n_bins=n_bins)
    return Calibration(pairs=int(gap.size), temperature=float(temperature),
                       ece=expected_calibration_error(q, won, n_bins=n_bins),
                       log_loss=log_loss(gap, temperature),
                       accuracy=float(np.mean(gap > 0)),
                       mean_q=tuple(mean_q.tolist()), observed=tuple(observed.tolist()),
                       count=tuple(count.tolist()))
