"""Learntools-style exercises: the learner writes code, ``check()`` says exactly what is
wrong, ``hint()`` nudges, ``solution()`` shows a model answer.

In a notebook::

    from rmteach.exercises import nb02 as ex

    def my_pairwise_loss(r_chosen, r_rejected):
        ...                                   # the learner's code

    ex.stable_pairwise_loss.check(my_pairwise_loss)
    ex.stable_pairwise_loss.hint()
    ex.stable_pairwise_loss.solution()              # says how to reveal it
    ex.stable_pairwise_loss.solution(reveal=True)   # shows the model answer

``solution()`` shows the model answer only when asked with ``reveal=True``, so that
*Run All* and the stored notebooks never show one; after :func:`graded_lab` (called by the
locked first cell of an nbgrader lab, see :mod:`rmteach.course.lab`) it shows none at all.

``check`` prints one message that starts with "Correct", "Not yet" (the starter code is
still there) or "Not quite" (something specific is wrong: which input, what came
back, what was expected), and returns ``None`` so nothing else is printed.  Tests and
graders use :meth:`Exercise.evaluate`, which returns a :class:`CheckResult`.

Writing an exercise: a checker is a function ``checker(answer) -> str`` that returns
the success message, and raises :class:`Wrong` (or :class:`NotYet`) with a specific
message otherwise.  Use :func:`call` to run the learner's function: it turns any
exception inside it into a ``Wrong`` that names the input.  Then::

    my_ex = Exercise(name="...", starter="def my_fn(x):\n    ...\n\n\nex.NAME.check(my_fn)",
                     title="...", task="...", hint="...", solution_code="def ...",
                     checker=my_checker)

and register it in the notebook's module (``rmteach/exercises/nbNN.py``).  ``starter`` is
the learner cell exactly as the notebook stores it (its last line ``ex.NAME.check(ARG)``):
course labs build the student's cell from it, never from the saved notebook, so nothing an
instructor typed there reaches students (``tests/test_lab_starters.py`` keeps the two equal).
"""

from __future__ import annotations

import collections.abc
import copy
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["KINDS", "CheckResult", "Exercise", "NotYet", "Wrong", "as_float_array", "call",
           "describe", "graded_lab", "require_callable"]

_GRADED_LAB = False


def graded_lab(on: bool = True) -> None:
    """Switch every exercise's ``solution()`` off (on) for a graded nbgrader lab."""
    global _GRADED_LAB
    _GRADED_LAB = bool(on)


class Wrong(Exception):
    """Raised by a checker: the answer is wrong, and the message says how."""


class NotYet(Wrong):
    """Raised by a checker: the starter code has not been filled in yet."""


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok


def describe(x) -> str:
    """A short, readable rendering of an input or an output for messages."""
    if isinstance(x, np.ndarray):
        if x.ndim == 0:
            return describe(x.item())
        return "array([" + ", ".join(describe(v) for v in x.tolist()) + "])"
    if isinstance(x, float):
        text = f"{x + 0.0:.6g}"               # + 0.0 turns −0.0 into 0.0
        return text + ".0" if text.lstrip("-").isdigit() else text
    if isinstance(x, (list, tuple)):
        inner = ", ".join(describe(v) for v in x)
        return f"[{inner}]" if isinstance(x, list) else f"({inner})"
    return safe_repr(x)


def safe_repr(x, limit: int = 200) -> str:
    """``repr(x)``, cut to ``limit`` characters; a learner's object whose ``__repr__``
    raises is described by its type instead."""
    try:
        text = repr(x)
    except Exception as exc:  # the learner's object may raise anything
        return f"<a {type(x).__name__} whose repr() raised {type(exc).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def require_callable(fn, name: str) -> None:
    if fn is None:
        raise NotYet(f"pass your function, like check({name}).")
    if not callable(fn):
        raise Wrong(f"check() expects your function {name}, not a {type(fn).__name__}. "
                    f"Call it as check({name}) without parentheses after the name.")


def call(fn: Callable, *args, name: str = "your function", shown: str | None = None):
    """Run the learner's function on ``args``; exceptions become a specific ``Wrong``.

    The arguments are copied first, so a function that modifies its inputs in place
    cannot change the checker's test cases.  Floating-point warnings are silenced: an
    overflow shows up in the value, and the checker reports it with the input that
    caused it.  ``shown`` replaces the arguments' text in messages (for an argument
    whose repr is a page long, such as a model).
    """
    if shown is None:
        shown = ", ".join(describe(a) for a in args)
    args = tuple(copy.deepcopy(a) for a in args)   # the learner's code may modify its inputs
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = fn(*args)
    except NotImplementedError:                 # nbgrader's stub: nothing written yet
        raise NotYet(f"{name}({shown}) raised NotImplementedError: replace "
                     "`raise NotImplementedError()` with your code and `return` the "
                     "result.") from None
    except Exception as exc:  # the learner's code may raise anything
        raise Wrong(f"{name}({shown}) raised {type(exc).__name__}: {exc}") from None
    if out is None or out is Ellipsis:
        raise NotYet(f"{name}({shown}) returned {out!r}. Replace the `...` with your code and "
                     "`return` the result.")
    if isinstance(out, collections.abc.Iterator):   # a generator may never end: never iterate
        raise Wrong(f"{name}({shown}) returned a {type(out).__name__} (an iterator, which "
                    "may never end); return a list or a number, e.g. wrap it in list(...) "
                    "when it is finite.")
    return out


def as_float_array(out, *, name: str, args_text: str) -> np.ndarray:
    """The learner's output as a float array, or a ``Wrong`` saying why it is not one."""
    try:
        if hasattr(out, "detach"):            # a torch tensor: fine, compare its values
            out = out.detach().cpu().numpy()
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if np.iscomplexobj(out):
                raise Wrong(f"{name}({args_text}) returned complex numbers; return real "
                            "numbers.")
            arr = np.asarray(out, dtype=float)
    except Wrong:
        raise
    except (TypeError, ValueError):
        raise Wrong(f"{name}({args_text}) returned {type(out).__name__} {safe_repr(out)}, "
                    "which is not a number or an array of numbers.") from None
    except Exception as exc:  # e.g. a learner's object whose __array__ raises
        raise Wrong(f"{name}({args_text}) returned a {type(out).__name__}, and turning it into "
                    f"numbers raised {type(exc).__name__}: {safe_repr(str(exc))[1:-1]}. Return "
                    "a float or a NumPy array.") from None
    return arr


def close(a, b, tol: float = 1e-6) -> bool:
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=tol, atol=tol))


#: what an exercise asks of the learner (issue 19: at least half are not "implement"):
#: "implement" writes down a formula the text gives; "predict" commits to a number before a
#: check computes it; "diagnose" reads a broken run from its curves; "choose" picks a
#: setting and justifies it against r*; "variant" implements a case the text did not spell
#: out.
KINDS = ("implement", "predict", "diagnose", "choose", "variant")


class Exercise:
    """One exercise: ``check(answer)``, ``hint()``, ``solution()``; ``evaluate`` for tests.
    ``kind`` is one of :data:`KINDS`."""

    def __init__(self, *, name: str, title: str, task: str, hint: str, solution_code: str,
                 checker: Callable[[object], str], starter: str = "", kind: str = "implement"):
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
        self.name = name
        self.kind = kind
        self.starter = starter.strip("\n")
        self.title = title
        self.task = task
        self._hint = hint
        self._solution = solution_code.strip("\n")
        self._checker = checker
        self.last_result: CheckResult | None = None

    def evaluate(self, answer=None) -> CheckResult:
        """Check ``answer`` without printing; the message says exactly what is wrong."""
        try:
            message = self._checker(answer)
            result = CheckResult(True, f"Correct: {message}")
        except NotYet as exc:
            result = CheckResult(False, f"Not yet: {exc}")
        except Wrong as exc:
            result = CheckResult(False, f"Not quite: {exc}")
        except Exception as exc:  # anything a learner's code does becomes feedback
            result = CheckResult(False, f"Not quite: checking your answer raised "
                                        f"{type(exc).__name__}: {safe_repr(str(exc))[1:-1]}. "
                                        "Make your function take and return plain numbers "
                                        "or NumPy arrays (see hint()).")
        self.last_result = result
        return result

    def check(self, answer=None) -> None:
        """Print whether ``answer`` is right and, if not, exactly what is wrong."""
        print(self.evaluate(answer).message)

    def hint(self, reveal: bool = False) -> None:
        """Print the hint, only when asked for it with ``reveal=True`` (so that Run All
        shows no hints)."""
        if not reveal:
            print("A hint is ready when you want one: try check() first, then change this "
                  f"line to ex.{self.name}.hint(reveal=True) and run it.")
        else:
            print(f"Hint: {self._hint}")

    def grade(self, answer=None) -> None:
        """``check()`` for an autograder: prints the message, raises ``AssertionError`` unless
        the answer is right (an nbgrader test cell of :mod:`rmteach.course.lab` calls this)."""
        result = self.evaluate(answer)
        print(result.message)
        if not result.ok:
            raise AssertionError(f"{self.title}: {result.message}")

    def solution(self, reveal: bool = False) -> None:
        """Print the model answer, only when asked for it with ``reveal=True``."""
        if _GRADED_LAB:
            print("This is a graded lab: solutions are switched off. "
                  f"ex.{self.name}.hint() and check() still help.")
        elif not reveal:
            print("The model answer stays hidden until you ask for it, so that Run All "
                  "never shows it. Try check() and hint() first; then change this line to "
                  f"ex.{self.name}.solution(reveal=True) and run it.")
        else:
            print(f"Solution:\n{self._solution}")

    def solution_code(self) -> str:
        """The model answer's source (tests execute it and check that it passes)."""
        return self._solution

    def __repr__(self) -> str:
        return f"<exercise {self.name} ({self.kind}): {self.title}>"


def finite_or_wrong(arr: np.ndarray, *, name: str, args_text: str, expected) -> None:
    """Raise ``Wrong`` naming the input if the output holds NaN or ±inf."""
    if not np.all(np.isfinite(arr)):
        raise Wrong(f"{name}({args_text}) returned {describe(arr)}, but the right answer is "
                    f"{describe(np.asarray(expected))}: the computation overflowed on huge "
                    "rewards or a huge reward gap. Compute it in a numerically stable way "
                    "(see hint()).")


def isclose(a: float, b: float, tol: float = 1e-6) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)
