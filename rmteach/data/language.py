"""The synthetic language and its hidden true reward r*(x, y): topics, word kinds and
their values, :func:`tokenize`, :func:`topic_of`, :func:`explain_reward` and
:func:`true_reward`.  Re-exported by :mod:`rmteach.data.generate` (its docstring tells the
story)."""

from __future__ import annotations

import functools

__all__ = ["FILLER_WORDS", "POLITE_WORDS", "RUDE_WORDS", "STARTERS", "TOPICS", "VOCABULARY",
           "WORD_VALUES", "explain_reward", "tokenize", "topic_of", "true_reward"]


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
