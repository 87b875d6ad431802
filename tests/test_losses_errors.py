"""Every bad input gets a one-line ValueError that names the problem and the expected form."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rmteach import (
    centering_penalty,
    listwise_loss,
    pairwise_loss,
    parse_ranking,
    plackett_luce_loss,
    preference_probability,
    ranked_pair_positions,
    ranking_to_pairs,
)

LIST_LOSSES = [listwise_loss, plackett_luce_loss]


def raises(match, fn, *args, **kwargs):
    with pytest.raises(ValueError, match=match) as info:
        fn(*args, **kwargs)
    message = str(info.value)
    assert "\n" not in message, "error messages must be one line"
    return message


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_scores(bad):
    raises("NaN or infinite", preference_probability, [0.0, bad], [1.0, 1.0])
    raises("r_rejected contains 1 NaN or infinite", pairwise_loss, 0.0, bad)
    raises("margin contains", pairwise_loss, 0.0, 1.0, margin=bad)
    raises("scores contains", listwise_loss, [0.0, bad, 1.0])
    raises("scores contains", plackett_luce_loss, torch.tensor([0.0, bad]))
    raises("must be finite", centering_penalty, bad, 0.0)


def test_shapes_that_do_not_broadcast():
    msg = raises("shapes do not match", pairwise_loss, [1.0, 2.0, 3.0], [1.0, 2.0])
    assert "(3,)" in msg and "(2,)" in msg
    raises("shapes do not match", preference_probability, torch.zeros(3), torch.zeros(2))
    raises("margin of shape", pairwise_loss, [1.0, 2.0], [0.0, 0.0], margin=[1.0, 2.0, 3.0])
    raises("ranking has shape|ranking must list", listwise_loss, np.zeros((2, 3)),
           np.array([[0, 1, 2], [0, 1, 2], [0, 1, 2]]))
    raises("ranking must list the N = 3", listwise_loss, [0.0, 1.0, 2.0], [0, 1])
    raises("lengths has shape", listwise_loss, np.zeros((2, 3)), lengths=[2, 3, 3])


def test_not_numbers():
    raises("must be numbers", pairwise_loss, "high", 0.0)
    raises("must be numbers", listwise_loss, [[0.0, 1.0], [2.0]])


@pytest.mark.parametrize("loss", LIST_LOSSES)
def test_ranking_not_a_permutation(loss):
    raises("not a permutation.*appears more than once", loss, [0.0, 1.0, 2.0], [0, 0, 1])
    raises("not a permutation", loss, [0.0, 1.0, 2.0], [0, 1, 3])
    raises("not a permutation", loss, [0.0, 1.0, 2.0], [-1, 0, 1])
    raises("in row 1", loss, np.zeros((2, 3)), [[0, 1, 2], [2, 2, 0]])
    raises("whole numbers", loss, [0.0, 1.0, 2.0], [0.5, 1.0, 2.0])


def test_duplicate_or_empty_labels():
    raises("more than once", ranking_to_pairs, "A > B > A")
    raises("more than once", ranking_to_pairs, ["A", "A"])
    raises("empty", ranking_to_pairs, "")
    raises("empty label", ranking_to_pairs, "A > > B")
    raises("best first with '>'", parse_ranking, "A < B")


@pytest.mark.parametrize("loss", LIST_LOSSES)
def test_fewer_than_two_items(loss):
    raises("at least 2 items", loss, [1.0])
    raises("at least 2 items", loss, np.zeros((4, 1)))
    raises("single number", loss, 3.0)
    raises("at least 2 items", ranking_to_pairs, "A")
    raises("at least 2", ranked_pair_positions, 1)


@pytest.mark.parametrize("loss", LIST_LOSSES)
def test_bad_lengths(loss):
    scores = np.zeros((2, 4))
    raises("between 2 and N = 4", loss, scores, lengths=[-1, 4])
    raises("between 2 and N = 4", loss, scores, lengths=[2, 5])
    raises("at least 2 items", loss, scores, lengths=[1, 4])
    raises("whole numbers", loss, scores, lengths=[2.5, 4])


@pytest.mark.parametrize("fn", [pairwise_loss, centering_penalty])
def test_unknown_reduction_for_pairs(fn):
    msg = raises("unknown reduction 'avg'", fn, [1.0], [0.0], reduction="avg")
    assert "'mean', 'sum', 'none'" in msg


@pytest.mark.parametrize("loss", LIST_LOSSES)
def test_unknown_reduction_for_lists(loss):
    raises("unknown reduction", loss, [1.0, 0.0], reduction="batchmean")


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_huge_finite_scores_are_not_mistaken_for_inf(backend):
    """The finite check sums first; a sum that overflows must fall back to the exact check."""
    values = np.array([3e38, 3e38, 1e38], dtype=np.float32)       # finite; their sum is inf
    scores = torch.tensor(values) if backend == "torch" else values
    assert float(listwise_loss(scores)) >= 0.0
    assert float(pairwise_loss(scores[:1], scores[1:2])) == pytest.approx(np.log(2))
