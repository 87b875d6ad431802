"""Notebook 06's stored fourth grouping arm (grouped listwise, one list per step): the
builder's function re-trains one seed and gets the stored numbers back; the tool refuses a
folder as --out."""

import sys
from pathlib import Path

import numpy as np
import pytest

from rmteach.widgets.grouping import ONE_LIST, cached_one_list_arm, one_list_arm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_grouping_cache as tool  # noqa: E402


def test_stored_arm_has_five_seeds_and_one_list_per_step():
    c = cached_one_list_arm()
    assert len(c["gap"]) == 5
    # 56 training lists, one per step: 56 optimiser steps per epoch, N = 6 passes per list
    assert c["steps_per_epoch"] == [56] * 5 and c["forward_per_epoch"] == [336] * 5
    assert all(0.0 <= a <= 1.0 for a in c["heldout_accuracy"])


def test_one_seed_rebuilds_exactly():
    stored = cached_one_list_arm()
    fresh = one_list_arm(seeds=(0,))["rows"][0]
    assert fresh["run"] == ONE_LIST
    for key in ("gap", "rise", "heldout_accuracy", "final_heldout_loss", "train_accuracy"):
        assert np.isclose(fresh[key], stored[key][0], atol=1e-4), key


def test_tool_refuses_a_folder(tmp_path, capsys):
    assert tool.main(["--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("error: --out must be a file name")


def test_missing_cache_is_a_clear_error(monkeypatch, tmp_path):
    import rmteach.widgets.grouping as g

    monkeypatch.setattr(g, "ONE_LIST_CACHE", tmp_path / "nope.json")
    with pytest.raises(ValueError, match="build_grouping_cache"):
        g.cached_one_list_arm()


# -- the stored comparison itself (three arms, five seeds, fifteen models) -------------

def test_stored_comparison_rebuilds_seed_0_number_for_number_and_weight_for_weight():
    import torch

    from rmteach.widgets.grouping_store import GROUPING_RUNS, grouping_doc

    stored = torch.load(GROUPING_RUNS, map_location="cpu", weights_only=True)
    fresh = grouping_doc(seeds=(stored["seeds"][0],))
    assert list(fresh["runs"]) == list(stored["runs"])
    for label, runs in fresh["runs"].items():
        new, old = runs[0], stored["runs"][label][0]
        assert torch.equal(new["weights"], old["weights"]), label
        assert new["config"] == old["config"], label
        timing = {"seconds", "eval_seconds"}
        for a, b in zip(new["history"], old["history"], strict=True):
            assert {k: v for k, v in a.items() if k not in timing} == pytest.approx(
                {k: v for k, v in b.items() if k not in timing}, abs=0, nan_ok=True), label


def test_cached_comparison_answers_like_the_live_one():
    from rmteach.widgets.grouping_store import cached_grouping_comparison

    g = cached_grouping_comparison()
    assert len(g.seeds) == 5 and len(g.runs) == 3
    rows = g.rows(1)
    assert [r["run"] for r in rows] == list(g.runs)
    model = g.seed_results(1)["exploded pairs"].model
    from rmteach.model.evaluate import score_lists
    assert len(score_lists(model, list(g.datas[1].heldout))) == len(g.datas[1].heldout)
    t = g.temperature()
    assert len(t["scale"]) == 5 and all(s > 0 for s in t["scale"])


def test_missing_comparison_cache_is_a_clear_error(monkeypatch, tmp_path):
    import rmteach.widgets.grouping_store as store

    monkeypatch.setattr(store, "GROUPING_RUNS", tmp_path / "nope.pt")
    with pytest.raises(ValueError, match="build_grouping_cache"):
        store.cached_grouping_comparison()
