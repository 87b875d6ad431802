"""The length-bias knob of the data generator: off by default and then bit-for-bit the old
data (no extra random numbers), biased annotators prefer longer answers, and
length-controlled lists hold one length per prompt."""

import hashlib
import math

import numpy as np
import pytest

from rmteach.data.generate import (
    make_preference_data,
    make_prompts,
    make_ranked_lists,
    tokenize,
    true_reward,
)


def _lengths(lst):
    return [len(tokenize(y)) for y in lst.best_first()]


def test_off_by_default_reproduces_the_old_data_exactly():
    a = make_preference_data(40, max_n=5, beta=2.0, seed=3)
    b = make_preference_data(40, max_n=5, beta=2.0, seed=3, length_bias=0.0,
                             length_controlled=False)
    assert a.train == b.train and a.heldout == b.heldout
    # pinned: this digest was computed with the generator as it was before the knob
    d = make_preference_data(60, max_n=5, beta=2.0, seed=3)
    digest = hashlib.sha256(repr((d.train, d.heldout)).encode()).hexdigest()
    assert digest == "cd917bdbc8114cda0add2839b7332c36843bdfdbdc09feced7fdd3232258280a"


def test_length_bias_changes_only_the_labels():
    prompts = make_prompts(200, seed=1)
    honest = make_ranked_lists(prompts, max_n=2, beta=math.inf, seed=1)
    biased = make_ranked_lists(prompts, max_n=2, beta=math.inf, length_bias=0.5, seed=1)
    assert [x.responses for x in honest] == [x.responses for x in biased]
    # perfect honest annotators never prefer the worse answer; biased ones sometimes do,
    # exactly when the longer answer wins by length
    flips = 0
    for h, b in zip(honest, biased):
        rh = [true_reward(h.prompt, y) for y in h.best_first()]
        assert rh[0] > rh[1]
        if b.ranking != h.ranking:
            flips += 1
            longer, shorter = _lengths(b)
            rb = [true_reward(b.prompt, y) for y in b.best_first()]
            assert longer > shorter and rb[0] + 0.5 * longer >= rb[1] + 0.5 * shorter
    assert flips > 10
    chosen_longer = np.mean([_lengths(b)[0] > _lengths(b)[1] for b in biased])
    assert chosen_longer > np.mean([_lengths(h)[0] > _lengths(h)[1] for h in honest])


def test_length_controlled_lists_have_one_length_each():
    lists = make_ranked_lists(make_prompts(50, seed=2), max_n=4, length_bias=0.5,
                              length_controlled=True, seed=2)
    assert all(len(set(_lengths(x))) == 1 for x in lists)
    assert len({_lengths(x)[0] for x in lists}) > 3          # lengths still vary by prompt


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "long", None])
def test_bad_length_bias_is_named(bad):
    with pytest.raises(ValueError, match="length_bias must be a finite number"):
        make_ranked_lists(["explain rain"], length_bias=bad)
