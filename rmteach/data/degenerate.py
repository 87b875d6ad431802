"""Degenerate pairs: a "chosen" and a "rejected" response that the model cannot tell apart.

If the two texts of a pair are the same, or become the same once the input is cut to
the model's ``max_len`` tokens, every reward model gives them the same reward.  Such a
pair costs exactly −log Sigmoid(0) = ln 2 and has **zero gradient**: it can never be
learned, and it drags the average loss towards ln 2.  This is a real bug: OpenRLHF
issue #1311 and rlhf-book issue #503 found about 7 % of UltraFeedback's pairs degenerate
at a length of 512 tokens.

:func:`count_degenerate` counts them; :func:`drop_degenerate` removes them and warns
with the count (the JSONL loader and :func:`rmteach.model.training.train` call it).  In a ranked
list, a response identical to a better-ranked one is removed (its pairs with that copy
are degenerate; its other comparisons are implied by the copy that stays).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence

from ..math._checks import validated
from .generate import PreferencePair, RankedList, as_ranked_list, tokenize

__all__ = ["DegeneratePairsWarning", "count_degenerate", "drop_degenerate", "example_pairs"]


class DegeneratePairsWarning(UserWarning):
    """Some preference pairs had identical (or identically truncated) responses."""


def _default_key(prompt: str, response: str):
    return tuple(tokenize(response))


def _clean_list(lst: RankedList, key) -> tuple[RankedList | None, int]:
    """The list without responses equal to a better-ranked one, and the degenerate pairs."""
    copies: dict = {}
    keep: list[int] = []
    for idx in lst.ranking:                     # best first
        k = key(lst.prompt, lst.responses[idx])
        copies[k] = copies.get(k, 0) + 1
        if copies[k] == 1:
            keep.append(idx)
    degenerate = sum(m * (m - 1) // 2 for m in copies.values())
    if not degenerate:
        return lst, 0
    if len(keep) < 2:
        return None, degenerate
    responses = tuple(lst.responses[i] for i in keep)
    return RankedList(lst.prompt, responses, tuple(range(len(keep))), lst.margin), degenerate


@validated(items="items", where="str")
def drop_degenerate(items: Iterable[PreferencePair | RankedList], *,
                    key: Callable[[str, str], object] | None = None, warn: bool = True,
                    where: str = "the data") -> tuple[list, int]:
    """Remove degenerate comparisons; return ``(clean items, number of degenerate pairs)``.

    ``key(prompt, response)`` says what the model sees of a response; two responses
    with equal keys are indistinguishable.  The default compares the words (so extra
    spaces or case do not matter); :func:`rmteach.model.training.train` passes the token ids
    after truncation to the model's ``max_len``.  A pair stays a ``PreferencePair``;
    a ranked list keeps its best-ranked copy of each response (re-indexed, best first)
    and is dropped if fewer than two responses are left.  With ``warn`` a
    :class:`DegeneratePairsWarning` gives the count.
    """
    if key is not None and not callable(key):
        raise ValueError(f"key must be a function key(prompt, response) or None; got "
                         f"{type(key).__name__}.")
    key = _default_key if key is None else key
    out: list = []
    count = 0
    total = 0
    for i, item in enumerate(items):
        if not isinstance(item, (PreferencePair, RankedList)):
            raise ValueError(f"items must hold PreferencePair or RankedList objects; items[{i}] "
                             f"is {type(item).__name__}.")
        if isinstance(item, PreferencePair):
            total += 1
            if key(item.prompt, item.chosen) == key(item.prompt, item.rejected):
                count += 1
                continue
            out.append(item)
            continue
        lst = as_ranked_list(item)
        total += lst.n * (lst.n - 1) // 2
        clean, bad = _clean_list(lst, key)
        count += bad
        if clean is not None:
            out.append(clean)
    if count and warn:
        warnings.warn(
            f"{where}: dropped {count} degenerate pair(s) of {total} ({count / total:.1%}): "
            "the chosen and rejected responses are identical (or identical after truncation "
            "to max_len), so they cost ln 2 and give no gradient.",
            DegeneratePairsWarning, stacklevel=2)
    return out, count


@validated(items="items")
def count_degenerate(items: Sequence[PreferencePair | RankedList], *,
                     key: Callable[[str, str], object] | None = None) -> int:
    """How many (chosen, rejected) pairs are degenerate (see :func:`drop_degenerate`)."""
    return drop_degenerate(items, key=key, warn=False)[1]


@validated(n_prompts="int[1,100000]", identical="real[0,1]", truncated="real[0,1]",
           max_len="int[1,4096]", seed="seed")
def example_pairs(n_prompts: int = 200, *, identical: float = 0.1, truncated: float = 0.3,
                  max_len: int = 16, seed: int = 0) -> list[PreferencePair]:
    """Built-in pairs (noiseless labels) with degenerate ones mixed in, for a lesson.

    A share ``identical`` of the pairs gets ``rejected = chosen`` (a copy bug in a
    labelling tool); a share ``truncated`` gets a long shared opening (the chosen
    response repeated until the input fills ``max_len`` tokens) before both answers,
    so the two differ only in words the model never reads.
    """
    from .generate import make_pair_data

    for name, share in (("identical", identical), ("truncated", truncated)):
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"{name} must be a share between 0 and 1; got {share}.")
    if identical + truncated > 1.0:
        raise ValueError(f"identical + truncated must be at most 1; got "
                         f"{identical + truncated}.")
    data = make_pair_data(n_prompts, seed=seed, heldout_fraction=0.0)
    pairs = data.pairs("train")
    n_same, n_cut = round(identical * len(pairs)), round(truncated * len(pairs))
    out = []
    for k, p in enumerate(pairs):
        if k < n_same:
            p = PreferencePair(p.prompt, p.chosen, p.chosen)
        elif k < n_same + n_cut:
            words = tokenize(p.chosen)
            opening = " ".join((words * max_len)[:max_len])
            p = PreferencePair(p.prompt, f"{opening} {p.chosen}", f"{opening} {p.rejected}")
        out.append(p)
    return out
