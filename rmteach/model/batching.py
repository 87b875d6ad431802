"""The pieces the training loop runs on: ranked lists as one padded token tensor
(:class:`_Encoded`), the batch objective of every loss and mode, the checks of
:func:`rmteach.model.training.train`'s arguments and input data, and the divergence guard."""

from __future__ import annotations

import difflib
import os
import warnings
from collections.abc import Sequence

import numpy as np
import torch

from ..data.generate import PreferenceData, RankedList, make_preference_data
from ..math._checks import check_int, check_real, check_seed
from ..math.losses import centering_penalty, listwise_loss, pairwise_loss, plackett_luce_loss
from .evaluate import score_encoded
from .network import TinyRewardModel
from .records import DEFAULTS, LOSSES, MODEL_KWARGS, MODES

# ---------------------------------------------------------------------------
# Tokenised data
# ---------------------------------------------------------------------------


class _Encoded:
    """All responses of some ranked lists as one padded token tensor, lists best first."""

    def __init__(self, model: TinyRewardModel, lists: Sequence[RankedList]):
        self.lists = list(lists)
        prompts = [x.prompt for x in self.lists for i in x.ranking]
        responses = [x.responses[i] for x in self.lists for i in x.ranking]   # best first
        self.ids, self.lengths = model.encode(prompts, responses)
        self.n = np.array([x.n for x in self.lists], dtype=np.int64)
        self.start = np.concatenate([[0], np.cumsum(self.n)[:-1]]).astype(np.int64)
        # every ranked pair (better row, worse row), list by list
        better, worse = [], []
        for s, n in zip(self.start, self.n):
            i, j = np.triu_indices(int(n), k=1)
            better.append(s + i)
            worse.append(s + j)
        self.pair_better = np.concatenate(better) if better else np.zeros(0, np.int64)
        self.pair_worse = np.concatenate(worse) if worse else np.zeros(0, np.int64)
        # per-pair margins (TRL's margin column), or None when no list carries one
        self.list_margin = (np.array([x.margin or 0.0 for x in self.lists])
                            if any(x.margin is not None for x in self.lists) else None)
        self.pair_margin = (np.repeat(self.list_margin, self.n * (self.n - 1) // 2)
                            if self.list_margin is not None else None)

    def to(self, device):
        self.ids = self.ids.to(device)
        self.lengths = self.lengths.to(device)
        return self

    def scores_by_list(self, model) -> list[np.ndarray]:
        """Eval-mode rewards per list, put back in each list's response order."""
        flat = score_encoded(model, self.ids, self.lengths)
        out = []
        for lst, s, n in zip(self.lists, self.start, self.n):
            best_first = flat[s:s + n]
            r = np.empty(n)
            r[list(lst.ranking)] = best_first
            out.append(r)
        return out


def _batch_rewards(model, enc: _Encoded, rows: np.ndarray) -> torch.Tensor:
    rows_t = torch.as_tensor(rows, device=enc.ids.device)
    lengths = enc.lengths[rows_t]
    t = int(lengths.max())
    return model(enc.ids[rows_t, :t], lengths)


def _check_args(loss, mode, margin, center_coef, epochs, lr, batch_size, weight_decay, seed,
                threads, model_kwargs):
    """Every argument of :func:`train`, checked before any work; returns the clean values."""
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; expected one of {', '.join(LOSSES)}.")
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected 'grouped' (InstructGPT: one list per "
                         "batch element) or 'exploded' (one pair per example).")
    margin = check_real(margin, "margin", lo=0.0)
    if margin and loss != "pairwise":
        raise ValueError(f"margin applies to the pairwise loss only (Llama 2's margin loss); "
                         f"loss={loss!r} has none. Use loss='pairwise' or margin=0.")
    # beyond 1e6 the penalty coef·mean(r)² overflows float32 long before it centres anything
    center_coef = check_real(center_coef, "center_coef", lo=0.0, hi=1e6)
    epochs = check_int(epochs, "epochs", lo=1, hi=100_000)
    lr = check_real(lr, "lr (the learning rate)", lo=0.0)
    if lr == 0:
        warnings.warn("lr=0: the learning rate is zero, so training will not change any "
                      "weight (the model stays as initialised). Pass lr > 0 to train.",
                      UserWarning, stacklevel=3)
    batch_size = check_int(batch_size, "batch_size", lo=1)
    weight_decay = check_real(weight_decay, "weight_decay", lo=0.0)
    if lr * weight_decay >= 1.0:
        raise ValueError(f"weight_decay={weight_decay:g} is too large for lr={lr:g}: AdamW "
                         f"shrinks every weight by lr·weight_decay = {lr * weight_decay:.3g} "
                         "of itself per step, which must stay below 1; lower weight_decay.")
    seed = check_seed(seed)
    if threads is not None:
        threads = check_int(threads, "threads", lo=1, hi=1024)
    if model_kwargs is not None:
        if not isinstance(model_kwargs, dict):
            raise ValueError(f"model_kwargs must be a dict of model sizes; got "
                             f"{type(model_kwargs).__name__}.")
        for key in model_kwargs:
            if key not in MODEL_KWARGS:
                close = difflib.get_close_matches(str(key), MODEL_KWARGS, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ValueError(f"model_kwargs has an unknown key {key!r}{hint}; expected "
                                 f"some of {', '.join(MODEL_KWARGS)}.")
    return margin, center_coef, epochs, lr, batch_size, weight_decay, seed, threads


def _finite_rewards(model, enc, rows, epoch, lr):
    r = _batch_rewards(model, enc, rows)
    if not bool(torch.isfinite(r.detach()).all()):
        raise _diverged(epoch, lr)
    return r


def _diverged(epoch, lr):
    return ValueError(f"training diverged in epoch {epoch}: the model's rewards became NaN or "
                      f"infinite. The learning rate lr={lr:g} is too large; lower it (the "
                      f"default is {DEFAULTS['lr']:g}).")


def _as_data(data, heldout, seed) -> PreferenceData:
    if data is None:
        return make_preference_data(seed=seed)
    if isinstance(data, (str, bytes, os.PathLike)):
        raise ValueError(f"data must be a PreferenceData or a list of pairs / ranked lists; got "
                         f"the {type(data).__name__} {data!r:.80}. To train on a file, pass "
                         "rmteach.data.jsonl.read_jsonl(path).")
    if isinstance(data, PreferenceData):
        if heldout is not None:
            raise ValueError("pass held-out items either inside PreferenceData or as heldout=, "
                             "not both.")
        return data
    from ..data.generate import as_ranked_list

    train_lists = tuple(as_ranked_list(x) for x in data)
    held_lists = tuple(as_ranked_list(x) for x in (heldout or ()))
    return PreferenceData(train_lists, held_lists, None, seed, False)


def _degenerate(data: PreferenceData, model, drop: bool):
    """Find (and by default drop) the training pairs the model cannot tell apart."""
    from dataclasses import replace

    from ..data.degenerate import drop_degenerate as _drop

    def key(prompt, response):
        return tuple(model.vocab.encode(prompt, response, model.max_len))

    total = sum(x.n * (x.n - 1) // 2 for x in data.train)
    clean, count = _drop(data.train, key=key, warn=drop,
                         where=f"training data (max_len={model.max_len})")
    info = {"degenerate_pairs": count, "degenerate_share": count / total if total else 0.0,
            "drop_degenerate": bool(drop)}
    if count and drop:
        if not clean:
            raise ValueError("every training pair is degenerate (identical after truncation "
                             f"to max_len={model.max_len}); raise max_len.")
        data = replace(data, train=tuple(clean))
    return data, info


def _objective(loss, mode, margin, center_coef, r, enc, lists_idx=None, pair_idx=None):
    """The batch objective from the rewards ``r`` of the batch's rows (see ``train``)."""
    if mode == "exploded":
        half = r.shape[0] // 2
        r_a, r_b = r[:half], r[half:]
        if loss == "pairwise":
            value = pairwise_loss(r_a, r_b, margin=margin)
        elif loss == "listwise":
            value = listwise_loss(torch.stack([r_a, r_b], dim=-1))
        else:
            value = plackett_luce_loss(torch.stack([r_a, r_b], dim=-1))
    else:
        n = enc.n[lists_idx]
        offsets = np.concatenate([[0], np.cumsum(n)[:-1]])
        i_all, j_all = [], []
        for off, k in zip(offsets, n):
            i, j = np.triu_indices(int(k), k=1)
            i_all.append(off + i)
            j_all.append(off + j)
        pi = torch.as_tensor(np.concatenate(i_all), device=r.device)
        pj = torch.as_tensor(np.concatenate(j_all), device=r.device)
        r_a, r_b = r[pi], r[pj]
        if loss == "pairwise":
            value = pairwise_loss(r_a, r_b, margin=margin)
        else:
            width = int(n.max())
            index = offsets[:, None] + np.minimum(np.arange(width)[None, :], n[:, None] - 1)
            scores = r[torch.as_tensor(index, device=r.device)]       # (B, width), best first
            lengths = torch.as_tensor(n, device=r.device)
            fn = listwise_loss if loss == "listwise" else plackett_luce_loss
            value = fn(scores, lengths=lengths)
    if center_coef:
        value = value + center_coef * centering_penalty(r_a, r_b)
    return value


def _sync(dev):
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
