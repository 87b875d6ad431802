"""Preference data as JSON Lines, in every layout TRL reads and rmteach's ranked lists.

One JSON object per line, e.g. a pair (TRL's standard format, explicit prompt)

    {"prompt": "explain rain", "chosen": "sunny umbrella thanks", "rejected": "ugh whatever"}

or a ranked list (``ranking`` holds the indices of ``responses``, best first)

    {"prompt": "explain rain", "responses": ["ugh", "sunny thanks", "um so"], "ranking": [1, 2, 0]}

The implicit-prompt and conversational layouts and TRL's ``margin`` column are
described in :mod:`rmteach.data.formats`.  A file holds one format, detected from its
first item (or forced with ``format=``); a line in another format is an error.
Blank lines are skipped.  Other keys on a line (ids, scores, ...) are ignored.
Degenerate comparisons (a chosen and a rejected response with the same words) are
counted and dropped with a :class:`~rmteach.data.degenerate.DegeneratePairsWarning` that
gives the count (see :mod:`rmteach.data.degenerate`).
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
from .degenerate import drop_degenerate
from .formats import MAX_RESPONSES, parse_objects, to_objects
from .generate import PreferencePair, RankedList

__all__ = ["MAX_RESPONSES", "dumps_jsonl", "loads_jsonl", "loads_jsonl_with_format",
           "read_jsonl", "read_jsonl_with_format", "write_jsonl"]


def _objects(text: str, source: str):
    """(where, JSON object) for every non-blank line."""
    for number, line in enumerate(io.StringIO(text), start=1):
        if not line.strip():
            continue
        where = f"{source}, line {number}"
        try:
            obj = loads_line(line, where)
        except ValueError as exc:
            if "\r" in line.rstrip("\r\n"):
                raise ValueError(f"{exc} The line holds carriage returns (CR) inside it: the "
                                 "file seems to end its lines with CR only (old Mac style); "
                                 "JSON Lines ends each line with LF (\\n). Save it with LF "
                                 "line endings.") from None
            raise
        yield where, obj


def loads_jsonl_with_format(text: str, *, source: str = "<string>",
                            format: str = "auto") -> tuple[list[PreferencePair | RankedList], str]:
    """Like :func:`loads_jsonl`, and also the file's format (detected, or ``format``)."""
    if not isinstance(text, str):
        hint = " (decode bytes first, or use read_jsonl(path))" if isinstance(
            text, (bytes, bytearray)) else ""
        raise ValueError(f"text must be a str of JSON Lines; got {type(text).__name__}{hint}.")
    items, fmt = parse_objects(_objects(text, source), format=format, source=source)
    clean, dropped = drop_degenerate(items, where=source, warn=False)
    if not clean:
        raise ValueError(f"{source}: all {dropped} pairs are degenerate (chosen and rejected "
                         "are the same text); nothing to learn from.")
    if dropped:
        drop_degenerate(items, where=source)        # the same, with the warning
    return clean, fmt


def loads_jsonl(text: str, *, source: str = "<string>",
                format: str = "auto") -> list[PreferencePair | RankedList]:
    """Parse JSONL text into ``PreferencePair`` and ``RankedList`` items (see module doc).

    >>> loads_jsonl('{"prompt": "explain rain", "chosen": "sunny", "rejected": "ugh"}')
    [PreferencePair(prompt='explain rain', chosen='sunny', rejected='ugh')]
    """
    return loads_jsonl_with_format(text, source=source, format=format)[0]


def read_jsonl_with_format(path: str | os.PathLike, *, format: str = "auto"):
    """``(items, format)`` of a JSONL file; all-or-nothing (see module doc)."""
    text = read_text_file(path, "path")
    return loads_jsonl_with_format(text, source=os.fspath(path), format=format)


def read_jsonl(path: str | os.PathLike, *,
               format: str = "auto") -> list[PreferencePair | RankedList]:
    """Read a JSONL preference file in any supported format; all-or-nothing (see module doc).

    Every problem (missing file, a directory, not UTF-8, too big, a bad line) raises
    ``ValueError`` naming the file (and the line).
    """
    return read_jsonl_with_format(path, format=format)[0]


def _default_format(items) -> str:
    return ("ranked" if any(isinstance(it, RankedList) for it in items)
            else "standard-explicit")


def _check_strings(value, where):
    """Every text of an object to write: a non-empty string without lone surrogates."""
    if isinstance(value, dict):
        for key, v in value.items():
            if key not in ("ranking", "margin", "role"):
                _check_strings(v, f"{where}.{key}")
    elif isinstance(value, list):
        for j, v in enumerate(value):
            _check_strings(v, f"{where}[{j}]")
    elif isinstance(value, str):
        if not value.strip():      # read_jsonl refuses it: never write what cannot be read
            raise ValueError(f"{where} is empty; every text must have a word in it.")
        check_text(value, where)
    else:
        raise ValueError(f"{where} must be a string; got {type(value).__name__}.")


def dumps_jsonl(items: Iterable[PreferencePair | RankedList], *,
                format: str | None = None) -> str:
    """The items as JSONL text in ``format`` (see :mod:`rmteach.data.formats`), one object per line.

    ``format=None``: ``ranked`` if any item is a ranked list, else ``standard-explicit``.
    Every item is checked first.
    """
    if isinstance(items, (str, bytes, PreferencePair, RankedList)) or items is None:
        raise ValueError("items must be a list of PreferencePair / RankedList items; got "
                         f"{type(items).__name__}.")
    try:
        items = list(items)
    except TypeError:
        raise ValueError("items must be a list of PreferencePair / RankedList items; got "
                         f"{type(items).__name__}.") from None
    fmt = format or _default_format(items)
    lines = []
    for k, item in enumerate(items):
        if not isinstance(item, (PreferencePair, RankedList)):
            raise ValueError(f"items[{k}]: can only write PreferencePair or RankedList items; "
                             f"got {type(item).__name__}.")
        for obj in to_objects([item], fmt):
            for key in ("prompt", "chosen", "rejected", "responses"):
                if key in obj and not (fmt.endswith("implicit") and key == "prompt"):
                    _check_strings(obj[key], f"items[{k}].{key}")
            lines.append(json.dumps(obj, ensure_ascii=False) + "\n")
    return "".join(lines)


def write_jsonl(items: Iterable[PreferencePair | RankedList], path: str | os.PathLike, *,
                format: str | None = None) -> None:
    """Write items to ``path`` in ``format`` (default: see :func:`dumps_jsonl`).

    All or nothing: every item is checked and encoded first, then written to a temporary
    file in the same folder and renamed over ``path``.  If anything fails, an existing
    file at ``path`` is left exactly as it was.
    """
    text = dumps_jsonl(items, format=format)   # validate and encode everything first
    atomic_write_text(path, text, "path")
