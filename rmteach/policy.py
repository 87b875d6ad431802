"""A tiny RLHF loop: a policy trained against a learned reward with a KL penalty.

The **policy** π_θ is, for each prompt x, a softmax over a fixed pool of K candidate
responses drawn from the data generator (θ: one logit per prompt and candidate).
The **reference policy** π_ref is the generator itself, i.e. uniform over the pool;
π_θ starts equal to it (θ = 0).

Each step samples B responses per prompt from π_θ and scores each with the
KL-penalised reward of PPO-based RLHF (InstructGPT, Ouyang et al. 2022, Eq. 2):

    R(x, y) = r(x, y) − β_KL · (log π_θ(y|x) − log π_ref(y|x))

and takes one REINFORCE step with a baseline (the mean R of the *other* samples of
the same prompt, "leave one out"):

    θ ← θ + lr · (1/B) Σ_i (R_i − b_i) ∇_θ log π_θ(y_i|x),   ∇_θ log π_θ(y|x) = e_y − π_θ(·|x)

The expected KL penalty term gives an unbiased gradient of −β_KL·KL(π_θ‖π_ref).
What a real RLHF run adds (and this toy leaves out): a language model that writes
its response token by token (the policy here only chooses among K whole responses),
PPO's clipped ratio and several epochs per batch, a value network (critic) with GAE
advantages, the per-token KL, a pretraining-mix term (PPO-ptx), and an adaptive KL
coefficient.  What it keeps is the part that matters here: the policy climbs the
*learned* reward r, the true reward r* is only watched, and β_KL holds it near π_ref.

The learned reward is normalised to mean 0 and sd 1 over the reference pool (as
OpenRLHF's and NeMo's normalise options do; InstructGPT shifted by a bias only), so
β_KL has the same meaning for every reward model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._arrays import _check_numpy_input
from ._checks import check_int, check_seed, validated
from .data import explain_reward, tokenize

__all__ = [
    "PolicyProblem",
    "PolicyRun",
    "kl_penalised_reward",
    "kl_to_reference",
    "load_problem",
    "train_policy",
    "what_changed",
]


@dataclass
class PolicyProblem:
    """Prompts, their candidate pools, and the learned (``proxy``) and true rewards (P × K)."""

    prompts: list
    pool: list
    proxy: np.ndarray
    true: np.ndarray
    name: str = ""

    def __post_init__(self):
        for name in ("proxy", "true"):
            _check_numpy_input(getattr(self, name), name)
        for name in ("prompts", "pool"):
            value = getattr(self, name)
            if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
                raise ValueError(f"{name} must be a list (one entry per prompt); got "
                                 f"{type(value).__name__}.")
        self.proxy = np.asarray(self.proxy, dtype=float)
        self.true = np.asarray(self.true, dtype=float)
        if self.proxy.ndim != 2 or self.proxy.shape != self.true.shape:
            raise ValueError(f"proxy and true must be matrices of one shape (prompts × "
                             f"candidates); got {self.proxy.shape} and {self.true.shape}.")
        if len(self.prompts) != self.proxy.shape[0]:
            raise ValueError(f"got {len(self.prompts)} prompts for {self.proxy.shape[0]} rows.")
        sd = self.proxy.std()
        self.reward = (self.proxy - self.proxy.mean()) / (sd if sd > 0 else 1.0)


@dataclass
class PolicyRun:
    """Per-step curves of one run (index 0 = before training, the reference policy).

    ``proxy`` and ``true``: E_π[r] (normalised learned reward) and E_π[r*] (reward
    units), averaged over prompts; ``kl``: KL(π_θ‖π_ref) in nats, averaged over prompts;
    ``probs``: the final policy (P × K).
    """

    steps: np.ndarray
    proxy: np.ndarray
    true: np.ndarray
    kl: np.ndarray
    probs: np.ndarray
    beta_kl: float
    seed: int


def _softmax(theta: np.ndarray) -> np.ndarray:
    z = theta - theta.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _log_softmax(theta: np.ndarray) -> np.ndarray:
    z = theta - theta.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


@validated(logp="array", logp_ref="array")
def kl_to_reference(logp: np.ndarray, logp_ref: np.ndarray) -> np.ndarray:
    """KL(π‖π_ref) = Σ_y π(y) (log π(y) − log π_ref(y)) per row (nats)."""
    logp, logp_ref = np.asarray(logp, dtype=float), np.asarray(logp_ref, dtype=float)
    if logp.shape != logp_ref.shape or logp.ndim == 0 or logp.size == 0:
        raise ValueError(f"logp and logp_ref must be log-probabilities over the same responses "
                         f"(one non-empty shape); got shapes {logp.shape} and {logp_ref.shape}.")
    p = np.exp(logp)
    return np.sum(p * (logp - logp_ref), axis=-1)


def kl_penalised_reward(reward, logp_policy, logp_ref, beta_kl: float):
    """R = r − β_KL · (log π(y|x) − log π_ref(y|x)), elementwise (InstructGPT's reward).

    >>> float(kl_penalised_reward(1.0, math.log(0.5), math.log(0.25), 0.1))   # 1 − 0.1·ln 2
    0.9306852819440055
    """
    if not (isinstance(beta_kl, (int, float)) and math.isfinite(beta_kl) and beta_kl >= 0):
        raise ValueError(f"beta_kl must be a number >= 0 (0 = no KL penalty); got {beta_kl!r}.")
    return (np.asarray(reward, dtype=float)
            - beta_kl * (np.asarray(logp_policy, dtype=float) - np.asarray(logp_ref, dtype=float)))


def _check_problem(problem) -> None:
    if not isinstance(problem, PolicyProblem):
        raise ValueError(f"problem must be a PolicyProblem (see load_problem); got "
                         f"{type(problem).__name__}.")


def _check(beta_kl, steps, lr, batch):
    kl_penalised_reward(0.0, 0.0, 0.0, beta_kl)          # validates beta_kl
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a whole number >= 1; got {steps!r}.")
    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a number > 0; got {lr!r}.")
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 2:
        raise ValueError(f"batch must be a whole number >= 2 (the baseline needs the other "
                         f"samples); got {batch!r}.")


def train_policy(problem: PolicyProblem, *, beta_kl: float = 0.0, steps: int = 600,
                 lr: float = 1.0, batch: int = 8, seed: int = 0,
                 record_every: int = 5) -> PolicyRun:
    """REINFORCE with a leave-one-out baseline on r − β_KL·(log π − log π_ref) (module doc)."""
    _check_problem(problem)
    _check(beta_kl, steps, lr, batch)
    check_seed(seed)
    check_int(record_every, "record_every", lo=1)
    reward, true = problem.reward, problem.true
    n_prompts, k = reward.shape
    rng = np.random.default_rng([seed, 9])
    theta = np.zeros((n_prompts, k))
    logp_ref = np.full((n_prompts, k), -math.log(k))
    rows = np.arange(n_prompts)[:, None]
    rec_steps, rec_proxy, rec_true, rec_kl = [], [], [], []

    def record(step, logp):
        p = np.exp(logp)
        rec_steps.append(step)
        rec_proxy.append(float(np.mean(np.sum(p * reward, axis=1))))
        rec_true.append(float(np.mean(np.sum(p * true, axis=1))))
        rec_kl.append(float(np.mean(kl_to_reference(logp, logp_ref))))

    for step in range(steps + 1):
        logp = _log_softmax(theta)
        if step % record_every == 0 or step == steps:
            record(step, logp)
        if step == steps:
            break
        p = np.exp(logp)
        # sample B candidates per prompt (inverse CDF on one uniform each)
        u = rng.random((n_prompts, batch))
        idx = np.minimum((np.cumsum(p, axis=1)[:, None, :] < u[:, :, None]).sum(-1), k - 1)
        r = kl_penalised_reward(reward[rows, idx], logp[rows, idx], logp_ref[rows, idx],
                                beta_kl)
        baseline = (r.sum(axis=1, keepdims=True) - r) / (batch - 1)
        adv = (r - baseline) / batch                            # (P, B)
        grad = -p * adv.sum(axis=1, keepdims=True)               # Σ_i adv_i · (−π)
        np.add.at(grad, (np.repeat(np.arange(n_prompts), batch), idx.ravel()), adv.ravel())
        theta += lr * grad
    return PolicyRun(np.array(rec_steps), np.array(rec_proxy), np.array(rec_true),
                     np.array(rec_kl), _softmax(theta), float(beta_kl), int(seed))


@validated(probs="array", top="int")
def what_changed(problem: PolicyProblem, probs: np.ndarray, top: int = 8):
    """What the policy learned to emit, compared with the reference (uniform on the pool).

    Returns ``(kinds, words)``: ``kinds`` maps each word kind (on-topic, polite, …)
    and ``"length"`` to (words per response under π_ref, under π); ``words`` lists the
    ``top`` words whose expected count per response grew most, as (word, kind, true
    value per word, count under π_ref, count under π).
    """
    _check_problem(problem)
    probs = np.asarray(probs, dtype=float)
    if probs.shape != problem.proxy.shape:
        raise ValueError(f"probs must have the pool's shape {problem.proxy.shape}; "
                         f"got {probs.shape}.")
    n_prompts, k = probs.shape
    kinds: dict[str, list[float]] = {}
    words: dict[tuple[str, str], list[float]] = {}
    for i, (prompt, pool) in enumerate(zip(problem.prompts, problem.pool)):
        for j, y in enumerate(pool):
            w_ref, w_pi = 1.0 / (k * n_prompts), probs[i, j] / n_prompts
            e = explain_reward(prompt, y)
            for kind, c in [*e["counts"].items(), ("length", len(tokenize(y)))]:
                acc = kinds.setdefault(kind, [0.0, 0.0])
                acc[0] += w_ref * c
                acc[1] += w_pi * c
            for word in tokenize(y):
                kind = next((kd for kd, c in explain_reward(prompt, word)["counts"].items()
                             if c), None)
                if kind is None:
                    continue
                acc = words.setdefault((word, kind), [0.0, 0.0])
                acc[0] += w_ref
                acc[1] += w_pi
    ranked = sorted(words.items(), key=lambda kv: kv[1][0] - kv[1][1])[:top]
    values = explain_reward("", "")["values"]
    return ({kd: (round(float(a), 4), round(float(b), 4)) for kd, (a, b) in kinds.items()},
            [(w, kd, values[kd], round(float(a), 4), round(float(b), 4))
             for (w, kd), (a, b) in ranked])


SETTING = "n=100,beta=inf,lb=0,lc=0,kb=filler:1.5"


def load_problem(setting: str = SETTING, seed: int = 0, *, cache_dir=None) -> PolicyProblem:
    """A cached problem: the evaluation prompts of one trained reward model of the
    over-optimisation cache, their first candidates, and the learned and true rewards.

    The default reward models learned from annotators who are impressed by filler
    words ("basically", "actually", …): they add 1.5 per filler word, while r* takes
    0.25 off (``kind_bias={"filler": 1.5}`` in :func:`rmteach.data.make_preference_data`).
    """
    from . import overoptimization
    from .sampling import draw_pool, true_rewards

    all_prompts = overoptimization.all_prompts
    folder = overoptimization.CACHE_DIR if cache_dir is None else Path(cache_dir)
    path = folder / "policy_pools.npz"
    with np.load(path) as npz:
        key = f"{setting}|seed={seed}"
        if f"{key}|proxy" not in npz.files:
            have = sorted({f.split("|seed=")[0] for f in npz.files})
            raise ValueError(f"no cached policy pool for setting={setting!r}, seed={seed}; "
                             f"cached settings: {have} (seeds 0-4).")
        proxy = npz[f"{key}|proxy"].astype(float)
        ids = npz[f"{key}|ids"].tolist()
    everything = all_prompts()
    prompts = [everything[i] for i in ids]
    pool = draw_pool(prompts, proxy.shape[1], seed=0, keys=ids)
    true = np.stack([true_rewards(p, ys) for p, ys in zip(prompts, pool)])
    return PolicyProblem(prompts, pool, proxy, true, name=f"{setting} seed={seed}")
