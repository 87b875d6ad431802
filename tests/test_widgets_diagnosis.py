"""Notebook 06 widgets and experiments, driven headlessly: the ln 2 diagnosis retrain
widget, grouped versus exploded training, accuracy versus loss, and the data mix."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the notebook 06 widgets train models (torch)")

from rmteach import pairwise_loss  # noqa: E402
from rmteach.data.generate import TOPICS, make_preference_data, topic_of  # noqa: E402
from rmteach.model.evaluate import compare_models, metrics_from_scores, score_lists  # noqa: E402
from rmteach.model.training import train  # noqa: E402
from rmteach.widgets import comparing as C  # noqa: E402
from rmteach.widgets import (  # noqa: E402
    confidence_explorer,
    loss_diagnosis_explorer,
    toy_disagreement,
)
from rmteach.widgets import data_mix as M  # noqa: E402
from rmteach.widgets import diagnosis as D  # noqa: E402
from rmteach.widgets import grouping as G  # noqa: E402

LN2 = math.log(2)
SMALL = {"n_prompts": 40, "max_n": 4, "epochs": 2}
MODEL = {"d_model": 16, "n_layers": 1, "n_heads": 2, "d_ff": 32}


# --- a loss stuck at ln 2 -------------------------------------------------------------------

EXPECTED = {"healthy": "healthy", "coin-flip": "label-noise",
            "learning rate far too small": "learning-rate-too-small",
            "learning rate 0.03": "overfitting",
            "learning rate far too large": "learning-rate-too-large"}


@pytest.mark.parametrize("name", list(D.SCENARIOS))
def test_the_notebook_scenarios_are_diagnosed(name):
    """The TINY configuration the notebook and the widget use tells the causes apart."""
    beta, lr = D.SCENARIOS[name]
    code = next(v for k, v in EXPECTED.items() if name.startswith(k))
    run = D.run_diagnosis(beta, lr)
    assert code in run.diagnosis.codes
    if code == "healthy":
        assert run.train_loss[-1] < LN2 - 0.2 and run.heldout_accuracy[-1] > 0.7
        assert run.heldout_loss[-1] < run.heldout_loss[0] - 0.1       # held-out improves too
        assert run.label_agreement == pytest.approx(1.0, abs=0.01)
    elif code == "label-noise":
        assert abs(run.label_agreement - 0.5) < 0.05
        assert abs(run.heldout_accuracy[-1] - 0.5) < 0.1
    elif code == "learning-rate-too-small":
        assert "stuck-at-ln2" in run.diagnosis.codes
        assert max(run.train_loss) - min(run.train_loss) < 1e-3
    elif code == "overfitting":
        assert run.train_accuracy[-1] - run.heldout_accuracy[-1] > 0.1
    else:
        assert run.blew_up and run.epochs == []


def test_run_diagnosis_is_cached_and_deterministic():
    a = D.run_diagnosis(3.0, 1e-2, config=SMALL)
    assert D.run_diagnosis(3.0, 1e-2, config=SMALL) is a
    fresh = D._run_diagnosis(3.0, 1e-2, {**D.TINY, **SMALL})
    assert fresh.train_loss == a.train_loss and fresh.heldout_accuracy == a.heldout_accuracy


@pytest.mark.parametrize(("beta", "lr", "words"), [
    (-1.0, 1e-2, "must be ≥ 0"), (float("nan"), 1e-2, "must be ≥ 0"),
    (1.0, 0.0, "lr = 0"), (1.0, -0.1, "positive"), (1.0, 1e9, "beyond anything useful"),
])
def test_bad_beta_or_lr_is_a_friendly_value_error(beta, lr, words):
    with pytest.raises(ValueError, match=words):
        D.run_diagnosis(beta, lr, config=SMALL)


def test_widget_retrains_on_change_and_draws_the_run(monkeypatch):
    calls = []
    real = D._run_diagnosis
    monkeypatch.setattr(D, "_run_diagnosis", lambda *a: calls.append(a) or real(*a))
    monkeypatch.setattr(D, "_RUNS", {})
    w = loss_diagnosis_explorer(beta=10.0, lr=3e-3, config=SMALL)
    assert w.controls["scenario"].value.startswith("healthy")
    assert len(calls) == 1
    w.controls["beta"].value = 0.0
    assert len(calls) == 2
    assert w.values["beta"] == 0.0 and w.controls["scenario"].value == D._CUSTOM
    run = D.run_diagnosis(0.0, 3e-3, config=SMALL)
    assert w.values["train_loss"] == run.train_loss
    assert list(w._tl.get_ydata()) == pytest.approx(np.minimum(run.train_loss, 1.58))
    assert list(w._ha.get_ydata()) == pytest.approx(run.heldout_accuracy)
    assert w._aend.get_ydata()[0] == pytest.approx(run.heldout_accuracy[-1])
    assert w.values["codes"] == run.diagnosis.codes
    assert run.diagnosis.findings[0].title in w.readout.value
    # going back is served from the widget's cache: no retrain
    w.controls["beta"].value = 10.0
    assert len(calls) == 2


def test_widget_scenario_menu_sets_both_numbers_with_one_retrain(monkeypatch):
    calls = []
    real = D._run_diagnosis
    monkeypatch.setattr(D, "_run_diagnosis", lambda *a: calls.append(a) or real(*a))
    monkeypatch.setattr(D, "_RUNS", {})
    w = loss_diagnosis_explorer(config=SMALL)
    renders = w.live_figure.renders
    w.controls["scenario"].value = "learning rate far too small (1e-6)"
    assert (w.controls["beta"].value, w.controls["lr"].value) == (10.0, 1e-6)
    assert len(calls) == 2 and w.live_figure.renders == renders + 1
    assert w.values["lr"] == 1e-6


def test_widget_bad_input_shows_a_message_and_keeps_working():
    w = loss_diagnosis_explorer(config=SMALL)
    before = dict(w.values)
    w.controls["lr"].value = 0.0
    assert "lr = 0" in w.message.value and "Traceback" not in w.message.value
    assert w.values == before
    w.controls["beta"].value = -2.0
    assert "β" in w.message.value
    w.controls["beta"].value = 2.0
    w.controls["lr"].value = 1e-2
    assert w.message.value == "" and w.values["beta"] == 2.0


def test_widget_shows_a_blow_up_as_a_diagnosis_not_an_error():
    w = loss_diagnosis_explorer()                   # the notebook's TINY configuration
    w.controls["lr"].value = 10.0
    assert w.message.value == ""
    assert w.values["blew_up"]
    assert w.values["codes"] == ["learning-rate-too-large"]
    assert "NaN" in w._ltxt.get_text() and "not a number" in w.readout.value
    assert len(w._tl.get_xdata()) == 0
    w.controls["lr"].value = 1e-2                   # and it recovers
    assert not w.values["blew_up"] and len(w._tl.get_xdata()) == D.TINY["epochs"]


# --- grouping by prompt ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def grouping():
    return G.grouping_comparison(n_prompts=15, n=4, epochs=2, model_kwargs=MODEL,
                                 progress=False)


def test_grouping_counts_forward_passes_and_steps(grouping):
    lists = len(grouping.data.train)
    rows = {r["run"]: r for r in grouping.rows()}
    g = rows["grouped listwise (InstructGPT)"]
    e = rows["exploded pairs"]
    s = rows["exploded pairs, same steps"]
    assert g["forward_per_epoch"] == lists * 4                  # N per list
    assert e["forward_per_epoch"] == s["forward_per_epoch"] == lists * 4 * 3    # N(N-1)
    assert g["steps_per_epoch"] == math.ceil(lists / 16) == s["steps_per_epoch"]
    assert e["steps_per_epoch"] == math.ceil(lists * 6 / 16)
    for r in rows.values():
        assert r["gap"] == pytest.approx(r["train_accuracy"] - r["heldout_accuracy"])
        assert r["best_heldout_loss"] <= r["final_heldout_loss"]


def test_grouping_table_has_timings_only_on_request(grouping):
    plain = grouping.table()
    assert "s/epoch" not in plain and len(plain.splitlines()) == 4
    assert "s/epoch" in grouping.table(timings=True)
    assert grouping.curves().summary.startswith("Figure: loss and accuracy per epoch")


# --- accuracy versus loss ---------------------------------------------------------------------

def test_toy_disagreement_numbers_come_from_the_library():
    toy = toy_disagreement()
    a, b = toy["A"], toy["B"]
    assert a["accuracy"] > b["accuracy"] and a["loss"] > b["loss"]
    for m in (a, b):
        assert m["loss"] == pytest.approx(float(pairwise_loss(m["gaps"], 0.0)))
        assert m["accuracy"] == pytest.approx(float(np.mean(m["gaps"] > 0)))


@pytest.fixture(scope="module")
def two_models():
    data = make_preference_data(40, max_n=4, seed=0)
    a = train(data, epochs=2, model_kwargs=MODEL, progress=False, seed=0).model
    b = train(data, epochs=1, model_kwargs=MODEL, progress=False, seed=1).model
    return a, b, data


def test_scaled_model_keeps_accuracy_and_changes_loss(two_models):
    a, _b, data = two_models
    base = compare_models(a, C.ScaledRewardModel(a, 3.0), data)
    assert base.a.accuracy == base.b.accuracy and base.agreement == 1.0
    assert base.a.listwise_loss != pytest.approx(base.b.listwise_loss)
    with pytest.raises(ValueError, match="positive"):
        C.ScaledRewardModel(a, 0.0)


def test_confidence_explorer_drives_headlessly(two_models):
    a, b, data = two_models
    w = confidence_explorer(a, b, data, names=("A", "B"))
    lists = list(data.heldout)
    sa = score_lists(a, lists)
    acc = w.values["accuracy_a"]
    for s in (0.2, 1.0, 4.0):
        w.controls["scale"].value = s
        want = metrics_from_scores(lists, [x * s for x in sa], against=None)
        assert w.values["loss_a"] == pytest.approx(want.listwise_loss)
        assert w.values["accuracy_a"] == acc
        assert w._pt.get_data()[0][0] == pytest.approx(s)
        assert w._pt.get_data()[1][0] == pytest.approx(min(want.listwise_loss, 2.99))
    assert w.values["best_loss_a"] <= min(
        metrics_from_scores(lists, [x * s for x in sa], against=None).listwise_loss
        for s in (0.2, 1.0, 4.0)) + 1e-12
    winner = "A" if w.values["loss_a"] < w.values["loss_b"] else "B"
    assert w.values["winner_loss"] == winner
    w.controls["scale"].value = 0.0
    assert "scale of 0" in w.message.value
    w.controls["scale"].value = 1.0
    assert w.message.value == ""


# --- the data distribution -----------------------------------------------------------------

def test_pair_weights():
    assert M.pair_weights([2, 4]).tolist() == pytest.approx([1 / 7, 6 / 7])
    assert M.pair_weights([9, 2]).tolist() == pytest.approx([36 / 37, 1 / 37])
    for bad in ([], [1, 3], [2.5, 3]):
        with pytest.raises(ValueError, match="N ≥ 2"):
            M.pair_weights(bad)


def test_skew_topic_changes_the_mix_not_the_size():
    data = make_preference_data(60, max_n=4, seed=0)
    skewed = M.skew_topic(data, "space", keep=2)
    assert len(skewed.train) == len(data.train)
    assert skewed.heldout == data.heldout
    assert sum(topic_of(x.prompt) == "space" for x in skewed.train) == 2
    prompts = [x.prompt for x in skewed.train]
    assert len(set(prompts)) == len(prompts)
    assert not {x.prompt for x in skewed.heldout} & set(prompts)
    with pytest.raises(ValueError, match="unknown topic"):
        M.skew_topic(data, "poetry", 2)


def test_skew_topic_draws_only_the_lists_it_uses_from_the_bigger_pool():
    """The replacement lists are the first unused other-topic lists of the pool data set
    make_preference_data(3 n_prompts, seed=seed + 1000), though only they are drawn."""
    data = make_preference_data(60, max_n=4, seed=2)
    skewed = M.skew_topic(data, "music", keep=1, seed=2)
    pool = make_preference_data(180, max_n=4, seed=1002)
    used = {x.prompt for x in data.train + data.heldout}
    extra = [x for x in pool.train + pool.heldout
             if topic_of(x.prompt) != "music" and x.prompt not in used]
    n_kept = sum(topic_of(x.prompt) != "music" for x in data.train) + 1
    assert skewed.train[n_kept:] == tuple(extra[:len(data.train) - n_kept])


def test_data_mix_experiment_reports_per_topic_accuracy():
    mix = M.data_mix_experiment(n_prompts=40, topic="music", keep=1, epochs=1, max_n=3,
                                model_kwargs=MODEL, progress=False)
    assert set(mix.accuracy) == {"balanced", "rare music"}
    for label, res in mix.results.items():
        held = mix.data[label].heldout
        for topic, acc in mix.accuracy[label].items():
            lists = [x for x in held if topic_of(x.prompt) == topic]
            ev = metrics_from_scores(lists, score_lists(res.model, lists), against=None)
            assert acc == pytest.approx(ev.accuracy)
    assert len(mix.table().splitlines()) == 1 + len(TOPICS)
    view = mix.figure()
    bars = view.figure.axes[0].containers          # one BarContainer per data set
    assert len(bars) == 2
    for container, label in zip(bars, mix.accuracy):
        heights = [b.get_height() for b in container]
        want = [mix.accuracy[label].get(t, np.nan) for t in TOPICS]
        np.testing.assert_allclose(heights, want)
