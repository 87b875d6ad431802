"""Notebooks 04 and 07: gradients, scale, offsets, margins (rmteach.experiments.frozen_head), ties
(rmteach.math.ties, parse_tiers, the ties= convention of evaluate), calibration, and the
lessons' measurements.  Hand-computed values and plain-loop references."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rmteach.data.generate import RankedList, true_reward
from rmteach.experiments import frozen_head as rewards
from rmteach.experiments import seed_tables as lessons
from rmteach.math import calibration as cal
from rmteach.math import ties
from rmteach.math.losses import pairwise_loss
from rmteach.math.ranking import parse_tiers, tiers_to_pairs
from rmteach.model.evaluate import (
    TIES,
    accuracy_with_ties,
    best_of_list_accuracy,
    metrics_from_scores,
)


def _sig(z):
    return 1 / (1 + math.exp(-z))


# --- gradients -----------------------------------------------------------------------

def test_reward_gradients_hand_values_and_margin():
    g_c, g_r = rewards.reward_gradients([0.0, 2.0], [0.0, 0.0], margin=[0.0, 2.0])
    assert g_c.tolist() == pytest.approx([-0.5, -0.5])
    assert g_r.tolist() == pytest.approx([0.5, 0.5])
    g_c, _ = rewards.reward_gradients(1.0, 0.0)
    assert float(g_c) == pytest.approx(-_sig(-1.0))
    g_c, g_r = rewards.reward_gradients([1e4, -1e4], [0.0, 0.0])
    assert np.all(np.isfinite(g_c)) and g_c.tolist() == pytest.approx([0.0, -1.0])
    with pytest.raises(ValueError, match="r_chosen"):
        rewards.reward_gradients([np.nan], [0.0])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-30, 30), min_size=1, max_size=6),
       st.floats(0, 3))
def test_reward_gradients_match_autograd(values, m):
    c = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    r = torch.zeros_like(c, requires_grad=True)
    pairwise_loss(c, r, margin=m, reduction="sum").backward()
    g_c, g_r = rewards.reward_gradients(values, np.zeros(len(values)), margin=m)
    assert np.allclose(g_c, c.grad.numpy(), atol=1e-12)
    assert np.allclose(g_r, r.grad.numpy(), atol=1e-12)


def test_head_gradient_matches_autograd():
    ps = rewards.pair_set(60)
    hc, hr, _ = ps.label(1.0)
    w = np.random.default_rng(3).normal(size=10)
    wt = torch.tensor(w, requires_grad=True)
    pairwise_loss(torch.tensor(hc) @ wt, torch.tensor(hr) @ wt, margin=0.5).backward()
    assert np.allclose(rewards.head_gradient(w, hc, hr, margin=0.5), wt.grad.numpy(), atol=1e-12)


def test_features_reproduce_true_reward():
    ps = rewards.pair_set(60)
    for p, y, h in zip(ps.prompts, ps.better, ps.h_better):
        assert h @ rewards.TRUE_HEAD == pytest.approx(true_reward(p, y))
    assert np.all(ps.true_gap > 0)


# --- scale -----------------------------------------------------------------------------

def test_fitted_scale_tracks_beta_and_loss_floor():
    ps = rewards.pair_set(1000)
    for beta in (0.5, 1.0, 2.0):
        hc, hr, _ = ps.label(beta)
        fit = rewards.fit_head(hc, hr)
        assert abs(fit.scale - beta) < 0.15 * beta
        assert abs(fit.loss - rewards.label_entropy(ps.true_gap, beta)) < 0.03


def test_label_entropy_hand_values():
    assert rewards.label_entropy([3.0], 0.0) == pytest.approx(math.log(2))
    assert rewards.label_entropy([1.0], math.inf) == 0.0
    p = _sig(2.0)
    assert rewards.label_entropy([1.0, -1.0], 2.0) == pytest.approx(
        -(p * math.log(p) + (1 - p) * math.log(1 - p)))
    assert rewards.label_entropy([1e4], 1.0) == pytest.approx(0.0, abs=1e-12)


def test_noiseless_scale_keeps_growing():
    ps = rewards.pair_set(200)
    hc, hr, agrees = ps.label(math.inf)
    assert agrees.all()
    _, heads, losses = rewards.descend_head(hc, hr, steps=2000, lr=1.0, record=5)
    scales = [rewards.learned_scale(w) for w in heads]
    assert np.all(np.diff(scales) > 0) and np.all(np.diff(losses) < 0)


def test_unseen_offsets_stay_where_they_started():
    ps = rewards.pair_set(300)
    hc, hr, _ = ps.label(2.0)
    w0 = np.r_[np.zeros(5), [3.0, -1.0, 0.5, 2.0, -2.0]]
    fit = rewards.fit_head(hc, hr, w0=w0)
    assert np.allclose(rewards.topic_offsets(fit.w), w0[5:], atol=1e-9)
    pinned = rewards.fit_head(hc, hr, w0=w0, penalty="trl", coef=0.01)
    assert np.std(rewards.topic_offsets(pinned.w)) < 0.5 * np.std(w0[5:])


def test_fit_head_objective_is_what_it_says():
    ps = rewards.pair_set(100)
    hc, hr, _ = ps.label(1.0)
    for penalty in rewards.PENALTIES:
        fit = rewards.fit_head(hc, hr, penalty=penalty, coef=0.05 if penalty else 0.0)
        rc, rr = hc @ fit.w, hr @ fit.w
        want = float(pairwise_loss(rc, rr))
        if penalty == "trl":
            want += 0.05 * np.mean((rc + rr) ** 2)
        elif penalty == "torchrl":
            want += 0.05 * np.mean(rc ** 2 + rr ** 2)
        assert fit.objective == pytest.approx(want)
        # a minimum: any small move raises the objective
        for e in np.eye(10)[:5]:
            moved = rewards.fit_head(hc, hr, penalty=penalty, coef=0.05 if penalty else 0.0,
                                     w0=fit.w + 1e-3 * e, max_iter=0)
            assert moved.objective >= fit.objective - 1e-12
    with pytest.raises(ValueError, match="penalty"):
        rewards.fit_head(hc, hr, penalty="l2")


def test_strengths_margins_and_normalise():
    assert rewards.preference_strength([0.5, 1.0, 1.99, 2.0, 4.0]).tolist() == [0, 1, 1, 2, 3]
    assert rewards.llama2_margins([0, 1, 2, 3]).tolist() == pytest.approx([0, 1 / 3, 2 / 3, 1])
    with pytest.raises(ValueError, match="size"):
        rewards.llama2_margins([1], size="huge")
    out = rewards.normalise([1.0, 3.0], [1.0, 2.0, 3.0])
    assert out.tolist() == pytest.approx([-math.sqrt(1.5), math.sqrt(1.5)])


def test_offset_table_and_margin_table_claims():
    tab = lessons.offset_table(seeds=range(3))
    none, trl, post = tab["none"], tab["TRL centering"], tab["post-hoc normalisation"]
    assert post["relative_spread"].mean == pytest.approx(none["relative_spread"].mean)
    assert trl["relative_spread"].mean < none["relative_spread"].mean
    assert none["scale"].n == 3 and none["scale"].pm().endswith("(sd, n = 3)")
    assert post["std"].mean == pytest.approx(1.0) and abs(post["mean"].mean) < 1e-9
    # at the same centering weight (TRL c/2, TorchRL c) TorchRL's gap term costs scale
    trl = lessons.offset_table(coef=0.005, seeds=range(3), fixes=["TRL centering"])
    torchrl = lessons.offset_table(coef=0.01, seeds=range(3), fixes=["TorchRL r_c²+r_r²"])
    assert torchrl["TorchRL r_c²+r_r²"]["scale"].mean < trl["TRL centering"]["scale"].mean - 0.05
    mt = lessons.margin_table(ns=(800,), seeds=range(3))[800]
    assert np.all(mt["large"]["scale"] > mt["none"]["scale"])


# --- ties ------------------------------------------------------------------------------

def test_parse_tiers_and_pairs():
    assert parse_tiers("A > B = C > D") == [["A"], ["B", "C"], ["D"]]
    assert parse_tiers(" x≻y=z ") == [["x"], ["y", "z"]]
    assert parse_tiers("a＞b") == [["a"], ["b"]]
    assert tiers_to_pairs("A > B = C > D") == [("A", "B"), ("A", "C"), ("A", "D"),
                                               ("B", "D"), ("C", "D")]
    assert tiers_to_pairs("A = B") == []
    for bad, match in (("", "empty"), ("A < B", "best first"), ("A > = B", "empty label"),
                       ("A > A", "more than once"), ("A", "at least 2"), (3, "string"),
                       ("A, B", "commas.*separate labels with '>'")):
        with pytest.raises(ValueError, match=match):
            parse_tiers(bad)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=2, max_size=4))
def test_tiered_pairs_count_and_loss_plain_loop(sizes):
    labels = iter("ABCDEFGHIJKL")
    tiers = [[next(labels) for _ in range(n)] for n in sizes]
    text = " > ".join(" = ".join(t) for t in tiers)
    pairs = tiers_to_pairs(text)
    n = sum(sizes)
    assert len(pairs) == ties.tiered_pair_count(text) == (n * n - sum(s * s for s in sizes)) // 2
    rng = np.random.default_rng(len(pairs))
    scores = {x: float(rng.normal()) for t in tiers for x in t}
    loop = [math.log1p(math.exp(-(scores[a] - scores[b]))) for a, b in pairs]
    assert ties.tiered_listwise_loss(scores, text) == pytest.approx(sum(loop) / len(loop))
    assert ties.tiered_listwise_loss(dict.fromkeys(scores, 0.0), text) == pytest.approx(
        math.log(2))


def test_tiered_loss_errors():
    with pytest.raises(ValueError, match="no preference"):
        ties.tiered_listwise_loss({"A": 0, "B": 0}, "A = B")
    with pytest.raises(ValueError, match="'C'"):
        ties.tiered_listwise_loss({"A": 0, "B": 0}, "A > B > C")


def test_davidson_probabilities():
    for d in (-3.0, 0.0, 1.0, 50.0, -800.0):
        pa, pt, pb = (float(x) for x in ties.davidson_probabilities(d, 0.7))
        assert pa + pt + pb == pytest.approx(1.0)
        z = math.exp(d / 2) + math.exp(-d / 2) + 0.7 if abs(d) < 100 else None
        if z:
            assert pa == pytest.approx(math.exp(d / 2) / z)
            assert pt == pytest.approx(0.7 / z)
    pa, pt, _ = ties.davidson_probabilities(1.3, 0.0)
    assert float(pa) == pytest.approx(_sig(1.3)) and float(pt) == 0.0
    assert ties.davidson_nll([1.3], [1], 0.0) == pytest.approx(math.log1p(math.exp(-1.3)))
    with pytest.raises(ValueError, match="nu"):
        ties.davidson_probabilities(0.0, -1.0)


@settings(max_examples=60, deadline=None)
@given(st.floats(-1e4, 1e4), st.floats(0, 50))
def test_davidson_probabilities_properties(delta, nu):
    pa, pt, pb = (float(x) for x in ties.davidson_probabilities(delta, nu))
    assert pa + pt + pb == pytest.approx(1.0) and min(pa, pt, pb) >= 0
    qa, qt, qb = (float(x) for x in ties.davidson_probabilities(-delta, nu))
    assert (qa, qt, qb) == pytest.approx((pb, pt, pa))             # swapping a and b
    assert pt <= nu / (2 + nu) + 1e-12                             # most ties at Δ = 0


def test_fit_davidson_recovers_nu_and_scale():
    ps = rewards.pair_set(1000)
    o = ties.davidson_labels(ps.true_gap, 2.0, 1.0, seed=1)
    w, nu, nll = ties.fit_davidson(ps.h_better, ps.h_worse, o)
    assert 0.6 < nu < 1.5 and 1.6 < rewards.learned_scale(w) < 2.4
    assert nll == pytest.approx(ties.davidson_nll((ps.h_better - ps.h_worse) @ w, o, nu))
    with pytest.raises(ValueError, match="no ties"):
        ties.fit_davidson(ps.h_better, ps.h_worse, np.ones(len(ps), dtype=int))


def test_as_ratings():
    assert ties.as_ratings([0.0, 0.4, 0.6, 1.0], levels=2).tolist() == [1, 1, 2, 2]
    assert ties.as_ratings([-5.0, 5.0], levels=10, lo=0, hi=1).tolist() == [1, 10]
    with pytest.raises(ValueError, match="levels"):
        ties.as_ratings([0, 1], levels=1)


def test_accuracy_conventions_hand_values():
    assert accuracy_with_ties(6, 2, 2, "exclude") == 0.75
    assert accuracy_with_ties(6, 2, 2, "wrong") == 0.6
    assert accuracy_with_ties(6, 2, 2, "split") == 0.7
    assert math.isnan(accuracy_with_ties(0, 0, 3, "exclude"))
    with pytest.raises(ValueError, match="ties must be"):
        accuracy_with_ties(1, 0, 0, "half")


def _loop_accuracy(lists, scores, convention):
    points = total = 0.0
    for lst, s in zip(lists, scores):
        order = list(lst.ranking)
        for i in range(lst.n):
            for j in range(i + 1, lst.n):
                a, b = s[order[i]], s[order[j]]
                if a == b:
                    if convention == "exclude":
                        continue
                    points += 0.5 if convention == "split" else 0.0
                else:
                    points += a > b
                total += 1
    return points / total


def test_metrics_ties_argument_against_plain_loop():
    rng = np.random.default_rng(0)
    lists, scores = [], []
    for k in range(30):
        n = int(rng.integers(2, 6))
        lists.append(RankedList(f"p{k}", tuple(f"y{i}" for i in range(n)),
                                tuple(int(i) for i in rng.permutation(n))))
        scores.append(rng.integers(0, 3, n).astype(float))     # many ties
    default = metrics_from_scores(lists, scores, against=None)
    for c in TIES:
        ev = metrics_from_scores(lists, scores, against=None, ties=c)
        assert ev.accuracy == pytest.approx(_loop_accuracy(lists, scores, c))
        assert default.accuracy_with(c) == pytest.approx(ev.accuracy)
    assert default.accuracy == metrics_from_scores(lists, scores, against=None,
                                                   ties="exclude").accuracy


def test_best_of_list_accuracy_hand_cases():
    lists = [RankedList("p", ("a", "b", "c"), (0, 1, 2))] * 3
    scores = [np.array([2.0, 2.0, 1.0]), np.array([3.0, 1.0, 0.0]), np.array([0.0, 1.0, 0.0])]
    assert best_of_list_accuracy(lists, scores, ties="split") == pytest.approx((0.5 + 1) / 3)
    assert best_of_list_accuracy(lists, scores, ties="wrong") == pytest.approx(1 / 3)
    assert best_of_list_accuracy(lists, scores, ties="exclude") == pytest.approx(1 / 2)


# --- calibration -----------------------------------------------------------------------

def test_ece_hand_value_and_plain_loop():
    q = np.array([0.55, 0.65, 0.95, 0.95])
    won = np.array([1.0, 0.0, 1.0, 1.0])
    # bins of width 0.1 over [0.5, 1]: {0.55}, {0.65}, {0.95, 0.95}
    want = (abs(1 - 0.55) + abs(0 - 0.65) + 2 * abs(1 - 0.95)) / 4
    assert cal.expected_calibration_error(q, won, n_bins=5) == pytest.approx(want)
    rng = np.random.default_rng(2)
    q = rng.uniform(0.5, 1.0, 300)
    won = (rng.random(300) < q).astype(float)
    loop, n = 0.0, len(q)
    for b in range(10):
        lo, hi = 0.5 + 0.05 * b, 0.5 + 0.05 * (b + 1)
        sel = [k for k in range(n) if lo <= q[k] < hi or (b == 9 and q[k] == 1.0)]
        if sel:
            loop += len(sel) / n * abs(np.mean(won[sel]) - np.mean(q[sel]))
    assert cal.expected_calibration_error(q, won, n_bins=10) == pytest.approx(loop)


def test_fold_pairs_and_temperature():
    q, won = cal.fold_pairs([2.0, -1.0, 0.0])
    assert q.tolist() == pytest.approx([_sig(2.0), _sig(1.0), 0.5])
    assert won.tolist() == [1.0, 0.0, 0.5]
    rng = np.random.default_rng(0)
    true = rng.normal(0, 2, 4000)
    labels = rng.random(4000) < 1 / (1 + np.exp(-true))
    gap = np.where(labels, true, -true) * 3.0            # a model 3x overconfident
    t = cal.fit_temperature(gap)
    assert 2.6 < t < 3.4
    grid = np.linspace(0.5, 6, 400)
    best = grid[np.argmin([cal.log_loss(gap, g) for g in grid])]
    assert t == pytest.approx(best, abs=0.02)
    for bad in (0.0, -1.0, math.nan):
        with pytest.raises(ValueError, match="temperature"):
            cal.log_loss(gap, bad)


def test_calibration_lesson_claims():
    setup = lessons.calibration_setup()
    tab = lessons.calibration_table(setup, seeds=range(5))
    assert np.all(tab["ece_after"] < tab["ece_before"])
    assert tab["ece_before"].mean() - tab["ece_after"].mean() > tab["ece_before"].std()
    assert np.all(tab["ll_after"] < tab["ll_before"])


def test_calibration_from_scores_hand_and_reference():
    from rmteach.model.evaluate import calibration_from_scores

    lists = [RankedList("p", ("a", "b"), (0, 1)), RankedList("q", ("a", "b", "c"), (2, 0, 1))]
    scores = [np.array([1.0, 0.0]), np.array([0.0, -1.0, 2.0])]
    c = calibration_from_scores(lists, scores, n_bins=5)
    gaps = np.array([1.0, 2.0, 3.0, 1.0])        # c−a, c−b, a−b for the ranking c > a > b
    assert c.pairs == 4 and c.accuracy == 1.0
    assert c.log_loss == pytest.approx(np.mean(np.log1p(np.exp(-gaps))))
    q, won = cal.fold_pairs(gaps)
    assert c.ece == pytest.approx(cal.expected_calibration_error(q, won, n_bins=5))
    hot = calibration_from_scores(lists, scores, temperature=2.0, n_bins=5)
    assert hot.log_loss == pytest.approx(np.mean(np.log1p(np.exp(-gaps / 2))))
    with pytest.raises(ValueError, match="score array"):
        calibration_from_scores(lists, scores[:1])


def test_evaluate_calibration_on_a_model():
    from rmteach.data.generate import make_preference_data
    from rmteach.model.evaluate import evaluate, evaluate_calibration
    from rmteach.model.network import TinyRewardModel

    data = make_preference_data(20, max_n=4, seed=0)
    model = TinyRewardModel(seed=0)
    c = evaluate_calibration(model, data)
    ev = evaluate(model, data)
    assert c.pairs == ev.pairs and 0 <= c.ece <= 0.5
    assert c.log_loss == pytest.approx(ev.log_loss)
