"""Quizzes: all 15 seed questions, the right answer passes, each wrong answer gets its own
feedback, the widget's buttons and DOM classes, and the static fallback."""

import math
import re
from collections import Counter

import pytest

from rmteach import quiz
from rmteach.quiz import Choice, MultipleChoice, Numeric, QuizWidget
from rmteach.quiz.bank import BY_NOTEBOOK, QUIZZES

NOTEBOOKS = {"01_preference_probability", "02_pairwise_loss", "03_listwise_loss",
             "05_training_a_reward_model", "06_diagnosing_and_comparing",
             "04_what_the_loss_does_to_rewards", "07_ties_and_calibration",
             "08_best_of_n_and_shortcuts", "09_reward_hacking_and_kl"}


def test_all_fifteen_seed_questions_once():
    assert sorted(q.seed for q in QUIZZES.values() if q.seed) == list(range(1, 16))
    assert set(BY_NOTEBOOK) >= NOTEBOOKS
    assert sum(q.seed > 0 for q in QUIZZES.values()) == 15
    assert "uncertain-list-loss" in QUIZZES                    # the id CONTRIBUTING.md uses


@pytest.mark.parametrize("qid", sorted(QUIZZES))
def test_right_answer_passes(qid):
    q = QUIZZES[qid]
    assert q.is_correct(q.correct)
    assert q.answer(q.correct).startswith("Correct")


@pytest.mark.parametrize("qid", sorted(QUIZZES))
def test_every_wrong_choice_has_its_own_feedback(qid):
    q = QUIZZES[qid]
    if isinstance(q, MultipleChoice):
        wrong = [c for i, c in enumerate(q.choices) if i != q.correct_index]
        messages = [q.answer(c.text) for c in wrong]
        assert all(m.startswith("Not quite") for m in messages)
        assert len(set(messages)) == len(messages)             # specific to the choice
        assert all(len(m) > 40 for m in messages)               # says why, not just "no"
        assert q.answer(99).startswith("Not quite") and "choose" in q.answer(None)
    else:
        for value, _tol, feedback in q.mistakes:
            assert not q.is_correct(value)
            assert q.answer(value) == f"Not quite. {feedback}"
        assert q.answer(q.correct + 10).startswith("Not quite")
        assert "type a number" in q.answer("twelve")


def test_numbers_in_the_bank_are_right():
    assert QUIZZES["confidence-and-loss"].correct == pytest.approx(math.log1p(math.exp(4)))
    assert QUIZZES["listwise-concrete"].correct == pytest.approx(
        (2 * math.log1p(math.exp(-1)) + math.log1p(math.exp(-2))) / 3)
    assert QUIZZES["uncertain-list-loss"].correct == "False"
    assert QUIZZES["decompose-ranking"].correct == "{C≻A, C≻D, C≻B, A≻D, A≻B, D≻B}"
    assert QUIZZES["inconsistent-scenario"].correct.startswith("r(Y_a) = 1.5, r(Y_b) = 2.5")
    # the literal reading is recognised as such in the numeric quiz
    lit = QUIZZES["listwise-concrete"]
    assert "literal reading" in lit.answer(0.918)


def _choice_quizzes():
    return [q for q in QUIZZES.values() if isinstance(q, MultipleChoice)]


def test_length_gives_nothing_away():
    """The right option is (one of) the longest in at most a third of the items."""
    items = _choice_quizzes()
    longest = [q.id for q in items
               if len(q.correct) >= max(len(c.text) for c in q.choices)]
    assert len(longest) <= len(items) / 3, f"the answer is the longest option in {longest}"


def test_answer_positions_are_spread():
    """No letter holds the right answer in more than 40% of the items."""
    items = _choice_quizzes()
    counts = Counter(q.correct_index for q in items)
    letter, most = counts.most_common(1)[0]
    assert most <= 0.4 * len(items), (
        f"({'abcdefghij'[letter]}) is the answer in {most} of {len(items)} items: {counts}")


def test_the_two_restored_seed_questions_keep_their_substance():
    # seed 10 compares two models, each on its own data set, through the empirical loss
    cmp_ = QUIZZES["compare-reward-models"]
    assert "own held-out set" in cmp_.question and "D<sub>2</sub>" in cmp_.question
    assert "different sets" in cmp_.correct
    assert cmp_.answer(cmp_.choices[0].text).startswith("Not quite")      # forgot 1/|D|
    # seed 2 asks why inconsistent data give a high, flat loss
    diag = QUIZZES["training-diagnosis"]
    assert "opposite label" in diag.question and "Why does the loss stay" in diag.question
    assert "ℓ(Δ) + ℓ(−Δ)" in diag.correct


def test_short_forms_build_the_same_quizzes():
    q = MultipleChoice.of("short-form", 0, "n", "t", "q?", "e", ("x", "fx"), ("y", "fy"),
                          answer="b")
    assert q.correct == "y" and q.answer("x") == "Not quite. fx"
    with pytest.raises(ValueError, match="answer must be one of the letters a, b"):
        MultipleChoice.of("short-form", 0, "n", "t", "q?", "e", ("x", "f"), ("y", "g"),
                          answer="c")
    n = Numeric.of("short-num", 0, "n", "t", "q?", "e", 2.0, 0.1, (3.0, 0.1, "off by one"))
    assert n.is_correct("2.05") and n.answer(3) == "Not quite. off by one"


def test_numeric_parsing_accepts_comma_and_unicode_minus():
    q = QUIZZES["listwise-concrete"]
    assert q.is_correct("0,2512") and q.is_correct(" 0.251 ")
    assert q.answer("−4.018").startswith("Not quite")
    assert not q.is_correct(float("nan")) and not q.is_correct(True)


@pytest.mark.parametrize("qid", sorted(QUIZZES))
def test_widget_dom_classes_buttons_and_static_html(qid):
    q = QUIZZES[qid]
    w = quiz.show(qid)
    assert isinstance(w, QuizWidget)
    assert {"rmteach-quiz", f"rmteach-quiz-id-{qid}"} <= set(w._dom_classes)
    assert "rmteach-quiz-check" in w.check_button._dom_classes
    assert "rmteach-quiz-reveal" in w.reveal_button._dom_classes
    assert "rmteach-quiz-feedback" in w.feedback._dom_classes
    entry = w.choices if w.choices is not None else w.answer_box
    cls = "rmteach-quiz-choices" if w.choices is not None else "rmteach-quiz-answer"
    assert cls in entry._dom_classes
    assert w.feedback.value == "" and w.solution.value == ""
    # a wrong answer, then the right one, through the buttons
    if w.choices is not None:
        entry.value = next(c.text for i, c in enumerate(q.choices) if i != q.correct_index)
    else:
        entry.value = "12345"
    w.check_button.click()
    assert re.sub("<[^>]+>", "", w.feedback.value).startswith("Not quite")
    entry.value = q.correct if w.choices is not None else f"{q.correct:.4f}"
    w.check_button.click()
    assert re.sub("<[^>]+>", "", w.feedback.value).startswith("Correct")
    w.reveal_button.click()
    assert "Answer:" in w.solution.value
    bundle = w._repr_mimebundle_()
    html_text = bundle["text/html"]
    assert "<details>" in html_text and "Show the answer" in html_text
    assert "0x" not in bundle["text/plain"]


def test_static_html_shows_question_choices_and_answer():
    html_text = QUIZZES["decompose-ranking"].static_html()
    assert "C &gt; A &gt; D &gt; B" in html_text
    assert html_text.count("<li>") == 4
    answer = html_text.split("<details>")[1]
    assert "(c) {C≻A, C≻D, C≻B, A≻D, A≻B, D≻B}" in answer


def test_show_unknown_id_lists_known_ids():
    with pytest.raises(ValueError, match="uncertain-list-loss"):
        quiz.show("no-such-quiz")


def test_quiz_definitions_are_validated():
    with pytest.raises(ValueError, match="lowercase"):
        Numeric(id="Bad Id", seed=0, topic="t", notebook="n", question="q", explanation="e")
    with pytest.raises(ValueError, match="choices"):
        MultipleChoice(id="one-choice", seed=0, topic="t", notebook="n", question="q",
                       explanation="e", choices=(Choice("only", "f"),), correct_index=0)


NOTEBOOK_DIR = __import__("pathlib").Path(__file__).resolve().parents[1] / "notebooks"


@pytest.mark.parametrize("notebook", sorted(BY_NOTEBOOK))
def test_each_notebook_asks_its_seed_questions(notebook):
    """Every quiz of the bank is shown (``quiz.show("<id>")``) in the notebook it names."""
    import nbformat

    path = NOTEBOOK_DIR / f"{notebook}.ipynb"
    if not path.exists():
        pytest.skip(f"{path.name} is not in this checkout yet (written separately)")
    nb = nbformat.read(path, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    shown = re.findall(r"""quiz\.show\(\s*["']([a-z0-9-]+)["']""", source)
    assert sorted(shown) == sorted(BY_NOTEBOOK[notebook]), (
        f"{path.name} shows {sorted(shown)}; the bank places {sorted(BY_NOTEBOOK[notebook])} "
        "there")
