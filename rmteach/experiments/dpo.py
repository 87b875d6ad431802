"""Notebook 11: the reward model inside DPO, trained on the pairs and read off against r*.

The **policy** is notebook 9's (:mod:`rmteach.experiments.policy`): for each prompt x a
softmax over the response words, θ one logit per prompt and word, starting at
π_ref, so log π(y|x) − log π_ref(y|x) = Σ_w counts_y(w)·(log π(w|x) − log π_ref(w|x))
(the length term cancels).  :func:`train_dpo` fits θ on the preference pairs with one of
the DPO family's losses (:func:`rmteach.math.losses.dpo_loss`; full batch, Adam) and
returns the implicit reward r(x, y) = β·(log π(y|x) − log π_ref(y|x)).

:func:`run_dpo_seed` trains DPO (``sigmoid``), IPO and hinge, and an explicit reward model
(:class:`~rmteach.model.network.TinyRewardModel`, pair-wise loss) on the same pairs, and
scores each against r* by pair accuracy (the share of pairs with different true rewards
that it orders as r* does; equal rewards count one half) on three sets of responses:

* ``seen``: the training pairs themselves;
* ``unseen``: new responses (drawn by the data generator) to the training prompts;
* ``new_prompts``: new responses to the held-out prompts.  The toy policy has one row of
  logits per prompt, so DPO never changes a prompt it was not trained on: its implicit
  reward there is 0 for every response (one half by the rule above).

The runs of :data:`SEEDS` are stored in ``rmteach/_cache/dpo_runs.json``
(``tools/build_dpo_cache.py``; a test rebuilds them and compares).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from ..data.generate import make_preference_data, sample_response, true_reward
from ..data.items import PreferencePair
from ..math._checks import check_int, check_seed, validated
from ..math.losses import DPO_LOSS_TYPES, dpo_loss
from .policy import RESPONSE_WORDS, reference_words

__all__ = ["DPO_SETUP", "LOSSES", "expected_loss", "load_dpo_runs", "optimal_gap",
           "pair_accuracy", "run_dpo_seed", "train_dpo", "word_counts"]

#: the data (notebook 9's generator and sizes, labels that follow r*) and the training
DPO_SETUP: dict = {"n_prompts": 100, "max_n": 4, "beta": 0.1, "steps": 300, "lr": 0.05,
                   "epochs": 12, "n_unseen": 8}
#: the losses notebook 11 trains (the name it prints -> dpo_loss's loss_type)
LOSSES: dict = {"DPO": "sigmoid", "IPO": "ipo", "hinge": "hinge"}
CACHE = Path(__file__).resolve().parents[1] / "_cache" / "dpo_runs.json"
_INDEX = {w: i for i, w in enumerate(RESPONSE_WORDS)}


def word_counts(responses) -> np.ndarray:
    """How often each of :data:`~rmteach.experiments.policy.RESPONSE_WORDS` occurs, one row
    per response."""
    if not isinstance(responses, (list, tuple)) or not all(isinstance(r, str) for r in responses):
        raise ValueError(f"responses must be a list of response strings; got "
                         f"{type(responses).__name__}.")
    out = np.zeros((len(responses), len(RESPONSE_WORDS)))
    for i, text in enumerate(responses):
        for w in text.split():
            if w not in _INDEX:
                raise ValueError(f"responses holds the word {w!r}, which the policy cannot "
                                 f"write (not a response word of the language).")
            out[i, _INDEX[w]] += 1.0
    return out


def train_dpo(pairs, *, loss_type: str = "sigmoid", beta: float = 0.1, steps: int = 300,
              lr: float = 0.05, label_smoothing: float = 0.0):
    """Fit the word policy on ``pairs`` (PreferencePair list) with ``dpo_loss``: full batch,
    ``steps`` Adam steps of size ``lr`` from θ = log π_ref.

    Returns ``reward(prompts, responses)``, the implicit reward β·log π/π_ref of the
    trained policy (0 for a prompt it never saw), as a NumPy array.
    """
    import torch

    if not isinstance(pairs, (list, tuple)) or not all(isinstance(p, PreferencePair)
                                                        for p in pairs):
        raise ValueError(f"pairs must be a list of PreferencePair; got {type(pairs).__name__}.")
    if not pairs:
        raise ValueError("pairs is empty: give at least one preference pair.")
    if loss_type not in DPO_LOSS_TYPES:
        raise ValueError(f"unknown loss_type {loss_type!r}; expected one of {DPO_LOSS_TYPES}.")
    steps = check_int(steps, "steps", lo=1)
    prompts = sorted({p.prompt for p in pairs})
    row = {p: i for i, p in enumerate(prompts)}
    log_ref = torch.tensor(np.log(np.stack([reference_words(p)[0] for p in prompts])))
    idx = torch.tensor([row[p.prompt] for p in pairs])
    cc = torch.tensor(word_counts([p.chosen for p in pairs]))
    cr = torch.tensor(word_counts([p.rejected for p in pairs]))
    theta = log_ref.clone().requires_grad_(True)
    # Adam (Kingma & Ba 2015; betas 0.9, 0.999, eps 1e-8) written out: torch.optim would
    # import torch._dynamo, seconds on a loaded 2-core machine for a 4,800-number table
    m, v = torch.zeros_like(theta), torch.zeros_like(theta)

    def log_ratio(counts, index, th):
        lp = torch.log_softmax(th, dim=1)[index] - log_ref[index]
        return (counts * lp).sum(dim=1)

    zero = torch.zeros(len(pairs), dtype=log_ref.dtype)
    for t in range(1, steps + 1):
        loss = dpo_loss(log_ratio(cc, idx, theta), log_ratio(cr, idx, theta), zero, zero,
                        beta=beta, loss_type=loss_type, label_smoothing=label_smoothing)
        (grad,) = torch.autograd.grad(loss, theta)
        with torch.no_grad():
            m.mul_(0.9).add_(grad, alpha=0.1)
            v.mul_(0.999).addcmul_(grad, grad, value=0.001)
            step = lr * (m / (1 - 0.9 ** t)) / ((v / (1 - 0.999 ** t)).sqrt() + 1e-8)
            theta -= step
    final = theta.detach()

    def reward(ps, ys):
        counts = torch.tensor(word_counts(list(ys)))
        out = np.zeros(len(ps))
        known = [i for i, p in enumerate(ps) if p in row]
        if known:
            index = torch.tensor([row[ps[i]] for i in known])
            out[known] = beta * log_ratio(counts[known], index, final).numpy()
        return out

    return reward


@validated(scores="array", truth="array")
def pair_accuracy(scores, truth) -> float:
    """Share of pairs (i < j, different ``truth``) that ``scores`` order as ``truth`` does;
    a tie in ``scores`` counts one half.  Over all pairs within one list of responses."""
    s, t = np.asarray(scores, float), np.asarray(truth, float)
    if s.shape != t.shape or s.ndim != 1:
        raise ValueError(f"scores and truth must be 1-D of one length; got {s.shape}, {t.shape}.")
    i, j = np.triu_indices(len(s), 1)
    keep = t[i] != t[j]
    if not keep.any():
        raise ValueError("truth has no two different values: there is no pair to score.")
    agree = np.sign(s[i] - s[j])[keep] * np.sign(t[i] - t[j])[keep]
    return float(np.mean((agree > 0) + 0.5 * (agree == 0)))


def _fresh(prompts, k, seed):
    rng = np.random.default_rng([seed, 11])
    return [(p, [sample_response(p, rng) for _ in range(k)]) for p in prompts]


def _accuracy(score, groups) -> float:
    accs = []
    for p, ys in groups:
        truth = [true_reward(p, y) for y in ys]
        if len(set(truth)) > 1:
            accs.append(pair_accuracy(score([p] * len(ys), ys), truth))
    return float(np.mean(accs))


def run_dpo_seed(seed: int = 0) -> dict:
    """One seed of notebook 11's comparison (module doc): accuracies per model and set."""
    check_seed(seed)
    import torch

    from ..model.training import train

    s = DPO_SETUP
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(seed)
        data = make_preference_data(s["n_prompts"], max_n=s["max_n"], beta=math.inf, seed=seed)
        pairs = data.pairs("train")
        sets = {"seen": [(p.prompt, [p.chosen, p.rejected]) for p in pairs],
                "unseen": _fresh([x.prompt for x in data.train], s["n_unseen"], seed),
                "new_prompts": _fresh([x.prompt for x in data.heldout], s["n_unseen"], seed)}
        scorers = {name: train_dpo(pairs, loss_type=lt, beta=s["beta"], steps=s["steps"],
                                   lr=s["lr"]) for name, lt in LOSSES.items()}
        rm = train(data, loss="pairwise", epochs=s["epochs"], seed=seed, progress=False,
                   eval_train=False).model
        scorers["reward model"] = lambda ps, ys: rm.score(list(ps), list(ys)).numpy()
        return {name: {k: round(_accuracy(f, g), 6) for k, g in sets.items()}
                for name, f in scorers.items()}
    finally:
        torch.set_num_threads(threads)


def load_dpo_runs() -> dict:
    """The stored runs: ``{"seeds": [...], "runs": [run_dpo_seed(seed) for each seed]}``."""
    with open(CACHE, encoding="utf-8") as f:
        return json.load(f)


def expected_loss(gap, beta: float, noise: float, loss_type: str):
    """The loss of a pair whose label is flipped with probability ``noise``, as a function
    of the log-ratio gap Δ: (1 − noise)·ℓ(Δ) + noise·ℓ(−Δ), elementwise."""
    if not (isinstance(noise, (int, float)) and 0 <= noise < 0.5):
        raise ValueError(f"noise must be a number in [0, 0.5); got {noise!r}.")
    gap = np.asarray(gap, dtype=float)
    zero = np.zeros_like(gap)
    one = dpo_loss(gap, zero, zero, zero, beta=beta, loss_type=loss_type, reduction="none")
    flip = dpo_loss(-gap, zero, zero, zero, beta=beta, loss_type=loss_type, reduction="none")
    return (1 - noise) * one + noise * flip


def optimal_gap(beta: float, noise: float, loss_type: str) -> float:
    """The log-ratio gap Δ* that minimises :func:`expected_loss` (inf: no minimum).

    sigmoid: log((1 − ε)/ε)/β (inf at ε = 0); ipo: (1 − 2ε)/(2β); hinge: 1/β.

    >>> optimal_gap(0.1, 0.0, "ipo"), optimal_gap(0.1, 0.0, "sigmoid")
    (5.0, inf)
    """
    expected_loss(0.0, beta, noise, loss_type)            # validates the arguments
    if loss_type == "ipo":
        return (1 - 2 * noise) / (2 * beta)
    if loss_type == "hinge":
        return 1 / beta
    if loss_type == "robust":                 # unbiased: the clean loss, pushed without end
        return math.inf
    return math.inf if noise == 0 else math.log((1 - noise) / noise) / beta
