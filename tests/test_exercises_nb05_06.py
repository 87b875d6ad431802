"""Exercises of notebooks 04 and 05: each typical mistake gets the message that names it.

(The model solutions passing, the starter saying "Not yet", and hint/solution printing
are covered for every exercise by tests/test_exercises.py.)"""

import math

import numpy as np
import pytest

from rmteach.exercises import EXERCISES, nb05, nb06

pytest.importorskip("torch", reason="the phi exercise builds TinyRewardModels (torch)")


def _msg(ex, answer):
    r = ex.evaluate(answer)
    assert not r.ok, r.message
    assert r.message.startswith("Not quite"), r.message
    return r.message


def test_registered():
    for key in ("nb05.phi_counts", "nb05.pairwise_accuracy", "nb06.diagnose_run",
                "nb06.prompt_weights"):
        assert key in EXERCISES


# --- nb05.phi_counts --------------------------------------------------------------------

def _head(m):
    return sum(p.numel() for p in m.head.parameters())


def _total(m):
    return sum(p.numel() for p in m.parameters())


def test_phi_counts_accepts_a_dict_too():
    assert nb05.phi_counts.evaluate(
        lambda m: {"backbone": _total(m) - _head(m), "head": _head(m)}).ok


def test_phi_counts_mistakes():
    ex = nb05.phi_counts
    assert "swapped" in _msg(ex, lambda m: (_head(m), _total(m) - _head(m)))
    assert "no bias" in _msg(ex, lambda m: (_total(m) - _head(m), _head(m) + 1))
    assert "includes the head" in _msg(ex, lambda m: (_total(m), _head(m)))
    def no_emb(m):
        return ((_total(m) - _head(m) - m.token_embedding.weight.numel()
                             - m.position_embedding.weight.numel(), _head(m)))
    assert "embeddings" in _msg(ex, no_emb)
    def layers_only(m):
        return ((sum(p.numel() for p in m.transformer.parameters()), _head(m)))
    assert "every parameter that is not the head" in _msg(ex, layers_only)
    assert "two whole numbers" in _msg(ex, lambda m: 5)
    assert "keys 'backbone' and 'head'" in _msg(ex, lambda m: {"b": 1})
    assert "raised ZeroDivisionError" in _msg(ex, lambda m: 1 / 0)
    m = _msg(ex, lambda m: 1 / 0)
    assert "TinyRewardModel(d_model=32)" in m and "0x" not in m      # short, no repr dump


# --- nb05.pairwise_accuracy -----------------------------------------------------------------

def test_pairwise_accuracy_mistakes():
    ex = nb05.pairwise_accuracy
    assert "counted the 2 tie(s) as wrong" in _msg(ex, lambda a, b: np.mean(a > b))
    assert "counted the 2 tie(s) as right" in _msg(ex, lambda a, b: np.mean(a >= b))
    assert "share ordered wrong" in _msg(ex, lambda a, b: np.sum(a < b) / np.sum(a != b))
    assert "percentage" in _msg(ex, lambda a, b: 100 * np.sum(a > b) / np.sum(a != b))
    assert "number of correct pairs" in _msg(ex, lambda a, b: float(np.sum(a > b)))
    assert "one number" in _msg(ex, lambda a, b: (a > b).astype(float))
    assert "expected 0.75" in _msg(ex, lambda a, b: 0.123)


def test_pairwise_accuracy_ignores_in_place_edits():
    def sloppy(a, b):
        gap = a - b
        a -= a                                   # mutates the caller's array
        return float(np.sum(gap > 0) / np.sum(gap != 0))

    assert nb05.pairwise_accuracy.evaluate(sloppy).ok
    assert nb05.pairwise_accuracy.evaluate(sloppy).ok


# --- nb06.diagnose_run ----------------------------------------------------------------------

def test_the_stated_rule_agrees_with_rmteach_diagnose():
    for train_loss, train_acc, held_acc, _why in nb06._RUNS:
        want = nb06._reference(train_loss, train_acc, held_acc)
        codes = nb06.reference_codes(train_loss, train_acc, held_acc)
        assert {"stuck": "stuck-at-ln2", "overfitting": "overfitting",
                "healthy": "healthy"}[want] in codes, (train_loss, codes)
    assert sorted({nb06._reference(*r[:3]) for r in nb06._RUNS}) == [
        "healthy", "overfitting", "stuck"]


def test_diagnose_run_mistakes():
    ex = nb06.diagnose_run
    def first_value(loss, a, h):
        return ("stuck" if abs(loss[0] - math.log(2)) < 0.02
                       else "healthy")
    assert "not its first value" in _msg(ex, first_value)
    assert "cannot tell responses apart" in _msg(ex, lambda loss, a, h: "healthy")

    def no_gap_check(loss, a, h):
        return "stuck" if abs(loss[-1] - math.log(2)) <= 0.02 else "healthy"

    assert "24-point gap" in _msg(ex, no_gap_check)
    assert "one of the strings" in _msg(ex, lambda loss, a, h: "fine")
    assert "one of the strings" in _msg(ex, lambda loss, a, h: 3)


def test_diagnose_run_accepts_any_case_and_spacing():
    def shouting(loss, a, h):
        if abs(loss[-1] - math.log(2)) <= 0.02 and a[-1] <= 0.65:
            return "STUCK"
        return " Overfitting " if a[-1] - h[-1] > 0.1 and a[-1] > 0.7 else "Healthy"

    assert nb06.diagnose_run.evaluate(shouting).ok


# --- nb06.prompt_weights ----------------------------------------------------------------

def test_prompt_weights_mistakes():
    ex = nb06.prompt_weights
    assert "listwise loss averaged over lists" in _msg(
        ex, lambda ns: np.full(len(ns), 1 / len(ns)))
    assert "proportional to N." in _msg(ex, lambda ns: np.array(ns) / np.sum(ns))
    assert "proportional to N²" in _msg(
        ex, lambda ns: np.array(ns) ** 2 / np.sum(np.array(ns) ** 2))
    assert "divide by their total" in _msg(
        ex, lambda ns: np.array(ns) * (np.array(ns) - 1) / 2)
    assert "sum to" in _msg(ex, lambda ns: np.array(ns) * 0.1)
    assert "shape" in _msg(ex, lambda ns: 1.0)
    # N(N-1) (ordered pairs) normalises to the same shares: accepted
    assert ex.evaluate(lambda ns: np.array(ns) * (np.array(ns) - 1) /
                       np.sum(np.array(ns) * (np.array(ns) - 1))).ok
