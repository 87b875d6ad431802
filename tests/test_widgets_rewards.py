"""Headless tests of the widgets of notebooks 04 and 07, and of the nb04 exercise."""

import math

import numpy as np
import pytest

import rmteach.widgets as rw
from rmteach.exercises import EXERCISES, nb04
from rmteach.experiments.frozen_head import reward_gradients


def test_gradient_stepper_arrows_and_steps():
    w = rw.gradient_stepper()
    r = w.values["rewards"]
    g_c, _ = reward_gradients(r[:, 0], r[:, 1])
    lr = w.controls["lr"].value
    assert np.allclose(w.values["change"][:, 0], -lr * g_c)        # free mode: η·Sigmoid(−Δ)
    segments = w._shafts.get_segments()
    assert np.allclose([s[1][1] - s[0][1] for s in segments[: len(r)]],
                       np.clip(r[:, 0] + w.values["change"][:, 0], -5.8, 5.8) - r[:, 0])
    before, renders = w.values["loss"], w.live_figure.renders
    w.step()
    assert w.values["steps"] == 1 and w.values["loss"] < before
    assert np.allclose(w.values["rewards"][:, 0] - r[:, 0], -lr * g_c)
    assert w.live_figure.renders > renders
    w.controls["mode"].value = "head"
    w.reset()
    predicted = w.values["change"].copy()
    start = w.values["rewards"].copy()
    w.step()
    assert np.allclose(w.values["rewards"] - start, predicted)     # linear in W_r: exact
    w.step(10)
    assert w.values["steps"] == 11 and w.message.value == ""
    with pytest.raises(ValueError, match="n_pairs"):
        rw.gradient_stepper(1)


def test_scale_explorer_tracks_beta():
    w = rw.scale_explorer(beta=1.0)
    assert abs(w.values["scale"] - 1.0) < 0.2
    w.controls["beta"].value = 3.0
    assert abs(w.values["scale"] - 3.0) < 0.5 and w.values["floor"] < 0.1
    x, y = w._a_pt.get_data()
    assert x[0] == 3.0 and y[0] == pytest.approx(w.values["scale"])
    w.controls["beta"].value = 0.0
    assert w.values["floor"] == pytest.approx(math.log(2)) and w.message.value == ""
    assert np.all(np.diff(w.noiseless["scale"]) > 0)


def test_offset_explorer_fixes():
    w = rw.offset_explorer(fix="none")
    free = w.values["relative_spread"]
    w.controls["fix"].value = "TRL centering"
    assert w.values["relative_spread"] < free
    w.controls["fix"].value = "post-hoc normalisation"
    assert w.values["std"] == pytest.approx(1.0)
    assert w.values["relative_spread"] == pytest.approx(free)
    heights = [b.get_height() for b in w._bars]
    assert np.allclose(heights, np.clip(w.values["offsets"] / w.values["scale"], -2.9, 2.9))
    w.controls["fix"].value = "TorchRL r_c²+r_r²"
    scales = []
    for c in (0.001, 0.01, 0.1):
        w.controls["coef"].value = c
        scales.append(w.values["scale"])
    assert scales[0] > scales[1] > scales[2]
    with pytest.raises(ValueError, match="fix"):
        rw.offset_explorer(fix="nonsense")
    with pytest.raises(ValueError, match="coef"):
        rw.offset_explorer(coef=-1)


def test_margin_explorer_inflates_scale():
    w = rw.margin_explorer(top_margin=0.0)
    s0 = w.values["scale"]
    w.controls["top_margin"].value = 3.0
    assert w.values["scale"] > s0 and w.values["margins"] == [0.0, 1.0, 2.0, 3.0]
    z, push = w._push.get_data()
    assert push[np.argmin(abs(z - 3.0))] == pytest.approx(0.5)


def test_tiered_ranking_explorer_and_bad_input():
    w = rw.tiered_ranking_explorer()
    assert w.values["n_pairs"] == 5 and w.values["untied_pairs"] == 6
    before = w.values["loss"]
    w.controls["item"].value = "D"
    w.controls["reward"].value = 3.0                          # D above everyone: worse loss
    assert w.values["loss"] > before
    for bad in ("A = B", "A > Z", "A > > B", ""):
        w.controls["ranking"].value = bad
        assert "Check the input" in w.message.value
    w.controls["ranking"].value = "A > B = C = E > D"
    assert w.message.value == "" and w.values["n_pairs"] == 3 + 3 + 1
    assert "rmteach-ranking-input" in w.controls["ranking"]._dom_classes


def test_reliability_explorer():
    rng = np.random.default_rng(0)
    true = rng.normal(0, 2, 3000)
    labels = rng.random(3000) < 1 / (1 + np.exp(-true))
    gap = np.where(labels, true, -true) * 4.0
    w = rw.reliability_explorer(gap[1500:], gap[:1500])
    assert 3.0 < w.values["fitted_temperature"] < 5.0
    before = w.values["ece"]
    w.controls["temperature"].value = round(w.values["fitted_temperature"], 1)
    assert w.values["ece"] < before
    assert w.values["accuracy"] == pytest.approx(np.mean(gap[1500:] > 0))


def test_nb04_exercise_solution_passes_and_slips_are_named():
    ex = nb04.reward_gradient
    assert "nb04.reward_gradient" in EXERCISES and ex.kind == "predict"
    # the answer follows from the gradients the notebook prints: 0.5 at Δ = 0, then at Δ = 1
    g0, _ = reward_gradients(0.0, 0.0)
    g1, _ = reward_gradients(1.0, 0.0)
    want = 2 * -float(g0) + 2 * -float(g1)
    assert want == pytest.approx(1.5379, abs=1e-4)
    assert ex.evaluate(want).ok and ex.evaluate(1.54).ok and not ex.evaluate(1.55).ok
    assert "FIRST step" in ex.evaluate(1.0).message
    assert "same push twice" in ex.evaluate(2.0).message
    assert "only the chosen reward" in ex.evaluate(0.5 + 0.3775).message
    assert "only one reward" in ex.evaluate(1.2689).message
    assert "wrong sign" in ex.evaluate(-1.54).message
    assert "too small" in ex.evaluate(1.4).message and "too large" in ex.evaluate(1.7).message
    assert "one number" in ex.evaluate("1.54").message
    assert ex.evaluate(...).message.startswith("Not yet")
