"""The synthetic language, its true reward, simulated annotators and the dataset builders."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rmteach.data.generate import (
    VOCABULARY,
    WORD_VALUES,
    PreferenceData,
    PreferencePair,
    RankedList,
    annotate_ranking,
    explain_reward,
    label_agreement,
    make_pair_data,
    make_preference_data,
    make_prompts,
    make_ranked_lists,
    split_by_prompt,
    topic_of,
    true_reward,
)


def test_true_reward_is_the_sum_of_word_values():
    prompt = "tell me about rain forecast"                   # weather
    assert topic_of(prompt) == "weather"
    assert true_reward(prompt, "sunny umbrella") == 2 * WORD_VALUES["on-topic"]
    assert true_reward(prompt, "guitar oven") == 2 * WORD_VALUES["off-topic"]
    assert true_reward(prompt, "thanks") == WORD_VALUES["polite"]
    assert true_reward(prompt, "ugh") == WORD_VALUES["rude"]
    assert true_reward(prompt, "um so") == 2 * WORD_VALUES["filler"]
    assert true_reward(prompt, "zebra") == 0.0                # outside the language
    # the same word is on-topic for one prompt and off-topic for another
    assert true_reward("explain recipe", "oven") == 1.0
    assert true_reward("explain rain", "oven") == -0.5


def test_explain_reward_adds_up():
    e = explain_reward("explain rain", "sunny sunny thanks stupid um guitar")
    assert e["counts"] == {"on-topic": 2, "polite": 1, "off-topic": 1, "filler": 1, "rude": 1}
    assert e["total"] == pytest.approx(sum(e["contributions"].values()))
    assert e["total"] == pytest.approx(2 - 0.5 + 0.5 - 0.25 - 1.5)


def test_prompts_distinct_balanced_and_bounded():
    prompts = make_prompts(100, seed=3)
    assert len(set(prompts)) == 100
    topics = [topic_of(p) for p in prompts]
    assert all(topics.count(t) == 20 for t in set(topics))
    assert len(set(make_prompts(1600))) == 1600
    with pytest.raises(ValueError, match="n_prompts"):
        make_prompts(1601)


def test_every_word_is_in_the_vocabulary():
    d = make_preference_data(40, seed=1)
    words = {w for lst in d.train + d.heldout for t in (lst.prompt, *lst.responses)
             for w in t.split()}
    assert words <= set(VOCABULARY)


def test_datasets_are_deterministic_per_seed():
    a = make_preference_data(60, seed=5, beta=1.0)
    b = make_preference_data(60, seed=5, beta=1.0)
    c = make_preference_data(60, seed=6, beta=1.0)
    assert a == b
    assert a != c


def test_list_sizes_vary_in_range_and_no_near_ties():
    d = make_preference_data(200, min_n=4, max_n=9, seed=0)
    sizes = [lst.n for lst in d.train + d.heldout]
    assert min(sizes) == 4 and max(sizes) == 9
    for lst in d.train + d.heldout:
        r = sorted(true_reward(lst.prompt, y) for y in lst.responses)
        assert np.min(np.diff(r)) >= 0.5            # the documented min_gap


def test_heldout_split_is_by_prompt():
    d = make_preference_data(100, heldout_fraction=0.25, seed=2)
    train_prompts = {x.prompt for x in d.train}
    held_prompts = {x.prompt for x in d.heldout}
    assert not train_prompts & held_prompts
    assert len(held_prompts) == 25 and len(train_prompts) == 75


def test_split_by_prompt_keeps_a_prompts_items_together():
    items = [PreferencePair(f"p{k % 7}", "a", "b") for k in range(30)]
    train, held = split_by_prompt(items, heldout_fraction=0.3, seed=0)
    assert len(train) + len(held) == 30
    assert not {x.prompt for x in train} & {x.prompt for x in held}
    with pytest.raises(ValueError, match="heldout_fraction"):
        split_by_prompt(items, heldout_fraction=1.0)


def test_noiseless_labels_agree_with_the_truth():
    d = make_preference_data(100, beta=math.inf, seed=0)
    assert label_agreement(d.train) == 1.0


def test_large_beta_almost_always_agrees():
    d = make_preference_data(300, beta=20.0, seed=0)
    assert label_agreement(d.train) > 0.99


def test_beta_zero_is_a_coin_flip():
    d = make_preference_data(600, beta=0.0, seed=0)
    agreement = label_agreement(d.train)
    # about 8 000 pairs: 0.5 ± 0.02 is more than 3 standard errors wide
    assert abs(agreement - 0.5) < 0.02


def test_moderate_beta_is_in_between():
    low = label_agreement(make_preference_data(300, beta=0.5, seed=0).train)
    high = label_agreement(make_preference_data(300, beta=3.0, seed=0).train)
    assert 0.6 < low < high < 1.0


def test_beta_changes_labels_not_responses():
    a = make_preference_data(30, beta=math.inf, seed=0)
    b = make_preference_data(30, beta=0.0, seed=0)
    assert [x.responses for x in a.train] == [x.responses for x in b.train]
    assert [x.ranking for x in a.train] != [x.ranking for x in b.train]


def test_heldout_beta_can_differ():
    d = make_preference_data(200, beta=0.0, heldout_beta=math.inf, seed=0)
    assert label_agreement(d.heldout) == 1.0
    assert label_agreement(d.train) < 0.6
    # the responses are drawn once, and each split is what its own β alone would give
    assert d.train == make_preference_data(200, beta=0.0, seed=0).train
    assert d.heldout == make_preference_data(200, beta=math.inf, seed=0).heldout


def test_annotate_ranking_two_items_is_bradley_terry():
    rng = np.random.default_rng(0)
    wins = sum(annotate_ranking([1.0, 0.0], 1.0, rng)[0] == 0 for _ in range(4000))
    assert wins / 4000 == pytest.approx(1 / (1 + math.exp(-1.0)), abs=0.025)
    assert annotate_ranking([0.0, 3.0, 1.0], math.inf, rng) == (1, 2, 0)
    with pytest.raises(ValueError, match="beta"):
        annotate_ranking([0.0, 1.0], -1.0, rng)
    with pytest.raises(ValueError, match="beta"):
        annotate_ranking([0.0, 1.0], float("nan"), rng)


def test_pairs_and_lists():
    d = make_pair_data(20, seed=0)
    assert all(x.n == 2 for x in d.train)
    lst = make_ranked_lists(["explain rain"], min_n=4, max_n=4, seed=0)[0]
    pairs = lst.pairs()
    assert len(pairs) == 6
    best = lst.best_first()
    assert pairs[0] == PreferencePair("explain rain", best[0], best[1])
    assert make_preference_data(50, seed=0).pairs("heldout")
    with pytest.raises(ValueError, match="split"):
        d.pairs("test")


def test_ranked_list_validation():
    with pytest.raises(ValueError, match="at least 2"):
        RankedList("p", ("a",), (0,))
    with pytest.raises(ValueError, match="permutation"):
        RankedList("p", ("a", "b"), (0, 0))
    with pytest.raises(ValueError, match="min_n"):
        make_ranked_lists(["explain rain"], min_n=1)


def test_from_items_wraps_user_data():
    items = [PreferencePair(f"explain rain {k}", "sunny", "ugh") for k in range(10)]
    d = PreferenceData.from_items(items, heldout_fraction=0.2, seed=0)
    assert len(d.train) == 8 and len(d.heldout) == 2 and not d.synthetic
    assert "train: 8 prompts" in d.summary()
    with pytest.raises(ValueError, match="empty"):
        PreferenceData.from_items([])
