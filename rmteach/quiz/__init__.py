"""Show a self-check quiz from the bank: ``rmteach.quiz.show("ID")``.

The classes are in :mod:`rmteach.quiz.kit` (they never import the bank), the questions in
:mod:`rmteach.quiz.bank` (which imports the classes); this module joins the two, so the
imports flow one way: quizkit <- quizbank <- quiz.
"""

from __future__ import annotations

from .bank import QUIZZES
from .kit import Choice, MultipleChoice, Numeric, Quiz, QuizWidget, TrueFalse

__all__ = ["Choice", "MultipleChoice", "Numeric", "Quiz", "QuizWidget", "TrueFalse", "show"]


def show(quiz_id: str) -> QuizWidget:
    """Build the quiz widget for ``quiz_id`` (an id in :data:`rmteach.quiz.bank.QUIZZES`)."""
    if not isinstance(quiz_id, str) or quiz_id not in QUIZZES:
        raise ValueError(f"no quiz {quiz_id!r}; known ids: {', '.join(sorted(QUIZZES))}.")
    return QUIZZES[quiz_id].widget()
