"""Degenerate pairs (identical chosen and rejected, or identical after truncation): counted,
dropped with a warning that gives the count, in the JSONL loader and in train(); and the
diagnosis names them."""

import math
import warnings

import pytest

from rmteach.data.degenerate import DegeneratePairsWarning, count_degenerate, drop_degenerate
from rmteach.data.generate import PreferencePair, RankedList
from rmteach.data.jsonl import loads_jsonl
from rmteach.experiments.diagnose import LN2, diagnose, diagnose_curves
from rmteach.model.training import train

P = "explain rain"


def test_identical_pairs_are_counted_and_dropped_with_the_count():
    items = [PreferencePair(P, "sunny thanks", "ugh"),
             PreferencePair(P, "sunny  thanks", "Sunny thanks"),     # same words
             PreferencePair(P, "cloudy", "cloudy")]
    assert count_degenerate(items) == 2
    with pytest.warns(DegeneratePairsWarning, match=r"dropped 2 degenerate pair\(s\) of 3"):
        clean, n = drop_degenerate(items)
    assert n == 2 and clean == items[:1]


def test_ranked_lists_keep_the_best_copy():
    lst = RankedList(P, ("a b", "c", "a b", "d", "a b"), (1, 0, 3, 2, 4))
    # best first: c, a b, d, a b, a b -> three copies of "a b": 3 degenerate pairs
    clean, n = drop_degenerate([lst], warn=False)
    assert n == 3
    assert clean[0].best_first() == ["c", "a b", "d"]
    assert drop_degenerate([RankedList(P, ("x", "x"), (0, 1))], warn=False) == ([], 1)


def test_jsonl_loader_drops_and_warns():
    text = "\n".join([
        '{"prompt": "explain rain", "chosen": "sunny", "rejected": "ugh"}',
        '{"prompt": "explain rain", "chosen": "cloudy wind", "rejected": "cloudy wind"}',
    ])
    with pytest.warns(DegeneratePairsWarning, match="data.jsonl: dropped 1 degenerate"):
        items = loads_jsonl(text, source="data.jsonl")
    assert items == [PreferencePair(P, "sunny", "ugh")]
    with pytest.raises(ValueError, match="all 1 pairs are degenerate"), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore", DegeneratePairsWarning)
        loads_jsonl('{"prompt": "p", "chosen": "x", "rejected": "x"}')
    with warnings.catch_warnings():
        warnings.simplefilter("error")                    # a clean file warns about nothing
        loads_jsonl('{"prompt": "p", "chosen": "x", "rejected": "y"}')


def _truncation_data(n=24):
    """Pairs whose responses differ only after 6 tokens: identical at max_len=8."""
    long = "sunny cloudy umbrella storm wind warm"
    items = []
    for _ in range(n):
        items.append(PreferencePair(P, f"{long} thanks", f"{long} ugh"))        # degenerate
        items.append(PreferencePair(P, "sunny thanks", "ugh stupid"))         # fine
    return items


def test_train_drops_pairs_identical_after_truncation():
    items = _truncation_data()
    assert count_degenerate(items) == 0                    # different texts...
    with pytest.warns(DegeneratePairsWarning, match=r"max_len=8\): dropped 24 .* \(50.0%\)"):
        r = train(items, heldout=items[:2], epochs=1, progress=False,
                  model_kwargs={"max_len": 8, "d_model": 8, "n_heads": 1, "d_ff": 8})
    assert r.config["degenerate_pairs"] == 24 and r.config["degenerate_share"] == 0.5
    assert r.config["train_lists"] == 24


def test_kept_degenerate_pairs_floor_the_loss_and_the_diagnosis_names_them():
    items = _truncation_data()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DegeneratePairsWarning)   # kept: no warning
        r = train(items, heldout=items[:2], epochs=25, lr=0.05, progress=False,
                  drop_degenerate=False,
                  model_kwargs={"max_len": 8, "d_model": 8, "n_heads": 1, "d_ff": 8})
    assert r.config["train_lists"] == 48
    floor = 0.5 * LN2
    assert r.history[-1].train_loss >= floor - 1e-6          # those pairs always cost ln 2
    assert r.history[-1].train_loss < floor + 0.1
    assert "degenerate-pairs" in diagnose(r).codes
    d = diagnose_curves([0.6931, 0.6931], train_accuracy=[0.5, 0.5], degenerate_share=0.9)
    assert d.codes[:2] == ["stuck-at-ln2", "degenerate-pairs"]
    assert f"{0.9 * math.log(2):.3f}" in d.message


def test_diagnosis_widget_offers_degenerate_pairs():
    from rmteach.widgets import diagnosis as D

    w = D.loss_diagnosis_explorer()
    assert w.values["degenerate_share"] == 0.0
    assert "degenerate-pairs" not in w.values["codes"]
    name = next(iter(D.DEGENERATE_SCENARIOS))
    w.controls["scenario"].value = name
    assert w.values["degenerate_share"] == 0.9
    assert "degenerate-pairs" in w.values["codes"]
    assert w.values["final_train_loss"] >= 0.9 * LN2 - 1e-6      # the floor
    w.controls["degenerate"].value = 1.0
    assert w.values["codes"][:2] == ["stuck-at-ln2", "degenerate-pairs"]
    assert abs(w.values["final_train_loss"] - LN2) < 1e-4
    assert w.controls["scenario"].value != name                   # now a custom setting
    with pytest.raises(ValueError, match="between 0 and 1"):
        D.with_degenerate_lists(D.make_preference_data(10), 1.5)
