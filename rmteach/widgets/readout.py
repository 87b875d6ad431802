"""One idea per readout: at most four numbers in view, the rest behind a "details" toggle.

A widget's readout (the ``rmteach-readout`` HTML) shows the few numbers its lesson is about;
everything else goes into :func:`details`, a collapsed ``<details>`` element the learner
opens on demand. :func:`visible_numbers` counts what a learner sees before opening it
(``tests/test_readouts.py`` holds each widget of notebooks 00–05 to :data:`MAX_NUMBERS`).

>>> shown = "scale <b>2.014</b>, loss 0.1015" + details("β = 2.00, 96.8% agree")
>>> visible_numbers(shown)
['2.014', '0.1015']
>>> visible_numbers("listwise loss (Eq. 4.57) 0.2276")
['0.2276']
"""

from __future__ import annotations

import html
import re

__all__ = ["MAX_NUMBERS", "details", "visible_numbers"]

#: the most numbers a readout shows before its details are opened
MAX_NUMBERS = 4

_NUMBER = re.compile(r"(?<![\w.])[−-]?\d+(?:\.\d+)?(?:e[−+-]?\d+)?%?")


def details(body: str, summary: str = "details") -> str:
    """``body`` (trusted HTML) collapsed behind a toggle labelled ``summary``."""
    return f"<details><summary>{summary}</summary>{body}</details>"


def visible_numbers(readout: str) -> list[str]:
    """The numbers a learner sees in a readout with its details closed (tags dropped;
    a digit inside a name such as ``y_1`` or ``x2`` is not a number)."""
    if not isinstance(readout, str):
        raise ValueError(f"readout must be the readout's HTML text; got {type(readout).__name__}.")
    text = re.sub(r"<details>.*?</details>", " ", readout, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = re.sub(r"\bEqs?\.\s*[\d.–-]+", " ", text)          # an equation's number is a name
    return _NUMBER.findall(text)
