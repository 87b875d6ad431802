"""Notebook 03 widgets and computations: rankings, pair matrix, N, the literal trap."""

import math

import numpy as np
import pytest

from rmteach import listwise_loss, pairwise_loss, plackett_luce_loss
from rmteach.widgets import (
    descend_on_list,
    list_length_explorer,
    listwise_explorer,
    literal_objective,
    literal_trap_explorer,
    plackett_luce_stage_probabilities,
)

LN2 = math.log(2)
CADB = [("C", "A"), ("C", "D"), ("C", "B"), ("A", "D"), ("A", "B"), ("D", "B")]
SCORES = {"A": 0.5, "B": -1.0, "C": 2.0, "D": 0.1}


def test_default_ranking_pairs_matrix_and_losses():
    w = listwise_explorer()
    v = w.values
    assert v["ranking"] == ["C", "A", "D", "B"]
    assert v["pairs"] == CADB
    want = [float(pairwise_loss(SCORES[a], SCORES[b])) for a, b in CADB]
    assert v["pair_losses"] == pytest.approx(want)
    assert v["listwise_loss"] == pytest.approx(float(np.mean(want)))
    assert v["ordered_sum"] == pytest.approx(2 * sum(want))
    assert v["plackett_luce_loss"] == pytest.approx(
        float(plackett_luce_loss([2.0, 0.5, 0.1, -1.0])))
    m = w._im.get_array()
    assert m.shape == (4, 4)
    assert m.mask.diagonal().all()                              # no self-pairs
    assert m[0, 1] == pytest.approx(want[0]) and m[1, 0] == pytest.approx(want[0])
    assert w._cells[3][2].get_text() == f"{want[5]:.2f}"
    assert "C ≻ A" in w.readout.value and "= <b>0.2319</b>" in w.readout.value


def test_score_slider_updates_listwise_loss():
    w = listwise_explorer()
    w.controls["score_B"].value = 3.0                           # B, ranked last, now on top
    s = [2.0, 0.5, 0.1, 3.0]
    assert w.values["listwise_loss"] == pytest.approx(float(listwise_loss(s)))
    assert w.values["pair_losses"][2] == pytest.approx(float(pairwise_loss(2.0, 3.0)))


def test_reordering_and_subsets_relayout_the_matrix():
    w = listwise_explorer()
    w.controls["ranking"].value = "b > d"                        # lowercase, a subset
    assert w.values["ranking"] == ["B", "D"] and w.values["pairs"] == [("B", "D")]
    assert w._im.get_array().shape == (2, 2)
    assert [t.get_text() for t in w._mx.get_xticklabels()] == ["B", "D"]
    assert w.values["listwise_loss"] == pytest.approx(float(pairwise_loss(-1.0, 0.1)))
    assert not w._cells[0][2].get_visible()
    w.controls["ranking"].value = "A≻B≻C≻D"
    assert len(w.values["pairs"]) == 6
    assert w._pl_bars[2].get_visible() and not w._pl_bars[3].get_visible()


@pytest.mark.parametrize("text, fragment", [
    ("", "empty"),
    ("   ", "empty"),
    ("A", "at least 2"),
    ("C > A > C > B", "more than once"),
    ("C > a > A", "twice"),
    ("C > A > E > B", "unknown item"),
    ("C < A", "best first"),
    ("C > > A", "empty label"),
])
def test_bad_rankings_give_a_message_and_the_widget_recovers(text, fragment):
    w = listwise_explorer()
    before = dict(w.values)
    w.controls["ranking"].value = text
    assert fragment in w.message.value
    assert "Traceback" not in w.message.value
    assert w.values == before
    w.controls["ranking"].value = "D > C"
    assert w.message.value == "" and w.values["ranking"] == ["D", "C"]


def test_uncertain_model_scores_ln2_and_pl_log_factorial():
    w = listwise_explorer(scores={"A": 0.0, "B": 0.0, "C": 0.0, "D": 0.0, "E": 0.0})
    w.controls["ranking"].value = "E > D > C > B > A"
    assert w.values["listwise_loss"] == pytest.approx(LN2)
    assert w.values["plackett_luce_loss"] == pytest.approx(math.log(120))
    assert w.values["pl_stage_probabilities"] == pytest.approx([1 / 5, 1 / 4, 1 / 3, 1 / 2])


def test_pl_stage_probabilities_multiply_to_the_pl_likelihood():
    s = np.array([1.3, -0.2, 0.7, 0.0, -2.0])
    stages = plackett_luce_stage_probabilities(s)
    assert float(np.prod(stages)) == pytest.approx(math.exp(-float(plackett_luce_loss(s))))
    first = math.exp(s[0]) / np.exp(s).sum()
    assert stages[0] == pytest.approx(first)


def test_list_length_sum_grows_quadratically_average_stays():
    w = list_length_explorer()
    vals = {}
    for n in (2, 5, 10, 20):
        w.controls["n"].value = n
        vals[n] = dict(w.values)
        assert w.values["ordered_pairs"] == n * (n - 1)
        assert w.values["mean_uncertain"] == pytest.approx(LN2)
        assert w.values["sum_uncertain"] == pytest.approx(n * (n - 1) * LN2)
    assert vals[20]["sum_noisy"] / vals[5]["sum_noisy"] > 10         # like N²
    means = [vals[n]["mean_noisy"] for n in (5, 10, 20)]
    # each response's quality comes from the same distribution whatever N, so a pair is
    # as hard in a long list as in a short one and the average stays level
    assert max(means) - min(means) < 0.05
    x, y = w._mdot.get_data()
    assert list(x) == [20, 20] and y[1] == pytest.approx(LN2)


def test_literal_objective_is_minimised_by_equal_rewards():
    assert literal_objective([0.0, 0.0, 0.0]) == pytest.approx(LN2)
    rng = np.random.default_rng(0)
    for _ in range(20):
        s = rng.normal(size=4) * 3
        assert literal_objective(s) > LN2
    with pytest.raises(ValueError):
        literal_objective([1.0])


@pytest.mark.parametrize("objective", ["true", "literal"])
def test_descent_gradient_matches_finite_differences(objective):
    s = np.array([0.4, -0.3, 1.1, 0.2])
    f = (lambda x: float(listwise_loss(x))) if objective == "true" else literal_objective
    step = descend_on_list(s, objective=objective, steps=1, lr=1.0)
    grad = s - step[1]
    h = 1e-6
    fd = np.array([(f(s + h * e) - f(s - h * e)) / (2 * h) for e in np.eye(4)])
    np.testing.assert_allclose(grad, fd, atol=1e-7)


def test_descent_gradient_matches_torch_autograd():
    torch = pytest.importorskip("torch")
    s = torch.tensor([0.4, -0.3, 1.1, 0.2], dtype=torch.float64, requires_grad=True)
    listwise_loss(s).backward()
    step = descend_on_list(s.detach().numpy(), objective="true", steps=1, lr=1.0)
    np.testing.assert_allclose(s.detach().numpy() - step[1], s.grad.numpy(), atol=1e-12)


def test_literal_trap_collapses_true_order_separates():
    w = literal_trap_explorer()
    start = w.values
    assert start["step"] == 200
    assert start["literal_spread"] < 1e-3
    assert start["literal_objective"] == pytest.approx(LN2, abs=1e-6)
    true = start["true_rewards"]
    assert true == sorted(true, reverse=True)                        # ranked order kept
    assert start["true_spread"] > 3 * (1.5 - -1.5) / 2
    w.controls["step"].value = 0
    assert w.values["literal_spread"] == pytest.approx(3.0)
    assert w.values["true_spread"] == pytest.approx(3.0)
    x, y = w._markers[0][0].get_data()
    assert list(x) == [0, 0, 0, 0] and list(y) == pytest.approx([1.5, 0.5, -0.5, -1.5])


def test_descend_on_list_rejects_bad_arguments():
    with pytest.raises(ValueError, match="objective"):
        descend_on_list([1.0, 0.0], objective="both")
    with pytest.raises(ValueError, match="at least 2"):
        descend_on_list([1.0])
