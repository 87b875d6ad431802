"""Issue 19: exercises make the learner think beyond the hint.

* More than half of the suite's exercises are of a kind other than "implement" (predict a
  number and check it, diagnose a run, choose a setting, implement a variant the text did
  not spell out), read from each exercise's machine-readable ``kind``.
* No hint contains the answer's formula: no formula-like fragment of the model answer's
  code (a run of 8 characters with an operator in it, after dropping spaces, ``np.`` and
  the like), and, for an exercise whose answer is a number, not that number either.

Each check is shown to fail on a bad example, so neither can pass vacuously.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from rmteach.exercises import EXERCISES, KINDS, Exercise

WINDOW = 8
_OPERATOR = re.compile(r"[-+*/@<>]")


def _normalise(text: str) -> str:
    """Code or prose reduced to what a formula is made of: no spaces, no module prefixes,
    one minus sign, powers written one way, 1.0 written 1."""
    text = text.replace("−", "-").replace("·", "*").replace("×", "*").replace("²", "**2")
    text = re.sub(r"\b(?:np|math|torch)\.", "", text)
    text = re.sub(r"\bdtype=float\b,?|\bfloat\(", "", text)
    text = re.sub(r"(\d)\.0\b", r"\1", text)                # 0.0 and 0 are one number
    return re.sub(r"\s+", "", text).lower()


def formula_fragments(solution: str) -> set[str]:
    """Every run of WINDOW characters of the answer's code (comments dropped) that holds an
    operator and a letter or digit: the pieces a hint must not give away."""
    out = set()
    for line in solution.splitlines():
        code = _normalise(line.split("#", 1)[0])
        if code.startswith(("def", "return")) and not _OPERATOR.search(code):
            continue
        for i in range(len(code) - WINDOW + 1):
            piece = code[i:i + WINDOW]
            if _OPERATOR.search(piece) and re.search(r"[a-z0-9]", piece):
                out.add(piece)
    return out


def answer_value(ex: Exercise) -> float | None:
    """The number a predict-style answer holds (``name = expression``), else None."""
    ns = {"np": np}
    exec(ex.solution_code(), ns)
    values = [v for k, v in ns.items() if k not in ("np", "__builtins__")]
    if len(values) == 1 and isinstance(values[0], (int, float, np.floating)):
        return float(values[0])
    return None


def leaks(ex: Exercise) -> list[str]:
    """What of the answer a hint gives away: formula fragments, or the answer's number."""
    hint = _normalise(ex._hint)
    found = sorted(p for p in formula_fragments(ex.solution_code()) if p in hint)
    value = answer_value(ex)
    if value is not None:
        for spec in (".2f", ".3f", ".4f", ",.0f", ".0f"):
            text = _normalise(format(value, spec))
            if len(text.strip("0.-")) >= 2 and text in hint:
                found.append(text)
    return found


def test_more_than_half_of_the_exercises_are_not_implement():
    kinds = {key: ex.kind for key, ex in EXERCISES.items()}
    assert set(kinds.values()) <= set(KINDS)
    beyond = [key for key, kind in kinds.items() if kind != "implement"]
    print(f"{len(beyond)} of {len(kinds)} exercises are not 'implement':", beyond)
    assert 2 * len(beyond) > len(kinds), kinds
    # notebooks 01-05, redesigned for issue 19: each has at least one
    for nb in ("nb01", "nb02", "nb03", "nb04", "nb05"):
        assert any(k.startswith(nb + ".") for k in beyond), nb


@pytest.mark.parametrize("key", sorted(EXERCISES))
def test_no_hint_contains_the_answers_formula(key):
    assert not leaks(EXERCISES[key]), (key, leaks(EXERCISES[key]))


def _exercise(hint: str, solution: str) -> Exercise:
    return Exercise(name="demo", title="demo", task="demo", hint=hint, solution_code=solution,
                    checker=lambda answer: "ok", starter="x = ...\n\nex.demo.check(x)")


def test_the_leak_check_catches_a_hint_that_gives_the_formula_or_the_number():
    solution = ("def f(r_chosen, r_rejected):\n"
                "    d = np.asarray(r_chosen, dtype=float) - np.asarray(r_rejected, dtype=float)\n"
                "    return np.logaddexp(0.0, -d)\n")
    assert leaks(_exercise("Use np.logaddexp(0, -d) on the gap d.", solution))
    assert leaks(_exercise("Return logaddexp( 0.0, −d ).", solution))       # spaces, − sign
    assert not leaks(_exercise("Which a and b make log(e^a + e^b) the loss?", solution))
    predict = "p = 19**2 / (19**2 + 1)\n"
    assert leaks(_exercise("The odds are 19² : 1, so p = 19²/(19² + 1).", predict))
    assert leaks(_exercise("It is about 0.997.", predict))
    assert not leaks(_exercise("What odds does 0.95 stand for?", predict))


def test_kind_is_checked():
    with pytest.raises(ValueError, match="kind must be one of implement, predict"):
        Exercise(name="x", title="x", task="x", hint="x", solution_code="x = 1",
                 checker=lambda a: "ok", kind="copy")
