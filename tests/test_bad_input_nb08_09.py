"""Bad arguments to the best-of-n, policy and degenerate-pair API (notebooks 06, 08, 09)
get a ValueError that names the argument as the caller wrote it, not a TypeError and not
the generic last-resort message of ``@validated``."""

import math

import numpy as np
import pytest

from rmteach.data import degenerate
from rmteach.data.generate import PreferencePair, make_preference_data
from rmteach.experiments import overoptimization, policy, sampling
from rmteach.model import truncation_key
from rmteach.widgets import best_of_n as wb
from rmteach.widgets import diagnosis as wd
from rmteach.widgets import hacking as wh

RNG = np.random.default_rng(0)
PROBLEM = policy.PolicyProblem(["explain rain"], lambda ps, ys: np.zeros(len(ys)))
CASES = [
    (sampling.best_of_n, ([1.0, 2.0], 3, None), "rng"),
    (sampling.best_of_n, ([1.0, 2.0], 1.5, RNG), "n"),
    (sampling.best_of_n, ({1}, 3, RNG), "scores"),
    (sampling.expected_best_of_n, ([1.0], object(), [1]), "values"),
    (sampling.length_reward_correlation, ([1.0], [1.0], {}), "lengths"),
    (sampling.true_rewards, ("explain rain", None), "responses"),
    (sampling.true_rewards, ("explain rain", ["ok", 3]), "responses[1]"),
    (sampling.response_lengths, (7,), "responses"),
    (sampling.draw_pool, (["explain rain"], 10**30), "size"),
    (sampling.draw_pool, (None, 3), "prompts"),
    (overoptimization.setting_key, (50.5, 1.0), "n_prompts"),
    (overoptimization.setting_key, (50, "inf"), "beta"),
    (overoptimization.curves_from_scores, ([[1.0]], None, [[1.0]]), "true"),
    (overoptimization.eval_prompts, (None,), "exclude"),
    (policy.kl_to_reference, ([0.0], None), "logp_ref"),
    (policy.kl_to_reference, ([0.0, 0.0], [0.0]), "logp_ref"),
    (policy.train_policy, ({},), "problem"),
    (policy.what_changed, ("x", [[0.5, 0.5]]), "problem"),
    (policy.what_changed, (PROBLEM, {1}), "probs"),
    (policy.PolicyProblem, (["a"], {}), "scorer"),
    (policy.PolicyProblem, ((), len), "prompts"),
    (policy.reference_words, (None,), "prompt"),
    (policy.response_log_ratio, ([[[1.0]]], [[0.0, 0.0]], [[0.0, 0.0]]), "counts"),
    (policy.response_log_ratio, ([[[1.0]]], None, [[0.0]]), "logp"),
    (policy.sample_responses, ([[0.5, 0.5]], 2, RNG), "probs"),
    (policy.sample_responses, (PROBLEM.ref, 0, RNG), "batch"),
    (policy.sample_responses, (PROBLEM.ref, 2, 7), "rng"),
    (wb.cached_runs, (None, 1.0), "n_prompts"),
    (wb.best_of_n_summary, (50, b"x"), "beta"),
    (wh.cached_policy_runs, ([],), "beta_kl"),
    (wh.run_summary, ([],), "runs"),
    (wh.run_summary, ({"true": 1},), "runs"),
    (wd.with_degenerate_lists, (None, 0.5), "data"),
    (wd.with_degenerate_lists, (make_preference_data(4), None), "share"),
    (degenerate.count_degenerate, (None,), "items"),
    (degenerate.drop_degenerate, ([PreferencePair("p", "a", "b"), 3],), "items[1]"),
    (truncation_key, (math.inf,), "max_len"),
]


@pytest.mark.parametrize("fn, args, name", CASES,
                         ids=[f"{fn.__name__}-{name}-{k}" for k, (fn, _, name) in
                              enumerate(CASES)])
def test_bad_argument_is_named(fn, args, name):
    with pytest.raises(ValueError) as info:
        fn(*args)
    message = str(info.value)
    assert name in message
    assert "cannot use these arguments" not in message      # an explicit check, not the net


@pytest.mark.parametrize("build, kwargs, name", [
    (wb.best_of_n_explorer, {"n_prompts": "50"}, "n_prompts"),
    (wb.best_of_n_explorer, {"beta": None}, "beta"),
    (wb.best_of_n_explorer, {"n": 1.5}, "n"),
    (wh.kl_penalty_explorer, {"beta_kl": [0.0]}, "beta_kl"),
    (wb.length_bias_figure, {"length_bias": None}, "length_bias"),
])
def test_widget_constructors_name_the_argument(build, kwargs, name):
    with pytest.raises(ValueError, match=name):
        build(**kwargs)


def test_checks_leave_good_results_alone():
    """The checks only look: valid calls give the same numbers as before."""
    assert sampling.expected_best_of_n([1, 2], [10, 20], [1, 2]).tolist() == [15.0, 17.5]
    p = np.log(np.array([[0.5, 0.25, 0.25]]))
    ref = np.log(np.full((1, 3), 1 / 3))
    want = 0.5 * math.log(1.5) + 2 * 0.25 * math.log(0.75)
    assert policy.kl_to_reference(p.tolist(), ref.tolist())[0] == pytest.approx(want)
    assert overoptimization.setting_key(50, math.inf) == "n=50,beta=inf,lb=0,lc=0"
    assert sampling.best_of_n([3.0, 1.0, 2.0], 1, np.random.default_rng(0)) in (0, 1, 2)
