"""Pre-training the backbone as a language model, before the reward model is trained.

The book's reward model starts from a pre-trained LLM: φ = (the LLM's backbone) + a new
linear head W_r.  InstructGPT initialises its reward model from the SFT model.  Here the
same is done at toy scale: :func:`pretrain` trains the backbone of a
:class:`~rmteach.model.network.TinyRewardModel` to predict the next token of unlabelled
texts ``prompt <sep> response <end>``, with the output layer tied to the token embedding
(logits = h_t · Eᵀ, no new weights), then hands the model back for preference training.
The head W_r is not touched.  The backbone is causal, so next-token prediction is exactly
what its attention mask allows: h_t has read tokens 1..t and must predict token t+1.

>>> from rmteach.model.network import TinyRewardModel
>>> m = TinyRewardModel(seed=0)
>>> res = pretrain(m, [("explain rain", "rain is water")] * 4, epochs=2, progress=False)
>>> len(res.losses) == 2 and res.losses[1] < res.losses[0]
True
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from ..math._checks import check_int, check_real, check_seed
from .network import TinyRewardModel, pick_device

__all__ = ["PretrainResult", "lm_loss", "pretrain", "texts_of"]


@dataclass
class PretrainResult:
    """The model (backbone trained, head untouched), the mean next-token loss per epoch
    (nats per token), the number of texts and the seconds it took."""

    model: TinyRewardModel
    losses: list[float]
    texts: int
    seconds: float


def texts_of(items) -> list[tuple[str, str]]:
    """Every distinct (prompt, response) text of pairs or ranked lists, in order of
    first appearance: the unlabelled texts a preference file holds."""
    from ..data.generate import as_ranked_list

    if items is None or isinstance(items, (str, bytes, dict)) or not hasattr(items, "__iter__"):
        raise ValueError(f"items must be a list of preference pairs or ranked lists; got "
                         f"{type(items).__name__}.")
    seen, out = set(), []
    for x in items:
        lst = as_ranked_list(x)
        for y in lst.responses:
            if (lst.prompt, y) not in seen:
                seen.add((lst.prompt, y))
                out.append((lst.prompt, y))
    return out


def _texts(texts) -> list[tuple[str, str]]:
    if isinstance(texts, (str, bytes)) or texts is None:
        raise ValueError("texts must be a list of (prompt, response) pairs of strings; got "
                         f"{type(texts).__name__}.")
    out = []
    for k, t in enumerate(texts):
        if not (isinstance(t, (tuple, list)) and len(t) == 2
                and all(isinstance(s, str) for s in t)):
            raise ValueError(f"texts[{k}] must be a (prompt, response) pair of strings; got "
                             f"{t!r:.60}.")
        out.append((t[0], t[1]))
    if not out:
        raise ValueError("texts is empty: give at least one (prompt, response) text.")
    return out


def lm_loss(model: TinyRewardModel, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Mean next-token cross-entropy (nats per predicted token) of right-padded ``ids``;
    the output layer is the token embedding, transposed (tied weights)."""
    from .metrics import check_encoded

    check_encoded(model, ids, lengths, needs=("hidden_states", "token_embedding"))
    return _lm_loss(model, ids, lengths)


def _lm_loss(model, ids, lengths):
    """:func:`lm_loss` without the checks (the training loop's batches are its own)."""
    h = model.hidden_states(ids, lengths)                        # (B, T, d)
    logits = h[:, :-1] @ model.token_embedding.weight.T          # predicts tokens 2..T
    target = ids[:, 1:].clone()
    real = torch.arange(1, ids.shape[1], device=ids.device)[None, :] < lengths[:, None]
    target[~real] = -100
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1),
                           ignore_index=-100)


def pretrain(model: TinyRewardModel, texts: Sequence, *, epochs: int = 10, lr: float = 3e-3,
             batch_size: int = 64, weight_decay: float = 0.01, seed: int = 0,
             device: str | torch.device | None = None, threads: int | None = 1,
             progress: bool = True) -> PretrainResult:
    """Train ``model``'s backbone to predict the next token of ``texts`` (in place).

    Args:
        model: a causal :class:`TinyRewardModel`; its head W_r is left as it is.
        texts: (prompt, response) pairs of strings, read as ``prompt <sep> response <end>``.
        epochs, lr, batch_size, weight_decay: AdamW settings of the pre-training.
        seed: the shuffling and the dropout.
    """
    if not isinstance(model, TinyRewardModel):
        raise ValueError(f"model must be a TinyRewardModel; got {type(model).__name__}.")
    texts = _texts(texts)
    epochs = check_int(epochs, "epochs", lo=1, hi=100_000)
    lr = check_real(lr, "lr (the learning rate)", lo=0.0)
    if lr == 0:
        raise ValueError("lr must be > 0 for pre-training; got 0.")
    batch_size = check_int(batch_size, "batch_size", lo=1)
    weight_decay = check_real(weight_decay, "weight_decay", lo=0.0)
    seed = check_seed(seed)
    dev = pick_device(device)
    model.to(dev)
    ids, lengths = model.encode([p for p, _ in texts], [y for _, y in texts])
    ids, lengths = ids.to(dev), lengths.to(dev)
    backbone = [p for n, p in model.named_parameters() if not n.startswith("head.")]
    opt = torch.optim.AdamW(backbone, lr=lr, weight_decay=weight_decay, foreach=True)
    steps = epochs * math.ceil(len(texts) / batch_size)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / max(1, steps // 10))
        * 0.5 * (1 + math.cos(math.pi * min(s, steps) / steps)))
    rng = np.random.default_rng([seed, 11])
    saved = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(check_int(threads, "threads", lo=1, hi=1024))
    from tqdm.auto import tqdm

    bar = tqdm(total=steps, disable=not progress, unit="batch", desc="pre-training")
    losses, t0 = [], time.perf_counter()
    devices = [dev.index or 0] if dev.type == "cuda" else []
    try:
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(seed)
            model.train()
            for _ in range(epochs):
                order = torch.as_tensor(rng.permutation(len(texts)), device=dev)
                total = 0.0
                for b in range(0, len(texts), batch_size):
                    rows = order[b:b + batch_size]
                    t = int(lengths[rows].max())
                    value = _lm_loss(model, ids[rows, :t], lengths[rows])
                    opt.zero_grad(set_to_none=True)
                    value.backward()
                    opt.step()
                    sched.step()
                    total += float(value.detach()) * len(rows)
                    bar.update(1)
                losses.append(total / len(texts))
                if not math.isfinite(losses[-1]):
                    raise ValueError(f"pre-training diverged (loss {losses[-1]}); lower lr "
                                     f"(got {lr:g}).")
    finally:
        bar.close()
        torch.set_num_threads(saved)
    model.eval()
    return PretrainResult(model, losses, len(texts), time.perf_counter() - t0)

