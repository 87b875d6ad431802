"""Rankings: parsing "C > A > D > B", decomposing a ranked list into pairs, and
checking index permutations.

A ranked list Y = y_1 ≻ y_2 ≻ … ≻ y_N (best first) implies N(N−1)/2 preference
pairs (y_i ≻ y_j for every i < j).  These are the pairs that Eq. 4.57's
listwise loss accumulates.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Hashable, Sequence

import numpy as np

_SEPARATORS = re.compile(r"\s*(?:>|≻|＞)\s*")
#: characters people type between labels that do not say which side is better
_NOT_SEPARATORS = {",": "commas", ";": "semicolons", "|": "bars", "/": "slashes",
                   "→": "arrows", "->": "arrows", "»": "'»'", "≥": "'≥'"}
#: most labels in one ranking (a string ranking is cut off long before this)
MAX_RANKING_ITEMS = 100_000
#: most labels ranking_to_pairs() decomposes (N(N−1)/2 ≈ 2M pairs at the limit)
MAX_PAIRS_ITEMS = 2000
_EXAMPLE = "like 'C > A > D > B'"


def _parse_text(ranking: str) -> list[str]:
    text = ranking.strip()
    if not text:
        raise ValueError(f"the ranking is empty; write it best first, {_EXAMPLE}.")
    if len(text) > 10 * MAX_RANKING_ITEMS:
        raise ValueError(f"the ranking is {len(text):,} characters long; at most "
                         f"{10 * MAX_RANKING_ITEMS:,}.")
    if "=" in text or "≈" in text or "~" in text:
        raise ValueError(f"the ranking {ranking!r:.80} has a tie ('='), but a strict ranking "
                         "is expected here: one label after another with '>'. Tiered rankings "
                         "with ties, like 'A > B = C > D', are read by "
                         "rmteach.math.ranking.parse_tiers.")
    if "<" in text or "≺" in text or "＜" in text:
        raise ValueError(f"write the ranking best first with '>', {_EXAMPLE} ('<' is not "
                         "accepted, to avoid reading it backwards).")
    labels = [part.strip() for part in _SEPARATORS.split(text)]
    if len(labels) == 1:
        used = [f"{word} ({sep!r})" for sep, word in _NOT_SEPARATORS.items() if sep in text]
        if used:
            raise ValueError(f"the ranking {ranking!r:.80} has no '>' between its labels; "
                             f"{', '.join(used)} do not say which is better. Write it best "
                             f"first with '>', {_EXAMPLE}.")
        if len(text.split()) > 1:
            raise ValueError(f"the ranking {ranking!r:.80} has no '>' between its labels; "
                             f"spaces do not say which is better. Write it best first with "
                             f"'>', {_EXAMPLE}.")
    if any(label == "" for label in labels):
        raise ValueError(f"the ranking {ranking!r:.80} has an empty label; write labels "
                         f"separated by '>', {_EXAMPLE}.")
    return labels


def parse_ranking(ranking: str | Sequence[Hashable]) -> list:
    """Turn ``"C > A > D > B"`` (or ``"C≻A≻D≻B"``, full-width ``"C＞A"``, or a sequence)
    into labels, best first.

    Strict rankings only: a tie (``"A > B = C"``) raises ``ValueError`` pointing to
    :func:`rmteach.math.ranking.parse_tiers`.  Also raises ``ValueError`` for an empty
    ranking, an empty label, labels not separated by ``>`` (commas, spaces), duplicates,
    fewer than 2 items, and things that have no order (a set, bytes, a dict).

    >>> parse_ranking("C > A > D > B")
    ['C', 'A', 'D', 'B']
    """
    if isinstance(ranking, str):
        labels = _parse_text(ranking)
    else:
        if isinstance(ranking, (bytes, bytearray)):
            raise ValueError("a ranking must be text, not bytes; decode it first "
                             f"(ranking.decode('utf-8')), giving e.g. {_EXAMPLE[5:]}.")
        if isinstance(ranking, (set, frozenset, dict)) or ranking is None or \
                type(ranking).__name__ in ("dict_keys", "dict_values", "dict_items"):
            what = "a set has no order" if isinstance(ranking, (set, frozenset)) else \
                f"{type(ranking).__name__} is not a sequence of labels"
            raise ValueError(f"a ranking must be a string {_EXAMPLE} or a list of labels, "
                             f"best first; {what}.")
        n = getattr(ranking, "__len__", None)
        try:
            if n is not None and len(ranking) > MAX_RANKING_ITEMS:
                raise ValueError(f"the ranking has {len(ranking):,} items; at most "
                                 f"{MAX_RANKING_ITEMS:,}.")
            labels = list(itertools.islice(iter(ranking), MAX_RANKING_ITEMS + 1))
        except TypeError:
            raise ValueError(f"a ranking must be a string {_EXAMPLE} or a sequence of "
                             f"labels, best first; got {type(ranking).__name__}.") from None
        if len(labels) > MAX_RANKING_ITEMS:
            raise ValueError(f"the ranking has more than {MAX_RANKING_ITEMS:,} items.")
    seen: set = set()
    dupes = []
    for label in labels:
        try:
            if label in seen and label not in dupes:
                dupes.append(label)
            seen.add(label)
        except TypeError:
            raise ValueError(f"ranking labels must be hashable (strings or numbers); "
                             f"got {type(label).__name__}.") from None
    if dupes:
        raise ValueError(f"the ranking lists {', '.join(repr(d)[:40] for d in dupes[:5])} more "
                         "than once; each response must appear exactly once.")
    if len(labels) < 2:
        raise ValueError(f"a ranking needs at least 2 items to imply a preference; got "
                         f"{len(labels)}.")
    return labels


def ranking_to_pairs(ranking: str | Sequence[Hashable]) -> list[tuple]:
    """All N(N−1)/2 (better, worse) pairs implied by a ranking, in ranked order.

    For y_1 ≻ y_2 ≻ … ≻ y_N the pairs are (y_i, y_j) for i < j, listed row by row.
    At most :data:`MAX_PAIRS_ITEMS` labels (about 2 million pairs).

    >>> ranking_to_pairs("C > A > D > B")
    [('C', 'A'), ('C', 'D'), ('C', 'B'), ('A', 'D'), ('A', 'B'), ('D', 'B')]
    >>> len(ranking_to_pairs(range(10)))
    45
    """
    labels = parse_ranking(ranking)
    n = len(labels)
    if n > MAX_PAIRS_ITEMS:
        raise ValueError(f"the ranking has {n:,} items, which imply {n * (n - 1) // 2:,} pairs; "
                         f"ranking_to_pairs handles at most {MAX_PAIRS_ITEMS:,} items "
                         "(use rmteach.math.ranking.ranked_pair_positions for index arrays).")
    return [(labels[i], labels[j]) for i in range(n) for j in range(i + 1, n)]


def ranked_pair_positions(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions (i, j), i < j, of the N(N−1)/2 ranked pairs of a best-first list of ``n``.

    The arrays are cached per ``n`` and read-only.

    >>> ranked_pair_positions(3)
    (array([0, 0, 1]), array([1, 2, 2]))
    """
    from ._checks import check_int

    n = check_int(n, "n", hi=20_000)
    if n < 2:
        raise ValueError(f"a list needs at least 2 items; got n={n}.")
    i, j = _pair_positions(n)
    return i.copy(), j.copy()


@functools.lru_cache(maxsize=64)
def _pair_positions(n: int) -> tuple[np.ndarray, np.ndarray]:
    i, j = np.triu_indices(n, k=1)
    i.flags.writeable = False
    j.flags.writeable = False
    return i, j


@functools.lru_cache(maxsize=64)
def _pair_positions_on(n: int, device: str):
    """:func:`ranked_pair_positions` as torch index tensors on ``device`` (cached)."""
    import torch

    i, j = _pair_positions(n)
    return torch.tensor(i, device=device), torch.tensor(j, device=device)


@functools.lru_cache(maxsize=64)
def _pair_difference_matrix(n: int, dtype: str) -> np.ndarray:
    """D of shape (n, N(N−1)/2) with D[i, p] = +1, D[j, p] = −1 for the p-th ranked pair
    (i, j): ``scores @ D`` gives every gap r_i − r_j at once (exactly: one +1, one −1,
    zeros elsewhere).  Cached per (n, dtype), read-only.

    >>> _pair_difference_matrix(3, "float64")
    array([[ 1.,  1.,  0.],
           [-1.,  0.,  1.],
           [ 0., -1., -1.]])
    """
    i, j = _pair_positions(n)
    d = np.zeros((n, len(i)), dtype=dtype)
    d[i, np.arange(len(i))] = 1.0
    d[j, np.arange(len(i))] = -1.0
    d.flags.writeable = False
    return d


@functools.lru_cache(maxsize=64)
def _pair_difference_matrix_on(n: int, dtype, device: str):
    """:func:`_pair_difference_matrix` as a torch tensor of ``dtype`` on ``device`` (cached)."""
    import torch

    return torch.tensor(_pair_difference_matrix(n, "float64"), dtype=dtype, device=device)


def _check_permutation_rows(ranking: np.ndarray, n: int, lengths: np.ndarray | None) -> None:
    """Check that every row of an index ``ranking`` (best first) is a permutation.

    Private plumbing, like the three cached helpers above: only the list losses call it,
    with arrays they have already checked and converted (so the probe leaves it out).

    With ``lengths``, row r must start with a permutation of ``range(lengths[r])``; the
    padded tail is ignored.  Vectorised: one sort for the whole batch.
    """
    rows = ranking.reshape(-1, n)
    positions = np.arange(n)
    if lengths is None and n <= 62 and rows.size and rows.min() >= 0 and rows.max() < n:
        # n indices in 0..n-1 that cover every bit of 0..n-1 form a permutation
        lens = np.full(rows.shape[0], n)
        bad = np.bitwise_or.reduce(np.left_shift(1, rows), axis=-1) != (1 << n) - 1
    elif lengths is None:                # a permutation of 0..n-1 sorts to 0..n-1
        lens = np.full(rows.shape[0], n)
        bad = (np.sort(rows, axis=-1) != positions).any(axis=-1)
    else:
        lens = np.broadcast_to(lengths, ranking.shape[:-1]).reshape(-1)
        head = positions < lens[:, None]
        # A head that is a permutation of 0..L-1 sorts to 0..L-1; the tail is replaced by
        # n + position, which sorts after it and matches by construction.
        keyed = np.where(head, rows, n + positions)
        expected = np.where(head, positions, n + positions)
        bad = (np.sort(keyed, axis=-1) != expected).any(axis=-1)
    bad_rows = np.flatnonzero(bad)
    if bad_rows.size == 0:
        return
    r = int(bad_rows[0])
    length = int(lens[r])
    values = rows[r, :length]
    where = f" in row {r}" if rows.shape[0] > 1 else ""
    dup = sorted({int(v) for v in values if (values == v).sum() > 1})
    detail = f" (index {dup[0]} appears more than once)" if dup else ""
    raise ValueError(
        f"ranking{where} is {values.tolist()}, which is not a permutation of "
        f"0..{length - 1}{detail}. Give each item's index exactly once, best first."
    )


_TIER_SEPARATORS = re.compile(r"\s*(?:>|≻|＞)\s*")
_TIERS_EXAMPLE = "like 'A > B = C > D'"
#: signs people type that do not say "better" (>) or "tied" (=)
_NOT_TIER_SIGNS = {"≥": "'≥'", "≤": "'≤'", "≈": "'≈'", "~": "'~'", "==": "'=='",
                   ",": "commas (',')", ";": "semicolons (';')", "|": "bars ('|')",
                   "/": "slashes ('/')", "→": "arrows ('→')", "»": "'»'"}


def parse_tiers(text: str) -> list[list[str]]:
    """Parse a tiered ranking with ties, best tier first: ``"A > B = C > D"``.

    ``>`` (or ``≻``) separates tiers, ``=`` joins tied items inside a tier.  Linear in
    the length of the text, and at most :data:`MAX_RANKING_ITEMS` labels.  A ranking that
    ties everything (``"A = B"``) is legal here; the functions that need a preference say so.

    >>> parse_tiers("A > B = C > D")
    [['A'], ['B', 'C'], ['D']]
    """
    if not isinstance(text, str):
        raise ValueError(f"a tiered ranking must be a string {_TIERS_EXAMPLE}; got "
                         f"{type(text).__name__}.")
    body = text.strip()
    if not body:
        raise ValueError(f"the ranking is empty; write it best first, {_TIERS_EXAMPLE}.")
    if len(body) > 10 * MAX_RANKING_ITEMS:
        raise ValueError(f"the ranking is {len(body):,} characters long; at most "
                         f"{10 * MAX_RANKING_ITEMS:,}.")
    if "<" in body:
        raise ValueError(f"write the ranking best first with '>', {_TIERS_EXAMPLE} "
                         "('<' is not accepted, to avoid reading it backwards).")
    used = [word for sign, word in _NOT_TIER_SIGNS.items() if sign in body]
    if used:
        raise ValueError(f"the ranking {text!r:.60} uses {', '.join(used)}, found where only "
                         f"'>' (better) or '=' (tied) is read: separate labels with '>' or "
                         f"'=', best first, {_TIERS_EXAMPLE}.")
    tiers = [[label.strip() for label in tier.split("=")] for tier in
             _TIER_SEPARATORS.split(body)]
    return _checked_tiers(tiers, text)


def _checked_tiers(tiers, shown) -> list[list]:
    """Every tier non-empty, every label hashable and non-empty, none twice, >= 2 labels,
    at most MAX_RANKING_ITEMS labels: one pass over the labels."""
    seen: set = set()
    dupes: list = []
    count = 0
    for tier in tiers:
        if not tier:
            raise ValueError(f"the ranking {shown!r:.60} has an empty tier; every tier holds at "
                             f"least one label, {_TIERS_EXAMPLE}.")
        for label in tier:
            count += 1
            if count > MAX_RANKING_ITEMS:
                raise ValueError(f"the ranking has more than {MAX_RANKING_ITEMS:,} labels.")
            if label == "":
                raise ValueError(f"the ranking {shown!r:.60} has an empty label; write labels "
                                 f"separated by '>' (better) or '=' (tied), {_TIERS_EXAMPLE}.")
            try:
                if label in seen:
                    if len(dupes) < 5:
                        dupes.append(label)
                    continue
                seen.add(label)
            except TypeError:
                raise ValueError(f"ranking labels must be hashable (strings or numbers); got "
                                 f"{type(label).__name__}.") from None
    if dupes:
        raise ValueError(f"the ranking lists {', '.join(repr(d)[:40] for d in dupes)} more "
                         "than once (in two tiers, or twice in one); each response must "
                         "appear exactly once.")
    if count < 2:
        raise ValueError(f"a ranking needs at least 2 items; got {count}.")
    return [list(t) for t in tiers]


def check_tiers(tiers, name: str = "tiers") -> list[list]:
    """``tiers`` as a list of tiers: a string :func:`parse_tiers` reads, or a list of lists
    of labels (best tier first), checked the same way."""
    if isinstance(tiers, str):
        return parse_tiers(tiers)
    if not isinstance(tiers, (list, tuple)) or not all(
            isinstance(t, (list, tuple)) for t in tiers[:MAX_RANKING_ITEMS + 1]):
        raise ValueError(f"{name} must be a string {_TIERS_EXAMPLE} or a list of tiers (lists "
                         f"of labels), best first; got {type(tiers).__name__}.")
    if len(tiers) > MAX_RANKING_ITEMS:
        raise ValueError(f"{name} has more than {MAX_RANKING_ITEMS:,} tiers.")
    return _checked_tiers(tiers, tiers)


def tiers_to_pairs(tiers: str | list[list[str]]) -> list[tuple]:
    """The (better, worse) pairs across tiers; items tied in one tier give no pair.

    A ranking of N items in tiers of sizes n_1, …, n_T implies (N² − Σ n_t²) / 2 pairs
    (N(N−1)/2 when every tier holds one item).  At most :data:`MAX_PAIRS_ITEMS` labels.

    >>> tiers_to_pairs("A > B = C > D")
    [('A', 'B'), ('A', 'C'), ('A', 'D'), ('B', 'D'), ('C', 'D')]
    """
    tiers = check_tiers(tiers)
    n = sum(len(t) for t in tiers)
    if n > MAX_PAIRS_ITEMS:
        raise ValueError(f"the ranking has {n:,} labels; tiers_to_pairs handles at most "
                         f"{MAX_PAIRS_ITEMS:,} (about 2 million pairs).")
    return [(a, b) for t, upper in enumerate(tiers) for lower in tiers[t + 1:]
            for a in upper for b in lower]
