"""The tiny RLHF loop: the KL-penalised reward by hand, the vectorised loop against a
plain-Python reference (KL term included), determinism per seed, and friendly errors."""

import math

import numpy as np
import pytest

from rmteach.policy import (
    PolicyProblem,
    kl_penalised_reward,
    kl_to_reference,
    train_policy,
    what_changed,
)


def _problem(seed=0, n_prompts=3, k=5):
    rng = np.random.default_rng(seed)
    prompts = ["explain rain", "recipe dinner", "planet moon"][:n_prompts]
    pool = [["sunny thanks", "ugh stupid", "um like", "oven garlic", "cloudy storm wind"]
            [:k]] * n_prompts
    proxy = rng.normal(size=(n_prompts, k))
    true = rng.normal(size=(n_prompts, k))
    return PolicyProblem(prompts, pool, proxy, true)


def test_kl_penalised_reward_hand_values():
    assert float(kl_penalised_reward(1.0, math.log(0.5), math.log(0.25), 0.1)) == \
        pytest.approx(1.0 - 0.1 * math.log(2))
    got = kl_penalised_reward([0.0, 2.0], [math.log(0.1), math.log(0.9)],
                              [math.log(0.5), math.log(0.5)], 2.0)
    assert got == pytest.approx([-2 * math.log(0.2), 2.0 - 2 * math.log(1.8)])
    assert float(kl_penalised_reward(3.0, -1.0, -7.0, 0.0)) == 3.0


def test_kl_to_reference_hand_value():
    p = np.log(np.array([[0.5, 0.25, 0.25]]))
    ref = np.log(np.full((1, 3), 1 / 3))
    want = 0.5 * math.log(1.5) + 2 * 0.25 * math.log(0.75)
    assert kl_to_reference(p, ref)[0] == pytest.approx(want)
    assert kl_to_reference(ref, ref)[0] == pytest.approx(0.0)


def _plain_loop(problem, beta_kl, steps, lr, batch, seed):
    """The same algorithm, one prompt and one sample at a time, in plain Python."""
    reward = problem.reward
    n_prompts, k = reward.shape
    rng = np.random.default_rng([seed, 9])
    theta = [[0.0] * k for _ in range(n_prompts)]
    kls = []
    for step in range(steps + 1):
        probs = []
        for i in range(n_prompts):
            m = max(theta[i])
            e = [math.exp(t - m) for t in theta[i]]
            probs.append([v / sum(e) for v in e])
        kls.append(sum(sum(p * math.log(p * k) for p in row) for row in probs) / n_prompts)
        if step == steps:
            return np.array(probs), kls
        u = rng.random((n_prompts, batch))
        for i in range(n_prompts):
            samples, rs = [], []
            for b in range(batch):
                c, j = 0.0, 0
                for j in range(k):                      # inverse CDF
                    c += probs[i][j]
                    if c >= u[i, b]:
                        break
                samples.append(j)
                kl_term = math.log(probs[i][j]) - math.log(1.0 / k)
                rs.append(reward[i, j] - beta_kl * kl_term)
            grad = [0.0] * k
            for b, j in enumerate(samples):
                adv = (rs[b] - (sum(rs) - rs[b]) / (batch - 1)) / batch
                for jj in range(k):
                    grad[jj] += adv * ((jj == j) - probs[i][jj])
            theta[i] = [t + lr * g for t, g in zip(theta[i], grad)]


@pytest.mark.parametrize("beta_kl", [0.0, 0.3, 2.0])
def test_loop_matches_a_plain_python_reference(beta_kl):
    prob = _problem(1)
    run = train_policy(prob, beta_kl=beta_kl, steps=12, lr=0.7, batch=4, seed=3,
                       record_every=1)
    probs, kls = _plain_loop(prob, beta_kl, 12, 0.7, 4, 3)
    assert np.allclose(run.probs, probs, atol=1e-10)
    assert np.allclose(run.kl, kls, atol=1e-10)
    assert run.kl[0] == pytest.approx(0.0)               # starts at the reference policy
    assert run.proxy[0] == pytest.approx(prob.reward.mean())
    assert run.true[0] == pytest.approx(prob.true.mean())


def test_deterministic_per_seed_and_kl_penalty_holds_the_policy_back():
    prob = _problem(2)
    a = train_policy(prob, beta_kl=0.1, steps=60, seed=5)
    b = train_policy(prob, beta_kl=0.1, steps=60, seed=5)
    c = train_policy(prob, beta_kl=0.1, steps=60, seed=6)
    assert np.array_equal(a.probs, b.probs) and np.array_equal(a.kl, b.kl)
    assert not np.array_equal(a.probs, c.probs)
    free = train_policy(prob, beta_kl=0.0, steps=200, seed=0)
    held = train_policy(prob, beta_kl=3.0, steps=200, seed=0)
    assert free.proxy[-1] > held.proxy[-1] > free.proxy[0]
    assert free.kl[-1] > 5 * held.kl[-1]
    # with beta_kl = 0 the policy concentrates on each prompt's best learned reward
    assert np.all(free.probs.argmax(1) == prob.proxy.argmax(1))


def test_what_changed_counts_words_and_kinds():
    prob = _problem(0, n_prompts=1, k=2)          # "sunny thanks", "ugh stupid" for rain
    probs = np.array([[1.0, 0.0]])
    kinds, words = what_changed(prob, probs, top=2)
    assert kinds["on-topic"] == (0.5, 1.0) and kinds["rude"] == (1.0, 0.0)
    assert kinds["length"] == (2.0, 2.0)
    assert {w for w, *_ in words} == {"sunny", "thanks"}
    assert ("sunny", "on-topic", 1.0, 0.5, 1.0) in words


@pytest.mark.parametrize("kwargs, match", [
    ({"beta_kl": -1.0}, "beta_kl must be a number >= 0"),
    ({"beta_kl": float("nan")}, "beta_kl must"),
    ({"steps": 0}, "steps must"),
    ({"lr": 0}, "lr must"),
    ({"batch": 1}, "batch must be a whole number >= 2"),
])
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        train_policy(_problem(), **kwargs)


def test_bad_problem_shapes():
    with pytest.raises(ValueError, match="one shape"):
        PolicyProblem(["a"], [["x"]], np.zeros((1, 2)), np.zeros((1, 3)))
    with pytest.raises(ValueError, match="prompts for"):
        PolicyProblem(["a", "b"], [["x"]], np.zeros((1, 2)), np.zeros((1, 2)))
    with pytest.raises(ValueError, match="pool's shape"):
        what_changed(_problem(), np.ones((1, 1)))
