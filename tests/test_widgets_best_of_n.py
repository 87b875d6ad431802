"""Headless tests of the notebook 08/09 widgets: built by one call, updated in place,
numbers that follow the cache, friendly messages for bad input."""

import math

import numpy as np
import pytest

from rmteach.experiments.overoptimization import load_cache
from rmteach.experiments.policy import load_problem, train_policy
from rmteach.widgets.best_of_n import (
    best_of_n_explorer,
    best_of_n_summary,
    cached_runs,
    length_bias_figure,
    seed_sd,
)
from rmteach.widgets.hacking import cached_policy_runs, kl_penalty_explorer


def test_best_of_n_explorer_follows_the_cache():
    w = best_of_n_explorer()
    c = cached_runs(50, 1.0)
    renders = w.live_figure.renders
    w.controls["n"].value = 1
    assert w.values["true_learned"] == pytest.approx(w.values["true_random"])
    assert w.values["kl_bon"] == 0.0
    w.controls["n"].value = 64
    j = list(c["ns"][0]).index(64)
    assert w.values["true_learned"] == pytest.approx(c["true_learned"][:, j].mean())
    assert w.values["gap_z"] == pytest.approx(c["z_proxy"][:, j].mean() - c["z_true"][:, j].mean())
    assert w.live_figure.renders > renders
    # the band is mean ± sd over the 5 seeds, drawn in place
    verts = w._band1.get_paths()[0].vertices
    assert verts[:, 1].max() == pytest.approx((c["true_learned"].mean(0)
                                               + seed_sd(c["true_learned"])).max())
    line_before = w._learned.get_ydata().copy()
    w.controls["beta"].value = "∞ (perfect labels)"
    w.controls["n_prompts"].value = 300
    good = cached_runs(300, math.inf)
    assert np.allclose(w._learned.get_ydata(), good["true_learned"].mean(0))
    assert not np.allclose(w._learned.get_ydata(), line_before)
    assert w.values["heldout_accuracy"] > cached_runs(50, 1.0)["heldout_accuracy"].mean()
    assert w.message.value == ""
    assert w.live_figure.png().startswith(b"\x89PNG")


def test_best_of_n_bad_input():
    with pytest.raises(ValueError, match="choose n_prompts from"):
        best_of_n_explorer(n_prompts=7)
    with pytest.raises(ValueError, match="no cached experiment"):
        cached_runs(51, 1.0)
    with pytest.raises(ValueError, match="not among the cached n"):
        best_of_n_summary(50, 1.0, ns=(3,))


def test_length_bias_figure_and_summary():
    view = length_bias_figure()
    assert "length bias" in view.summary and view.png().startswith(b"\x89PNG")
    table = best_of_n_summary(50, 1.0)
    assert "sample sd over n = 5 seeds" in table.splitlines()[0]   # n beside every ±
    assert table.splitlines()[1].split()[:2] == ["n", "KL_bon"]
    assert len(table.splitlines()) == 7


def test_kl_penalty_explorer_trades_reward_for_kl():
    w = kl_penalty_explorer()
    free = dict(w.values)
    w.controls["beta_kl"].value = 3.0
    held = dict(w.values)
    assert held["kl_end"] < 0.1 < 5 < free["kl_end"]
    assert held["proxy_end"] < free["proxy_end"]
    assert np.allclose(w._lines[2].get_ydata(), w.runs(3.0)["kl"].mean(axis=0))
    assert np.allclose(w._lines[1].get_ydata(), w.runs(3.0)["true"].mean(axis=0))
    assert "filler 1.2 → 1.3" in w.readout.value       # words per response, mean of 5
    w.controls["beta_kl"].value = 0.0
    assert w.values == free
    assert w.message.value == ""
    assert "basically (filler" in w.readout.value    # the over-valued filler words
    assert "filler 1.2 → 5.2" in w.readout.value
    with pytest.raises(ValueError, match="beta_kl must be one of"):
        kl_penalty_explorer(beta_kl=0.5)
    with pytest.raises(ValueError, match="beta_kl must be one of"):
        cached_policy_runs(0.5)


def test_cached_policy_runs_are_what_train_policy_gives():
    """The cache holds train_policy's runs (re-train one and compare)."""
    cache = load_cache("policy_curves.json")
    problem = load_problem(seed=1)
    run = train_policy(problem, beta_kl=0.1, seed=1, **cache["train"])
    cached = cached_policy_runs(0.1)
    for field in ("proxy", "true", "kl"):
        assert np.allclose(cached[field][1], getattr(run, field), atol=1e-4), field
    assert np.array_equal(cached["steps"], run.steps)
