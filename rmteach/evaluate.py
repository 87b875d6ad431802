"""How good is a reward model?  Accuracy, held-out loss, and agreement with the truth.

* **Pairwise accuracy**: of all (better, worse) pairs implied by the held-out
  rankings, the share the model orders the same way.  A pair whose two rewards
  are equal (within ``tie_tol``) is a *tie*: it is reported separately, and the
  accuracy is correct / (correct + wrong) over the decided pairs.
* **Held-out listwise loss** (Eq. 4.57) and the pair-averaged log-loss
  −log Sigmoid(r_better − r_worse) (Eq. 4.37), computed with :mod:`rmteach.losses`.
* **Kendall τ** between the model's rewards and the true reward r* of the
  synthetic language, within each prompt's list, averaged over lists.
* :func:`compare_models` puts two models side by side in one call.
* :func:`calibration_from_scores` / :func:`evaluate_calibration`: is Sigmoid(Δ) a
  probability you can trust?  ECE, log-loss and the reliability table on labelled pairs
  (see :mod:`rmteach.calibration`), optionally after a temperature T.

**Ties** (``ties=``): a pair whose two rewards are equal has no order, and the
libraries count it differently:

* ``"exclude"`` (the default here): correct / (correct + wrong), ties left out;
* ``"wrong"``: correct / all pairs, a tie counts as an error (TRL, OpenRLHF,
  DeepSpeed-Chat, RewardBench v1 compare with a strict ``>``);
* ``"split"``: a tie earns half a point, 1/k with k = 2 tied responses (RewardBench 2's
  rule; :func:`best_of_list_accuracy` applies it to a list's top).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from ._arrays import _check_numpy_input
from ._checks import check_int, check_real, validated
from .data import PreferenceData, RankedList, as_ranked_list, true_reward
from .losses import listwise_loss, pairwise_loss

__all__ = [
    "TIES",
    "Calibration",
    "Comparison",
    "Evaluation",
    "accuracy_with_ties",
    "best_of_list_accuracy",
    "calibration_from_scores",
    "compare_models",
    "evaluate",
    "evaluate_calibration",
    "kendall_tau",
    "metrics_from_scores",
    "score_lists",
]


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


def score_encoded(model, ids, lengths, *, batch_size: int = 512) -> np.ndarray:
    """Rewards (float64 NumPy) for pre-tokenised rows, in eval mode and without gradients."""
    import torch

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


@dataclass(frozen=True)
class Evaluation:
    """Metrics of one model on one set of ranked lists.

    ``accuracy`` = correct / (correct + wrong); ``ties`` are pairs with equal rewards,
    counted neither right nor wrong (``tie_fraction`` of all pairs).  ``listwise_loss``
    is Eq. 4.57 averaged over lists; ``log_loss`` the pairwise loss (Eq. 4.37) averaged
    over all pairs; ``kendall_tau`` the mean within-list τ against the true reward
    (``against="truth"``) or against the given rankings (``against="labels"``).
    ``reward_spread`` is the mean within-list standard deviation of the rewards: near 0
    means the model gives every response the same score (collapsed).
    """

    pairs: int
    correct: int
    wrong: int
    ties: int
    accuracy: float
    tie_fraction: float
    listwise_loss: float
    log_loss: float
    kendall_tau: float
    reward_spread: float

    def as_dict(self) -> dict:
        return asdict(self)

    def accuracy_with(self, ties: str) -> float:
        """The accuracy under another tie convention (``"exclude"``, ``"wrong"``, ``"split"``)."""
        return accuracy_with_ties(self.correct, self.wrong, self.ties, ties)


def metrics_from_scores(lists: Sequence[RankedList], scores: Sequence[np.ndarray], *,
                        tie_tol: float = 1e-6, against: str = "truth",
                        ties: str = "exclude") -> Evaluation:
    """:class:`Evaluation` from per-list rewards (as :func:`score_lists` returns them).

    ``accuracy`` follows the tie convention ``ties`` (see the module docstring).
    """
    _check_ties(ties)
    if against not in ("truth", "labels", None):
        raise ValueError(f"against must be 'truth', 'labels' or None; got {against!r}.")
    tie_tol = check_real(tie_tol, "tie_tol", lo=0.0)
    lists = [as_ranked_list(x) for x in _items(lists, "lists")]
    scores = _items(scores, "scores")
    if len(lists) != len(scores):
        raise ValueError(f"got {len(lists)} lists but {len(scores)} score arrays.")
    if not lists:
        raise ValueError("nothing to evaluate: the list of ranked lists is empty.")
    ties_convention, ties = ties, 0
    correct = wrong = 0
    better, worse, taus, spreads = [], [], [], []
    n_max = max(x.n for x in lists)
    padded = np.zeros((len(lists), n_max))
    lengths = np.zeros(len(lists), dtype=np.int64)
    for k, (lst, s) in enumerate(zip(lists, scores)):
        s = np.asarray(_check_numpy_input(s, f"scores[{k}]"), dtype=float)
        if s.shape != (lst.n,):
            raise ValueError(f"scores[{k}] has shape {s.shape} but list {k} has {lst.n} "
                             f"responses; give one score per response, in response order.")
        if not np.all(np.isfinite(s)):
            raise NonFiniteRewardsError(
                f"the model gave NaN or infinite rewards (list {k}, prompt {lst.prompt!r}): "
                "training has diverged; lower the learning rate.")
        ordered = s[list(lst.ranking)]                     # best first
        i, j = _pairs(lst.n)
        gap = ordered[i] - ordered[j]
        correct += int(np.sum(gap > tie_tol))
        wrong += int(np.sum(gap < -tie_tol))
        ties += int(np.sum(np.abs(gap) <= tie_tol))
        better.append(ordered[i])
        worse.append(ordered[j])
        padded[k, : lst.n] = ordered
        lengths[k] = lst.n
        spreads.append(float(np.std(s)))
        if against == "truth":
            target = [true_reward(lst.prompt, y) for y in lst.responses]
            taus.append(kendall_tau(s, target))
        elif against == "labels":
            target = np.empty(lst.n)
            target[list(lst.ranking)] = -np.arange(lst.n)   # best = highest
            taus.append(kendall_tau(s, target))
    pairs = correct + wrong + ties
    finite_taus = [t for t in taus if not math.isnan(t)]
    return Evaluation(
        pairs=pairs,
        correct=correct,
        wrong=wrong,
        ties=ties,
        accuracy=accuracy_with_ties(correct, wrong, ties, ties_convention),
        tie_fraction=ties / pairs,
        listwise_loss=float(listwise_loss(padded, lengths=lengths)),
        log_loss=float(pairwise_loss(np.concatenate(better), np.concatenate(worse))),
        kendall_tau=float(np.mean(finite_taus)) if finite_taus else float("nan"),
        reward_spread=float(np.mean(spreads)),
    )


def _lists_of(data, split):
    if isinstance(data, PreferenceData):
        return list(data.heldout if split == "heldout" else data.train)
    return [as_ranked_list(x) for x in _items(data, "data")]


def evaluate(model, data, *, split: str = "heldout", tie_tol: float = 1e-6,
             against: str | None = None, ties: str = "exclude") -> Evaluation:
    """Evaluate ``model`` on a :class:`~rmteach.data.PreferenceData` split or a list of items.

    ``against`` picks what Kendall τ compares with: ``"truth"`` (the synthetic true
    reward; the default for built-in data) or ``"labels"`` (the given rankings; the
    default for your own data).  ``ties`` picks the tie convention of ``accuracy``:
    ``"exclude"`` (default), ``"wrong"`` (TRL) or ``"split"`` (RewardBench 2).
    """
    _check_ties(ties)
    if split not in ("train", "heldout"):
        raise ValueError(f"split must be 'train' or 'heldout'; got {split!r}.")
    _check_model(model)
    lists = _lists_of(data, split)
    if not lists:
        raise ValueError(f"the {split} split is empty: nothing to evaluate.")
    if against is None:
        synthetic = isinstance(data, PreferenceData) and data.synthetic
        against = "truth" if synthetic else "labels"
    return metrics_from_scores(lists, score_lists(model, lists), tie_tol=tie_tol,
                               against=against, ties=ties)


@dataclass(frozen=True)
class Comparison:
    """Two models on the same data: their evaluations and how often they agree."""

    names: tuple[str, str]
    a: Evaluation
    b: Evaluation
    agreement: float          # share of pairs both models order the same way

    def better(self, metric: str = "accuracy") -> str:
        """The name of the better model on ``metric`` (higher accuracy / τ, lower loss)."""
        va, vb = getattr(self.a, metric), getattr(self.b, metric)
        lower_is_better = metric in ("listwise_loss", "log_loss", "tie_fraction")
        if va == vb:
            return "tie"
        a_wins = va < vb if lower_is_better else va > vb
        return self.names[0] if a_wins else self.names[1]

    def table(self) -> str:
        """A plain-text side-by-side table."""
        rows = [("pairwise accuracy", "accuracy", "{:.4f}"), ("ties", "ties", "{:d}"),
                ("listwise loss (4.57)", "listwise_loss", "{:.4f}"),
                ("log-loss per pair", "log_loss", "{:.4f}"),
                ("Kendall tau", "kendall_tau", "{:.4f}")]
        a, b = self.names
        lines = [f"{'':22s}{a:>12s}{b:>12s}"]
        for label, key, fmt in rows:
            lines.append(f"{label:22s}{fmt.format(getattr(self.a, key)):>12s}"
                         f"{fmt.format(getattr(self.b, key)):>12s}")
        lines.append(f"the two models order {self.agreement:.1%} of the pairs the same way")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def compare_models(model_a, model_b, data, *, names: tuple[str, str] = ("A", "B"),
                   split: str = "heldout", against: str | None = None) -> Comparison:
    """Evaluate two models on the same data in one call.

    >>> # cmp = compare_models(listwise.model, pairwise.model, data, names=("list", "pair"))
    >>> # print(cmp.table())
    """
    if isinstance(names, str) or not hasattr(names, "__len__") or len(names) != 2 \
            or not all(isinstance(x, str) for x in names):
        raise ValueError(f"names must be two strings, like ('A', 'B'); got {names!r:.60}.")
    if split not in ("train", "heldout"):
        raise ValueError(f"split must be 'train' or 'heldout'; got {split!r}.")
    _check_model(model_a, "model_a")
    _check_model(model_b, "model_b")
    lists = _lists_of(data, split)
    if not lists:
        raise ValueError(f"the {split} split is empty: nothing to compare on.")
    if against is None:
        against = "truth" if isinstance(data, PreferenceData) and data.synthetic else "labels"
    sa, sb = score_lists(model_a, lists), score_lists(model_b, lists)
    agree = total = 0
    for lst, xa, xb in zip(lists, sa, sb):
        i, j = np.triu_indices(lst.n, k=1)
        oa, ob = xa[list(lst.ranking)], xb[list(lst.ranking)]
        agree += int(np.sum(np.sign(oa[i] - oa[j]) == np.sign(ob[i] - ob[j])))
        total += i.size
    return Comparison(tuple(names),
                      metrics_from_scores(lists, sa, against=against),
                      metrics_from_scores(lists, sb, against=against),
                      agree / total)


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
    from .calibration import (
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


def evaluate_calibration(model, data, *, split: str = "heldout", temperature: float = 1.0,
                         n_bins: int = 10) -> Calibration:
    """:class:`Calibration` of ``model`` on a split of ``data`` (fit T on another split!)."""
    if split not in ("train", "heldout"):
        raise ValueError(f"split must be 'train' or 'heldout'; got {split!r}.")
    lists = _lists_of(data, split)
    if not lists:
        raise ValueError(f"the {split} split is empty: nothing to evaluate.")
    return calibration_from_scores(lists, score_lists(model, lists), temperature=temperature,
                                   n_bins=n_bins)
