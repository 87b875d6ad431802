"""What :mod:`rmteach.model.network` is built from: words <-> token ids (:class:`Vocabulary`, the
special tokens), the bounds on a model's sizes (:func:`check_config`) and the choice of
device (:func:`pick_device`).  Re-exported by :mod:`rmteach.model.network`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

import torch

from ..data.generate import VOCABULARY, as_ranked_list, tokenize
from ..math._checks import check_int, check_real

__all__ = ["MAX_PARAMS", "SPECIAL_TOKENS", "Vocabulary", "check_config", "pick_device",
           "truncation_key"]


#: bounds on a model's sizes (a typo or a hostile checkpoint cannot ask for gigabytes)
SIZE_LIMITS = {"d_model": 1024, "n_layers": 24, "n_heads": 64, "d_ff": 8192, "max_len": 4096}
#: most parameters a TinyRewardModel may have (4 bytes each, x4 with AdamW's state)
MAX_PARAMS = 50_000_000


#: most words in a vocabulary
MAX_VOCAB = 2_000_000


def check_config(*, vocab_size: int, d_model, n_layers, n_heads, d_ff, max_len, dropout,
                 where: str = "") -> dict:
    """Check model sizes (types, bounds, total parameters) before anything is allocated."""
    cfg = {}
    for name in SIZE_LIMITS:
        value = locals()[name]
        cfg[name] = check_int(value, f"{where}{name}", lo=3 if name == "max_len" else 1,
                              hi=SIZE_LIMITS[name])
    cfg["dropout"] = check_real(dropout, f"{where}dropout", lo=0.0, hi=0.999)
    if cfg["d_model"] % cfg["n_heads"]:
        raise ValueError(f"{where}d_model ({cfg['d_model']}) must be divisible by {where}n_heads "
                         f"({cfg['n_heads']}).")
    d, f = cfg["d_model"], cfg["d_ff"]
    params = (vocab_size + cfg["max_len"]) * d + cfg["n_layers"] * (4 * d * d + 2 * d * f + 9 * d
                                                                      + f) + 3 * d
    if params > MAX_PARAMS:
        raise ValueError(f"{where}these sizes (vocabulary {vocab_size:,}, d_model {d}, "
                         f"n_layers {cfg['n_layers']}, d_ff {f}, max_len {cfg['max_len']}) "
                         f"make {params:,} parameters; a TinyRewardModel allows at most "
                         f"{MAX_PARAMS:,}.")
    return cfg

#: padding, unknown word, prompt/response separator, end of response
SPECIAL_TOKENS: tuple[str, ...] = ("<pad>", "<unk>", "<sep>", "<end>")
PAD, UNK, SEP, END = range(4)
#: how the head reads the hidden states: "last" = h_last (the book), "sum" = Σ_t h_t
POOLINGS = ("last", "sum")


# ---------------------------------------------------------------------------
# Devices
# ---------------------------------------------------------------------------


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def pick_device(name: str | torch.device | None = None) -> torch.device:
    """The device to train on: ``name`` if given, else cuda, then mps, then cpu.

    ``name`` may be ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"`` or ``"auto"``
    (same as None).  An unknown or unavailable device raises ``ValueError``.

    >>> pick_device("cpu")
    device(type='cpu')
    """
    if name is None or (isinstance(name, str) and name.strip().lower() == "auto"):
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(name.strip().lower() if isinstance(name, str) else name)
    except (RuntimeError, TypeError, ValueError):
        raise ValueError(f"unknown device {name!r}; expected 'cpu', 'cuda', 'cuda:N', 'mps' "
                         "or 'auto'.") from None
    if device.type == "cpu":
        return device
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(f"device {name!r} was asked for but no CUDA GPU is available "
                             "here (torch.cuda.is_available() is False); use 'cpu' or 'auto'.")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise ValueError(f"device {name!r} does not exist: this machine has "
                             f"{torch.cuda.device_count()} CUDA device(s).")
        return device
    if device.type == "mps":
        if not _mps_available():
            raise ValueError(f"device {name!r} was asked for but Apple's MPS backend is not "
                             "available here; use 'cpu' or 'auto'.")
        return device
    raise ValueError(f"unsupported device {name!r}; expected 'cpu', 'cuda', 'cuda:N', 'mps' "
                     "or 'auto'.")


# ---------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------


class Vocabulary:
    """Words <-> token ids.  Ids 0..3 are the specials ``<pad> <unk> <sep> <end>``.

    The default holds every word of the synthetic language (:data:`rmteach.data.VOCABULARY`);
    :meth:`from_items` adds the words of your own data.  Unknown words map to ``<unk>``.
    """

    def __init__(self, words: Iterable[str] | None = None):
        if isinstance(words, (str, bytes)):
            raise ValueError("vocab must be a list of words, not one string.")
        try:
            words = list(VOCABULARY if words is None else words)
        except TypeError:
            raise ValueError(f"vocab must be a list of words; got {type(words).__name__}.") \
                from None
        for k, w in enumerate(words):
            if not isinstance(w, str):
                raise ValueError(f"vocab[{k}] must be a word (str); got {type(w).__name__}.")
        if len(words) > MAX_VOCAB:
            raise ValueError(f"vocab has {len(words):,} words; at most {MAX_VOCAB:,}.")
        self.words: tuple[str, ...] = tuple(dict.fromkeys(
            [*SPECIAL_TOKENS, *[w for w in words if w not in SPECIAL_TOKENS]]))
        self._index = {w: i for i, w in enumerate(self.words)}
        self.n_unknown = 0          # words of the data left out by from_items' cap

    @classmethod
    def from_items(cls, items, base: Iterable[str] | None = None, *,
                   max_words: int | None = None, min_count: int = 1) -> Vocabulary:
        """The default words plus the words of these pairs / ranked lists.

        For huge files: only words seen at least ``min_count`` times are added, and at
        most ``max_words`` of them (the most frequent; ties by first appearance); the
        rest map to ``<unk>``.  The ``base`` words always stay, so a cap never changes
        the built-in language's vocabulary.  ``n_unknown`` counts the words left out.
        """
        if max_words is not None and int(max_words) < 0:
            raise ValueError(f"max_words must be >= 0 or None; got {max_words}.")
        if int(min_count) < 1:
            raise ValueError(f"min_count must be at least 1; got {min_count}.")
        words = list(VOCABULARY if base is None else base)
        known = set(words)
        counts: Counter = Counter()
        for item in items:
            lst = as_ranked_list(item)
            for text in (lst.prompt, *lst.responses):
                counts.update(w for w in tokenize(text) if w not in known)
        kept = [w for w, c in counts.items() if c >= int(min_count)]
        if max_words is not None and len(kept) > int(max_words):
            top = set(sorted(kept, key=lambda w: -counts[w])[:int(max_words)])
            kept = [w for w in kept if w in top]
        vocab = cls(words + kept)
        vocab.n_unknown = len(counts) - len(kept)
        return vocab

    def __len__(self) -> int:
        return len(self.words)

    def __eq__(self, other) -> bool:
        return isinstance(other, Vocabulary) and self.words == other.words

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} tokens)"

    def encode(self, prompt: str, response: str, max_len: int) -> list[int]:
        """``prompt <sep> response <end>`` as ids, at most ``max_len`` long.

        Too long an input keeps its start and the ``<end>`` token (the tail of the
        response is cut), so h_last is always the hidden state of ``<end>``.
        """
        max_len = check_int(max_len, "max_len", lo=3)
        ids = [self._index.get(w, UNK) for w in tokenize(prompt)]
        ids.append(SEP)
        ids += [self._index.get(w, UNK) for w in tokenize(response)]
        ids = ids[: max_len - 1]
        ids.append(END)
        return ids


def truncation_key(max_len: int, vocab=None) -> Callable[[str, str], tuple]:
    """A ``key`` for :func:`rmteach.data.degenerate.count_degenerate`: the token ids the model
    reads, after truncation to ``max_len`` tokens (as :meth:`Vocabulary.encode` cuts)."""
    check_int(max_len, "max_len")
    if vocab is not None and not isinstance(vocab, Vocabulary):
        raise ValueError(f"vocab must be a Vocabulary or None; got "
                         f"{type(vocab).__name__}.")
    vocab = Vocabulary() if vocab is None else vocab
    if int(max_len) < 3:
        raise ValueError(f"max_len must be at least 3 (x, <sep>, <end>); got {max_len}.")

    def key(prompt: str, response: str) -> tuple:
        return tuple(vocab.encode(prompt, response, int(max_len)))
    return key
