"""Notebook 12's experiment: the Likert ratings, best-of-4 with its tie rule, the
exercise's checker, and the tool that rebuilds a stored run."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from rmteach.experiments.ratings import (
    GRID,
    KINDS,
    best_of_4_accuracy,
    load_rating_runs,
    make_ratings,
)
from rmteach.experiments.seeds import SEEDS

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_ratings_cache as tool  # noqa: E402


def test_ratings_are_likert_and_follow_the_truth():
    ps, ys, truth, ratings = make_ratings(60, seed=1)
    assert len(ps) == len(ys) == len(truth) == len(ratings) == 240
    assert set(np.unique(ratings)) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert np.corrcoef(truth, ratings)[0, 1] > 0.6
    # offsets move whole prompts: the same responses, other ratings
    _, ys2, truth2, off = make_ratings(60, offset_sd=1.0, scale_sd=0.5, seed=1)
    assert ys2 == ys and np.array_equal(truth2, truth) and not np.array_equal(off, ratings)


def test_best_of_4_tie_rule():
    truth = np.array([[4.0, 3.0, 2.0, 1.0]] * 3)
    assert best_of_4_accuracy([[2, 1, 1, 1], [1, 1, 0, 0], [0, 1, 2, 3]], truth) == 1 / 3
    assert best_of_4_accuracy(np.zeros((3, 4)), truth) == 0.0        # a tie fails
    rng = np.random.default_rng(0)
    random = best_of_4_accuracy(rng.normal(size=(20_000, 4)), np.tile(truth[0], (20_000, 1)))
    assert random == pytest.approx(0.25, abs=0.01)                    # chance
    with pytest.raises(ValueError, match="scores"):
        best_of_4_accuracy(np.zeros((2, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="truth"):
        best_of_4_accuracy(np.zeros((1, 4)), [[1.0, 2.0, 0.0, 0.0]])


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_prompts"):
        make_ratings(0)
    with pytest.raises(ValueError, match="offset_sd"):
        make_ratings(5, offset_sd=-1.0)
    with pytest.raises(ValueError, match="cells"):
        tool.run_rating_seed(0, cells=9)


def test_cache_holds_every_seed_cell_and_kind():
    cache = load_rating_runs()
    assert cache["seeds"] == list(SEEDS)
    for run in cache["runs"]:
        assert list(run) == [name for name, *_ in GRID] or set(run) == {n for n, *_ in GRID}
        for cell in run.values():
            assert set(cell) == set(KINDS)
            for m in cell.values():
                assert 0 <= m["accuracy"] <= 1 and 0 <= m["best_of_4"] <= 1


def test_tool_rebuilds_a_stored_cell_exactly(tmp_path):
    assert tool.main(["--seeds", "2", "--cells", "1", "--out", str(tmp_path)]) == 0
    rebuilt = json.loads((tmp_path / "rating_runs.json").read_text())["runs"][0]
    stored = load_rating_runs()["runs"][2]
    name = GRID[0][0]
    assert rebuilt == {name: stored[name]}


def test_best_of_4_exercise_checker():
    from rmteach.exercises import nb12

    assert nb12.best_of_4.evaluate(
        lambda s: float(np.mean(np.all(np.asarray(s)[:, :1] > np.asarray(s)[:, 1:], axis=1))))
    assert not nb12.best_of_4.evaluate(
        lambda s: float(np.mean(np.all(np.asarray(s)[:, :1] >= np.asarray(s)[:, 1:], axis=1))))
