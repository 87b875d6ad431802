"""Exercises of notebooks 05 and 06: each typical mistake gets the message that names it.

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


# --- nb05.phi_counts (predict) ---------------------------------------------------------------

def test_phi_counts_prediction_and_its_slips():
    from rmteach.model import TinyRewardModel

    ex = nb05.phi_counts
    assert ex.kind == "predict"
    base = TinyRewardModel(d_model=32, n_layers=2, n_heads=2, d_ff=64, seed=0).param_counts()
    wide = TinyRewardModel(d_model=64, n_layers=2, n_heads=2, d_ff=128, seed=0).param_counts()
    assert base["total"] == 22_368                    # the table notebook 05 prints
    assert wide["total"] == 77_504 and f"{wide['total'] / base['total']:.2f}" == "3.46"  # guide
    ok = ex.evaluate(wide["total"])
    assert ok.ok and "(3.46 × the 22,368" in ok.message and "39,456 (1.76 ×)" in ok.message
    assert ex.evaluate(0.93 * wide["total"]).ok and not ex.evaluate(0.9 * wide["total"]).ok
    assert "doubles every part" in _msg(ex, 2 * base["total"])
    assert "multiplies every part by 4" in _msg(ex, 4 * base["total"])
    assert "count of the model above" in _msg(ex, base["total"])
    assert "too low" in _msg(ex, 60_000) and "too high" in _msg(ex, 120_000)
    assert "not a positive count" in _msg(ex, -3)
    assert "one number" in _msg(ex, "77504")


# --- nb05.pairwise_accuracy (variant: a ranked list) ------------------------------------------

def _gaps(w, r):
    return np.array([w[r[i]] - w[r[j]] for i in range(len(r)) for j in range(i + 1, len(r))])


def test_pairwise_accuracy_mistakes():
    ex = nb05.pairwise_accuracy
    assert ex.kind == "variant"
    assert "counted the 1 tie(s) as wrong" in _msg(ex, lambda w, r: np.mean(_gaps(w, r) > 0))
    assert "counted the 1 tie(s) as right" in _msg(ex, lambda w, r: np.mean(_gaps(w, r) >= 0))
    wrong_share = lambda w, r: np.sum(_gaps(w, r) < 0) / np.sum(_gaps(w, r) != 0)  # noqa: E731
    assert "share ordered wrong" in _msg(ex, wrong_share)
    pct = lambda w, r: 100 * np.sum(_gaps(w, r) > 0) / np.sum(_gaps(w, r) != 0)  # noqa: E731
    assert "percentage" in _msg(ex, pct)
    assert "number of correct pairs" in _msg(ex, lambda w, r: float(np.sum(_gaps(w, r) > 0)))
    neighbours = lambda w, r: float(np.mean([w[r[k]] > w[r[k + 1]]  # noqa: E731
                                             for k in range(len(r) - 1)]))
    assert "neighbouring pairs only" in _msg(ex, neighbours)
    assert "one number" in _msg(ex, lambda w, r: (_gaps(w, r) > 0).astype(float))
    assert "expected 1" in _msg(ex, lambda w, r: 0.123)


def test_pairwise_accuracy_ignores_in_place_edits():
    def sloppy(w, r):
        gaps = _gaps(w, r)
        w.clear()                                # mutates the caller's dict
        r.reverse()
        return float(np.sum(gaps > 0) / np.sum(gaps != 0))

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
