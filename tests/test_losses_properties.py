"""Properties of the math API under hypothesis."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rmteach import (
    listwise_loss,
    pairwise_loss,
    plackett_luce_loss,
    preference_probability,
    ranked_pair_positions,
)

settings.register_profile("rmteach", max_examples=150, deadline=None)
settings.load_profile("rmteach")

reward = st.floats(min_value=-50, max_value=50, allow_nan=False, allow_infinity=False)
shift = st.floats(min_value=-100, max_value=100, allow_nan=False, allow_infinity=False)


@st.composite
def ranked_lists(draw, max_n=9):
    """(scores, ranking): N in [2, max_n], rewards in [−20, 20], a random permutation."""
    n = draw(st.integers(min_value=2, max_value=max_n))
    scores = draw(arrays(np.float64, n, elements=st.floats(-20, 20, allow_nan=False)))
    ranking = np.array(draw(st.permutations(range(n))))
    return scores, ranking


@given(reward, reward, shift)
def test_shift_invariance_of_the_probability(a, b, c):
    assert preference_probability(a + c, b + c) == pytest.approx(
        preference_probability(a, b), abs=1e-9)


@given(ranked_lists(), shift)
def test_shift_invariance_of_list_losses(lst, c):
    scores, ranking = lst
    for loss in (listwise_loss, plackett_luce_loss):
        assert loss(scores + c, ranking) == pytest.approx(loss(scores, ranking), abs=1e-8)


@given(reward, reward)
def test_complement(a, b):
    assert preference_probability(a, b) + preference_probability(b, a) == pytest.approx(
        1.0, abs=1e-12)


@given(reward, reward, st.floats(0, 10))
def test_losses_are_non_negative(a, b, m):
    assert pairwise_loss(a, b, margin=m) >= 0.0


@given(ranked_lists())
def test_list_losses_are_non_negative(lst):
    scores, ranking = lst
    assert listwise_loss(scores, ranking) >= 0.0
    assert plackett_luce_loss(scores, ranking) >= 0.0


@given(st.floats(-30, 30), st.floats(1e-3, 5))
def test_loss_strictly_decreasing_in_the_gap(gap, step):
    """A larger score gap Δ in favour of the chosen response always lowers the loss."""
    assert pairwise_loss(gap + step, 0.0) < pairwise_loss(gap, 0.0)


@given(st.floats(-30, 30), st.floats(0, 5), st.floats(1e-3, 5))
def test_loss_strictly_increasing_in_the_margin_argument(gap, m, step):
    """The margin m is subtracted from Δ: demanding a bigger win raises the loss."""
    assert pairwise_loss(gap, 0.0, margin=m + step) > pairwise_loss(gap, 0.0, margin=m)


@given(ranked_lists())
def test_listwise_equals_mean_of_its_pairwise_losses(lst):
    scores, ranking = lst
    best_first = scores[ranking]
    i, j = ranked_pair_positions(len(scores))
    expected = pairwise_loss(best_first[i], best_first[j])          # mean over N(N−1)/2 pairs
    assert listwise_loss(scores, ranking) == pytest.approx(expected, rel=1e-12, abs=1e-12)


@given(ranked_lists(), st.randoms(use_true_random=False))
def test_permuting_items_and_ranking_together_changes_nothing(lst, rnd):
    scores, ranking = lst
    n = len(scores)
    perm = np.array(rnd.sample(range(n), n))         # new position p holds old item perm[p]
    new_scores = scores[perm]
    inverse = np.argsort(perm)                       # old item i now sits at inverse[i]
    new_ranking = inverse[ranking]
    for loss in (listwise_loss, plackett_luce_loss):
        assert loss(new_scores, new_ranking) == pytest.approx(loss(scores, ranking), abs=1e-12)


@given(reward, reward)
def test_plackett_luce_equals_pairwise_for_two_items(a, b):
    assert plackett_luce_loss([a, b]) == pytest.approx(pairwise_loss(a, b), rel=1e-12, abs=1e-12)


@given(ranked_lists(max_n=6))
def test_torch_and_numpy_agree(lst):
    scores, ranking = lst
    for loss in (listwise_loss, plackett_luce_loss):
        got = loss(torch.tensor(scores), torch.tensor(ranking))
        assert float(got) == pytest.approx(float(loss(scores, ranking)), abs=1e-12)


@given(ranked_lists(max_n=6))
def test_the_literal_reading_is_ln2_at_equal_rewards_and_never_learns(lst):
    """Read literally (Pr(a ≻ b) for every ordered pair, whatever the ranking), Eq. 4.57
    has the same value for a list and its reverse: it cannot tell good from bad orders."""
    scores, _ = lst
    n = len(scores)
    literal = np.mean([pairwise_loss(scores[a], scores[b])      # −log Pr(a ≻ b), both orders
                       for a in range(n) for b in range(n) if a != b])
    assert literal >= np.log(2) - 1e-12            # minimised only by equal rewards
    assert listwise_loss(scores) + listwise_loss(scores[::-1]) >= 2 * np.log(2) - 1e-9


@given(st.integers(2, 9).flatmap(
    lambda n: arrays(np.int64, (3, n), elements=st.integers(-1, n))))
def test_permutation_check_agrees_with_brute_force(rows):
    """The vectorised check (bitmask or sort) rejects exactly the rows that are not
    permutations of 0..N-1."""
    n = rows.shape[-1]
    is_perm = all(sorted(row.tolist()) == list(range(n)) for row in rows)
    scores = np.zeros(rows.shape)
    if is_perm:
        listwise_loss(scores, rows)
    else:
        with pytest.raises(ValueError, match="not a permutation"):
            listwise_loss(scores, rows)
