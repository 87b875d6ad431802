"""Notebook 11's experiment, cache and widget: the tool rebuilds a stored seed exactly;
the word policy trained with each loss fits its pairs; the widget's minima are the
closed forms; bad input gets a ValueError naming the argument."""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from rmteach.data.generate import PreferencePair, make_preference_data
from rmteach.experiments.dpo import (
    LOSSES,
    expected_loss,
    load_dpo_runs,
    optimal_gap,
    pair_accuracy,
    train_dpo,
    word_counts,
)
from rmteach.experiments.seeds import SEEDS
from rmteach.widgets import dpo_target_explorer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_dpo_cache as tool  # noqa: E402


def test_cache_holds_every_seed_and_model():
    cache = load_dpo_runs()
    assert cache["seeds"] == list(SEEDS)
    for run in cache["runs"]:
        assert set(run) == {*LOSSES, "reward model"}
        for model in LOSSES:                 # a per-prompt table never moves on a new prompt
            assert run[model]["new_prompts"] == 0.5
        for scores in run.values():
            assert all(0.0 <= v <= 1.0 for v in scores.values())


def test_tool_rebuilds_a_stored_seed_exactly(tmp_path):
    assert tool.main(["--seeds", "1", "--out", str(tmp_path)]) == 0
    rebuilt = json.loads((tmp_path / "dpo_runs.json").read_text())["runs"][0]
    assert rebuilt == load_dpo_runs()["runs"][1]


def test_train_dpo_fits_its_pairs_and_leaves_new_prompts_alone():
    data = make_preference_data(12, max_n=3, beta=math.inf, seed=3)
    pairs = data.pairs("train")
    for loss_type in LOSSES.values():
        reward = train_dpo(pairs, loss_type=loss_type, steps=150)
        rc = reward([p.prompt for p in pairs], [p.chosen for p in pairs])
        rr = reward([p.prompt for p in pairs], [p.rejected for p in pairs])
        assert np.all(rc > rr), loss_type
        held = data.heldout[0]
        assert np.all(reward([held.prompt] * held.n, held.responses) == 0.0)


def test_ipo_stops_at_its_target_dpo_does_not():
    pair = [PreferencePair("explain rain", "thanks umbrella", "ugh sunny")]
    beta = 0.5

    def gap(loss_type, steps):
        reward = train_dpo(pair, loss_type=loss_type, beta=beta, steps=steps, lr=0.05)
        r_rej, r_cho = reward(["explain rain"] * 2, ["ugh sunny", "thanks umbrella"])
        return float(r_cho - r_rej) / beta

    assert gap("ipo", 400) == pytest.approx(1 / (2 * beta), abs=1e-6)     # its target
    # the hinge's gradient is zero past 1/β: it stops (Adam's momentum carries it a little past)
    assert gap("hinge", 800) == gap("hinge", 400) >= 1 / beta
    assert gap("sigmoid", 800) > gap("sigmoid", 400) + 1.0                 # DPO keeps pushing


def test_pair_accuracy_by_hand():
    assert pair_accuracy([3, 2, 1], [30, 20, 10]) == 1.0
    assert pair_accuracy([1, 2, 3], [30, 20, 10]) == 0.0
    assert pair_accuracy([0, 0], [1, 2]) == 0.5
    assert pair_accuracy([1, 2, 0], [1, 1, 5]) == 0.0      # the tie in truth is not a pair
    with pytest.raises(ValueError, match="truth"):
        pair_accuracy([1, 2], [1, 1])
    with pytest.raises(ValueError, match="scores"):
        pair_accuracy([1, 2], [1, 2, 3])


def test_optimal_gap_is_the_minimum_of_expected_loss():
    x = np.linspace(-5, 80, 170_001)
    for beta in (0.1, 0.5):
        for noise in (0.05, 0.2):
            for loss_type in ("sigmoid", "ipo"):
                best = x[np.argmin(expected_loss(x, beta, noise, loss_type))]
                assert best == pytest.approx(optimal_gap(beta, noise, loss_type), abs=1e-3)
    assert optimal_gap(0.1, 0.0, "sigmoid") == math.inf
    assert optimal_gap(0.1, 0.3, "robust") == math.inf


def test_bad_input():
    with pytest.raises(ValueError, match="noise"):
        expected_loss(0.0, 0.1, 0.5, "ipo")
    with pytest.raises(ValueError, match="loss_type"):
        optimal_gap(0.1, 0.0, "kto")
    with pytest.raises(ValueError, match="beta"):
        optimal_gap(0.0, 0.0, "ipo")
    with pytest.raises(ValueError, match="pairs"):
        train_dpo([])
    with pytest.raises(ValueError, match="loss_type"):
        train_dpo([PreferencePair("explain rain", "thanks", "ugh")], loss_type="dpo")
    with pytest.raises(ValueError, match="responses"):
        word_counts(["thanks zebra-crossing"])
    with pytest.raises(ValueError, match="beta"):
        dpo_target_explorer(beta=0)
    with pytest.raises(ValueError, match="noise"):
        dpo_target_explorer(noise=0.5)


def test_widget_moves_the_minima():
    w = dpo_target_explorer()
    assert w.values == {"DPO": math.inf, "IPO": 5.0, "hinge": 10.0}
    assert "∞" in w.readout.value and w.message.value == ""
    before = w.live_figure.renders
    w.controls["noise"].value = 0.1
    assert w.values["DPO"] == pytest.approx(math.log(9) / 0.1)
    assert w.values["IPO"] == pytest.approx(4.0)
    w.controls["beta"].value = 0.5
    assert w.values["IPO"] == pytest.approx(0.8) and w.values["hinge"] == pytest.approx(2.0)
    assert w.live_figure.renders > before
    x, _ = w._marks["IPO"].get_data()
    assert x[0] == pytest.approx(0.8)
    # the readout carries at most 4 numbers
    assert len(re.findall(r"\d+\.\d+", w.readout.value)) <= 4
