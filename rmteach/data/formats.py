"""Every preference layout TRL reads, plus rmteach's ranked lists: one line in, one line out.

A file holds ONE of these formats (detected from its first item, or forced):

========================  ==================================================================
format                    one line
========================  ==================================================================
standard-explicit         ``{"prompt": "The sky is", "chosen": " blue.", "rejected": " green."}``
standard-implicit         ``{"chosen": "The sky is blue.", "rejected": "The sky is green."}``
conversational-explicit   ``{"prompt": [{"role": "user", "content": "What color is the sky?"}],``
                          ``"chosen": [{"role": "assistant", "content": "It is blue."}], ...}``
conversational-implicit   ``{"chosen": [<user msg>, <assistant msg>], "rejected": [...]}``
ranked                    ``{"prompt": "...", "responses": [...], "ranking": [2, 0, 1]}``
tiered                    ``{"prompt": "...", "responses": [...], "tiers": "2 > 0 = 1"}``
========================  ==================================================================

``tiers`` is a ranking with ties (:func:`rmteach.math.ranking.parse_tiers`) over the indices of
``responses``, best tier first, ``=`` joining tied responses (or a list of lists of indices,
``[[2], [0, 1]]``).  A tiered line is read as its implied pairs across tiers (tied responses
give no pair), which is what TRL and rmteach's trainer take.

Any pair format may carry TRL's ``margin`` column (a number per pair: the margin m of
the pairwise margin loss −log Sigmoid(r_a − r_b − m)); then every line must have one.

**Implicit prompt** (TRL's ``extract_prompt``): the prompt is the longest shared start
of ``chosen`` and ``rejected``.  For text, rmteach cuts it at a word boundary (TRL cuts
at the first differing character and drops one space; on whole words the two agree), so
``"The sky is blue."`` / ``"The sky is green."`` give the prompt ``"The sky is"``.  For
messages, the shared messages are the prompt.  A pair that shares nothing, or where one
side is only the shared part, is an error.  Note that the implicit layout cannot tell a
prompt from a response opening that both responses share.

**Messages to text** (the template, for rmteach's word-level model): a message list
becomes one line ``role: content`` per message, joined by newlines; a prompt that is a
single ``user`` message, or a response that is a single ``assistant`` message, becomes
just its content.  Writing a conversational format reverses this (lines starting with
``system:``, ``developer:``, ``user:``, ``assistant:`` or ``tool:`` begin a message).

Writing a pair format from ranked lists writes each list's N(N−1)/2 implied pairs
(TRL reads pairs only); writing ``ranked`` (or ``tiered``, one response per tier) makes
each pair a list of two.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from ..math._checks import validated
from .generate import PreferencePair, RankedList, as_ranked_list

__all__ = ["FORMATS", "MAX_RESPONSES", "PAIR_FORMATS", "ROLES", "detect_format", "messages_to_text",
           "parse_objects", "shared_prompt", "text_to_messages", "to_objects"]

#: most responses in one ranked list (their N(N−1)/2 pairs must fit in memory)
MAX_RESPONSES = 1000
PAIR_FORMATS = ("standard-explicit", "standard-implicit", "conversational-explicit",
                "conversational-implicit")
FORMATS = (*PAIR_FORMATS, "ranked", "tiered")
ROLES = ("system", "developer", "user", "assistant", "tool")
_ROLE_LINE = re.compile(r"^(" + "|".join(ROLES) + r"): ", re.MULTILINE)
_KEYS = {
    "standard-explicit": ("prompt", "chosen", "rejected"),
    "standard-implicit": ("chosen", "rejected"),
    "conversational-explicit": ("prompt", "chosen", "rejected"),
    "conversational-implicit": ("chosen", "rejected"),
    "ranked": ("prompt", "responses", "ranking"),
    "tiered": ("prompt", "responses", "tiers"),
}


# ---------------------------------------------------------------------------
# Messages <-> text
# ---------------------------------------------------------------------------


@validated(messages="items", default_role="str")
def messages_to_text(messages: list[dict], default_role: str) -> str:
    """The template: ``role: content`` lines; a single ``default_role`` message is its content.

    >>> messages_to_text([{"role": "user", "content": "Hi"}], "user")
    'Hi'
    >>> print(messages_to_text([{"role": "system", "content": "Be kind."},
    ...                         {"role": "user", "content": "Hi"}], "user"))
    system: Be kind.
    user: Hi
    """
    if len(messages) == 1 and messages[0]["role"] == default_role:
        return messages[0]["content"]
    return "\n".join(f"{m['role']}: {m['content']}" for m in messages)


@validated(text="str", default_role="str")
def text_to_messages(text: str, default_role: str) -> list[dict]:
    """The inverse of :func:`messages_to_text`.

    >>> text_to_messages("It is blue.", "assistant")
    [{'role': 'assistant', 'content': 'It is blue.'}]
    """
    if not _ROLE_LINE.match(text):
        return [{"role": default_role, "content": text}]
    starts = [m.start() for m in _ROLE_LINE.finditer(text)]
    out = []
    for a, b in zip(starts, [*starts[1:], len(text) + 1]):
        role, content = text[a:b - 1].split(": ", 1)
        out.append({"role": role, "content": content})
    return out


def _messages(value, field, where) -> list[dict]:
    if not isinstance(value, list) or not value:
        raise ValueError(f"{where}: field {field!r} must be a non-empty list of "
                         "{\"role\", \"content\"} messages (conversational format).")
    for k, m in enumerate(value):
        if not isinstance(m, dict) or "role" not in m or "content" not in m:
            raise ValueError(f"{where}: field {field!r} message {k} must be an object with "
                             "'role' and 'content'.")
        if m["role"] not in ROLES:
            raise ValueError(f"{where}: field {field!r} message {k} has unknown role "
                             f"{m['role']!r}; expected one of {', '.join(ROLES)}.")
        if not isinstance(m["content"], str) or not m["content"].strip():
            raise ValueError(f"{where}: field {field!r} message {k} 'content' must be "
                             "non-empty text.")
    return [{"role": m["role"], "content": m["content"]} for m in value]


# ---------------------------------------------------------------------------
# Implicit prompts
# ---------------------------------------------------------------------------


@validated()
def shared_prompt(chosen, rejected):
    """(prompt, chosen rest, rejected rest): the shared start at a word / message boundary.

    >>> shared_prompt("The sky is blue.", "The sky is green.")
    ('The sky is', 'blue.', 'green.')
    """
    n = 0
    limit = min(len(chosen), len(rejected))
    while n < limit and chosen[n] == rejected[n]:
        n += 1
    if isinstance(chosen, list):
        return chosen[:n], chosen[n:], rejected[n:]
    # back off to a word boundary unless both sides break there
    if not (n == len(chosen) or n == len(rejected)
            or (chosen[n].isspace() and rejected[n].isspace()) or chosen[n - 1:n].isspace()):
        while n > 0 and not chosen[n - 1].isspace():
            n -= 1
    return chosen[:n].strip(), chosen[n:].strip(), rejected[n:].strip()


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def _line_format(obj, where) -> str:
    """Which format one JSON object is in (from its keys and value types)."""
    if not isinstance(obj, dict):
        raise ValueError(f"{where}: expected a JSON object with 'chosen'/'rejected' (a pair) "
                         f"or 'prompt'/'responses'/'ranking' (a ranked list); got "
                         f"{type(obj).__name__}.")
    has_pair = "chosen" in obj or "rejected" in obj
    has_list = "responses" in obj or "ranking" in obj or "tiers" in obj
    if has_pair and has_list:
        raise ValueError(f"{where}: a line is either a pair ('chosen', 'rejected') or a ranked "
                         "list ('responses', 'ranking'), not both.")
    if "ranking" in obj and "tiers" in obj:
        raise ValueError(f"{where}: give 'ranking' (a strict order) or 'tiers' (an order with "
                         "ties), not both.")
    if has_list:
        return "tiered" if "tiers" in obj else "ranked"
    if not has_pair:
        raise ValueError(f"{where}: fields 'chosen' and 'rejected' (a pair) or 'responses' and "
                         "'ranking' (a ranked list) are missing.")
    conv = isinstance(obj.get("chosen", obj.get("rejected")), list)
    return (("conversational-" if conv else "standard-")
            + ("explicit" if "prompt" in obj else "implicit"))


def _text(obj, key, where) -> str:
    if key not in obj:
        raise ValueError(f"{where}: field {key!r} is missing.")
    value = obj[key]
    if not isinstance(value, str):
        hint = (" (a list of messages is the conversational format; see --format)"
                if isinstance(value, list) else "")
        raise ValueError(f"{where}: field {key!r} must be a string; got "
                         f"{type(value).__name__}{hint}.")
    if not value.strip():
        raise ValueError(f"{where}: field {key!r} is empty.")
    return value


def _margin(obj, where):
    if "margin" not in obj:
        return None
    m = obj["margin"]
    if isinstance(m, bool) or not isinstance(m, (int, float)) or not math.isfinite(m):
        raise ValueError(f"{where}: field 'margin' must be a finite number (TRL's per-pair "
                         f"margin); got {m!r}.")
    return float(m)


def _pair(obj, fmt, where) -> PreferencePair:
    for key in _KEYS[fmt]:
        if key not in obj:
            raise ValueError(f"{where}: field {key!r} is missing (format {fmt}).")
    if fmt.endswith("implicit") and "prompt" in obj:
        raise ValueError(f"{where}: field 'prompt' is present, but format {fmt} takes the "
                         "prompt from the shared start of 'chosen' and 'rejected'.")
    margin = _margin(obj, where)
    if fmt == "standard-explicit":
        return PreferencePair(_text(obj, "prompt", where), _text(obj, "chosen", where),
                              _text(obj, "rejected", where), margin)
    if fmt == "standard-implicit":
        chosen, rejected = _text(obj, "chosen", where), _text(obj, "rejected", where)
        prompt, c, r = shared_prompt(chosen, rejected)
    elif fmt == "conversational-explicit":
        msgs = {k: _messages(obj[k], k, where) for k in ("prompt", "chosen", "rejected")}
        return PreferencePair(messages_to_text(msgs["prompt"], "user"),
                              messages_to_text(msgs["chosen"], "assistant"),
                              messages_to_text(msgs["rejected"], "assistant"), margin)
    else:
        prompt, c, r = shared_prompt(_messages(obj["chosen"], "chosen", where),
                                     _messages(obj["rejected"], "rejected", where))
    if not prompt:
        raise ValueError(f"{where}: fields 'chosen' and 'rejected' share no prefix, so there is "
                         f"no implicit prompt (format {fmt}); add a 'prompt' field.")
    for key, rest in (("chosen", c), ("rejected", r)):
        if not rest:
            raise ValueError(f"{where}: field {key!r} is only the shared prompt, with no "
                             f"response after it (format {fmt}).")
    if isinstance(prompt, list):
        prompt = messages_to_text(prompt, "user")
        c, r = messages_to_text(c, "assistant"), messages_to_text(r, "assistant")
    return PreferencePair(prompt, c, r, margin)


def _list_fields(obj, order_key: str, kind: str, where) -> None:
    """A list line needs ``responses`` and ``order_key``, and has no pair ``margin``."""
    for key in ("responses", order_key):
        if key not in obj:
            raise ValueError(f"{where}: field {key!r} is missing.")
    if "margin" in obj:
        raise ValueError(f"{where}: field 'margin' belongs to pairs (TRL's margin column), not "
                         f"to {kind}.")


def _tiered(obj, where) -> list[PreferencePair]:
    from ..math.ranking import parse_tiers

    prompt = _text(obj, "prompt", where)
    _list_fields(obj, "tiers", "tiered rankings", where)
    responses = _responses(obj, where)
    tiers, n = obj["tiers"], len(responses)
    try:
        if isinstance(tiers, str):
            tiers = [[int(i) if i.isdecimal() else i for i in t] for t in parse_tiers(tiers)]
        elif not (isinstance(tiers, list) and all(isinstance(t, list) for t in tiers)):
            raise ValueError("expected a string like '2 > 0 = 1' or a list of lists of indices")
    except ValueError as exc:
        raise ValueError(f"{where}: field 'tiers': {exc}") from None
    flat = [i for t in tiers for i in t]
    if (not all(isinstance(i, int) and not isinstance(i, bool) for i in flat)
            or sorted(flat) != list(range(n)) or any(not t for t in tiers)):
        raise ValueError(f"{where}: field 'tiers' must place each index 0..{n - 1} of "
                         f"'responses' exactly once, best tier first; got {obj['tiers']!r}.")
    return [PreferencePair(prompt, responses[a], responses[b])
            for k, upper in enumerate(tiers) for lower in tiers[k + 1:]
            for a in upper for b in lower]


def _responses(obj, where) -> list[str]:
    responses = obj["responses"]
    if not isinstance(responses, list) or len(responses) < 2:
        raise ValueError(f"{where}: field 'responses' must be a list of at least 2 strings.")
    if len(responses) > MAX_RESPONSES:
        raise ValueError(f"{where}: field 'responses' has {len(responses)} items; at most "
                         f"{MAX_RESPONSES} per line (N(N−1)/2 pairs each).")
    for k, y in enumerate(responses):
        if not isinstance(y, str) or not y.strip():
            raise ValueError(f"{where}: field 'responses' item {k} must be a non-empty string.")
    return responses


def _ranked(obj, where) -> RankedList:
    prompt = _text(obj, "prompt", where)
    _list_fields(obj, "ranking", "ranked lists", where)
    responses = _responses(obj, where)
    ranking = obj["ranking"]
    n = len(responses)
    if (not isinstance(ranking, list)
            or not all(isinstance(i, int) and not isinstance(i, bool) for i in ranking)
            or sorted(ranking) != list(range(n))):
        raise ValueError(f"{where}: field 'ranking' must list each index 0..{n - 1} of "
                         f"'responses' exactly once, best first; got {ranking!r}.")
    return RankedList(prompt, tuple(responses), tuple(ranking))


@validated(objects="items", format="str", source="str")
def parse_objects(objects: Iterable[tuple[str, object]], *, format: str = "auto",
                  source: str = "<string>") -> tuple[list, str]:
    """Parse ``(where, JSON object)`` pairs into items; returns ``(items, format)``.

    ``format="auto"`` takes the format of the first object and requires every other
    line to be in it (and to have a ``margin`` exactly when the first one does); a
    named format (one of :data:`FORMATS`) is required of every line.
    """
    if format != "auto" and format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; expected 'auto' or one of "
                         f"{', '.join(FORMATS)}.")
    fmt = None if format == "auto" else format
    first = first_item = margin_first = None
    items, lines = [], 0
    for lines, (where, obj) in enumerate(objects, 1):  # noqa: B007
        if format == "auto" or not isinstance(obj, dict):
            found = _line_format(obj, where)
            if fmt is None:
                fmt, first = found, where
            elif found != fmt:
                raise ValueError(f"{where}: this line is {found} but the file started as {fmt} "
                                 f"({first}); a file holds one format (convert it with "
                                 "`python -m rmteach data --data FILE --to FORMAT --out NEW`).")
        if fmt == "tiered":
            items += _tiered(obj, where)
            continue
        item = _ranked(obj, where) if fmt == "ranked" else _pair(obj, fmt, where)
        has_margin = getattr(item, "margin", None) is not None
        if margin_first is None:
            margin_first, first_item = has_margin, where
        elif has_margin != margin_first:
            raise ValueError(f"{where}: field 'margin' is {'present' if has_margin else 'missing'}"
                             f" but the first item ({first_item}) "
                             f"{'has none' if has_margin else 'has one'}; give every pair a "
                             "margin or none.")
        items.append(item)
    if not items:   # lines but no item: only an all-tied tiered line gives no pair
        raise ValueError(f"{source}: no preference items found ("
                         + ("each line ties all: '0 = 1')." if lines else "the file is empty)."))
    return items, fmt


@validated()
def detect_format(obj) -> str:
    """The format of one parsed JSON line, e.g. ``"standard-implicit"``."""
    return _line_format(obj, "<line>")


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def _pair_obj(p: PreferencePair, fmt: str) -> dict:
    if fmt == "standard-explicit":
        obj = {"prompt": p.prompt, "chosen": p.chosen, "rejected": p.rejected}
    elif fmt == "standard-implicit":
        obj = {"chosen": f"{p.prompt} {p.chosen}", "rejected": f"{p.prompt} {p.rejected}"}
    else:
        prompt = text_to_messages(p.prompt, "user")
        chosen = text_to_messages(p.chosen, "assistant")
        rejected = text_to_messages(p.rejected, "assistant")
        if fmt == "conversational-explicit":
            obj = {"prompt": prompt, "chosen": chosen, "rejected": rejected}
        else:
            obj = {"chosen": prompt + chosen, "rejected": prompt + rejected}
    if p.margin is not None:
        obj["margin"] = p.margin
    return obj


@validated(items="items", format="str")
def to_objects(items: Iterable[PreferencePair | RankedList], format: str) -> list[dict]:
    """The items as JSON objects in ``format`` (lists become their pairs in a pair format)."""
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}.")
    out = []
    for item in items:
        if not isinstance(item, (PreferencePair, RankedList)):
            raise ValueError(f"can only write PreferencePair or RankedList items; got "
                             f"{type(item).__name__}.")
        if format in ("ranked", "tiered"):
            lst = as_ranked_list(item)
            if lst.margin is not None:
                raise ValueError(f"the {format} format has no margin column; write these pairs "
                                 "in a pair format (e.g. standard-explicit) to keep their "
                                 "margins.")
            obj = {"prompt": lst.prompt, "responses": list(lst.responses)}
            if format == "ranked":
                obj["ranking"] = list(lst.ranking)
            else:
                obj["tiers"] = " > ".join(str(i) for i in lst.ranking)
            out.append(obj)
        else:
            pairs = item.pairs() if isinstance(item, RankedList) else [item]
            out += [_pair_obj(p, format) for p in pairs]
    return out
