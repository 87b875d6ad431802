"""A tiny transformer reward model: r(x, y) = h_last · W_r.

The book builds a reward model from an LLM: run the decoder over the prompt x
followed by the response y, take the hidden state of the *last* token, h_last,
and map it to one number with a linear head, r(x, y) = h_last · W_r.  The
parameters φ are the backbone's (embeddings and transformer layers) plus the
head's W_r.  :class:`TinyRewardModel` is exactly that, small enough to train in
seconds on a laptop CPU:

    tokens  = x  <sep>  y  <end>
    h       = TransformerDecoderStack(token embedding + position embedding)   (causal)
    r(x, y) = h[last real token] · W_r                                          (no bias)

The attention is causal, as in a GPT-style LLM: each token sees only the tokens
before it, so only the last token has read the whole (x, y); that is why the
head reads h_last.  The head has no bias: Bradley–Terry only sees reward gaps,
so a bias would cancel in every comparison.

One family, two readings.  The notebooks use ``pooling="last"`` (the book's h_last, above);
``python -m rmteach train`` uses ``pooling="sum"``, r = Σ_t h_t · W_r, a per-token reward
summed over the tokens.  Same class, same backbone, same head W_r, same checkpoints.  No
input feature compares the response with the prompt: what the prompt asks for reaches a
response token only through attention (the command line's old ``match_feature``, a learned
vector for each response word that also occurs in the prompt, is gone; checkpoints that
used it name their version and ask to retrain).

What the model can represent: with causal attention, token t's hidden state is a function
of the prompt and the response up to t, so a reward of the form Σ_t f(x, y_1..y_t) is a
sum the ``"sum"`` head reads directly: weighted word counts, length terms, words the prompt
names as wanted or unwanted (attention to the matching prompt word), words that count
only after or before another word, repeats (attention to an earlier copy), and how the
response ends (the ``<end>`` token sees the last word).  ``"last"`` must squeeze the same
reward through one token's attention averages, which counts poorly.  What it cannot: see
beyond ``max_len`` tokens (longer texts are cut), give meaning to words outside its
vocabulary (they read as ``<unk>``), or know anything its few pairs do not show; with 2
layers of width 32 it learns such mechanisms from data, which needs enough pairs (or a
pre-trained backbone: :mod:`rmteach.model.pretrain`).

:func:`pick_device` chooses cuda, then mps, then cpu; the same code runs on all.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ..math._checks import check_seed
from .vocab import END as END
from .vocab import (
    MAX_PARAMS,
    PAD,
    POOLINGS,
    SPECIAL_TOKENS,
    Vocabulary,
    check_config,
    pick_device,
)
from .vocab import MAX_VOCAB as MAX_VOCAB  # re-exported for code that read them here
from .vocab import SEP as SEP
from .vocab import SIZE_LIMITS as SIZE_LIMITS
from .vocab import UNK as UNK

__all__ = ["MAX_PARAMS", "SPECIAL_TOKENS", "TinyRewardModel", "Vocabulary", "check_config",
           "pick_device"]

#: score() runs at most this many (prompt, response) pairs through the model at once
_SCORE_CHUNK = 4096


# ---------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------


class TinyRewardModel(nn.Module):
    """r(x, y) = h_last · W_r over a small causal transformer (the book's reward model).

    Args:
        vocab: a :class:`Vocabulary` or word list (default: the synthetic language).
        d_model: width of the hidden states h (the size of W_r).
        n_layers, n_heads, d_ff: transformer depth, attention heads, feed-forward width.
        max_len: longest token sequence (prompt + response + 2 specials).
        dropout: dropout inside the transformer (0 = none).
        pooling: ``"last"`` (default, the book): r = h_last · W_r.  ``"sum"``: r = (Σ_t h_t) · W_r
            over every real token, a sum of per-token rewards.  Each h_t has read the prompt
            and the response up to t, so a reward made of word counts, a length penalty or
            prompt–response matches is a sum the head can read directly, where h_last must
            squeeze it through attention's averages.  The prompt's tokens come first and
            cannot see the response, so their share is the same for every response of a
            prompt and cancels in each comparison.  φ is still backbone + head W_r.  The
            notebooks use ``"last"``; the command line uses ``"sum"`` (see the module
            docstring for what each can represent).
        seed: if not None, the initial weights are drawn from ``torch.manual_seed(seed)``
            (the global torch RNG is restored afterwards).

    ``forward(input_ids, lengths)`` takes right-padded ids (B, T) and the number of
    real tokens per row (B,), and returns the rewards (B,).  :meth:`score` does the
    tokenising for you.
    """

    def __init__(self, vocab: Vocabulary | Sequence[str] | None = None, *, d_model: int = 32,
                 n_layers: int = 2, n_heads: int = 2, d_ff: int = 64, max_len: int = 64,
                 dropout: float = 0.0, seed: int | None = 0, pooling: str = "last"):
        super().__init__()
        self.vocab = vocab if isinstance(vocab, Vocabulary) else Vocabulary(vocab)
        if seed is not None:
            seed = check_seed(seed)
        self._config = check_config(vocab_size=len(self.vocab), d_model=d_model,
                                    n_layers=n_layers, n_heads=n_heads, d_ff=d_ff,
                                    max_len=max_len, dropout=dropout)
        d_model, n_layers, n_heads, d_ff, max_len, dropout = (
            self._config[k] for k in ("d_model", "n_layers", "n_heads", "d_ff", "max_len",
                                      "dropout"))
        if pooling not in POOLINGS:
            raise ValueError(f"unknown pooling {pooling!r}; expected 'last' (the book's "
                             "h_last) or 'sum' (the sum of every token's h).")
        if pooling != "last":                  # the book's model keeps its old config
            self._config["pooling"] = pooling
        state = torch.random.get_rng_state() if seed is not None else None
        if seed is not None:
            torch.manual_seed(seed)
        try:
            # --- backbone: token and position embeddings, causal transformer, final norm
            self.token_embedding = nn.Embedding(len(self.vocab), d_model, padding_idx=PAD)
            self.position_embedding = nn.Embedding(max_len, d_model)
            layer = nn.TransformerEncoderLayer(d_model, n_heads, d_ff, dropout=dropout,
                                               activation="gelu", batch_first=True,
                                               norm_first=True)
            self.transformer = nn.TransformerEncoder(layer, n_layers,
                                                     enable_nested_tensor=False)
            self.final_norm = nn.LayerNorm(d_model)
            # --- head: W_r, one weight per hidden unit
            self.head = nn.Linear(d_model, 1, bias=False)
        finally:
            if state is not None:
                torch.random.set_rng_state(state)
        causal = torch.ones(max_len, max_len, dtype=torch.bool).triu(diagonal=1)  # True = hidden
        self.register_buffer("_causal", causal, persistent=False)

    # -- description ---------------------------------------------------------

    @property
    def max_len(self) -> int:
        return self._config["max_len"]

    @property
    def device(self) -> torch.device:
        return self.head.weight.device

    def config(self) -> dict:
        """Everything needed to rebuild this model (without the weights)."""
        return {**self._config, "vocab": list(self.vocab.words)}

    def param_counts(self) -> dict[str, int]:
        """φ's composition: parameters in the backbone, in the head W_r, and in total.

        >>> TinyRewardModel(d_model=32).param_counts()["head"]
        32
        """
        head = sum(p.numel() for p in self.head.parameters())
        total = sum(p.numel() for p in self.parameters())
        return {"backbone": total - head, "head": head, "total": total}

    # -- computing rewards ---------------------------------------------------

    def _check_ids(self, input_ids, lengths) -> None:
        for name, x in (("input_ids", input_ids), ("lengths", lengths)):
            if not isinstance(x, torch.Tensor):
                raise ValueError(f"{name} must be a torch tensor of token ids / lengths; got "
                                 f"{type(x).__name__} (use model.score(prompts, responses) "
                                 "for texts).")
            if x.dtype not in (torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8):
                raise ValueError(f"{name} must hold whole numbers (an integer tensor, e.g. "
                                 f"torch.long); got dtype {x.dtype}.")
            if x.device.type == "meta":
                raise ValueError(f"{name} is on the meta device (it holds no values).")
        if input_ids.ndim != 2:
            raise ValueError(f"input_ids must have shape (batch, tokens); got "
                             f"{tuple(input_ids.shape)}.")
        if lengths.shape != input_ids.shape[:1]:
            raise ValueError(f"lengths must have one entry per row of input_ids, shape "
                             f"({input_ids.shape[0]},); got {tuple(lengths.shape)}.")
        t = input_ids.shape[1]
        if t > self.max_len:
            raise ValueError(f"sequences of {t} tokens exceed max_len={self.max_len}.")
        if input_ids.numel():
            lo, hi = int(input_ids.min()), int(input_ids.max())
            if lo < 0 or hi >= len(self.vocab):
                raise ValueError(f"input_ids must be token ids between 0 and "
                                 f"{len(self.vocab) - 1} (the vocabulary size - 1); got "
                                 f"{lo}..{hi}.")

    def hidden_states(self, input_ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """h for every position, shape (B, T, d_model) (padded positions are junk)."""
        self._check_ids(input_ids, lengths)
        return self._hidden(input_ids, lengths.to(input_ids.device))

    def _hidden(self, input_ids, lengths):
        t = input_ids.shape[1]
        positions = torch.arange(t, device=input_ids.device)
        h = self.token_embedding(input_ids) + self.position_embedding(positions)
        pad_mask = positions[None, :] >= lengths[:, None]          # True = padding
        h = self.transformer(h, mask=self._causal[:t, :t], src_key_padding_mask=pad_mask,
                             is_causal=True)
        return self.final_norm(h)

    def forward(self, input_ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Rewards r(x, y) = h_last · W_r, shape (B,), for right-padded ``input_ids``."""
        self._check_ids(input_ids, lengths)
        lengths = lengths.to(input_ids.device)
        if (lengths < 1).any() or (lengths > input_ids.shape[1]).any():
            raise ValueError("every length must be between 1 and the padded sequence length.")
        h = self._hidden(input_ids, lengths)
        if self._config.get("pooling") == "sum":
            real = torch.arange(h.shape[1], device=h.device)[None, :] < lengths[:, None]
            return self.head((h * real[..., None]).sum(dim=1)).squeeze(-1)
        h_last = h[torch.arange(h.shape[0], device=h.device), lengths - 1]    # (B, d_model)
        return self.head(h_last).squeeze(-1)

    def encode(self, prompts: Sequence[str], responses: Sequence[str]):
        """Token ids (B, T) right-padded with ``<pad>``, and the lengths (B,), on CPU."""
        prompts = _texts(prompts, "prompts")
        responses = _texts(responses, "responses")
        if len(prompts) != len(responses):
            raise ValueError(f"got {len(prompts)} prompts but {len(responses)} responses; "
                             "give one prompt per response.")
        seqs = [self.vocab.encode(p, y, self.max_len) for p, y in zip(prompts, responses)]
        lengths = torch.tensor([len(s) for s in seqs], dtype=torch.long)
        t = int(lengths.max()) if seqs else 1
        ids = torch.full((len(seqs), t), PAD, dtype=torch.long)
        for i, s in enumerate(seqs):
            ids[i, : len(s)] = torch.tensor(s, dtype=torch.long)
        return ids, lengths

    def score(self, prompts: str | Sequence[str], responses: str | Sequence[str]):
        """Rewards for (prompt, response) texts, without gradients; a float for one pair.

        >>> m = TinyRewardModel()
        >>> isinstance(m.score("explain rain", "sunny thanks"), float)
        True
        """
        single = isinstance(responses, str)
        if not single:
            responses = _texts(responses, "responses")
        if isinstance(prompts, str):
            prompts = [prompts] * (1 if single else len(responses))
        if single:
            responses = [responses]
        ids, lengths = self.encode(_texts(prompts, "prompts"), responses)
        was_training = self.training
        self.eval()
        try:
            with torch.no_grad():     # in chunks, so a long list cannot exhaust the memory
                r = torch.cat([
                    self(ids[k:k + _SCORE_CHUNK, : int(lengths[k:k + _SCORE_CHUNK].max())]
                         .to(self.device), lengths[k:k + _SCORE_CHUNK].to(self.device))
                    .float().cpu()
                    for k in range(0, len(ids), _SCORE_CHUNK)]) if len(ids) > _SCORE_CHUNK \
                    else self(ids.to(self.device), lengths.to(self.device)).float().cpu()
        finally:
            self.train(was_training)
        return float(r[0]) if single else r


def _texts(values, name: str) -> list[str]:
    """A list of strings, or a ``ValueError`` naming ``name``."""
    if isinstance(values, str):
        raise ValueError(f"{name} must be a list of strings here; got one string.")
    if values is None or isinstance(values, (bytes, dict, set)):
        raise ValueError(f"{name} must be a string or a list of strings; got "
                         f"{type(values).__name__}.")
    try:
        values = list(values)
    except TypeError:
        raise ValueError(f"{name} must be a string or a list of strings; got "
                         f"{type(values).__name__}.") from None
    for k, v in enumerate(values):
        if not isinstance(v, str):
            raise ValueError(f"{name}[{k}] must be a string; got {type(v).__name__}.")
    return values
