"""Several seeds and their spread (rmteach.experiments.seeds), and the multi-seed experiments of
notebook 06 built on it: per-seed runs, a validation split for the temperature, and
paired differences."""

import math

import pytest

from rmteach.experiments.seeds import SEEDS, Spread, clears, clears_paired, paired, spread, verdict


def test_spread_mean_and_sample_sd():
    s = spread([1.0, 2.0, 3.0, 4.0, 5.0])
    assert s.n == 5 and s.mean == 3.0
    assert s.sd == pytest.approx(math.sqrt(2.5))                # n − 1 in the denominator
    assert format(s, ".2f") == "3.00 ± 1.58" and str(s) == "3.000 ± 1.581"
    assert math.isnan(spread([1.0]).sd)
    for bad in ([], [1.0, math.nan], None, "x", [1.0, "a"], 3.0):
        with pytest.raises(ValueError, match="finite numbers"):
            spread(bad)
    with pytest.raises(ValueError, match="must be a Spread"):
        clears([1.0, 2.0], s)


def test_clears_needs_the_difference_to_beat_both_spreads():
    a, b = spread([0.70, 0.72, 0.74]), spread([0.80, 0.82, 0.84])
    assert clears(a, b) and clears(b, a)
    wide = spread([0.60, 0.80, 1.00])
    assert not clears(a, wide)


def test_paired_differences_cancel_what_hits_both_settings():
    a = Spread((0.60, 0.80, 0.70, 0.90, 0.75))
    b = Spread((*(v + 0.05 for v in a.values[:4]), a.values[4] + 0.04))
    assert not clears(a, b)                                     # seeds differ a lot ...
    d = paired(b, a)
    assert d.mean == pytest.approx(0.048) and clears_paired(d)  # ... the setting less
    assert verdict(d) == "clears its spread"
    assert verdict(paired([0.1, -0.1, 0.05], [0.0, 0.0, 0.0])) == "within its spread: no claim"
    with pytest.raises(ValueError, match="one value per seed"):
        paired([1.0, 2.0], [1.0])


def test_the_fixed_seed_list_has_at_least_five_seeds():
    assert len(SEEDS) >= 5 and len(set(SEEDS)) == len(SEEDS)


# --- the multi-seed experiments ---------------------------------------------------------

torch = pytest.importorskip("torch", reason="the experiments train models (torch)")

from rmteach.model.evaluate import metrics_from_scores, score_lists  # noqa: E402
from rmteach.widgets import comparing as C  # noqa: E402
from rmteach.widgets import data_mix as M  # noqa: E402
from rmteach.widgets import grouping as G  # noqa: E402

MODEL = {"d_model": 16, "n_layers": 1, "n_heads": 2, "d_ff": 32}


@pytest.fixture(scope="module")
def grouping():
    return G.grouping_comparison(n_prompts=30, n=4, epochs=2, seeds=(0, 1),
                                 model_kwargs=MODEL, progress=False)


def test_grouping_over_seeds_keeps_validation_apart(grouping):
    assert grouping.seeds == (0, 1) and len(grouping.datas) == len(grouping.validations) == 2
    for data, val in zip(grouping.datas, grouping.validations):
        train = {x.prompt for x in data.train}
        test = {x.prompt for x in data.heldout}
        valid = {x.prompt for x in val}
        assert valid and test and not (train & valid or train & test or valid & test)
    # the first seed's runs are the ones figures and comparisons use
    assert grouping.results == grouping.seed_results(0)
    assert grouping.seed_results(1)["exploded pairs"] is grouping.runs["exploded pairs"][1]


def test_grouping_spreads_are_over_the_per_seed_rows(grouping):
    sp = grouping.spreads()
    for label, results in grouping.runs.items():
        gaps = [r.history[-1].train_accuracy - r.history[-1].heldout_accuracy for r in results]
        assert sp[label]["gap"].values == pytest.approx(tuple(gaps))
    table = grouping.table()
    assert table.startswith("mean ± sd over 2 seeds [0, 1]") and " ± " in table


def test_temperature_is_fitted_on_validation_and_reported_on_test(grouping):
    t = grouping.temperature()
    for k in range(2):
        model = grouping.runs["exploded pairs"][k].model
        assert t["scale"][k] == C.fit_scale(model, grouping.validations[k])
        test = list(grouping.datas[k].heldout)
        scores = score_lists(model, test)
        want = metrics_from_scores(test, [x * t["scale"][k] for x in scores], against=None)
        assert t["loss_a_scaled"][k] == pytest.approx(want.listwise_loss)
        # the other model is calibrated the same way (calibrated against calibrated)
        grouped = grouping.runs["grouped listwise (InstructGPT)"][k].model
        assert t["scale_b"][k] == C.fit_scale(grouped, grouping.validations[k])
        scores_b = score_lists(grouped, test)
        want_b = metrics_from_scores(test, [x * t["scale_b"][k] for x in scores_b], against=None)
        assert t["loss_b_scaled"][k] == pytest.approx(want_b.listwise_loss)
    assert t["spread"]["scale"].values == tuple(t["scale"])


def test_confidence_explorer_marks_the_validation_scale(grouping):
    models = grouping.seed_results(0)
    a, b = models["exploded pairs"].model, models["grouped listwise (InstructGPT)"].model
    w = C.confidence_explorer(a, b, grouping.datas[0], validation=grouping.validations[0])
    assert w.fitted_on_validation
    assert w.values["best_scale"] == C.fit_scale(a, grouping.validations[0])
    with pytest.raises(ValueError, match="validation"):
        C.fit_scale(a, [])


def test_data_mix_over_seeds_compares_seed_by_seed():
    mix = M.data_mix_experiment(n_prompts=80, topic="music", keep=1, epochs=1, max_n=3,
                                seeds=(0, 1), model_kwargs=MODEL, progress=False)
    assert mix.seeds == (0, 1) and len(mix.accuracies) == 2
    assert mix.accuracy == mix.accuracies[0]
    want = [acc["rare music"]["music"] - acc["balanced"]["music"] for acc in mix.accuracies]
    assert mix.drop().values == pytest.approx(tuple(want))
    assert "mean ± sd over 2 seeds" in mix.table()
    assert "mean ± sd over 2 seeds" in mix.figure().summary


def test_loss_by_scale_is_eq_4_57_at_every_scale():
    import numpy as np

    from rmteach.data.generate import make_preference_data
    from rmteach.widgets.comparing import _listwise_loss_by_scale as listwise_loss_by_scale

    data = make_preference_data(30, seed=0)
    rng = np.random.default_rng(0)
    scores = [rng.normal(size=x.n) for x in data.heldout]
    got = listwise_loss_by_scale(data.heldout, scores, [0.1, 1.0, 3.0])
    for s, value in zip((0.1, 1.0, 3.0), got):
        want = metrics_from_scores(data.heldout, [x * s for x in scores], against=None)
        assert value == pytest.approx(want.listwise_loss)
