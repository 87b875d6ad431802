"""Best-of-n and its cost: hand-checked values, the oracle is the max of r* among the n
draws, KL_bon against its formula, the exact expectation against plain sampling."""

import math

import numpy as np
import pytest

from rmteach.data.generate import make_prompts, true_reward
from rmteach.experiments.sampling import (
    best_of_n,
    draw_pool,
    expected_best_of_n,
    kl_best_of_n,
    length_reward_correlation,
    response_lengths,
    true_rewards,
)


def test_kl_best_of_n_hand_values_and_formula():
    assert kl_best_of_n(1) == 0.0
    assert kl_best_of_n(2) == pytest.approx(math.log(2) - 0.5)
    assert kl_best_of_n(16) == pytest.approx(2.772588722 - 0.9375)
    ns = np.array([1, 2, 3, 10, 256])
    assert np.allclose(kl_best_of_n(ns), [math.log(n) - (n - 1) / n for n in ns.tolist()])
    assert np.all(np.diff(kl_best_of_n(np.arange(1, 300))) > 0)      # grows with n


def test_kl_best_of_n_equals_the_kl_of_the_best_of_n_distribution():
    """For a continuous reference, best-of-n has density n F^(n-1) f: KL = E[log n F^(n-1)]."""
    rng = np.random.default_rng(0)
    u = rng.random(200_000)                     # F(y) of a draw from the best-of-n policy:
    for n in (2, 5, 20):
        f_pick = u ** (1 / n)                   # the max of n uniforms
        kl_mc = float(np.mean(np.log(n) + (n - 1) * np.log(f_pick)))
        assert kl_mc == pytest.approx(kl_best_of_n(n), abs=0.01)


@pytest.mark.parametrize("bad", [0, -3, 1.5, True, "4", None])
def test_kl_best_of_n_rejects_bad_n(bad):
    with pytest.raises(ValueError, match="n must"):
        kl_best_of_n(bad)


def test_expected_best_of_n_hand_values():
    # pool [1, 2]: n=1 gives the mean 15; n=2 gives 20 unless both draws are the 1 (p=1/4)
    assert expected_best_of_n([1, 2], [10, 20], [1, 2]).tolist() == [15.0, 17.5]
    # three values, n = 2: P(max = a) = 1/9, b: 3/9, c: 5/9
    got = expected_best_of_n([0.0, 1.0, 2.0], [3.0, 6.0, 9.0], [2])
    assert got[0] == pytest.approx((1 * 3 + 3 * 6 + 5 * 9) / 9)
    # a constant selector is a random pick: the pool mean for every n
    assert np.allclose(expected_best_of_n(np.zeros(4), [1, 2, 3, 10], [1, 7, 50]), 4.0)


def test_expected_best_of_n_matches_plain_sampling():
    rng = np.random.default_rng(1)
    select = rng.normal(size=40).round(1)          # ties on purpose
    values = rng.normal(size=40)
    for n in (1, 3, 12):
        picks = [values[best_of_n(select, n, rng)] for _ in range(20_000)]
        sd = np.std(picks) / math.sqrt(len(picks))
        assert abs(np.mean(picks) - expected_best_of_n(select, values, [n])[0]) < 4 * sd


def test_oracle_pick_is_the_max_true_reward_among_the_n_draws():
    prompt = make_prompts(3, seed=5)[0]
    pool = draw_pool([prompt], 50, seed=2)[0]
    r = true_rewards(prompt, pool)
    for seed in range(20):
        pick = best_of_n(r, 8, np.random.default_rng(seed))
        drawn = np.random.default_rng(seed).integers(len(r), size=8)   # the same 8 draws
        assert pick in drawn
        assert r[pick] == r[drawn].max()
    # and in expectation, the oracle is at least as good as any other selector
    proxy = r + np.random.default_rng(0).normal(size=r.size)
    for n in (2, 8, 32):
        assert (expected_best_of_n(r, r, [n])[0]
                >= expected_best_of_n(proxy, r, [n])[0] - 1e-12)


def test_draw_pool_is_deterministic_and_keyed():
    prompts = make_prompts(4, seed=0)
    a = draw_pool(prompts, 6, seed=3)
    assert a == draw_pool(prompts, 6, seed=3)
    assert a != draw_pool(prompts, 6, seed=4)
    assert draw_pool(prompts, 10, seed=3)[1][:6] == a[1]          # longer pools extend
    assert draw_pool(prompts[2:3], 6, seed=3, keys=[2]) == [a[2]]
    assert true_rewards(prompts[0], a[0]).tolist() == [true_reward(prompts[0], y)
                                                       for y in a[0]]
    assert response_lengths(["a b c", "d"]).tolist() == [3.0, 1.0]


def test_bad_inputs_get_friendly_messages():
    with pytest.raises(ValueError, match="size must"):
        draw_pool(["explain rain"], 0)
    with pytest.raises(ValueError, match="list of prompt strings"):
        draw_pool("explain rain", 3)
    with pytest.raises(ValueError, match="one integer per prompt"):
        draw_pool(["explain rain"], 3, keys=[1, 2])
    with pytest.raises(ValueError, match="same non-zero length"):
        expected_best_of_n([1, 2], [1], [1])
    with pytest.raises(ValueError, match="finite"):
        expected_best_of_n([1, np.nan], [1, 2], [1])
    with pytest.raises(ValueError, match="non-empty"):
        best_of_n([], 3, np.random.default_rng(0))


def test_length_reward_correlation_at_fixed_true_reward():
    true = np.array([1.0, 1.0, 1.0, 2.0, 2.0, 2.0])
    length = np.array([2.0, 4.0, 6.0, 3.0, 5.0, 7.0])
    # hand check: within each r* group the reward rises exactly with length -> +1
    assert length_reward_correlation(true + 0.3 * length, true, length) == pytest.approx(1.0)
    # a reward that follows r* only: nothing left at fixed r* (0 after centring)
    noise = np.array([0.1, -0.2, 0.1, 0.3, -0.6, 0.3])     # uncorrelated with length in-group
    assert length_reward_correlation(true + noise, true, length) == pytest.approx(0.0, abs=1e-12)
    # the plain correlation would be fooled by r* rising with length; this one is not
    assert np.corrcoef(true + noise, length)[0, 1] > 0.2
    assert math.isnan(length_reward_correlation(true, true, np.ones(6)))
    with pytest.raises(ValueError, match="of one length"):
        length_reward_correlation([1, 2], [1], [1, 2])
