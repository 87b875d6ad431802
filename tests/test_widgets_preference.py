"""Notebook 01 widget: the Bradley–Terry explorer, driven headlessly."""

import math

import numpy as np
import pytest

from rmteach import preference_probability
from rmteach.widgets import bradley_terry_explorer


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def test_initial_values_and_both_forms_agree():
    w = bradley_terry_explorer(r_a=2.0, r_b=1.0)
    v = w.values
    assert v["delta"] == pytest.approx(1.0)
    assert v["p_sigmoid"] == pytest.approx(sigmoid(1.0), abs=1e-12)
    assert v["p_softmax"] == pytest.approx(v["p_sigmoid"], abs=1e-12)
    assert v["p_b"] == pytest.approx(1 - v["p_sigmoid"], abs=1e-12)
    assert "0.731059" in w.readout.value


def test_point_moves_on_the_sigmoid_curve():
    w = bradley_terry_explorer()
    w.controls["r_a"].value = -1.5
    w.controls["r_b"].value = 0.5
    x, y = w._point.get_data()
    assert x[0] == pytest.approx(-2.0)
    assert y[0] == pytest.approx(sigmoid(-2.0))
    # the bar heights are the exponential form
    heights = [b.get_height() for b in w._bars]
    assert heights == pytest.approx([sigmoid(-2.0), 1 - sigmoid(-2.0)])


@pytest.mark.parametrize("c", [-5.0, -1.3, 0.0, 2.7, 5.0])
def test_shift_leaves_probability_unchanged(c):
    w = bradley_terry_explorer(r_a=1.2, r_b=-0.4)
    p0 = w.values["p_sigmoid"]
    w.controls["shift"].value = c
    assert w.values["r_a_prime"] == pytest.approx(1.2 + c)
    assert w.values["p_sigmoid"] == pytest.approx(p0, abs=1e-12)
    assert w.values["p_softmax"] == pytest.approx(p0, abs=1e-12)


def test_scale_changes_confidence_and_negative_flips():
    w = bradley_terry_explorer(r_a=1.0, r_b=0.0)
    p1 = w.values["p_sigmoid"]
    w.controls["scale"].value = 3.0
    assert w.values["p_sigmoid"] == pytest.approx(sigmoid(3.0))
    assert w.values["p_sigmoid"] > p1
    w.controls["scale"].value = -1.0
    assert w.values["p_sigmoid"] == pytest.approx(1 - p1)
    assert "flipped" in w.readout.value
    w.controls["scale"].value = 0.0
    assert w.values["p_sigmoid"] == 0.5
    assert "erases" in w.readout.value


def test_extreme_values_stay_finite_and_marker_stays_on_the_plot():
    w = bradley_terry_explorer()
    w.controls["scale"].value = 3.0
    w.controls["shift"].value = 5.0
    w.controls["r_a"].value = -6.0
    w.controls["r_b"].value = 6.0
    v = w.values
    assert v["delta"] == pytest.approx(-36.0)
    assert v["p_sigmoid"] == pytest.approx(float(preference_probability(-36.0, 0.0)), rel=1e-9)
    assert 0 < v["p_sigmoid"] < 1e-15 and np.isfinite(v["p_softmax"])
    x, _ = w._point.get_data()
    assert x[0] == -10.0                                  # clipped to the axis edge
    assert "off the plot" in w._label.get_text()
    assert "e-16" in w._label.get_text()                  # tiny probability not shown as 0
    assert w.message.value == ""
