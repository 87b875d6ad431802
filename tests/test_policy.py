"""The tiny RLHF loop: the KL-penalised reward and the KL by hand, the reference policy,
sampling, the vectorised loop against a plain-Python reference (KL term included),
determinism per seed, and friendly errors."""

import math

import numpy as np
import pytest

from rmteach.data.language import true_reward
from rmteach.experiments.policy import (
    MEAN_LENGTH,
    RESPONSE_WORDS,
    PolicyProblem,
    kl_penalised_reward,
    kl_to_reference,
    reference_words,
    response_log_ratio,
    sample_responses,
    train_policy,
    what_changed,
)

#: a stand-in reward model: a per-word score that over-rates "like" (a filler word)
WEIGHTS = {"sunny": 1.0, "oven": 1.0, "thanks": 0.4, "like": 2.0, "ugh": -1.0}


def linear_scorer(prompts, texts):
    assert len(prompts) == len(texts)
    return np.array([sum(WEIGHTS.get(w, 0.0) for w in t.split()) for t in texts])


def _problem(prompts=("explain rain", "recipe dinner")):
    return PolicyProblem(list(prompts), linear_scorer)


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


def test_reference_words_hand_values():
    p, v = reference_words("explain rain")                    # topic: weather
    assert len(p) == len(RESPONSE_WORDS) == 60 and p.sum() == pytest.approx(1.0)
    at = {w: (p[i], v[i]) for i, w in enumerate(RESPONSE_WORDS)}
    assert at["sunny"] == pytest.approx((0.2 / 8, 1.0))       # on-topic: 8 words
    assert at["oven"] == pytest.approx((0.2 / 32, -0.5))      # off-topic: 32 words
    assert at["thanks"] == pytest.approx((0.2 / 6, 0.5))      # polite: 6 words
    assert at["like"] == pytest.approx((0.2 / 8, -0.25))      # filler: 8 words
    assert at["ugh"] == pytest.approx((0.2 / 6, -1.5))        # rude: 6 words
    # the values are r* of the one-word response, for every word
    assert [true_reward("explain rain", w) for w in RESPONSE_WORDS] == v.tolist()
    # under π_ref a response is worth E[L] · Σ π_ref r* = 6 · (1 − 0.5 + 0.5 − 0.25 − 1.5) / 5
    assert MEAN_LENGTH * float(p @ v) == pytest.approx(6 * -0.75 / 5)


def test_sample_responses_counts_lengths_and_frequencies():
    probs = np.stack([reference_words("explain rain")[0], np.eye(60)[3]])
    lengths, counts, texts = sample_responses(probs, 2000, np.random.default_rng(0))
    assert lengths.min() == 2 and lengths.max() == 10
    assert np.array_equal(counts.sum(-1), lengths)
    for k, text in enumerate(texts[:50] + texts[2000:2050]):
        i, b = divmod(k if k < 50 else k - 50 + 2000, 2000)
        words = text.split()
        assert len(words) == lengths[i, b]
        assert all(counts[i, b, RESPONSE_WORDS.index(w)] == words.count(w) for w in words)
    assert set(" ".join(texts[2000:]).split()) == {RESPONSE_WORDS[3]}  # a one-word policy
    freq = counts[0].sum(0) / counts[0].sum()          # about 12,000 words: sd <= 0.0017
    assert np.abs(freq - probs[0]).max() < 0.01


def test_response_log_ratio_is_the_sum_over_the_words():
    rng = np.random.default_rng(1)
    logp = np.log(rng.dirichlet(np.ones(60), size=2))
    logp_ref = np.log(np.stack([reference_words("explain rain")[0],
                                reference_words("recipe dinner")[0]]))
    _, counts, texts = sample_responses(np.exp(logp), 3, rng)
    got = response_log_ratio(counts, logp, logp_ref)
    for k, text in enumerate(texts):
        i, b = divmod(k, 3)
        want = sum(logp[i, RESPONSE_WORDS.index(w)] - logp_ref[i, RESPONSE_WORDS.index(w)]
                   for w in text.split())
        assert got[i, b] == pytest.approx(want, abs=1e-12)


def _plain_loop(problem, beta_kl, steps, lr, batch, seed):
    """The same algorithm, one prompt, sample and word at a time, in plain Python."""
    n, v = problem.ref.shape
    rng = np.random.default_rng([seed, 9])
    theta = [[math.log(x) for x in row] for row in problem.ref]
    kls, trues = [], []
    for step in range(steps + 1):
        probs = []
        for i in range(n):
            m = max(theta[i])
            e = [math.exp(t - m) for t in theta[i]]
            probs.append([x / sum(e) for x in e])
        lengths = rng.integers(2, 11, size=(n, batch))
        u = rng.random((n, batch, 10))
        words = [[[] for _ in range(batch)] for _ in range(n)]
        for i in range(n):
            for b in range(batch):
                for pos in range(int(lengths[i, b])):
                    c, j = 0.0, 0
                    for j in range(v):                      # inverse CDF
                        c += probs[i][j]
                        if c >= u[i, b, pos]:
                            break
                    words[i][b].append(j)
        kls.append(sum(MEAN_LENGTH * sum(p * math.log(p / r) for p, r in zip(probs[i], ref))
                       for i, ref in enumerate(problem.ref)) / n)
        trues.append(sum(MEAN_LENGTH * sum(p * x for p, x in zip(probs[i], problem.values[i]))
                         for i in range(n)) / n)
        if step == steps:
            return np.array(probs), kls, trues
        for i in range(n):
            rs = []
            for b in range(batch):
                text = " ".join(RESPONSE_WORDS[j] for j in words[i][b])
                r = (linear_scorer([problem.prompts[i]], [text])[0] - problem.mu) / problem.sd
                log_ratio = sum(math.log(probs[i][j]) - math.log(problem.ref[i][j])
                                for j in words[i][b])
                rs.append(r - beta_kl * log_ratio)
            grad = [0.0] * v
            for b in range(batch):
                adv = (rs[b] - (sum(rs) - rs[b]) / (batch - 1)) / batch
                for jj in range(v):
                    grad[jj] += adv * (words[i][b].count(jj) - len(words[i][b]) * probs[i][jj])
            theta[i] = [t + lr * g for t, g in zip(theta[i], grad)]


@pytest.mark.parametrize("beta_kl", [0.0, 0.3, 2.0])
def test_loop_matches_a_plain_python_reference(beta_kl):
    prob = _problem()
    run = train_policy(prob, beta_kl=beta_kl, steps=6, lr=0.5, batch=3, seed=3,
                       record_every=1)
    probs, kls, trues = _plain_loop(prob, beta_kl, 6, 0.5, 3, 3)
    assert np.allclose(run.probs, probs, atol=1e-10)
    assert np.allclose(run.kl, kls, atol=1e-10)
    assert np.allclose(run.true, trues, atol=1e-10)
    assert run.kl[0] == pytest.approx(0.0, abs=1e-12)        # starts at the reference policy
    assert run.true[0] == pytest.approx(6 * -0.75 / 5)


def test_normalisation_makes_runs_independent_of_the_reward_scale_and_offset():
    """r is normalised over reference responses, so 3·r + 7 trains the same policy."""
    prob = _problem()
    scaled = PolicyProblem(prob.prompts, lambda ps, ys: 3 * linear_scorer(ps, ys) + 7)
    assert scaled.mu == pytest.approx(3 * prob.mu + 7) and scaled.sd == pytest.approx(3 * prob.sd)
    a = train_policy(prob, beta_kl=0.1, steps=30, seed=2)
    b = train_policy(scaled, beta_kl=0.1, steps=30, seed=2)
    assert np.allclose(a.probs, b.probs, atol=1e-9) and np.allclose(a.proxy, b.proxy)


def test_deterministic_per_seed_and_kl_penalty_holds_the_policy_back():
    prob = _problem()
    a = train_policy(prob, beta_kl=0.1, steps=20, seed=5)
    b = train_policy(prob, beta_kl=0.1, steps=20, seed=5)
    c = train_policy(prob, beta_kl=0.1, steps=20, seed=6)
    assert np.array_equal(a.probs, b.probs) and np.array_equal(a.proxy, b.proxy)
    assert not np.array_equal(a.probs, c.probs)
    free = train_policy(prob, beta_kl=0.0, steps=150, seed=0)
    held = train_policy(prob, beta_kl=3.0, steps=150, seed=0)
    assert free.proxy[-1] > held.proxy[-1] > free.proxy[0]
    assert free.kl[-1] > 5 * held.kl[-1]
    # with beta_kl = 0 it writes the word the scorer over-rates, and r* falls below the start
    like = RESPONSE_WORDS.index("like")
    assert np.all(free.probs.argmax(1) == like) and free.probs[:, like].min() > 0.9
    assert free.true.max() > free.true[0] > free.true[-1]


def test_what_changed_counts_words_and_kinds():
    prob = _problem(("explain rain",))
    kinds, words = what_changed(prob, prob.ref)
    assert all(a == b == pytest.approx(1.2) for a, b in kinds.values())
    assert words == []                                        # nothing grew
    probs = np.eye(60)[[RESPONSE_WORDS.index("like")]]
    kinds, words = what_changed(prob, probs, top=3)
    assert kinds["filler"] == (1.2, 6.0) and kinds["on-topic"] == (1.2, 0.0)
    assert words == [("like", "filler", -0.25, 0.15, 6.0)]


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


def test_bad_problems():
    with pytest.raises(ValueError, match="prompts must be a non-empty list"):
        PolicyProblem("explain rain", linear_scorer)
    with pytest.raises(ValueError, match="scorer must be a reward model"):
        PolicyProblem(["explain rain"], 3.0)
    with pytest.raises(ValueError, match="NaN or infinite"):
        PolicyProblem(["explain rain"], lambda ps, ys: np.full(len(ys), np.nan))
    with pytest.raises(ValueError, match="one column per response word"):
        what_changed(_problem(), np.ones((1, 1)))
