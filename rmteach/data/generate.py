"""Synthetic preference data with a known true reward.

A tiny readable "language" stands in for prompts and LLM responses, so that a
learner can see *why* one response beats another, and so that a trained reward
model can be checked against the truth (something real human data never allows).

**Prompts** ask about one of five topics, e.g. ``"tell me about rain forecast"``
(weather).  **Responses** are bags of words drawn from five kinds:

============  =================================================  ===============
kind          examples                                           true reward
============  =================================================  ===============
on-topic      ``sunny umbrella`` for a weather prompt            +1.0 per word
polite        ``thanks glad please``                             +0.5 per word
off-topic     ``guitar oven`` for a weather prompt               −0.5 per word
filler        ``um basically like`` (rambling)                   −0.25 per word
rude          ``stupid ugh whatever``                            −1.5 per word
============  =================================================  ===============

The hidden true reward r*(x, y) is the sum of these per-word values (see
:func:`true_reward` and :func:`explain_reward`).  Whether a word is on- or
off-topic depends on the prompt, so a reward model must read x and y together,
as r(x, y) does in the book.

**Annotators** are simulated with the Bradley–Terry model (Eq. 4.35) at
rationality β: a pair is labelled y_a ≻ y_b with probability
Sigmoid(β · (r*(x, y_a) − r*(x, y_b))).  β = ∞ gives perfect labels, β = 0 coin
flips.  A ranked list of N responses is drawn from the Plackett–Luce model with
scores β·r* (Eqs. 4.58–4.61), which is exactly Bradley–Terry when N = 2.

**No near-ties.**  Rewards come in steps of 0.25, and the responses of one
prompt are re-drawn until every two of them differ in true reward by at least
``min_gap`` (0.5 by default).  So a noiseless label is never a coin flip in
disguise, and a perfect model can reach 100 % pairwise accuracy.

Everything is deterministic given ``seed``; the held-out split is taken by
prompt, so no held-out prompt is ever seen in training.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence

import numpy as np

from ..math._arrays import _check_numpy_input
from ..math._checks import check_int, check_real, check_seed
from .items import PreferenceData, PreferencePair, RankedList, as_ranked_list, split_by_prompt
from .language import (
    _KINDS,
    FILLER_WORDS,
    POLITE_WORDS,
    RUDE_WORDS,
    STARTERS,
    TOPICS,
    VOCABULARY,
    WORD_VALUES,
    explain_reward,
    tokenize,
    topic_of,
    true_reward,
)

__all__ = [
    "FILLER_WORDS",
    "POLITE_WORDS",
    "RUDE_WORDS",
    "STARTERS",
    "TOPICS",
    "VOCABULARY",
    "WORD_VALUES",
    "PreferenceData",
    "PreferencePair",
    "RankedList",
    "annotate_ranking",
    "as_ranked_list",
    "explain_reward",
    "label_agreement",
    "make_pair_data",
    "make_preference_data",
    "make_prompts",
    "make_ranked_lists",
    "sample_response",
    "split_by_prompt",
    "tokenize",
    "topic_of",
    "true_reward",
]

# ---------------------------------------------------------------------------
# Sampling prompts, responses and annotations
# ---------------------------------------------------------------------------


def make_prompts(n_prompts: int, *, seed: int = 0) -> list[str]:
    """``n_prompts`` distinct prompts, topics in turn, in a seeded random order.

    Each prompt is a starter and one to three distinct words of its topic
    (e.g. ``"any tips on dinner recipe"``).  There are 1600 distinct prompts.
    """
    n_prompts = check_int(n_prompts, "n_prompts", lo=1)
    seed = check_seed(seed)
    pools = []
    for topic, (prompt_words, _) in TOPICS.items():
        pool = [f"{s} {w}" for s in STARTERS for w in prompt_words]
        pool += [f"{s} {a} {b}" for s in STARTERS for a in prompt_words for b in prompt_words
                 if a != b]
        pool += [f"{s} {a} {b} {c}" for s in STARTERS for a in prompt_words
                 for b in prompt_words for c in prompt_words if len({a, b, c}) == 3]
        pools.append((topic, pool))
    total = sum(len(p) for _, p in pools)
    if not 1 <= int(n_prompts) <= total:
        raise ValueError(f"n_prompts must be between 1 and {total} (the distinct prompts of the "
                         f"synthetic language); got {n_prompts}.")
    rng = np.random.default_rng([seed, 1])
    shuffled = [list(rng.permutation(pool)) for _, pool in pools]
    prompts = []
    k = 0
    while len(prompts) < n_prompts:            # round-robin over topics: balanced
        pool = shuffled[k % len(shuffled)]
        if pool:
            prompts.append(str(pool.pop()))
        k += 1
    order = rng.permutation(len(prompts))
    return [prompts[i] for i in order]


def sample_response(prompt: str, rng: np.random.Generator, *, min_len: int = 2,
                    max_len: int = 10) -> str:
    """One random response to ``prompt``: a word mix with a random style.

    The style (how much on-topic, polite, off-topic, filler and rude) is drawn from
    a Dirichlet(0.5, …) so that responses range from focused to rude to rambling.
    """
    topic = topic_of(prompt)
    _check_rng(rng)
    min_len = check_int(min_len, "min_len", lo=1, hi=1000)
    max_len = check_int(max_len, "max_len", lo=min_len, hi=1000)
    length = int(rng.integers(min_len, max_len + 1))
    style = rng.dirichlet(np.full(len(_KINDS), 0.5))
    pools = _word_pools(topic)
    kinds = rng.choice(len(_KINDS), size=length, p=style)
    words = [pools[k][int(rng.integers(len(pools[k])))] for k in kinds]
    return " ".join(words)


@functools.cache
def _word_pools(topic) -> tuple:
    """The words of each kind (in ``_KINDS`` order) a response to a ``topic`` prompt draws."""
    pools = {
        "on-topic": TOPICS[topic][1] if topic else FILLER_WORDS,
        "polite": POLITE_WORDS,
        "off-topic": [w for t, (_, aw) in TOPICS.items() if t != topic for w in aw],
        "filler": FILLER_WORDS,
        "rude": RUDE_WORDS,
    }
    return tuple(tuple(pools[kind]) for kind in _KINDS)


def annotate_ranking(rewards: Sequence[float], beta: float,
                     rng: np.random.Generator) -> tuple[int, ...]:
    """A simulated annotator's ranking (indices, best first) of responses with these rewards.

    Plackett–Luce with scores β·r (the Gumbel-max trick: sort β·r + Gumbel noise).
    For two responses this is Bradley–Terry: Pr(a ≻ b) = Sigmoid(β (r_a − r_b)).
    β = ∞ sorts by the true reward (perfect labels); β = 0 is a uniformly random order.
    """
    beta = _check_beta(beta, "beta")
    _check_rng(rng)
    r = np.asarray(_check_numpy_input(rewards, "rewards"), dtype=float)
    if r.ndim != 1 or not np.all(np.isfinite(r)):
        raise ValueError("rewards must be one list of finite numbers (one per response).")
    noise = rng.gumbel(size=r.shape)     # drawn for every beta: same random stream
    if math.isinf(beta):
        keys = r
    else:
        with np.errstate(over="ignore", invalid="ignore"):
            keys = beta * r + noise
        if not np.all(np.isfinite(keys)):     # β so large that β·r overflows: perfect labels
            keys = r
    return tuple(int(i) for i in np.argsort(-keys, kind="stable"))


def _check_rng(rng) -> None:
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a NumPy random Generator (np.random.default_rng(seed)); "
                         f"got {type(rng).__name__}.")


def _check_beta(beta, name):
    return check_real(beta, f"{name} (annotator rationality: 0 = coin flips, math.inf = "
                            "perfect labels)", lo=0.0, allow_inf=True)


def _sample_distinct_responses(prompt, n, rng, min_gap, max_tries=10_000, length=None):
    responses, rewards = [], []
    tries = 0
    lengths = {} if length is None else {"min_len": length, "max_len": length}
    while len(responses) < n:
        tries += 1
        if tries > max_tries:
            raise ValueError(f"could not draw {n} responses whose true rewards differ by at least "
                             f"min_gap={min_gap}; lower min_gap or max_n.")
        y = sample_response(prompt, rng, **lengths)
        r = true_reward(prompt, y)
        if all(abs(r - q) >= min_gap for q in rewards) and y not in responses:
            responses.append(y)
            rewards.append(r)
    return responses, rewards


def make_ranked_lists(prompts: Sequence[str], *, min_n: int = 2, max_n: int = 9,
                      beta: float = math.inf, min_gap: float = 0.5,
                      length_bias: float = 0.0, length_controlled: bool = False,
                      kind_bias: dict[str, float] | None = None,
                      seed: int = 0) -> list[RankedList]:
    """One annotated ranked list per prompt, with N drawn uniformly from [min_n, max_n].

    InstructGPT showed labellers K = 4..9 responses per prompt.  Responses of one
    prompt differ in true reward by at least ``min_gap`` (no near-ties).  The
    annotator ranks them at rationality ``beta`` (see :func:`annotate_ranking`).
    The same ``seed`` gives the same lists; the responses do not depend on ``beta``,
    so changing β changes only the labels.

    **Shortcuts** (both off by default, and then no extra random number is drawn):
    ``length_bias`` = λ makes the annotators judge r*(x, y) + λ·len(y) (len in words)
    instead of r*: they partly prefer longer answers, while r* does not reward length.
    ``length_controlled=True`` gives every response of a list the same length (drawn
    once per list, 2..10 words), so no label can be explained by length.
    ``kind_bias`` maps word kinds to an extra value per word that the annotators add,
    e.g. ``{"polite": 1.5}``: annotators who are flattered by politeness far beyond
    what r* gives it (sycophancy).
    """
    return _ranked_lists(prompts, min_n=min_n, max_n=max_n, beta=beta, min_gap=min_gap,
                         length_bias=length_bias, length_controlled=length_controlled,
                         kind_bias=kind_bias, seed=seed)


#: largest |reward per word| an annotator shortcut may add (beyond it r* no longer matters)
MAX_BIAS = 1e6


def _check_shortcuts(length_bias, kind_bias, length_controlled=False) -> tuple[float, dict]:
    """Checked ``length_bias`` (a float), ``kind_bias`` (a dict), ``length_controlled``."""
    if not isinstance(length_controlled, (bool, np.bool_)):
        raise ValueError(f"length_controlled must be True or False; got "
                         f"{type(length_controlled).__name__} {length_controlled!r:.20}.")
    try:
        length_bias = check_real(length_bias, "length_bias", lo=-MAX_BIAS, hi=MAX_BIAS)
    except ValueError as exc:
        raise ValueError(f"length_bias must be a finite number from -1e6 to 1e6 (reward per "
                         f"word the annotators add; 0 = off); {str(exc).split('; ')[-1]}") \
            from None
    if kind_bias is None:
        return length_bias, {}
    if not isinstance(kind_bias, dict):
        raise ValueError(f"kind_bias must be None or a dict from word kinds "
                         f"({', '.join(WORD_VALUES)}) to numbers; got "
                         f"{type(kind_bias).__name__}.")
    for kind in kind_bias:
        if kind not in WORD_VALUES:
            raise ValueError(f"kind_bias: unknown word kind {kind!r:.40}; expected one of "
                             f"{', '.join(WORD_VALUES)}.")
    return length_bias, {kind: check_real(extra, f"kind_bias[{kind!r}]", lo=-MAX_BIAS,
                                          hi=MAX_BIAS) for kind, extra in kind_bias.items()}


def _ranked_lists(prompts, *, min_n, max_n, beta, min_gap, length_bias, length_controlled,
                  kind_bias, seed, held=frozenset(), heldout_beta=None,
                  only: Sequence[int] | None = None) -> list[RankedList]:
    """:func:`make_ranked_lists`, with the prompts in ``held`` labelled at ``heldout_beta``
    instead: each prompt's responses are drawn once, whichever β labels them.  ``only``:
    the indices of the prompts to draw lists for, in that order (the others are skipped;
    each list is the same as in the full run)."""
    min_n = check_int(min_n, "min_n", lo=2, hi=1000)
    max_n = check_int(max_n, "max_n", lo=2, hi=1000)
    if max_n < min_n:
        raise ValueError(f"need 2 <= min_n <= max_n; got min_n={min_n}, max_n={max_n}.")
    min_gap = check_real(min_gap, "min_gap", lo=0.0)
    beta = _check_beta(beta, "beta")
    hb = beta if heldout_beta is None else _check_beta(heldout_beta, "heldout_beta")
    seed = check_seed(seed)
    if isinstance(prompts, str) or not hasattr(prompts, "__len__"):
        raise ValueError("prompts must be a list of prompt strings; got "
                         f"{type(prompts).__name__}.")
    for k, p in enumerate(prompts):
        if not isinstance(p, str):
            raise ValueError(f"prompts[{k}] must be a string; got {type(p).__name__}.")
    length_bias, kind_bias = _check_shortcuts(length_bias, kind_bias, length_controlled)
    out = []
    for k in range(len(prompts)) if only is None else only:
        prompt = prompts[k]
        rng = np.random.default_rng([seed, 2, k])
        label_rng = np.random.default_rng([seed, 3, k])
        n = int(rng.integers(int(min_n), int(max_n) + 1))
        length = int(rng.integers(2, 11)) if length_controlled else None
        responses, rewards = _sample_distinct_responses(prompt, n, rng, min_gap, length=length)
        judged = rewards
        if length_bias:
            judged = [r + length_bias * len(tokenize(y)) for r, y in zip(judged, responses)]
        if kind_bias:
            judged = [r + sum(extra * explain_reward(prompt, y)["counts"][kind]
                              for kind, extra in kind_bias.items())
                      for r, y in zip(judged, responses)]
        ranking = annotate_ranking(judged, hb if prompt in held else beta, label_rng)
        out.append(RankedList(prompt, tuple(responses), ranking))
    return out


def label_agreement(items: Iterable[PreferencePair | RankedList]) -> float:
    """Fraction of the labelled pairs whose order agrees with the true reward.

    About 0.5 for β = 0 annotators, 1.0 for β = ∞.
    """
    if isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
        raise ValueError(f"items must be a list of pairs or ranked lists; got "
                         f"{type(items).__name__}.")
    agree = total = 0
    for item in items:
        lst = as_ranked_list(item)
        r = [true_reward(lst.prompt, y) for y in lst.best_first()]
        for i in range(lst.n):
            for j in range(i + 1, lst.n):
                agree += r[i] > r[j]
                total += 1
    if total == 0:
        raise ValueError("no pairs to check: the item list is empty.")
    return agree / total


def make_preference_data(n_prompts: int = 1000, *, min_n: int = 2, max_n: int = 9,
                         beta: float = math.inf, heldout_beta: float | None = None,
                         heldout_fraction: float = 0.2, min_gap: float = 0.5,
                         length_bias: float = 0.0, length_controlled: bool = False,
                         kind_bias: dict[str, float] | None = None,
                         seed: int = 0) -> PreferenceData:
    """The built-in data set: ``n_prompts`` ranked lists with a known true reward.

    Args:
        n_prompts: distinct prompts (one ranked list each), at most 1600.
        min_n, max_n: each list has N responses, N uniform in [min_n, max_n]
            (InstructGPT: 4..9).  ``min_n = max_n = 2`` gives plain pairs.
        beta: annotator rationality for the training labels (∞ = perfect, 0 = coin flips).
        heldout_beta: rationality of the held-out labels; ``None`` means the same β.
        heldout_fraction: share of prompts held out (split by prompt).
        min_gap: smallest true-reward gap between two responses of one prompt.
        length_bias, length_controlled, kind_bias: annotator shortcuts (off by
            default); see :func:`make_ranked_lists`.
        seed: everything is a deterministic function of the seed.

    >>> d = make_preference_data(20, max_n=4, seed=0)
    >>> len(d.train), len(d.heldout)
    (16, 4)
    """
    _check_beta(beta, "beta")               # checked, but kept as given (it is stored)
    if heldout_beta is not None:
        _check_beta(heldout_beta, "heldout_beta")
    prompts, held_set = _prompts_and_split(n_prompts, heldout_fraction, seed)
    hb = beta if heldout_beta is None else heldout_beta
    # responses depend on (seed, prompt index) only; labels on beta too
    _check_shortcuts(length_bias, kind_bias, length_controlled)   # checked first, kept as given
    shortcut = {"length_bias": length_bias, "length_controlled": length_controlled,
                "kind_bias": dict(kind_bias or {})}
    # each prompt's responses are drawn once; its labels at β (train) or heldout_beta
    lists = _ranked_lists(prompts, min_n=min_n, max_n=max_n, beta=beta, min_gap=min_gap,
                          seed=seed, held=held_set, heldout_beta=hb, **shortcut)
    train = tuple(x for x in lists if x.prompt not in held_set)
    heldout = tuple(x for x in lists if x.prompt in held_set)
    return PreferenceData(train, heldout, beta, seed, True,
                          {"n_prompts": n_prompts, "min_n": min_n, "max_n": max_n,
                           "heldout_beta": hb, "min_gap": min_gap, **shortcut})


def _prompts_and_split(n_prompts, heldout_fraction, seed) -> tuple[list[str], set[str]]:
    """:func:`make_preference_data`'s prompts, and the set of its held-out ones."""
    prompts = make_prompts(n_prompts, seed=seed)
    _, held = split_by_prompt([PreferencePair(p, "", "") for p in prompts],
                              heldout_fraction=heldout_fraction, seed=seed)
    return prompts, {p.prompt for p in held}


def _first_lists(n_prompts: int, wanted, count: int, *, min_n: int, max_n: int, beta: float,
                 min_gap: float, seed: int) -> list[RankedList]:
    """The first ``count`` lists of ``d.train + d.heldout`` for ``d = make_preference_data(
    n_prompts, ...)`` (default split and shortcuts) whose prompt passes ``wanted``: the
    same lists, with only those drawn."""
    prompts, held = _prompts_and_split(n_prompts, 0.2, seed)
    order = ([k for k, p in enumerate(prompts) if p not in held]
             + [k for k, p in enumerate(prompts) if p in held])
    pick = [k for k in order if wanted(prompts[k])][:max(int(count), 0)]
    return _ranked_lists(prompts, min_n=min_n, max_n=max_n, beta=beta, min_gap=min_gap,
                         length_bias=0.0, length_controlled=False, kind_bias=None, seed=seed,
                         only=pick)


def make_pair_data(n_prompts: int = 1000, *, beta: float = math.inf, **kwargs) -> PreferenceData:
    """Like :func:`make_preference_data` with exactly one pair (N = 2) per prompt."""
    return make_preference_data(n_prompts, min_n=2, max_n=2, beta=beta, **kwargs)
