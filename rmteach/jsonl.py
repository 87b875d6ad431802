"""Preference data as JSON Lines, in every layout TRL reads and rmteach's ranked lists.

One JSON object per line, e.g. a pair (TRL's standard format, explicit prompt)

    {"prompt": "explain rain", "chosen": "sunny umbrella thanks", "rejected": "ugh whatever"}

or a ranked list (``ranking`` holds the indices of ``responses``, best first)

    {"prompt": "explain rain", "responses": ["ugh", "sunny thanks", "um so"], "ranking": [1, 2, 0]}

The implicit-prompt and conversational layouts and TRL's ``margin`` column are
described in :mod:`rmteach.formats`.  A file holds one format, detected from its
first item (or forced with ``format=``); a line in another format is an error.
Blank lines are skipped.  Other keys on a line (ids, scores, ...) are ignored.
A malformed line raises ``ValueError`` naming the file, the line number and the
field; the whole file is checked before anything is returned, so nothing is ever
half-loaded.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable

from .data import PreferencePair, RankedList
from .formats import parse_objects, to_objects

__all__ = ["dumps_jsonl", "loads_jsonl", "loads_jsonl_with_format", "read_jsonl",
           "read_jsonl_with_format", "write_jsonl"]


def _objects(text: str, source: str):
    """(where, JSON object) for every non-blank line."""
    for number, line in enumerate(io.StringIO(text), start=1):
        if not line.strip():
            continue
        where = f"{source}, line {number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno}).") \
                from None
        yield where, obj


def loads_jsonl_with_format(text: str, *, source: str = "<string>",
                            format: str = "auto") -> tuple[list[PreferencePair | RankedList], str]:
    """Like :func:`loads_jsonl`, and also the file's format (detected, or ``format``)."""
    return parse_objects(_objects(text, source), format=format, source=source)


def loads_jsonl(text: str, *, source: str = "<string>",
                format: str = "auto") -> list[PreferencePair | RankedList]:
    """Parse JSONL text into ``PreferencePair`` and ``RankedList`` items (see module doc).

    >>> loads_jsonl('{"prompt": "explain rain", "chosen": "sunny", "rejected": "ugh"}')
    [PreferencePair(prompt='explain rain', chosen='sunny', rejected='ugh')]
    """
    return loads_jsonl_with_format(text, source=source, format=format)[0]


def _read_text(path) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a UTF-8 text file; expected JSON Lines.") from None


def read_jsonl_with_format(path: str | os.PathLike, *, format: str = "auto"):
    """``(items, format)`` of a JSONL file; all-or-nothing (see module doc)."""
    return loads_jsonl_with_format(_read_text(path), source=str(path), format=format)


def read_jsonl(path: str | os.PathLike, *,
               format: str = "auto") -> list[PreferencePair | RankedList]:
    """Read a JSONL preference file in any supported format; all-or-nothing (see module doc)."""
    return read_jsonl_with_format(path, format=format)[0]


def _default_format(items) -> str:
    return ("ranked" if any(isinstance(it, RankedList) for it in items)
            else "standard-explicit")


def dumps_jsonl(items: Iterable[PreferencePair | RankedList], *,
                format: str | None = None) -> str:
    """The items as JSONL text in ``format`` (see :mod:`rmteach.formats`), one object per line.

    ``format=None``: ``ranked`` if any item is a ranked list, else ``standard-explicit``.
    """
    items = list(items)
    objs = to_objects(items, format or _default_format(items))
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs)


def write_jsonl(items: Iterable[PreferencePair | RankedList], path: str | os.PathLike, *,
                format: str | None = None) -> None:
    """Write items to ``path`` in ``format`` (default: see :func:`dumps_jsonl`)."""
    text = dumps_jsonl(items, format=format)        # validate everything before touching the file
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
