"""How good is a reward model?  Accuracy, held-out loss, and agreement with the truth.

* **Pairwise accuracy**: of all (better, worse) pairs implied by the held-out
  rankings, the share the model orders the same way.  A pair whose two rewards
  are equal (within ``tie_tol``) is a *tie*: it is reported separately, and the
  accuracy is correct / (correct + wrong) over the decided pairs.
* **Held-out listwise loss** (Eq. 4.57) and the pair-averaged log-loss
  −log Sigmoid(r_better − r_worse) (Eq. 4.37), computed with :mod:`rmteach.math.losses`.
* **Kendall τ** between the model's rewards and the true reward r* of the
  synthetic language, within each prompt's list, averaged over lists.
* :func:`compare_models` puts two models side by side in one call.
* :func:`calibration_from_scores` / :func:`evaluate_calibration`: is Sigmoid(Δ) a
  probability you can trust?  ECE, log-loss and the reliability table on labelled pairs
  (see :mod:`rmteach.math.calibration`), optionally after a temperature T.

**Ties** (``ties=``): a pair whose two rewards are equal has no order, and the
libraries count it differently:

* ``"exclude"`` (the default here): correct / (correct + wrong), ties left out;
* ``"wrong"``: correct / all pairs, a tie counts as an error (TRL, OpenRLHF,
  DeepSpeed-Chat, RewardBench v1 compare with a strict ``>``);
* ``"split"``: a tie earns half a point, 1/k with k = 2 tied responses (RewardBench 2's
  rule; :func:`best_of_list_accuracy` applies it to a list's top).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from ..data.generate import PreferenceData, RankedList, as_ranked_list, true_reward
from ..math._arrays import _check_numpy_input
from ..math._checks import check_real
from ..math.losses import listwise_loss, pairwise_loss
from .metrics import (
    TIES,
    Calibration,
    NonFiniteRewardsError,
    _check_model,
    _check_ties,
    _items,
    _pairs,
    accuracy_with_ties,
    best_of_list_accuracy,
    calibration_from_scores,
    kendall_tau,
    score_lists,
)
from .metrics import (
    score_encoded as score_encoded,  # re-exported: train.py and tools import it from here
)

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
