"""Notebook 02 widgets: loss vs gap, the editable data set, the data-mix explorer."""

import math

import numpy as np
import pytest

from rmteach import pairwise_loss
from rmteach.widgets import (
    empirical_loss_explorer,
    pairwise_loss_explorer,
    sampling_weight_explorer,
)
from rmteach.widgets.pairwise import DEFAULT_PAIRS, length_preference_loss, loss_gradient

LN2 = math.log(2)


def test_loss_regimes():
    w = pairwise_loss_explorer()
    assert w.values["loss"] == pytest.approx(LN2, abs=1e-12)
    assert w.values["gradient"] == pytest.approx(-0.5)
    assert "uncertain" in w.readout.value
    w.controls["delta"].value = 8.0
    assert w.values["loss"] < 1e-3 and abs(w.values["gradient"]) < 1e-3
    assert "confident and right" in w.readout.value
    w.controls["delta"].value = -8.0
    assert w.values["loss"] == pytest.approx(8.0, abs=1e-3)       # ≈ |Δ|: linear
    assert w.values["gradient"] == pytest.approx(-1.0, abs=1e-3)
    assert "confident and wrong" in w.readout.value
    x, y = w._lpt.get_data()
    assert (x[0], y[0]) == pytest.approx((-8.0, float(pairwise_loss(-8.0, 0.0))))
    _gx, gy = w._gpt.get_data()
    assert gy[0] == pytest.approx(w.values["gradient"])


def test_gradient_matches_finite_difference():
    d = np.linspace(-6, 6, 13)
    h = 1e-6
    fd = (pairwise_loss(d + h, 0.0, reduction="none") -
          pairwise_loss(d - h, 0.0, reduction="none")) / (2 * h)
    np.testing.assert_allclose(loss_gradient(d), fd, atol=1e-6)


def test_editable_dataset_recomputes_each_pair_and_the_average():
    w = empirical_loss_explorer()
    n = len(DEFAULT_PAIRS)
    ra = np.array([p[3] for p in DEFAULT_PAIRS])
    rb = np.array([p[4] for p in DEFAULT_PAIRS])
    np.testing.assert_allclose(w.values["losses"], pairwise_loss(ra, rb, reduction="none"))
    assert w.values["empirical_loss"] == pytest.approx(float(pairwise_loss(ra, rb)))
    assert w.values["size"] == n
    w.controls["r_rejected_2"].value = -3.0
    rb[2] = -3.0
    assert w.values["losses"][2] == pytest.approx(float(pairwise_loss(ra[2], -3.0)))
    assert w.values["empirical_loss"] == pytest.approx(float(pairwise_loss(ra, rb)))
    assert w._bars[2].get_height() == pytest.approx(w.values["losses"][2])
    assert w._mean_line.get_ydata()[0] == pytest.approx(w.values["empirical_loss"])
    assert f"{w.values['losses'][2]:.4f}" in w._loss_cells[2].value


def test_copies_reweight_the_average():
    w = empirical_loss_explorer()
    losses = np.array(w.values["losses"])
    w.controls["copies_2"].value = 5                 # duplicate pair 3 (prompt x2) 5 times
    copies = np.array([1, 1, 5, 1])
    assert w.values["size"] == 8
    assert w.values["empirical_loss"] == pytest.approx(float((copies * losses).sum() / 8))
    assert w.values["prompt_share"]["x2: is 91 prime?"] == pytest.approx(5 / 8)


def test_empty_dataset_and_huge_values_are_friendly():
    w = empirical_loss_explorer()
    for i in range(len(DEFAULT_PAIRS)):
        w.controls[f"copies_{i}"].value = 0
    assert "empty" in w.message.value
    w.controls["copies_0"].value = 1
    assert w.message.value == ""
    w.controls["r_chosen_0"].value = -1e6                 # a huge wrong gap
    assert w.values["losses"][0] == pytest.approx(1e6 + 0.5, rel=1e-9)
    assert w.message.value == ""
    w.controls["r_chosen_0"].value = float("nan")
    assert "finite" in w.message.value and "pair 1" in w.message.value
    w.controls["r_chosen_0"].value = 1.0
    assert w.message.value == ""


def test_sampling_weights_move_the_minimiser():
    w = sampling_weight_explorer(3, 3)
    assert w.values["w_star"] == pytest.approx(0.0, abs=0.011)
    w.controls["copies_long"].value = 9
    w.controls["copies_short"].value = 1
    assert w.values["w_star_exact"] == pytest.approx(math.log(9))
    assert w.values["w_star"] == pytest.approx(math.log(9), abs=0.011)
    assert w.values["p_long_star"] == pytest.approx(0.9, abs=0.002)
    curve = w._curve.get_ydata()
    np.testing.assert_allclose(curve, length_preference_loss(np.linspace(-5, 5, 1001), 9, 1))
    assert "90.0%" in w.readout.value


def test_sampling_weights_degenerate_cases():
    w = sampling_weight_explorer()
    w.controls["copies_short"].value = 0
    assert math.isinf(w.values["w_star_exact"]) and w.values["w_star"] == 5.0
    assert "no finite minimiser" in w.readout.value
    w.controls["copies_long"].value = 0
    assert "empty" in w.message.value
    w.controls["copies_short"].value = 2
    assert w.message.value == "" and w.values["w_star"] == -5.0


def test_length_preference_loss_checks_input():
    with pytest.raises(ValueError, match="at least one pair"):
        length_preference_loss(0.0, 0, 0)
