"""Preference items and their split: :class:`PreferencePair`, :class:`RankedList`,
:class:`PreferenceData` and :func:`split_by_prompt` (split by prompt, so no held-out
prompt is ever seen in training).  Re-exported by :mod:`rmteach.data.generate`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from ..math._checks import check_real, check_seed

__all__ = ["PreferenceData", "PreferencePair", "RankedList", "as_ranked_list", "split_by_prompt"]


# ---------------------------------------------------------------------------
# Preference items
# ---------------------------------------------------------------------------


def _margin_repr(obj) -> str:
    return "" if obj.margin is None else f", margin={obj.margin!r}"


@dataclass(frozen=True)
class PreferencePair:
    """One comparison in TRL's layout: ``chosen`` was preferred to ``rejected``.

    ``margin`` (optional): by how much ``chosen`` should win, TRL's ``margin`` column;
    the pairwise margin loss −log Sigmoid(r_a − r_b − m) uses it per pair.
    """

    prompt: str
    chosen: str
    rejected: str
    margin: float | None = None

    def __repr__(self) -> str:
        return (f"PreferencePair(prompt={self.prompt!r}, chosen={self.chosen!r}, "
                f"rejected={self.rejected!r}{_margin_repr(self)})")

    def __post_init__(self):
        for name in ("prompt", "chosen", "rejected"):
            value = getattr(self, name)
            if not isinstance(value, str):
                raise ValueError(f"{name} must be a string; got {type(value).__name__}.")


@dataclass(frozen=True)
class RankedList:
    """One prompt with N ≥ 2 responses and a human ranking of them.

    ``responses`` are in the order shown to the annotator; ``ranking`` lists their
    indices best first (``ranking[0]`` is the favourite), as in the JSONL layout
    ``{"prompt", "responses": [...], "ranking": [...]}``.  ``margin`` (optional) is the
    margin m of every pair the list implies; it is set when a pair with TRL's
    ``margin`` column becomes a list of two.
    """

    prompt: str
    responses: tuple[str, ...]
    ranking: tuple[int, ...]
    margin: float | None = None      # a pair's margin, kept when the pair becomes a list of 2

    def __repr__(self) -> str:
        return (f"RankedList(prompt={self.prompt!r}, responses={self.responses!r}, "
                f"ranking={self.ranking!r}{_margin_repr(self)})")

    def __post_init__(self):
        if not isinstance(self.prompt, str):
            raise ValueError(f"prompt must be a string; got {type(self.prompt).__name__}.")
        if isinstance(self.responses, (str, bytes)) or not hasattr(self.responses, "__len__"):
            raise ValueError("responses must be a sequence of strings; got "
                             f"{type(self.responses).__name__}.")
        for k, y in enumerate(self.responses):
            if not isinstance(y, str):
                raise ValueError(f"responses[{k}] must be a string; got {type(y).__name__}.")
        n = len(self.responses)
        if n < 2:
            raise ValueError(f"a ranked list needs at least 2 responses; got {n}.")
        if isinstance(self.ranking, (str, bytes, set, frozenset)) \
                or not hasattr(self.ranking, "__len__"):
            raise ValueError("ranking must be a sequence of response indices, best first; got "
                             f"{type(self.ranking).__name__}.")
        for k, i in enumerate(self.ranking):
            if isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, np.integer)):
                raise ValueError(f"ranking[{k}] must be a whole-number index into responses; "
                                 f"got {type(i).__name__} {i!r}.")
        object.__setattr__(self, "ranking", tuple(int(i) for i in self.ranking))
        if sorted(self.ranking) != list(range(n)):
            raise ValueError(f"ranking {list(self.ranking)} is not a permutation of 0..{n - 1} "
                             "(the response indices, best first).")

    @property
    def n(self) -> int:
        return len(self.responses)

    def best_first(self) -> list[str]:
        """The responses sorted best first."""
        return [self.responses[i] for i in self.ranking]

    def pairs(self) -> list[PreferencePair]:
        """The N(N−1)/2 (chosen, rejected) pairs this ranking implies."""
        ordered = self.best_first()
        return [PreferencePair(self.prompt, ordered[i], ordered[j], self.margin)
                for i in range(self.n) for j in range(i + 1, self.n)]


def as_ranked_list(item: PreferencePair | RankedList) -> RankedList:
    """A pair becomes a list of 2 (chosen first); a ranked list is returned as is."""
    if isinstance(item, RankedList):
        return item
    if isinstance(item, PreferencePair):
        return RankedList(item.prompt, (item.chosen, item.rejected), (0, 1), item.margin)
    raise ValueError(f"expected a PreferencePair or RankedList; got {type(item).__name__}.")


def split_by_prompt(items: Iterable[PreferencePair | RankedList], *,
                    heldout_fraction: float = 0.2, seed: int = 0):
    """Split items into (train, heldout) lists **by prompt**: a prompt lands on one side only.

    ``round(heldout_fraction × number of distinct prompts)`` prompts (at least one when
    the fraction is > 0 and there are two or more prompts) go to held-out.
    """
    if isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
        raise ValueError(f"items must be a list of pairs or ranked lists; got "
                         f"{type(items).__name__}.")
    items = list(items)
    heldout_fraction = check_real(heldout_fraction, "heldout_fraction", lo=0.0)
    if not heldout_fraction < 1.0:
        raise ValueError(f"heldout_fraction must be in [0, 1); got {heldout_fraction}.")
    seed = check_seed(seed)
    for k, it in enumerate(items):
        if not isinstance(it, (PreferencePair, RankedList)):
            raise ValueError(f"items[{k}] must be a PreferencePair or RankedList; got "
                             f"{type(it).__name__}.")
    prompts = list(dict.fromkeys(it.prompt for it in items))
    n_held = round(float(heldout_fraction) * len(prompts))
    if heldout_fraction > 0 and n_held == 0 and len(prompts) >= 2:
        n_held = 1
    n_held = min(n_held, len(prompts) - 1) if prompts else 0
    rng = np.random.default_rng([seed, 4])
    held = {prompts[i] for i in rng.permutation(len(prompts))[:n_held]}
    train = [it for it in items if it.prompt not in held]
    heldout = [it for it in items if it.prompt in held]
    return train, heldout


# ---------------------------------------------------------------------------
# Ready-made datasets
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PreferenceData:
    """A train / held-out split of ranked lists (a pair is a list of N = 2).

    Attributes:
        train, heldout: the ranked lists; no prompt appears in both.
        beta: the annotators' rationality (``None`` for data read from a file).
        seed: the seed it was made with.
        synthetic: True when the true reward :func:`true_reward` applies.
    """

    train: tuple[RankedList, ...]
    heldout: tuple[RankedList, ...]
    beta: float | None = None
    seed: int | None = None
    synthetic: bool = False
    info: dict = field(default_factory=dict, compare=False)

    @classmethod
    def from_items(cls, items: Iterable[PreferencePair | RankedList], *,
                   heldout_fraction: float = 0.2, seed: int = 0,
                   synthetic: bool = False) -> PreferenceData:
        """Wrap your own pairs or lists (e.g. from a JSONL file), split by prompt."""
        lists = [as_ranked_list(it) for it in items]
        if not lists:
            raise ValueError("no preference items given: the data set is empty.")
        train, heldout = split_by_prompt(lists, heldout_fraction=heldout_fraction, seed=seed)
        return cls(tuple(train), tuple(heldout), None, seed, synthetic)

    def pairs(self, split: str = "train") -> list[PreferencePair]:
        """All (chosen, rejected) pairs of ``split`` ("train" or "heldout"), list by list."""
        return [p for lst in self._split(split) for p in lst.pairs()]

    def _split(self, split):
        if split not in ("train", "heldout"):
            raise ValueError(f"split must be 'train' or 'heldout'; got {split!r}.")
        return self.train if split == "train" else self.heldout

    def summary(self) -> str:
        """One line: prompts, responses and pairs on each side."""
        def side(lists):
            return (f"{len(lists)} prompts, {sum(x.n for x in lists)} responses, "
                    f"{sum(x.n * (x.n - 1) // 2 for x in lists)} pairs")
        beta = "" if self.beta is None else f", beta={self.beta}"
        return f"train: {side(self.train)}; held-out: {side(self.heldout)}{beta}"
