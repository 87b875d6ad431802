"""Evaluation: Kendall tau against a brute-force loop, ties apart, losses, model comparison."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rmteach.data.generate import PreferenceData, RankedList, make_preference_data, true_reward
from rmteach.math.losses import listwise_loss, pairwise_loss
from rmteach.model.evaluate import compare_models, evaluate, kendall_tau, metrics_from_scores
from rmteach.model.network import TinyRewardModel


def brute_force_tau_b(x, y):
    concordant = discordant = tied_x = tied_y = pairs = 0
    for i, j in itertools.combinations(range(len(x)), 2):
        pairs += 1
        dx, dy = x[i] - x[j], y[i] - y[j]
        if dx == 0:
            tied_x += 1
        if dy == 0:
            tied_y += 1
        if dx * dy > 0:
            concordant += 1
        elif dx * dy < 0:
            discordant += 1
    denom = math.sqrt((pairs - tied_x) * (pairs - tied_y))
    return float("nan") if denom == 0 else (concordant - discordant) / denom


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(-3, 3), st.integers(-3, 3)), min_size=2, max_size=9))
def test_kendall_tau_matches_brute_force(pairs):
    x, y = [p[0] for p in pairs], [p[1] for p in pairs]
    expected = brute_force_tau_b(x, y)
    got = kendall_tau(x, y)
    if math.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == pytest.approx(expected, abs=1e-12)


def test_kendall_tau_known_values_and_errors():
    assert kendall_tau([1, 2, 3, 4], [1, 2, 3, 4]) == 1.0
    assert kendall_tau([1, 2, 3, 4], [4, 3, 2, 1]) == -1.0
    assert kendall_tau([1, 2, 3], [1, 3, 2]) == pytest.approx(1 / 3)
    assert math.isnan(kendall_tau([1, 1, 1], [1, 2, 3]))
    with pytest.raises(ValueError, match="equal length"):
        kendall_tau([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="at least 2"):
        kendall_tau([1], [1])


def _list(prompt="explain rain"):
    # best first: sunny umbrella (2.0) > sunny (1.0) > um (-0.25) > ugh (-1.5)
    return RankedList(prompt, ("um", "sunny umbrella", "ugh", "sunny"), (1, 3, 0, 2))


def test_ties_are_counted_apart_not_wrong():
    lst = _list()
    # scores in response order: um=0, sunny umbrella=3, ugh=0 (tie with um), sunny=1
    ev = metrics_from_scores([lst], [np.array([0.0, 3.0, 0.0, 1.0])])
    assert (ev.pairs, ev.correct, ev.wrong, ev.ties) == (6, 5, 0, 1)
    assert ev.accuracy == 1.0
    assert ev.tie_fraction == pytest.approx(1 / 6)
    wrong = metrics_from_scores([lst], [np.array([0.0, 3.0, 1.0, 2.0])])   # ugh above um
    assert (wrong.correct, wrong.wrong, wrong.ties) == (5, 1, 0)
    assert wrong.accuracy == pytest.approx(5 / 6)
    flat = metrics_from_scores([lst], [np.zeros(4)])
    assert flat.ties == 6 and math.isnan(flat.accuracy) and flat.reward_spread == 0.0
    assert flat.listwise_loss == pytest.approx(math.log(2))


def test_losses_and_tau_use_the_math_api():
    lists = [_list(), RankedList("explain recipe", ("oven", "ugh"), (0, 1))]
    scores = [np.array([0.5, 2.0, -1.0, 1.0]), np.array([0.3, 0.7])]
    ev = metrics_from_scores(lists, scores)
    best_first = [s[list(x.ranking)] for x, s in zip(lists, scores)]
    expected_list = np.mean([float(listwise_loss(b)) for b in best_first])
    assert ev.listwise_loss == pytest.approx(expected_list)
    better = [b[i] for b in best_first for i, j in itertools.combinations(range(len(b)), 2)]
    worse = [b[j] for b in best_first for i, j in itertools.combinations(range(len(b)), 2)]
    assert ev.log_loss == pytest.approx(float(pairwise_loss(better, worse)))
    taus = [kendall_tau(s, [true_reward(x.prompt, y) for y in x.responses])
            for x, s in zip(lists, scores)]
    assert ev.kendall_tau == pytest.approx(np.mean(taus))
    by_labels = metrics_from_scores(lists, scores, against="labels")
    assert by_labels.kendall_tau == pytest.approx(np.mean(taus))   # labels = truth here
    with pytest.raises(ValueError, match="against"):
        metrics_from_scores(lists, scores, against="oracle")
    with pytest.raises(ValueError, match="2 lists but 1"):
        metrics_from_scores(lists, scores[:1])


def test_evaluate_and_compare_models():
    data = make_preference_data(30, max_n=5, seed=0)
    a, b = TinyRewardModel(seed=0), TinyRewardModel(seed=1)
    ev = evaluate(a, data)
    assert ev.pairs == sum(x.n * (x.n - 1) // 2 for x in data.heldout)
    assert evaluate(a, data, split="train").pairs == len(data.pairs("train"))
    same = compare_models(a, a, data, names=("a", "a2"))
    assert same.agreement == 1.0 and same.a == same.b and same.better() == "tie"
    cmp = compare_models(a, b, data, names=("seed0", "seed1"))
    assert cmp.a == ev
    assert 0.0 <= cmp.agreement <= 1.0
    assert cmp.better("log_loss") in ("seed0", "seed1")
    table = cmp.table()
    assert "seed0" in table and "pairwise accuracy" in table and "Kendall tau" in table
    with pytest.raises(ValueError, match="split"):
        evaluate(a, data, split="test")
    empty = PreferenceData(data.train, (), None, 0, True)
    with pytest.raises(ValueError, match="empty"):
        evaluate(a, empty)


def test_non_finite_rewards_are_named_not_divided_by_zero():
    """A diverged model's NaN rewards get a clear ValueError (every comparison with NaN is
    false, so counting pairs would otherwise give 0 pairs and a ZeroDivisionError)."""
    import numpy as np
    import pytest

    from rmteach.data.generate import RankedList
    from rmteach.model.evaluate import metrics_from_scores

    lists = [RankedList("tell me about space", ("stars orbit", "pasta sauce"), (0, 1))]
    with pytest.raises(ValueError, match=r"NaN or infinite rewards.*diverged"):
        metrics_from_scores(lists, [np.array([np.nan, np.nan])])
