"""The suite's self-check questions, gathered from one module per group of lessons.

Each module in this package defines ``QUIZ_LIST`` (a list of :class:`rmteach.quiz.kit.Quiz`);
this package joins them. ``QUIZZES`` maps each id to its quiz; ``BY_NOTEBOOK`` lists the
ids each notebook asks, in the order the modules list them.

* :mod:`.seed_pairwise`, :mod:`.seed_listwise`, :mod:`.seed_training`: the fifteen seed
  questions of chapter 4 (notebooks 01–02, 03, and 05–06).
* :mod:`.rewards`: what the loss does to the rewards (04), ties and calibration (07).
* :mod:`.using`: using a reward model and how it gets gamed (notebooks 08, 09).
* :mod:`.dpo`: the loss family beyond the book: DPO, IPO and hinge (notebook 11).

To add questions for a new notebook, write a module here with its own ``QUIZ_LIST`` and
add it to ``_MODULES`` below. Ids are unique across the whole bank.
"""

from __future__ import annotations

from ..kit import Quiz
from . import dpo, rewards, seed_listwise, seed_pairwise, seed_training, using

__all__ = ["BY_NOTEBOOK", "QUIZZES", "QUIZ_LIST"]

_MODULES = (seed_pairwise, seed_listwise, seed_training, rewards, using, dpo)

QUIZ_LIST: list[Quiz] = [q for module in _MODULES for q in module.QUIZ_LIST]

QUIZZES: dict[str, Quiz] = {}
for _q in QUIZ_LIST:
    if _q.id in QUIZZES:
        raise ValueError(f"duplicate quiz id {_q.id!r}")
    QUIZZES[_q.id] = _q

BY_NOTEBOOK: dict[str, list[str]] = {}
for _q in QUIZ_LIST:
    BY_NOTEBOOK.setdefault(_q.notebook, []).append(_q.id)
