"""The quiz classes: a question, choices or a numeric answer, a Check button whose
feedback explains *why*, and a Show-solution button. No questions live here (they are in
:mod:`rmteach.quiz.bank`, which imports this module) and :mod:`rmteach.quiz` shows them.

In a notebook::

    import rmteach.quiz
    rmteach.quiz.show("uncertain-list-loss")        # the widget, built by one call

Headless (tests, graders, the browser test)::

    from rmteach.quiz.bank import QUIZZES
    q = QUIZZES["uncertain-list-loss"]
    q.correct                  # "False": the right choice's label (a number for numeric)
    q.answer("True")           # 'Not quite. Each term is log 0.5 …'  (starts with "Correct"
                               #  or "Not quite")

Adding a quiz: append a :class:`MultipleChoice`, :class:`TrueFalse` or :class:`Numeric`
(the short forms ``MultipleChoice.of``, ``TrueFalse.make`` and ``Numeric.of`` save the
keywords) to a module of ``rmteach/quiz/bank/`` (its id must be unique: lowercase words
and hyphens), give each wrong choice its own feedback (a real misconception, about as long
as the answer), and show it in the notebook where it belongs.

DOM classes (for the browser test): the outer box ``rmteach-quiz`` and
``rmteach-quiz-id-<ID>``; ``rmteach-quiz-choices`` (RadioButtons),
``rmteach-quiz-answer`` (Text, numeric quizzes), ``rmteach-quiz-check``,
``rmteach-quiz-reveal``, ``rmteach-quiz-feedback`` and ``rmteach-quiz-solution``.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field

import ipywidgets as widgets

from ..widgets.style import page_style

__all__ = ["Choice", "MultipleChoice", "Numeric", "Quiz", "QuizWidget", "TrueFalse"]

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Choice:
    """One answer of a multiple-choice quiz and the feedback that explains it."""

    text: str
    feedback: str


@dataclass(frozen=True)
class Quiz:
    """Common fields.  ``question`` is trusted HTML (ours; LaTeX between ``$…$`` is typeset
    by the widget, but prefer Unicode math that also reads well on GitHub).
    ``explanation`` and all feedback are plain text (escaped when shown)."""

    id: str
    seed: int                  # number of the seed question (issue 4's list, 1–15)
    topic: str                 # the seed question's title
    notebook: str              # where it is asked, e.g. "03_listwise_loss"
    question: str
    explanation: str           # why the right answer is right (shown on success and reveal)

    def __post_init__(self):
        for name in ("id", "topic", "notebook", "question", "explanation"):
            if not isinstance(getattr(self, name), str):
                raise ValueError(f"quiz {name} must be a string; got "
                                 f"{type(getattr(self, name)).__name__}.")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ValueError(f"quiz seed must be a whole number; got {type(self.seed).__name__}.")
        if not _ID.match(self.id):
            raise ValueError(f"quiz id {self.id!r} must be lowercase words joined by hyphens.")

    # -- to be provided by subclasses ---------------------------------------------------
    @property
    def correct(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def is_correct(self, value) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def answer(self, value) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def _static_body(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def correct_text(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- shared -------------------------------------------------------------------------
    def solution_html(self) -> str:
        return (f"<p><b>Answer:</b> {self.correct_text()}</p>"
                f"<p>{html.escape(self.explanation)}</p>")

    def static_html(self) -> str:
        """Question and answer (inside ``<details>``) for viewers without widgets."""
        return (f"<div class='rmteach-quiz-static'><p><b>Self-check ({html.escape(self.topic)})"
                f".</b> {self.question}</p>{self._static_body()}"
                f"<details><summary>Show the answer</summary>{self.solution_html()}</details>"
                "</div>")

    def widget(self) -> QuizWidget:
        return QuizWidget(self)


@dataclass(frozen=True)
class MultipleChoice(Quiz):
    """Pick one of ``choices``; ``correct_index`` is the right one."""

    choices: tuple[Choice, ...] = ()
    correct_index: int = 0

    def __post_init__(self):
        super().__post_init__()
        if not isinstance(self.choices, (tuple, list)) or not all(
                isinstance(c, Choice) and isinstance(c.text, str) and isinstance(c.feedback, str)
                for c in self.choices):
            raise ValueError(f"quiz {self.id}: choices must be a tuple of Choice(text, feedback) "
                             "with string text and feedback.")
        if isinstance(self.correct_index, bool) or not isinstance(self.correct_index, int):
            raise ValueError(f"quiz {self.id}: correct_index must be a whole number.")
        if len(self.choices) < 2 or not 0 <= self.correct_index < len(self.choices):
            raise ValueError(f"quiz {self.id}: need ≥ 2 choices and a valid correct_index.")
        if len({c.text for c in self.choices}) != len(self.choices):
            raise ValueError(f"quiz {self.id}: choice texts must differ.")

    @classmethod
    def of(cls, id: str, seed: int, notebook: str, topic: str, question: str,
           explanation: str, *options: tuple[str, str], answer: str) -> MultipleChoice:
        """The short form: each option a ``(text, feedback)`` pair, ``answer`` the right
        one's letter as the learner sees it (``"a"``, ``"b"``, ...)::

            MultipleChoice.of("my-id", 0, "02_pairwise_loss", "topic", "question?",
                              "why the answer is right",
                              ("option a", "why a is wrong"),
                              ("option b", "why b is right"), answer="b")
        """
        letters = "abcdefghij"[:len(options)]
        if not isinstance(answer, str) or len(answer) != 1 or answer not in letters:
            raise ValueError(f"quiz {id}: answer must be one of the letters "
                             f"{', '.join(letters)}, got {answer!r}.")
        return cls(id=id, seed=seed, notebook=notebook, topic=topic, question=question,
                   explanation=explanation, choices=tuple(Choice(t, f) for t, f in options),
                   correct_index=letters.index(answer))

    @property
    def labels(self) -> list[str]:
        return [c.text for c in self.choices]

    @property
    def correct(self) -> str:
        """The right choice's label, exactly as shown in the radio buttons."""
        return self.choices[self.correct_index].text

    def _index(self, value) -> int | None:
        if isinstance(value, bool):
            value = str(value)
        if isinstance(value, int):
            return value if 0 <= value < len(self.choices) else None
        if isinstance(value, str):
            for i, c in enumerate(self.choices):
                if value.strip() == c.text:
                    return i
        return None

    def is_correct(self, value) -> bool:
        return self._index(value) == self.correct_index

    def answer(self, value) -> str:
        """Feedback for a choice (its index or its label): starts with "Correct" or "Not quite"."""
        i = self._index(value)
        if i is None:
            return "Not quite: choose one of the answers first."
        if i == self.correct_index:
            return f"Correct. {self.choices[i].feedback}"
        return f"Not quite. {self.choices[i].feedback}"

    def correct_text(self) -> str:
        return f"({'abcdefghij'[self.correct_index]}) {html.escape(self.correct)}"

    def _static_body(self) -> str:
        items = "".join(f"<li>{html.escape(c.text)}</li>" for c in self.choices)
        return f"<ol type='a'>{items}</ol>"


@dataclass(frozen=True)
class TrueFalse(MultipleChoice):
    """A statement that is true or false: ``choices`` are built from the two feedbacks."""

    @classmethod
    def make(cls, *, truth: bool, if_true: str, if_false: str, **fields) -> TrueFalse:
        choices = (Choice("True", if_true), Choice("False", if_false))
        return cls(choices=choices, correct_index=0 if truth else 1, **fields)


@dataclass(frozen=True)
class Numeric(Quiz):
    """Type a number; right within ``tolerance``.  ``mistakes`` maps common wrong values
    (each with its own tolerance) to feedback that says which slip gives that number."""

    value: float = 0.0
    tolerance: float = 1e-3
    mistakes: tuple[tuple[float, float, str], ...] = field(default=())
    fallback: str = ""         # feedback for any other wrong number

    def __post_init__(self):
        super().__post_init__()
        for name in ("value", "tolerance"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ValueError(f"quiz {self.id}: {name} must be a finite number; got {v!r}.")
        if self.tolerance < 0:
            raise ValueError(f"quiz {self.id}: tolerance must be >= 0; got {self.tolerance}.")
        if not isinstance(self.fallback, str) or not isinstance(self.mistakes, (tuple, list)):
            raise ValueError(f"quiz {self.id}: fallback must be a string and mistakes a tuple "
                             "of (wrong value, tolerance, feedback).")
        for m in self.mistakes:
            if not (isinstance(m, (tuple, list)) and len(m) == 3 and isinstance(m[2], str)
                    and all(isinstance(x, (int, float)) and not isinstance(x, bool)
                            for x in m[:2])):
                raise ValueError(f"quiz {self.id}: each mistake must be (wrong value, "
                                 f"tolerance, feedback); got {m!r:.80}.")

    @classmethod
    def of(cls, id: str, seed: int, notebook: str, topic: str, question: str,
           explanation: str, value: float, tolerance: float,
           *mistakes: tuple[float, float, str], fallback: str = "") -> Numeric:
        """The short form: each mistake a ``(wrong value, its tolerance, feedback)``."""
        return cls(id=id, seed=seed, notebook=notebook, topic=topic, question=question,
                   explanation=explanation, value=float(value), tolerance=tolerance,
                   mistakes=tuple(mistakes), fallback=fallback)

    @property
    def correct(self) -> float:
        return self.value

    @staticmethod
    def _parse(value) -> float | None:
        if isinstance(value, bool):
            return None
        try:
            if isinstance(value, (int, float)):
                v = float(value)
            else:
                text = str(value).strip().replace("−", "-").replace(",", ".")
                v = float(text) if len(text) <= 400 else math.inf
        except (ValueError, OverflowError):     # not a number, or an int beyond 1.8e308
            return None
        return v if math.isfinite(v) else None

    def is_correct(self, value) -> bool:
        v = self._parse(value)
        return v is not None and abs(v - self.value) <= self.tolerance

    def answer(self, value) -> str:
        v = self._parse(value)
        if v is None:
            return f"Not quite: type a number such as 1.25 (a dot for decimals), not {value!r}."
        if abs(v - self.value) <= self.tolerance:
            return f"Correct. {self.explanation}"
        for wrong, tol, feedback in self.mistakes:
            if abs(v - wrong) <= tol:
                return f"Not quite. {feedback}"
        return f"Not quite. {self.fallback}".rstrip()

    def correct_text(self) -> str:
        return f"{self.value:.4g}"

    def _static_body(self) -> str:
        return "<p><i>Type a number.</i></p>"


class QuizWidget(widgets.VBox):
    """The interactive form of a :class:`Quiz`.

    Attributes: ``quiz``, ``choices`` (RadioButtons or None), ``answer_box`` (Text or
    None), ``check_button``, ``reveal_button``, ``feedback``, ``solution``.
    ``check()`` / ``reveal()`` do what the buttons do.
    """

    def __init__(self, quiz: Quiz):
        if not isinstance(quiz, Quiz):
            raise ValueError(f"QuizWidget needs a Quiz (MultipleChoice, TrueFalse or Numeric); "
                             f"got {type(quiz).__name__}.")
        self.quiz = quiz
        self.question = widgets.HTMLMath(f"<b>Self-check.</b> {quiz.question}")
        self.choices = None
        self.answer_box = None
        if isinstance(quiz, MultipleChoice):
            # full width, one row per choice; the page CSS lets a long choice wrap under
            # itself (ipywidgets' fixed-height rows would draw wrapped text over the next)
            self.choices = widgets.RadioButtons(options=quiz.labels, value=None,
                                                layout=widgets.Layout(width="100%",
                                                                      height="auto"))
            self.choices.add_class("rmteach-quiz-choices")
            entry = self.choices
        else:
            self.answer_box = widgets.Text(placeholder="type a number",
                                           layout=widgets.Layout(width="180px"))
            self.answer_box.add_class("rmteach-quiz-answer")
            entry = self.answer_box
        self.check_button = widgets.Button(description="Check", button_style="primary")
        self.check_button.add_class("rmteach-quiz-check")
        self.reveal_button = widgets.Button(description="Show solution")
        self.reveal_button.add_class("rmteach-quiz-reveal")
        self.feedback = widgets.HTML()
        self.feedback.add_class("rmteach-quiz-feedback")
        self.solution = widgets.HTMLMath()
        self.solution.add_class("rmteach-quiz-solution")
        self.check_button.on_click(lambda _: self.check())
        self.reveal_button.on_click(lambda _: self.reveal())
        buttons = widgets.HBox([self.check_button, self.reveal_button],
                               layout=widgets.Layout(flex_flow="row wrap", margin="6px 0 0 0"))
        super().__init__([page_style(), self.question, entry, buttons,
                          self.feedback, self.solution],
                         layout=widgets.Layout(border="1px solid #ccc", padding="6px",
                                               margin="6px 0"))
        self.add_class("rmteach-quiz")
        self.add_class(f"rmteach-quiz-id-{quiz.id}")

    def current_answer(self):
        return self.choices.value if self.choices is not None else self.answer_box.value

    def check(self) -> str:
        text = self.quiz.answer(self.current_answer())
        colour = "#006B4F" if text.startswith("Correct") else "#A04000"
        self.feedback.value = f"<div style='color:{colour}'>{html.escape(text)}</div>"
        return text

    def reveal(self) -> None:
        self.solution.value = self.quiz.solution_html()

    def _repr_mimebundle_(self, **kwargs):
        bundle = dict(super()._repr_mimebundle_(**kwargs) or {})
        bundle["text/html"] = self.quiz.static_html()
        bundle["text/plain"] = f"Self-check quiz {self.quiz.id!r} (run the notebook to answer)"
        return bundle
