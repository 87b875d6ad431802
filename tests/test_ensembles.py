"""Reward-model ensembles against over-optimisation (notebook 12): the combiners' arithmetic,
the cache (member 0 is notebook 08's model; the tool re-trains one seed and gets the stored
curves back), k chosen on validation seeds only, the widget, and bad input."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from rmteach.experiments.ensembles import (
    K_GRID,
    MEMBERS,
    REPORT_SEEDS,
    SETTINGS,
    VALIDATION_SEEDS,
    choose_weight,
    combine_scores,
    curve_table,
    ensemble_curves,
    error_correlation,
    load_ensemble_runs,
    member_seed,
    standardize_members,
)
from rmteach.experiments.overoptimization import NS, load_cache
from rmteach.widgets.ensembles import ensemble_explorer
from rmteach.widgets.readout import MAX_NUMBERS, visible_numbers

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_ensemble_cache as tool  # noqa: E402


def _scores(seed=0, members=4, prompts=3, pool=40):
    rng = np.random.default_rng(seed)
    true = rng.normal(size=(prompts, pool))
    scores = true + rng.normal(scale=0.8, size=(members, prompts, pool))
    # a free level per prompt and a scale per member: standardising must remove both
    scale = np.arange(1, members + 1)[:, None, None]
    scores = scores * scale + rng.normal(size=(1, prompts, 1)) * 9
    return scores, true


def test_standardize_removes_level_and_scale():
    scores, _ = _scores()
    z = standardize_members(scores)
    assert np.allclose(z.mean(axis=2), 0)
    assert np.allclose(np.sqrt((z ** 2).mean(axis=(1, 2))), 1)
    # shifting one prompt of one member, or rescaling a member, changes nothing
    moved = scores.copy()
    moved[1, 2] += 100.0
    moved[3] *= 7.0
    assert np.allclose(standardize_members(moved), z)
    assert np.allclose(standardize_members(np.ones((2, 2, 3))), 0)


def test_combiners_against_a_direct_computation():
    z = standardize_members(_scores()[0])
    m, s = z.mean(0), z.std(0, ddof=1)
    assert np.allclose(combine_scores(z, "mean"), m)
    assert np.allclose(combine_scores(z, "min"), z.min(0))
    assert np.allclose(combine_scores(z, "single"), z[0])
    assert np.allclose(combine_scores(z, "mean-k-sd", 1.5), m - 1.5 * s)
    assert np.allclose(combine_scores(z, "mean-lambda-var", 2.0), m - 2.0 * s ** 2)
    assert np.allclose(combine_scores(z, "mean-k-sd", 0.0), m)
    # a member that agrees with itself: no spread, so no penalty
    same = np.stack([z[0]] * 3)
    assert np.allclose(combine_scores(same, "mean-k-sd", 5.0), z[0])


def test_error_correlation_sees_shared_errors():
    rng = np.random.default_rng(1)
    true = rng.normal(size=(4, 60))
    shared = rng.normal(size=(4, 60))
    own = rng.normal(size=(5, 4, 60))
    assert error_correlation(true + shared + 0.1 * own, true) > 0.9
    assert abs(error_correlation(true + own, true)) < 0.15


def test_curves_have_their_order():
    scores, true = _scores(members=5, pool=64)
    c = ensemble_curves(scores, true, ks=(0, 1), lambdas=(0, 1))
    assert c["ns"] == list(NS) and len(c["members"]) == 5
    for name in ("single", "mean", "min", "oracle"):
        assert c[name][0] == pytest.approx(c["random"][0], abs=1e-6)     # n = 1 is random
        assert np.all(np.array(c["oracle"]) >= np.array(c[name]) - 1e-9)
    assert c["sd"]["0"] == c["mean"] == c["var"]["0"]
    assert c["single"] == c["members"][0]


def test_cache_reports_five_seeds_and_member_0_is_notebook_08s_model():
    doc = load_ensemble_runs()
    assert doc["members"] == MEMBERS == 5 and doc["k_grid"] == list(K_GRID)
    assert tuple(doc["report_seeds"]) == REPORT_SEEDS
    assert tuple(doc["validation_seeds"]) == VALIDATION_SEEDS
    assert not set(REPORT_SEEDS) & set(VALIDATION_SEEDS)
    nb08 = load_cache()["runs"]
    for setting in SETTINGS:
        runs = doc["runs"][setting]
        assert [r["seed"] for r in runs["report"]] == list(REPORT_SEEDS)
        assert [r["seed"] for r in runs["validation"]] == list(VALIDATION_SEEDS)
        for r in runs["report"]:
            assert len(r["members"]) == len(r["heldout_accuracy"]) == MEMBERS
            stored = nb08[r["key"]][r["seed"]]
            assert np.allclose(r["single"], stored["true_learned"], atol=1e-5)
            assert r["heldout_accuracy"][0] == pytest.approx(stored["heldout_accuracy"])
            assert len(set(map(tuple, r["members"]))) == MEMBERS      # 5 different models


def test_tool_rebuilds_one_seed_exactly_and_resumes(tmp_path, capsys):
    out, work = tmp_path / "out", tmp_path / "work"
    assert tool.main(["--quick", "--out", str(out), "--work", str(work)]) == 0
    fresh = json.loads((out / "ensembles.json").read_text())["runs"]["noisy labels"]["report"][0]
    stored = load_ensemble_runs()["runs"]["noisy labels"]["report"][0]
    for field in ("single", "mean", "min", "members", "oracle"):
        assert np.allclose(fresh[field], stored[field], atol=1e-4), field
    for k in ("0.5", "2"):
        assert np.allclose(fresh["sd"][k], stored["sd"][k], atol=1e-4)
    capsys.readouterr()
    assert tool.main(["--quick", "--out", str(out), "--work", str(work)]) == 0
    assert "acc=" not in capsys.readouterr().out          # read back, not trained again


def test_choose_weight_reads_only_the_runs_it_is_given():
    runs = load_ensemble_runs()["runs"]["filler-biased labels"]
    k = choose_weight(runs["validation"], "sd")
    best = max(np.mean([r["sd"][w] for r in runs["validation"]])
               for w in runs["validation"][0]["sd"])
    assert np.mean(curve_table(runs["validation"], "mean-k-sd", k)) == pytest.approx(best)
    k256 = choose_weight(runs["validation"], "sd", at_n=256)
    best = max(np.mean([r["sd"][w][-1] for r in runs["validation"]])
               for w in runs["validation"][0]["sd"])
    assert np.mean(curve_table(runs["validation"], "mean-k-sd", k256)[:, -1]) == pytest.approx(best)
    fake = [{"sd": {"0": [0.0] * len(NS), "1": [1.0] * len(NS)}}]
    assert choose_weight(fake, "sd") == 1.0
    fake[0]["sd"]["1"] = [0.0] * len(NS)
    assert choose_weight(fake, "sd") == 0.0                 # a tie goes to the smaller weight


def test_widget_follows_the_cache_and_keeps_its_readout_short():
    w = ensemble_explorer()
    report = load_ensemble_runs()["runs"]["noisy labels"]["report"]
    assert w.values["mean"] == pytest.approx(curve_table(report, "mean")[:, -1].mean())
    assert w.values["sd"] == pytest.approx(w.values["mean"])             # k = 0 is the mean
    renders = w.live_figure.renders
    w.controls["k"].value = 2.0
    assert w.values["sd"] == pytest.approx(curve_table(report, "mean-k-sd", 2.0)[:, -1].mean())
    assert np.allclose(w._sd.get_ydata(), curve_table(report, "mean-k-sd", 2.0).mean(0))
    assert w.live_figure.renders > renders
    assert len(visible_numbers(w.readout.value)) <= MAX_NUMBERS and "Try" in w.readout.value
    before = w._mean.get_ydata().copy()
    w.controls["setting"].value = "filler-biased labels"
    assert not np.allclose(w._mean.get_ydata(), before)
    assert w.message.value == "" and w.live_figure.png().startswith(b"\x89PNG")


@pytest.mark.parametrize("call, match", [
    (lambda: combine_scores(np.ones((2, 2)), "mean"), "shape"),
    (lambda: combine_scores(np.ones((2, 2, 2)), "median"), "how must be one of"),
    (lambda: combine_scores(np.ones((1, 2, 2)), "mean-k-sd", 1.0), "at least 2 members"),
    (lambda: combine_scores(np.ones((2, 2, 2)), "mean-k-sd", -1.0), "weight"),
    (lambda: combine_scores(np.full((2, 2, 2), np.nan)), "finite"),
    (lambda: ensemble_curves(np.ones((2, 2, 3)), np.ones((2, 4))), "true must have shape"),
    (lambda: choose_weight([], "sd"), "at least one run"),
    (lambda: choose_weight([{"sd": {}}], "kappa"), "family"),
    (lambda: choose_weight([{"sd": {"0": [0.0]}}], "sd", at_n=3), "at_n"),
    (lambda: curve_table([], "mean"), "at least one run"),
    (lambda: curve_table(load_ensemble_runs()["runs"]["noisy labels"]["report"], "mean-k-sd", 0.3),
     "weight must be one of the cached"),
    (lambda: member_seed(0, -1), "member"),
    (lambda: load_ensemble_runs("../x.json"), "name must be"),
    (lambda: ensemble_explorer(k=0.3), "k must be one of the cached"),
    (lambda: ensemble_explorer(k=99.0), "k must be one of the cached"),
    (lambda: ensemble_explorer(setting="noisy"), "setting must be one of"),
])
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
