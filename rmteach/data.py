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
from dataclasses import dataclass, field

import numpy as np

from ._arrays import _check_numpy_input
from ._checks import check_int, check_real, check_seed

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
# The language
# ---------------------------------------------------------------------------

#: topic -> (words a prompt uses, words an on-topic response uses)
TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "weather": (("weather", "rain", "forecast", "sky"),
                ("sunny", "cloudy", "umbrella", "storm", "wind", "warm", "cold", "showers")),
    "cooking": (("recipe", "cook", "dinner", "kitchen"),
                ("pasta", "oven", "salt", "garlic", "bake", "simmer", "onion", "butter")),
    "space": (("planet", "stars", "rocket", "moon"),
              ("orbit", "galaxy", "comet", "telescope", "gravity", "astronaut", "mars",
               "nebula")),
    "music": (("song", "guitar", "music", "band"),
              ("melody", "chord", "rhythm", "piano", "drums", "tempo", "lyrics", "concert")),
    "sports": (("football", "match", "team", "score"),
               ("goal", "coach", "league", "sprint", "tennis", "referee", "stadium",
                "training")),
}
#: how a prompt opens (before one or two topic words)
STARTERS: tuple[str, ...] = ("tell me about", "what about", "explain", "any tips on",
                             "talk about", "i love", "question on", "help with")
POLITE_WORDS: tuple[str, ...] = ("please", "thanks", "glad", "happy", "kindly", "welcome")
RUDE_WORDS: tuple[str, ...] = ("stupid", "whatever", "ugh", "dumb", "shut", "boring")
FILLER_WORDS: tuple[str, ...] = ("um", "like", "basically", "actually", "so", "well", "just",
                                 "really")

#: the true reward of one response word, by kind (the hidden r*)
WORD_VALUES: dict[str, float] = {
    "on-topic": 1.0,
    "polite": 0.5,
    "off-topic": -0.5,
    "filler": -0.25,
    "rude": -1.5,
}
_KINDS = tuple(WORD_VALUES)          # order used when sampling response styles


def _all_words() -> tuple[str, ...]:
    words: list[str] = []
    for starter in STARTERS:
        words += starter.split()
    for prompt_words, answer_words in TOPICS.values():
        words += [*prompt_words, *answer_words]
    words += [*POLITE_WORDS, *RUDE_WORDS, *FILLER_WORDS]
    return tuple(dict.fromkeys(words))          # unique, first-seen order


#: every word of the language, in a fixed order (the model's vocabulary adds specials)
VOCABULARY: tuple[str, ...] = _all_words()

_PROMPT_WORD_TOPIC = {w: t for t, (pw, _) in TOPICS.items() for w in pw}
# any topic word in a response (answer words, or a prompt word echoed) is on- or off-topic
_ANSWER_WORD_TOPIC = {w: t for t, (pw, aw) in TOPICS.items() for w in (*pw, *aw)}
_POLITE, _RUDE, _FILLER = set(POLITE_WORDS), set(RUDE_WORDS), set(FILLER_WORDS)


def tokenize(text: str) -> list[str]:
    """Split a prompt or response into lower-case words (whitespace separated).

    >>> tokenize("Tell me about  RAIN")
    ['tell', 'me', 'about', 'rain']
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a string of words; got {type(text).__name__}.")
    return text.lower().split()


def topic_of(prompt: str) -> str | None:
    """The topic a prompt asks about: the topic of its first topic word (None if none).

    >>> topic_of("tell me about rain forecast")
    'weather'
    """
    for word in tokenize(prompt):
        if word in _PROMPT_WORD_TOPIC:
            return _PROMPT_WORD_TOPIC[word]
    return None


def _word_kind(word: str, topic: str | None) -> str | None:
    if word in _ANSWER_WORD_TOPIC:
        return "on-topic" if _ANSWER_WORD_TOPIC[word] == topic else "off-topic"
    if word in _POLITE:
        return "polite"
    if word in _RUDE:
        return "rude"
    if word in _FILLER:
        return "filler"
    return None


def explain_reward(prompt: str, response: str) -> dict:
    """Break the true reward r*(x, y) of one response into its parts.

    Returns a dict with ``topic``, ``counts`` (words of each kind), ``values`` (the
    per-word weights :data:`WORD_VALUES`), ``contributions`` (count × value) and
    ``total`` (= :func:`true_reward`).  Words outside the language count as nothing.

    >>> e = explain_reward("explain rain", "sunny thanks um guitar")
    >>> e["counts"]
    {'on-topic': 1, 'polite': 1, 'off-topic': 1, 'filler': 1, 'rude': 0}
    >>> e["total"]
    0.75
    """
    topic = topic_of(prompt)
    counts = dict.fromkeys(_KINDS, 0)
    for word in tokenize(response):
        kind = _word_kind(word, topic)
        if kind is not None:
            counts[kind] += 1
    contributions = {k: counts[k] * WORD_VALUES[k] for k in _KINDS}
    return {
        "topic": topic,
        "counts": counts,
        "values": dict(WORD_VALUES),
        "contributions": contributions,
        "total": float(sum(contributions.values())),
    }


def true_reward(prompt: str, response: str) -> float:
    """The hidden true reward r*(x, y): the sum of the per-word values of the response.

    On-topic words +1, polite +0.5, off-topic −0.5, filler (rambling) −0.25,
    rude −1.5 (see :data:`WORD_VALUES`).

    >>> true_reward("tell me about rain", "sunny umbrella thanks")
    2.5
    >>> true_reward("tell me about rain", "ugh whatever um")
    -3.25
    """
    for name, text in (("prompt", prompt), ("response", response)):
        if not isinstance(text, str):
            raise ValueError(f"{name} must be a string of words; got {type(text).__name__}.")
    return _cached_true_reward(prompt, response)


@functools.lru_cache(maxsize=1 << 16)
def _cached_true_reward(prompt: str, response: str) -> float:
    return explain_reward(prompt, response)["total"]


# ---------------------------------------------------------------------------
# Preference items
# ---------------------------------------------------------------------------


def _margin_repr(obj) -> str:
    return "" if obj.margin is None else f", margin={obj.margin!r}"


@dataclass(frozen=True)
class PreferencePair:
    """One comparison in TRL's layout: ``chosen`` was preferred to ``rejected``.

    ``margin`` (optional): by how much ``chosen`` should win, TRL's ``margin`` column;
    the pairwise margin loss −log Sigmoid(r_a − r_b − m) uses it per pair.
    """

    prompt: str
    chosen: str
    rejected: str
    margin: float | None = None

    def __repr__(self) -> str:
        return (f"PreferencePair(prompt={self.prompt!r}, chosen={self.chosen!r}, "
                f"rejected={self.rejected!r}{_margin_repr(self)})")

    def __post_init__(self):
        for name in ("prompt", "chosen", "rejected"):
            value = getattr(self, name)
            if not isinstance(value, str):
                raise ValueError(f"{name} must be a string; got {type(value).__name__}.")


@dataclass(frozen=True)
class RankedList:
    """One prompt with N ≥ 2 responses and a human ranking of them.

    ``responses`` are in the order shown to the annotator; ``ranking`` lists their
    indices best first (``ranking[0]`` is the favourite), as in the JSONL layout
    ``{"prompt", "responses": [...], "ranking": [...]}``.  ``margin`` (optional) is the
    margin m of every pair the list implies; it is set when a pair with TRL's
    ``margin`` column becomes a list of two.
    """

    prompt: str
    responses: tuple[str, ...]
    ranking: tuple[int, ...]
    margin: float | None = None      # a pair's margin, kept when the pair becomes a list of 2

    def __repr__(self) -> str:
        return (f"RankedList(prompt={self.prompt!r}, responses={self.responses!r}, "
                f"ranking={self.ranking!r}{_margin_repr(self)})")

    def __post_init__(self):
        if not isinstance(self.prompt, str):
            raise ValueError(f"prompt must be a string; got {type(self.prompt).__name__}.")
        if isinstance(self.responses, (str, bytes)) or not hasattr(self.responses, "__len__"):
            raise ValueError("responses must be a sequence of strings; got "
                             f"{type(self.responses).__name__}.")
        for k, y in enumerate(self.responses):
            if not isinstance(y, str):
                raise ValueError(f"responses[{k}] must be a string; got {type(y).__name__}.")
        n = len(self.responses)
        if n < 2:
            raise ValueError(f"a ranked list needs at least 2 responses; got {n}.")
        if isinstance(self.ranking, (str, bytes, set, frozenset)) \
                or not hasattr(self.ranking, "__len__"):
            raise ValueError("ranking must be a sequence of response indices, best first; got "
                             f"{type(self.ranking).__name__}.")
        for k, i in enumerate(self.ranking):
            if isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, np.integer)):
                raise ValueError(f"ranking[{k}] must be a whole-number index into responses; "
                                 f"got {type(i).__name__} {i!r}.")
        object.__setattr__(self, "ranking", tuple(int(i) for i in self.ranking))
        if sorted(self.ranking) != list(range(n)):
            raise ValueError(f"ranking {list(self.ranking)} is not a permutation of 0..{n - 1} "
                             "(the response indices, best first).")

    @property
    def n(self) -> int:
        return len(self.responses)

    def best_first(self) -> list[str]:
        """The responses sorted best first."""
        return [self.responses[i] for i in self.ranking]

    def pairs(self) -> list[PreferencePair]:
        """The N(N−1)/2 (chosen, rejected) pairs this ranking implies."""
        ordered = self.best_first()
        return [PreferencePair(self.prompt, ordered[i], ordered[j], self.margin)
                for i in range(self.n) for j in range(i + 1, self.n)]


def as_ranked_list(item: PreferencePair | RankedList) -> RankedList:
    """A pair becomes a list of 2 (chosen first); a ranked list is returned as is."""
    if isinstance(item, RankedList):
        return item
    if isinstance(item, PreferencePair):
        return RankedList(item.prompt, (item.chosen, item.rejected), (0, 1), item.margin)
    raise ValueError(f"expected a PreferencePair or RankedList; got {type(item).__name__}.")


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
    other_answer_words = [w for t, (_, aw) in TOPICS.items() if t != topic for w in aw]
    pools = {
        "on-topic": TOPICS[topic][1] if topic else FILLER_WORDS,
        "polite": POLITE_WORDS,
        "off-topic": other_answer_words,
        "filler": FILLER_WORDS,
        "rude": RUDE_WORDS,
    }
    kinds = rng.choice(len(_KINDS), size=length, p=style)
    words = [pools[_KINDS[k]][int(rng.integers(len(pools[_KINDS[k]])))] for k in kinds]
    return " ".join(words)


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
    min_n = check_int(min_n, "min_n", lo=2, hi=1000)
    max_n = check_int(max_n, "max_n", lo=2, hi=1000)
    if max_n < min_n:
        raise ValueError(f"need 2 <= min_n <= max_n; got min_n={min_n}, max_n={max_n}.")
    min_gap = check_real(min_gap, "min_gap", lo=0.0)
    beta = _check_beta(beta, "beta")
    seed = check_seed(seed)
    if isinstance(prompts, str) or not hasattr(prompts, "__len__"):
        raise ValueError("prompts must be a list of prompt strings; got "
                         f"{type(prompts).__name__}.")
    for k, p in enumerate(prompts):
        if not isinstance(p, str):
            raise ValueError(f"prompts[{k}] must be a string; got {type(p).__name__}.")
    if not (isinstance(length_bias, (int, float)) and math.isfinite(length_bias)):
        raise ValueError(f"length_bias must be a finite number (reward per word the annotators "
                         f"add; 0 = off); got {length_bias!r}.")
    kind_bias = dict(kind_bias or {})
    for kind, extra in kind_bias.items():
        if kind not in WORD_VALUES or not (isinstance(extra, (int, float))
                                           and math.isfinite(extra)):
            raise ValueError(f"kind_bias must map word kinds ({', '.join(WORD_VALUES)}) to "
                             f"finite numbers; got {kind!r}: {extra!r}.")
    out = []
    for k, prompt in enumerate(prompts):
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
        ranking = annotate_ranking(judged, beta, label_rng)
        out.append(RankedList(prompt, tuple(responses), ranking))
    return out


def split_by_prompt(items: Iterable[PreferencePair | RankedList], *,
                    heldout_fraction: float = 0.2, seed: int = 0):
    """Split items into (train, heldout) lists **by prompt**: a prompt lands on one side only.

    ``round(heldout_fraction × number of distinct prompts)`` prompts (at least one when
    the fraction is > 0 and there are two or more prompts) go to held-out.
    """
    if isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
        raise ValueError(f"items must be a list of pairs or ranked lists; got "
                         f"{type(items).__name__}.")
    items = list(items)
    heldout_fraction = check_real(heldout_fraction, "heldout_fraction", lo=0.0)
    if not heldout_fraction < 1.0:
        raise ValueError(f"heldout_fraction must be in [0, 1); got {heldout_fraction}.")
    seed = check_seed(seed)
    for k, it in enumerate(items):
        if not isinstance(it, (PreferencePair, RankedList)):
            raise ValueError(f"items[{k}] must be a PreferencePair or RankedList; got "
                             f"{type(it).__name__}.")
    prompts = list(dict.fromkeys(it.prompt for it in items))
    n_held = round(float(heldout_fraction) * len(prompts))
    if heldout_fraction > 0 and n_held == 0 and len(prompts) >= 2:
        n_held = 1
    n_held = min(n_held, len(prompts) - 1) if prompts else 0
    rng = np.random.default_rng([seed, 4])
    held = {prompts[i] for i in rng.permutation(len(prompts))[:n_held]}
    train = [it for it in items if it.prompt not in held]
    heldout = [it for it in items if it.prompt in held]
    return train, heldout


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


# ---------------------------------------------------------------------------
# Ready-made datasets
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PreferenceData:
    """A train / held-out split of ranked lists (a pair is a list of N = 2).

    Attributes:
        train, heldout: the ranked lists; no prompt appears in both.
        beta: the annotators' rationality (``None`` for data read from a file).
        seed: the seed it was made with.
        synthetic: True when the true reward :func:`true_reward` applies.
    """

    train: tuple[RankedList, ...]
    heldout: tuple[RankedList, ...]
    beta: float | None = None
    seed: int | None = None
    synthetic: bool = False
    info: dict = field(default_factory=dict, compare=False)

    @classmethod
    def from_items(cls, items: Iterable[PreferencePair | RankedList], *,
                   heldout_fraction: float = 0.2, seed: int = 0,
                   synthetic: bool = False) -> PreferenceData:
        """Wrap your own pairs or lists (e.g. from a JSONL file), split by prompt."""
        lists = [as_ranked_list(it) for it in items]
        if not lists:
            raise ValueError("no preference items given: the data set is empty.")
        train, heldout = split_by_prompt(lists, heldout_fraction=heldout_fraction, seed=seed)
        return cls(tuple(train), tuple(heldout), None, seed, synthetic)

    def pairs(self, split: str = "train") -> list[PreferencePair]:
        """All (chosen, rejected) pairs of ``split`` ("train" or "heldout"), list by list."""
        return [p for lst in self._split(split) for p in lst.pairs()]

    def _split(self, split):
        if split not in ("train", "heldout"):
            raise ValueError(f"split must be 'train' or 'heldout'; got {split!r}.")
        return self.train if split == "train" else self.heldout

    def summary(self) -> str:
        """One line: prompts, responses and pairs on each side."""
        def side(lists):
            return (f"{len(lists)} prompts, {sum(x.n for x in lists)} responses, "
                    f"{sum(x.n * (x.n - 1) // 2 for x in lists)} pairs")
        beta = "" if self.beta is None else f", beta={self.beta}"
        return f"train: {side(self.train)}; held-out: {side(self.heldout)}{beta}"


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
    prompts = make_prompts(n_prompts, seed=seed)
    train_prompts, held_prompts = split_by_prompt(
        [PreferencePair(p, "", "") for p in prompts],
        heldout_fraction=heldout_fraction, seed=seed)
    held_set = {p.prompt for p in held_prompts}
    hb = beta if heldout_beta is None else heldout_beta
    # responses depend on (seed, prompt index) only; labels on beta too
    shortcut = {"length_bias": length_bias, "length_controlled": length_controlled,
                "kind_bias": dict(kind_bias or {})}
    lists_b = make_ranked_lists(prompts, min_n=min_n, max_n=max_n, beta=beta,
                                min_gap=min_gap, seed=seed, **shortcut)
    lists_h = lists_b if hb == beta else make_ranked_lists(
        prompts, min_n=min_n, max_n=max_n, beta=hb, min_gap=min_gap, seed=seed, **shortcut)
    train = tuple(x for x in lists_b if x.prompt not in held_set)
    heldout = tuple(x for x in lists_h if x.prompt in held_set)
    del train_prompts
    return PreferenceData(train, heldout, beta, seed, True,
                          {"n_prompts": n_prompts, "min_n": min_n, "max_n": max_n,
                           "heldout_beta": hb, "min_gap": min_gap, **shortcut})


def make_pair_data(n_prompts: int = 1000, *, beta: float = math.inf, **kwargs) -> PreferenceData:
    """Like :func:`make_preference_data` with exactly one pair (N = 2) per prompt."""
    return make_preference_data(n_prompts, min_n=2, max_n=2, beta=beta, **kwargs)
