"""A tiny RLHF loop: a policy that writes words, trained against a learned reward with a KL penalty.

The **policy** π_θ writes a response one word at a time.  For each prompt x it holds
a softmax over the response words of the language (:data:`RESPONSE_WORDS`; θ: one
logit per prompt and word), and each of the L words of a response is drawn from it.
The length L is drawn as the data generator draws it (2 to 10 words, so E[L] = 6);
it is not the policy's to choose, so only *which* words it writes can change.

The **reference policy** π_ref is the data generator's own word distribution for the
prompt: each of the five kinds of word (on-topic, polite, off-topic, filler, rude)
with probability 1/5, then a word of that kind uniformly.  (The generator also draws
a style per response; π_ref keeps its average and writes the words independently.)
π_θ starts equal to it (θ = log π_ref).

Each step samples B responses per prompt from π_θ, scores each with the frozen reward
model, and applies the KL-penalised reward of PPO-based RLHF (InstructGPT, Ouyang et
al. 2022, Eq. 2):

    R(x, y) = r(x, y) − β_KL · (log π_θ(y|x) − log π_ref(y|x)),
    log π(y|x) = Σ_i log π(w_i|x)     (the words of y; the length term cancels)

and takes one REINFORCE step with a baseline (the mean R of the *other* samples of the
same prompt, "leave one out"):

    θ ← θ + lr · (1/B) Σ_b (R_b − baseline_b) ∇_θ log π_θ(y_b|x),
    ∇_θ log π_θ(y|x) = counts(y) − L·π_θ(·|x)

The expected penalty gives an unbiased gradient of −β_KL·KL(π_θ‖π_ref).  Because the
words are drawn independently, the true reward and the KL are exact sums, not samples:
E_π[r*] = E[L]·Σ_w π(w) r*(w) (r* is a sum of per-word values) and
KL(π_θ(y|x)‖π_ref(y|x)) = E[L]·Σ_w π(w) log(π(w)/π_ref(w)).  The learned reward E_π[r]
is the mean over the step's B sampled responses (an estimate).

What a real RLHF run adds (and this toy leaves out): a language model whose next word
depends on the words before it (here every word is drawn independently), PPO's
clipped ratio and several epochs per batch, a value network (critic) with GAE
advantages, the per-token KL, a pretraining-mix term (PPO-ptx), and an adaptive KL
coefficient.  What it keeps is the part that matters here: the policy climbs the
*learned* reward r and can write responses the reward model never saw, the true
reward r* is only watched, and β_KL holds the policy near π_ref.

The learned reward is normalised to mean 0 and sd 1 over a fixed sample of the
reference policy's responses (as OpenRLHF's and NeMo's normalise options do;
InstructGPT shifted by a bias only), so β_KL has the same meaning for every reward model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..data.generate import _word_pools
from ..data.language import (
    FILLER_WORDS,
    POLITE_WORDS,
    RUDE_WORDS,
    TOPICS,
    WORD_VALUES,
    _word_kind,
    topic_of,
)
from ..math._checks import check_int, check_real, check_seed, validated

__all__ = [
    "MEAN_LENGTH",
    "RESPONSE_WORDS",
    "PolicyProblem",
    "PolicyRun",
    "kl_penalised_reward",
    "kl_to_reference",
    "load_problem",
    "reference_words",
    "response_log_ratio",
    "sample_responses",
    "train_policy",
    "what_changed",
]

#: every word a response can use (the answer words of all topics, polite, filler, rude)
RESPONSE_WORDS: tuple[str, ...] = tuple(dict.fromkeys(
    [w for _, answer in TOPICS.values() for w in answer]
    + [*POLITE_WORDS, *FILLER_WORDS, *RUDE_WORDS]))
#: the response lengths the generator draws (uniform) and their mean
LENGTHS: tuple[int, int] = (2, 10)
MEAN_LENGTH: float = (LENGTHS[0] + LENGTHS[1]) / 2
_NORMALISE_SAMPLES = 16        # reference responses per prompt that fix the reward's scale


def reference_words(prompt: str) -> tuple[np.ndarray, np.ndarray]:
    """π_ref(w|x) and r*(w|x) for every word of :data:`RESPONSE_WORDS`.

    >>> p, v = reference_words("explain rain")
    >>> round(float(p.sum()), 12), float(p[RESPONSE_WORDS.index("sunny")]), float(v[0])
    (1.0, 0.025, 1.0)
    """
    if not isinstance(prompt, str):
        raise ValueError(f"prompt must be a string; got {type(prompt).__name__}.")
    topic = topic_of(prompt)
    index = {w: i for i, w in enumerate(RESPONSE_WORDS)}
    probs = np.zeros(len(RESPONSE_WORDS))
    pools = _word_pools(topic)               # the generator's own pools, one per kind
    for words in pools:                      # each kind 1/5 (as the generator's average)
        for w in words:
            probs[index[w]] += 1.0 / (len(pools) * len(words))
    values = np.array([WORD_VALUES[_word_kind(w, topic)] for w in RESPONSE_WORDS])
    return probs, values


class PolicyProblem:
    """Prompts, the frozen learned reward model, and what the policy needs to know of them.

    ``scorer``: a reward model with a ``score(prompts, responses)`` method (such as
    :class:`rmteach.model.network.TinyRewardModel`) or a function ``f(prompts, responses)``
    returning one reward per response.  Attributes: ``ref`` and ``values`` (prompts ×
    words: π_ref and r* per word), ``mu`` and ``sd`` (the learned reward over a fixed
    sample of reference responses, used to normalise it).
    """

    def __init__(self, prompts, scorer, name: str = ""):
        if isinstance(prompts, (str, bytes)) or not isinstance(prompts, (list, tuple)) \
                or not prompts or not all(isinstance(p, str) for p in prompts):
            raise ValueError(f"prompts must be a non-empty list of prompt strings; got "
                             f"{type(prompts).__name__}.")
        score = getattr(scorer, "score", scorer)
        if not callable(score):
            raise ValueError(f"scorer must be a reward model (with a score method) or a "
                             f"function f(prompts, responses); got {type(scorer).__name__}.")
        self.prompts, self.name, self._score = list(prompts), name, score
        pairs = [reference_words(p) for p in self.prompts]
        self.ref = np.stack([p for p, _ in pairs])
        self.values = np.stack([v for _, v in pairs])
        self.mu, self.sd = 0.0, 1.0
        _, _, texts = sample_responses(self.ref, _NORMALISE_SAMPLES,
                                       np.random.default_rng([0, 10]))
        raw = self.score(texts, normalised=False)
        self.mu, self.sd = float(raw.mean()), float(raw.std()) or 1.0

    def score(self, texts, normalised: bool = True) -> np.ndarray:
        """The learned reward of ``texts`` (prompts × B responses, prompt-major), P × B."""
        n = len(self.prompts)
        batch = len(texts) // n
        if batch < 1 or batch * n != len(texts):
            raise ValueError(f"texts: {len(texts)} texts for {n} prompts; give each prompt B.")
        raw = self._score([p for p in self.prompts for _ in range(batch)], texts)
        raw = np.asarray(getattr(raw, "numpy", lambda: raw)(), dtype=float)
        if raw.size != n * batch:
            raise ValueError(f"the reward model returned {raw.size} rewards for {n * batch} texts.")
        raw = raw.reshape(n, batch)
        if not np.all(np.isfinite(raw)):
            raise ValueError("the reward model returned NaN or infinite rewards.")
        return (raw - self.mu) / self.sd if normalised else raw


@dataclass
class PolicyRun:
    """Per-step curves of one run (index 0 = before training, the reference policy).

    ``proxy``: the normalised learned reward, mean over the step's sampled responses
    and prompts; ``true``: E_π[r*] and ``kl``: KL(π_θ‖π_ref) per response (nats), exact,
    averaged over prompts; ``probs``: the final word distributions (prompts × words).
    """

    steps: np.ndarray
    proxy: np.ndarray
    true: np.ndarray
    kl: np.ndarray
    probs: np.ndarray
    beta_kl: float
    seed: int


def _log_softmax(theta: np.ndarray) -> np.ndarray:
    z = theta - theta.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


@validated(probs="array", batch="int")
def sample_responses(probs: np.ndarray, batch: int, rng: np.random.Generator):
    """B responses per prompt from word distributions ``probs`` (prompts × words).

    Returns ``lengths`` (P × B), ``counts`` (P × B × words) and the texts, prompt-major.
    """
    probs = np.asarray(probs, dtype=float)
    if probs.ndim != 2 or probs.shape[1] != len(RESPONSE_WORDS) or not probs.shape[0] \
            or np.any(probs < 0) or not np.allclose(probs.sum(axis=1), 1.0):
        raise ValueError(f"probs must be word distributions, one row per prompt and one column "
                         f"per response word (shape (P, {len(RESPONSE_WORDS)}), rows summing "
                         f"to 1); got shape {probs.shape}.")
    if batch < 1:
        raise ValueError(f"batch must be a whole number >= 1; got {batch}.")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)); "
                         f"got {type(rng).__name__}.")
    n, v = probs.shape
    lengths = rng.integers(LENGTHS[0], LENGTHS[1] + 1, size=(n, batch))
    u = rng.random((n, batch, LENGTHS[1]))
    cdf = np.cumsum(probs, axis=1)
    words = np.minimum((cdf[:, None, None, :] < u[..., None]).sum(-1), v - 1)   # P×B×Lmax
    used = np.arange(LENGTHS[1]) < lengths[..., None]
    counts = np.zeros((n, batch, v))
    pi, bi, li = np.nonzero(used)
    np.add.at(counts, (pi, bi, words[pi, bi, li]), 1.0)
    texts = [" ".join(RESPONSE_WORDS[j] for j in words[i, b, :lengths[i, b]])
             for i in range(n) for b in range(batch)]
    return lengths, counts, texts


@validated(logp="array", logp_ref="array")
def kl_to_reference(logp: np.ndarray, logp_ref: np.ndarray) -> np.ndarray:
    """KL(π‖π_ref) = Σ_w π(w) (log π(w) − log π_ref(w)) per row (nats, one word).

    A word the policy never writes (log π = −inf) adds 0, as 0 · log 0 = 0 by convention.

    >>> kl_to_reference([0.0, -math.inf], [math.log(0.5), math.log(0.5)]).round(4).item()
    0.6931
    """
    logp, logp_ref = np.asarray(logp, dtype=float), np.asarray(logp_ref, dtype=float)
    if logp.shape != logp_ref.shape or logp.ndim == 0 or logp.size == 0:
        raise ValueError(f"logp and logp_ref must be log-probabilities over the same words "
                         f"(one non-empty shape); got shapes {logp.shape} and {logp_ref.shape}.")
    for name, a in (("logp", logp), ("logp_ref", logp_ref)):
        if np.isnan(a).any() or (a > 1e-9).any():
            raise ValueError(f"{name} must hold log-probabilities (<= 0, −inf for a word of "
                             "probability 0; no NaN).")
    p = np.exp(logp)
    used = p > 0
    if (used & np.isneginf(logp_ref)).any():
        raise ValueError("logp_ref gives probability 0 to a word the policy writes, so the KL "
                         "is infinite; the policy must stay on the reference's support.")
    diff = np.where(used, logp - np.where(used, logp_ref, 0.0), 0.0)
    return np.sum(p * diff, axis=-1)


@validated(counts="array", logp="array", logp_ref="array")
def response_log_ratio(counts: np.ndarray, logp: np.ndarray, logp_ref: np.ndarray):
    """log π(y|x) − log π_ref(y|x) of sampled responses: Σ_w counts(w)·(log π(w) − log π_ref(w)).

    ``counts``: P × B × words; ``logp``, ``logp_ref``: P × words.  Returns P × B.
    """
    counts, logp, logp_ref = (np.asarray(a, dtype=float) for a in (counts, logp, logp_ref))
    if logp.ndim != 2 or logp.shape != logp_ref.shape or counts.ndim != 3 \
            or (counts.shape[0], counts.shape[2]) != logp.shape:
        raise ValueError(f"counts must be prompts × responses × words and logp, logp_ref "
                         f"prompts × words (the same prompts and words); got shapes "
                         f"{counts.shape}, {logp.shape} and {logp_ref.shape}.")
    return np.einsum("pbw,pw->pb", counts, logp - logp_ref)


@validated(reward="array", logp_policy="array", logp_ref="array", beta_kl="real[0,]")
def kl_penalised_reward(reward, logp_policy, logp_ref, beta_kl: float):
    """R = r − β_KL · (log π(y|x) − log π_ref(y|x)), elementwise (InstructGPT's reward).

    The arrays have one shape (a plain number may stand for all), and hold finite values.

    >>> float(kl_penalised_reward(1.0, math.log(0.5), math.log(0.25), 0.1))   # 1 − 0.1·ln 2
    0.9306852819440055
    """
    names = ("reward", "logp_policy", "logp_ref")
    arrays = [np.asarray(a, dtype=float) for a in (reward, logp_policy, logp_ref)]
    shapes = {a.shape for a in arrays if a.ndim}
    if len(shapes) > 1:
        raise ValueError("reward, logp_policy and logp_ref must have one shape (one value per "
                         f"response); got shapes {', '.join(str(a.shape) for a in arrays)}.")
    for name, a in zip(names, arrays):
        if not np.isfinite(a).all():
            raise ValueError(f"{name} must hold finite numbers (no NaN or inf).")
    r, lp, lr = arrays
    with np.errstate(over="ignore", invalid="ignore"):
        out = r - float(beta_kl) * (lp - lr)
    if not np.isfinite(out).all():
        raise ValueError(f"the penalised reward overflows with beta_kl={beta_kl:g}; lower it.")
    return out


def _check_problem(problem) -> None:
    if not isinstance(problem, PolicyProblem):
        raise ValueError(f"problem must be a PolicyProblem (see load_problem); got "
                         f"{type(problem).__name__}.")


def _check(beta_kl, steps, lr, batch):
    check_real(beta_kl, "beta_kl", lo=0)
    check_int(steps, "steps", lo=1, hi=1_000_000)
    check_real(lr, "lr", lo=0, lo_open=True)
    try:
        check_int(batch, "batch", lo=2)
    except ValueError:
        raise ValueError(f"batch must be a whole number >= 2 (the baseline needs the other "
                         f"samples); got {batch!r:.40}.") from None
    check_int(batch, "batch", lo=2, hi=100_000)


def train_policy(problem: PolicyProblem, *, beta_kl: float = 0.0, steps: int = 300,
                 lr: float = 0.2, batch: int = 16, seed: int = 0,
                 record_every: int = 5) -> PolicyRun:
    """REINFORCE with a leave-one-out baseline on r − β_KL·(log π − log π_ref) (module doc)."""
    _check_problem(problem)
    _check(beta_kl, steps, lr, batch)
    check_seed(seed)
    check_int(record_every, "record_every", lo=1)
    rng = np.random.default_rng([seed, 9])
    logp_ref = np.log(problem.ref)
    theta = logp_ref.copy()
    rec: dict[str, list] = {"steps": [], "proxy": [], "true": [], "kl": []}
    for step in range(steps + 1):
        logp = _log_softmax(theta)
        p = np.exp(logp)
        lengths, counts, texts = sample_responses(p, batch, rng)
        r = problem.score(texts)                                        # P × B
        if step % record_every == 0 or step == steps:
            rec["steps"].append(step)
            rec["proxy"].append(float(r.mean()))
            rec["true"].append(float(MEAN_LENGTH * np.mean(np.sum(p * problem.values, 1))))
            rec["kl"].append(float(MEAN_LENGTH * np.mean(kl_to_reference(logp, logp_ref))))
        if step == steps:
            break
        big_r = kl_penalised_reward(r, response_log_ratio(counts, logp, logp_ref), 0.0,
                                    beta_kl)
        baseline = (big_r.sum(axis=1, keepdims=True) - big_r) / (batch - 1)
        adv = (big_r - baseline) / batch                                 # P × B
        grad = np.einsum("pb,pbw->pw", adv, counts - lengths[..., None] * p[:, None, :])
        theta += lr * grad
    return PolicyRun(*(np.array(rec[k]) for k in ("steps", "proxy", "true", "kl")),
                     np.exp(_log_softmax(theta)), float(beta_kl), int(seed))


@validated(probs="array", top="int")
def what_changed(problem: PolicyProblem, probs: np.ndarray, top: int = 8):
    """What the policy learned to write, compared with the reference policy (exact).

    Returns ``(kinds, words)``: ``kinds`` maps each word kind (on-topic, polite, …) to
    (words of that kind per response under π_ref, under π); ``words`` lists the (at
    most ``top``) words whose expected count per response grew, most first, as
    (word, kind, true value per word, count under π_ref, count under π); kinds and
    counts are averaged over prompts.
    """
    _check_problem(problem)
    probs = np.asarray(probs, dtype=float)
    if probs.shape != problem.ref.shape:
        raise ValueError(f"probs must have one row per prompt and one column per response "
                         f"word, shape {problem.ref.shape}; got {probs.shape}.")
    topics = [topic_of(p) for p in problem.prompts]
    kind = np.array([[_word_kind(w, t) for w in RESPONSE_WORDS] for t in topics])
    kinds = {k: (round(float(MEAN_LENGTH * np.mean(np.sum(problem.ref * (kind == k), 1))), 4),
                 round(float(MEAN_LENGTH * np.mean(np.sum(probs * (kind == k), 1))), 4))
             for k in WORD_VALUES}
    grown: dict[tuple[str, str], list[float]] = {}
    for i in range(len(problem.prompts)):
        for j, w in enumerate(RESPONSE_WORDS):
            acc = grown.setdefault((w, kind[i, j]), [0.0, 0.0])
            acc[0] += MEAN_LENGTH * problem.ref[i, j] / len(problem.prompts)
            acc[1] += MEAN_LENGTH * probs[i, j] / len(problem.prompts)
    ranked = sorted(grown.items(), key=lambda kv: kv[1][0] - kv[1][1])[:top]
    return kinds, [(w, str(kd), WORD_VALUES[kd], round(float(a), 4), round(float(b), 4))
                   for (w, kd), (a, b) in ranked if b > a]


#: the reward models the policy is trained against: 100 prompts of lists of up to 4
#: responses, noiseless labels, annotators impressed by filler words
POLICY_DATA: dict = {"n_prompts": 100, "max_n": 4, "beta": math.inf,
                     "kind_bias": {"filler": 1.5}, "epochs": 12, "n_eval": 32}


def load_problem(seed: int = 0) -> PolicyProblem:
    """Train the reward model of ``seed`` (:data:`POLICY_DATA`, about 2 s on CPU) and
    return the policy's problem on 32 prompts it was not trained on.

    The annotators of its data are impressed by filler words ("basically", "actually",
    …): they add 1.5 per filler word, while r* takes 0.25 off
    (``kind_bias={"filler": 1.5}`` in :func:`rmteach.data.generate.make_preference_data`).  These
    are the reward models of notebook 8's cache with the same setting.
    """
    check_seed(seed)
    import torch

    from ..data.generate import make_preference_data
    from ..model.training import train
    from .overoptimization import eval_prompts

    d = POLICY_DATA
    data = make_preference_data(d["n_prompts"], max_n=d["max_n"], beta=d["beta"], seed=seed,
                                kind_bias=d["kind_bias"])
    result = train(data, epochs=d["epochs"], seed=seed, progress=False, eval_train=False)
    prompts, _ = eval_prompts([x.prompt for x in data.train], d["n_eval"])
    model = result.model
    threads = torch.get_num_threads()

    def score(ps, ys):
        torch.set_num_threads(1)        # far faster for a model this small
        try:
            return model.score(ps, ys).numpy()
        finally:
            torch.set_num_threads(threads)

    problem = PolicyProblem(prompts, score, name=f"filler-biased reward model, seed {seed}")
    problem.model = model
    return problem

