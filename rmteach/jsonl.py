"""Preference data as JSON Lines, in the layouts people already use with TRL.

One JSON object per line, either a pair

    {"prompt": "explain rain", "chosen": "sunny umbrella thanks", "rejected": "ugh whatever"}

or a ranked list (``ranking`` holds the indices of ``responses``, best first)

    {"prompt": "explain rain", "responses": ["ugh", "sunny thanks", "um so"], "ranking": [1, 2, 0]}

Blank lines are skipped.  Other keys on a line (ids, scores, ...) are ignored.
Degenerate comparisons (a chosen and a rejected response with the same words) are
counted and dropped with a :class:`~rmteach.degenerate.DegeneratePairsWarning` that
gives the count (see :mod:`rmteach.degenerate`).
A malformed line raises ``ValueError`` naming the file, the line number and the
field; the whole file is checked before anything is returned, so nothing is ever
half-loaded.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable

from ._io import atomic_write_text, check_text, loads_line, read_text_file
from .data import PreferencePair, RankedList
from .degenerate import drop_degenerate

#: most responses in one ranked list (their N(N−1)/2 pairs must fit in memory)
MAX_RESPONSES = 1000

__all__ = ["dumps_jsonl", "loads_jsonl", "read_jsonl", "write_jsonl"]


def _text_field(obj, key, where):
    if key not in obj:
        raise ValueError(f"{where}: field {key!r} is missing.")
    value = obj[key]
    if not isinstance(value, str):
        hint = (" (conversational message lists are not supported; give plain text)"
                if isinstance(value, list) else "")
        raise ValueError(f"{where}: field {key!r} must be a string; got "
                         f"{type(value).__name__}{hint}.")
    if not value.strip():
        raise ValueError(f"{where}: field {key!r} is empty.")
    return value


def _parse_item(obj, where) -> PreferencePair | RankedList:
    if not isinstance(obj, dict):
        raise ValueError(f"{where}: expected a JSON object with 'prompt' and either "
                         f"'chosen'/'rejected' or 'responses'/'ranking'; got "
                         f"{type(obj).__name__}.")
    has_pair = "chosen" in obj or "rejected" in obj
    has_list = "responses" in obj or "ranking" in obj
    if has_pair and has_list:
        raise ValueError(f"{where}: a line is either a pair ('chosen', 'rejected') or a ranked "
                         "list ('responses', 'ranking'), not both.")
    if not has_pair and not has_list:
        raise ValueError(f"{where}: fields 'chosen' and 'rejected' (a pair) or 'responses' and "
                         "'ranking' (a ranked list) are missing.")
    prompt = _text_field(obj, "prompt", where)
    if has_pair:
        chosen = _text_field(obj, "chosen", where)
        rejected = _text_field(obj, "rejected", where)
        return PreferencePair(prompt, chosen, rejected)
    if "responses" not in obj:
        raise ValueError(f"{where}: field 'responses' is missing.")
    if "ranking" not in obj:
        raise ValueError(f"{where}: field 'ranking' is missing.")
    responses = obj["responses"]
    if not isinstance(responses, list) or len(responses) < 2:
        raise ValueError(f"{where}: field 'responses' must be a list of at least 2 strings.")
    if len(responses) > MAX_RESPONSES:
        raise ValueError(f"{where}: field 'responses' has {len(responses)} items; at most "
                         f"{MAX_RESPONSES} per line (N(N−1)/2 pairs each).")
    for k, y in enumerate(responses):
        if not isinstance(y, str) or not y.strip():
            raise ValueError(f"{where}: field 'responses' item {k} must be a non-empty string.")
    ranking = obj["ranking"]
    n = len(responses)
    if (not isinstance(ranking, list)
            or not all(isinstance(i, int) and not isinstance(i, bool) for i in ranking)
            or sorted(ranking) != list(range(n))):
        raise ValueError(f"{where}: field 'ranking' must list each index 0..{n - 1} of "
                         f"'responses' exactly once, best first; got {ranking!r}.")
    return RankedList(prompt, tuple(responses), tuple(ranking))


def loads_jsonl(text: str, *, source: str = "<string>") -> list[PreferencePair | RankedList]:
    """Parse JSONL text into ``PreferencePair`` and ``RankedList`` items (see module doc).

    >>> loads_jsonl('{"prompt": "explain rain", "chosen": "sunny", "rejected": "ugh"}')
    [PreferencePair(prompt='explain rain', chosen='sunny', rejected='ugh')]
    """
    if not isinstance(text, str):
        hint = " (decode bytes first, or use read_jsonl(path))" if isinstance(
            text, (bytes, bytearray)) else ""
        raise ValueError(f"text must be a str of JSON Lines; got {type(text).__name__}{hint}.")
    items = []
    for number, line in enumerate(io.StringIO(text), start=1):
        if not line.strip():
            continue
        where = f"{source}, line {number}"
        obj = loads_line(line, where)
        items.append(_parse_item(obj, where))
    if not items:
        raise ValueError(f"{source}: no preference items found (the file is empty).")
    items, dropped = drop_degenerate(items, where=source)
    if not items:
        raise ValueError(f"{source}: all {dropped} pairs are degenerate (chosen and rejected "
                         "are the same text); nothing to learn from.")
    return items


def read_jsonl(path: str | os.PathLike) -> list[PreferencePair | RankedList]:
    """Read a JSONL file of pairs and/or ranked lists; all-or-nothing (see module doc).

    Every problem (missing file, a directory, not UTF-8, too big, a bad line) raises
    ``ValueError`` naming the file (and the line).
    """
    text = read_text_file(path, "path")
    return loads_jsonl(text, source=os.fspath(path))


def _to_obj(item, k) -> dict:
    if isinstance(item, PreferencePair):
        obj = {"prompt": item.prompt, "chosen": item.chosen, "rejected": item.rejected}
    elif isinstance(item, RankedList):
        obj = {"prompt": item.prompt, "responses": list(item.responses),
               "ranking": [int(i) for i in item.ranking]}
    else:
        raise ValueError(f"items[{k}]: can only write PreferencePair or RankedList items; got "
                         f"{type(item).__name__}.")
    for key, value in obj.items():
        for j, text in enumerate([value] if isinstance(value, str) else value):
            if key == "ranking":
                break
            where = f"items[{k}].{key}" + ("" if isinstance(value, str) else f"[{j}]")
            if not isinstance(text, str):
                raise ValueError(f"{where} must be a string; got {type(text).__name__}.")
            if not text.strip():      # read_jsonl refuses it: never write what cannot be read
                raise ValueError(f"{where} is empty; every text must have a word in it.")
            check_text(text, where)
    return obj


def dumps_jsonl(items: Iterable[PreferencePair | RankedList]) -> str:
    """The items as JSONL text, one object per line (every item checked first)."""
    if isinstance(items, (str, bytes, PreferencePair, RankedList)) or items is None:
        raise ValueError("items must be a list of PreferencePair / RankedList items; got "
                         f"{type(items).__name__}.")
    try:
        iterator = iter(items)
    except TypeError:
        raise ValueError("items must be a list of PreferencePair / RankedList items; got "
                         f"{type(items).__name__}.") from None
    return "".join(json.dumps(_to_obj(it, k), ensure_ascii=False) + "\n"
                   for k, it in enumerate(iterator))


def write_jsonl(items: Iterable[PreferencePair | RankedList], path: str | os.PathLike) -> None:
    """Write items to ``path`` in TRL's layout (pairs) or the ranked-list layout.

    All or nothing: every item is checked and encoded first, then written to a temporary
    file in the same folder and renamed over ``path``.  If anything fails, an existing
    file at ``path`` is left exactly as it was.
    """
    text = dumps_jsonl(items)        # validate and encode everything before touching the file
    atomic_write_text(path, text, "path")
