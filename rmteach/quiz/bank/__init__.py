"""The suite's self-check questions, gathered from one module per group of lessons.

**Rules for a fair question** (a learner who has not read the lesson must not be able to
pick the key from the wording alone). ``tests/test_quiz.py`` and ``tests/test_quiz_cues.py``
check the ones a program can detect, over the whole bank:

1. *Length and position.* The key is the longest option in at most a third of the items,
   and no letter holds the key in more than 40 % of them.
2. *No heading or title names the answer.* Neither the quiz's ``topic`` (shown as
   "Self-check (topic)") nor the notebook heading above the quiz uses a word that only the
   key uses; a true/false statement is asked before the section that states its answer.
3. *No lone option with numbers.* If the key quotes a number, so do the distractors (or
   none does).
4. *No lone hedge.* The key is not the only option with may, might, can, usually, often,
   tends (or a similar hedge).
5. *No absolute words only in the distractors.* Always, never, only, all, none, every,
   must, cannot, nothing, everything: not in half or more of the distractors while the key
   has none.
6. *No centroid key.* The key must not be the option every distractor is a one-step edit
   of: its mean edit distance to the distractors is not below the mean distance between
   distractors by a clear margin.
7. *Real misconceptions.* Every distractor is a belief a learner actually holds, and its
   feedback says why it is wrong (checked by hand; every wrong option has its own feedback,
   tested).

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
