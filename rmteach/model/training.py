"""One training loop for the reward model, with every loss of the book.

``train(data, loss=...)`` minimises, over the model's parameters φ,

* ``"pairwise"``: the empirical pair-wise loss (Eq. 4.37), −log Sigmoid(r_a − r_b − m),
  averaged over all (chosen, rejected) pairs of the batch (margin m optional);
* ``"listwise"``: the listwise loss accumulated from pairwise comparisons (Eq. 4.57),
  averaged within each ranked list and then over lists;
* ``"plackett-luce"``: the Plackett–Luce negative log-likelihood (Eqs. 4.58–4.61),

plus, optionally, ``center_coef × mean (r_a + r_b)²`` over the pairs (the centering
regulariser).  Every formula comes from :mod:`rmteach.math.losses`.

Two ways to feed the comparisons (``mode``):

* ``"grouped"`` (InstructGPT): all comparisons of one prompt form one batch
  element.  Each of the N responses is scored **once** and the N(N−1)/2 pairs are
  formed from those N rewards: N forward passes per list.
* ``"exploded"``: every pair is its own shuffled example, as a TRL user feeds
  ``{"prompt", "chosen", "rejected"}`` rows.  Each pair scores both of its
  responses: N(N−1) forward passes per list.  Each pair is a list of two, for
  which all three losses are the same pair-wise loss.

A "forward pass" here is one response scored by the model; the history counts
them exactly.  Training on CPU is deterministic for a given ``seed``.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace

import numpy as np
import torch

from ..data.generate import PreferenceData, label_agreement, split_by_prompt
from ..math._checks import check_int, check_real
from .batching import (
    _as_data,
    _check_args,
    _degenerate,
    _diverged,
    _Encoded,
    _finite_rewards,
    _objective,
    _sync,
)
from .evaluate import NonFiniteRewardsError, metrics_from_scores
from .network import TinyRewardModel, Vocabulary, pick_device
from .records import DEFAULTS, LOSSES, MODES, EpochRecord, TrainResult, _Best, _epoch_record

__all__ = ["DEFAULTS", "LOSSES", "MODES", "EpochRecord", "TrainResult", "train"]

# ---------------------------------------------------------------------------
# The loop
# ---------------------------------------------------------------------------


def train(data: PreferenceData | Sequence | None = None, *,
          heldout: Sequence | None = None,
          loss: str = "listwise",
          mode: str = "grouped",
          margin: float = 0.0,
          center_coef: float = 0.0,
          epochs: int = DEFAULTS["epochs"],
          lr: float = DEFAULTS["lr"],
          batch_size: int = DEFAULTS["batch_size"],
          weight_decay: float = DEFAULTS["weight_decay"],
          seed: int = 0,
          device: str | torch.device | None = None,
          model: TinyRewardModel | None = None,
          model_kwargs: dict | None = None,
          progress: bool = True,
          eval_train: bool | int = True,
          eval_start: bool = False,
          threads: int | None = 1,
          drop_degenerate: bool = True,
          callback: Callable[[EpochRecord], None] | None = None,
          validation_fraction: float = 0.0,
          patience: int | None = None,
          ema: float = 0.0) -> TrainResult:
    """Train a :class:`~rmteach.model.network.TinyRewardModel` on preference data.

    Args:
        data: a :class:`~rmteach.data.generate.PreferenceData` (train and held-out split), or a
            sequence of ``PreferencePair`` / ``RankedList`` for training with
            ``heldout=`` the held-out items.  ``None``: the built-in data set,
            ``make_preference_data(seed=seed)`` (noiseless labels, N = 2..9).
        loss: ``"pairwise"`` (Eq. 4.37), ``"listwise"`` (Eq. 4.57) or
            ``"plackett-luce"`` (Eqs. 4.58–4.61).
        mode: ``"grouped"``: one ranked list per batch element, each response scored
            once; ``"exploded"``: one (chosen, rejected) pair per example, shuffled.
        margin: m in −log Sigmoid(r_a − r_b − m) (pairwise loss only).  Pairs that carry
            their own ``margin`` (TRL's margin column) use theirs instead.
        center_coef: weight of the centering penalty mean (r_a + r_b)² over the pairs.
        epochs, lr, batch_size, weight_decay: AdamW settings.  ``batch_size`` counts
            lists in grouped mode and pairs in exploded mode.
        seed: seeds the initial weights and the shuffling (deterministic on CPU).
        device: ``"cpu"``, ``"cuda"``, ``"mps"``, or None/``"auto"`` for
            :func:`~rmteach.model.network.pick_device`.
        model: a model to continue training (default: a new one, seeded by ``seed``).
        model_kwargs: sizes for a new model (``d_model``, ``n_layers``, ...).
        progress: show a ``tqdm.auto`` progress bar (notebook or terminal).
        eval_train: measure train loss/accuracy after each epoch (needed to spot
            overfitting; turn off to save time).  A whole number k measures them on the
            first k training lists only (a fixed sample: the same lists every epoch, no
            random numbers drawn), which costs less on a large training set.
        eval_start: also measure the untrained model (epoch 0, ``result.start``), so
            curves can start where training starts (no random numbers are drawn).
        threads: CPU threads torch may use while training (restored afterwards).  One
            is fastest for a model this small and never fights other processes for
            the cores; ``None`` keeps torch's current setting.
        drop_degenerate: drop training pairs whose chosen and rejected inputs are the
            same token ids after truncation to the model's ``max_len`` (they cost ln 2
            and give no gradient), with a warning giving the count; ``False`` keeps
            them (to see their effect).  Either way ``config["degenerate_pairs"]`` and
            ``config["degenerate_share"]`` record them.
        callback: called with each :class:`EpochRecord` as soon as it is ready.
        validation_fraction: share of the TRAINING prompts set aside (split by prompt) as a
            validation split; 0 (the default) sets none aside.  With one, the model of
            the epoch with the highest validation pairwise accuracy (ties: the lower
            validation listwise loss) is kept (model choice on validation, never on
            held-out) and ``best_epoch`` says which it was.
        patience: with a validation split, stop after this many epochs without a better
            validation epoch (``epochs`` is then the most that run); None: run all.
        ema: 0 (the default) keeps the weights as the optimiser leaves them.  A decay in
            (0, 1) keeps an exponential moving average of the weights, updated after every
            step (φ̄ ← ema·φ̄ + (1 − ema)·φ), and measures, chooses and returns THAT
            average: it smooths the noise of the last steps, which helps most on small
            data sets.  No random numbers are drawn.

    Returns:
        :class:`TrainResult` with ``model``, ``history`` (one :class:`EpochRecord` per
        epoch), ``forward_passes``, ``seconds_per_epoch``, ``heldout_accuracy``,
        ``heldout_loss``, ``device`` and ``param_counts``.
    """
    (margin, center_coef, epochs, lr, batch_size, weight_decay, seed, threads) = _check_args(
        loss, mode, margin, center_coef, epochs, lr, batch_size, weight_decay, seed, threads,
        model_kwargs)
    ema = check_real(ema, "ema (the weight-average decay: 0 = off, e.g. 0.99)", lo=0.0)
    if ema >= 1.0:
        raise ValueError(f"ema must be 0 (off) or a decay in (0, 1), e.g. 0.99; got {ema:g} "
                         "(1 would never move the average).")
    eval_sample = None                  # eval_train=k: the first k training lists
    if eval_train is None:
        eval_train = False
    if not isinstance(eval_train, bool):
        eval_sample = check_int(eval_train, "eval_train (True, False or a number of training "
                                "lists)", lo=1, hi=10**9)
        eval_train = True
    data = _as_data(data, heldout, seed)
    if not data.train:
        raise ValueError("the training split is empty: give at least one pair or ranked list.")
    val_lists = ()
    if validation_fraction:
        if not 0.0 < float(validation_fraction) < 1.0:
            raise ValueError(f"validation_fraction must be in [0, 1); got {validation_fraction}.")
        tr, val_lists = split_by_prompt(data.train, heldout_fraction=validation_fraction,
                                        seed=seed)
        data = replace(data, train=tuple(tr))
    if patience is not None and (int(patience) < 1 or not val_lists):
        raise ValueError(f"patience must be a positive integer and needs a validation split "
                         f"(validation_fraction > 0 with two or more training prompts); got "
                         f"patience={patience}, validation_fraction={validation_fraction}.")
    if any(x.margin is not None for x in data.train):
        if loss != "pairwise":
            raise ValueError(f"the training data carry per-pair margins (TRL's 'margin' column), "
                             f"which only the pairwise margin loss uses; loss={loss!r} would "
                             "ignore them. Use loss='pairwise'.")
        if margin:
            raise ValueError("the training data carry per-pair margins; give margins per pair "
                             f"or as margin=, not both (got margin={margin}).")
    dev = pick_device(device)
    if model is None:
        vocab = Vocabulary.from_items(data.train)
        model = TinyRewardModel(vocab, seed=seed, **(model_kwargs or {}))
    elif model_kwargs:
        raise ValueError("model_kwargs only applies when train() builds the model; "
                         "you passed model= too.")
    model.to(dev)
    data, degenerate = _degenerate(data, model, drop_degenerate)

    enc = _Encoded(model, data.train).to(dev)
    enc_eval = enc                      # the training lists whose curve is measured
    if eval_sample is not None and eval_sample < len(data.train):
        enc_eval = _Encoded(model, data.train[:eval_sample]).to(dev)
    enc_held = _Encoded(model, data.heldout).to(dev) if data.heldout else None
    enc_val = _Encoded(model, val_lists).to(dev) if val_lists else None
    against = "truth" if data.synthetic else "labels"
    config = {"loss": loss, "mode": mode, "margin": margin, "center_coef": center_coef,
              "epochs": int(epochs), "lr": lr, "batch_size": int(batch_size),
              "weight_decay": weight_decay, "seed": seed, "beta": data.beta,
              "train_lists": len(data.train), "heldout_lists": len(data.heldout),
              **({"train_eval_lists": len(enc_eval.lists)} if enc_eval is not enc else {}),
              **({"validation_lists": len(val_lists), "patience": patience} if val_lists
                 else {}),
              **({"ema": ema} if ema else {}),
              "model": {k: v for k, v in model.config().items() if k != "vocab"},
              "label_agreement": label_agreement(data.train) if data.synthetic else None,
              **degenerate}

    saved_threads = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(int(threads))
    try:
        return _loop(model, data, enc, enc_held, against, config, dev, loss, mode, margin,
                     center_coef, int(epochs), lr, int(batch_size), weight_decay, seed,
                     progress, eval_train, callback, eval_start, enc_val, patience, ema,
                     enc_eval)
    finally:
        torch.set_num_threads(saved_threads)


def _loop(model, data, enc, enc_held, against, config, dev, loss, mode, margin, center_coef,
          epochs, lr, batch_size, weight_decay, seed, progress, eval_train, callback,
          eval_start=False, enc_val=None, patience=None, ema=0.0, enc_eval=None):
    enc_eval = enc if enc_eval is None else enc_eval
    start = None
    if eval_start:
        model.eval()
        with torch.no_grad():
            start = _epoch_record(0, float("nan"), model, enc_eval, enc_held, against,
                                  eval_train, 0, 0.0)
    # foreach: one call per update step instead of one per tensor; on the CPU it runs the
    # same per-tensor kernels, so the weights are bit-for-bit those of the plain loop
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay,
                            foreach=True)
    shuffle_rng = np.random.default_rng([seed, 7])
    n_examples = len(enc.n) if mode == "grouped" else len(enc.pair_better)
    n_batches = math.ceil(n_examples / batch_size)
    # the weights that are measured, chosen and returned: the model's own, or their average
    shown = model
    if ema:
        shown = copy.deepcopy(model)
        live, avg = list(model.parameters()), list(shown.parameters())

    from tqdm.auto import tqdm

    bar = tqdm(total=int(epochs) * n_batches, disable=not progress, unit="batch",
               desc=f"{loss} ({mode})", leave=True)
    history: list[EpochRecord] = []
    best = _Best()
    devices = [dev.index or 0] if dev.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)                      # dropout, if any
        for epoch in range(1, int(epochs) + 1):
            model.train()
            order = shuffle_rng.permutation(n_examples)
            passes, total, count = 0, 0.0, 0
            _sync(dev)
            t0 = time.perf_counter()
            for b in range(n_batches):
                chosen = order[b * batch_size:(b + 1) * batch_size]
                if mode == "grouped":
                    rows = np.concatenate([np.arange(enc.start[k], enc.start[k] + enc.n[k])
                                           for k in chosen])
                    r = _finite_rewards(model, enc, rows, epoch, lr)
                    m = margin if enc.list_margin is None else torch.as_tensor(
                        np.repeat(enc.list_margin[chosen], enc.n[chosen] * (enc.n[chosen] - 1)
                                  // 2), dtype=r.dtype, device=r.device)
                    value = _objective(loss, mode, m, center_coef, r, enc, lists_idx=chosen)
                else:
                    rows = np.concatenate([enc.pair_better[chosen], enc.pair_worse[chosen]])
                    r = _finite_rewards(model, enc, rows, epoch, lr)
                    m = margin if enc.pair_margin is None else torch.as_tensor(
                        enc.pair_margin[chosen], dtype=r.dtype, device=r.device)
                    value = _objective(loss, mode, m, center_coef, r, enc)
                passes += len(rows)
                opt.zero_grad(set_to_none=True)
                value.backward()
                opt.step()
                if ema:
                    with torch.no_grad():
                        torch._foreach_lerp_(avg, live, 1.0 - ema)
                total += float(value.detach()) * len(chosen)
                count += len(chosen)
                bar.update(1)
            _sync(dev)
            seconds = time.perf_counter() - t0
            if not all(bool(torch.isfinite(p.detach()).all()) for p in model.parameters()):
                raise _diverged(epoch, lr)
            t1 = time.perf_counter()
            try:
                record = _epoch_record(epoch, total / count, shown, enc_eval, enc_held, against,
                                       eval_train, passes, seconds)
            except NonFiniteRewardsError:
                raise _diverged(epoch, lr) from None
            val = (metrics_from_scores(enc_val.lists, enc_val.scores_by_list(shown),
                                       against=None) if enc_val is not None else None)
            record = EpochRecord(**{**asdict(record),
                                    "validation_loss": val.listwise_loss if val else math.nan,
                                    "validation_accuracy": val.accuracy if val else math.nan,
                                    "eval_seconds": time.perf_counter() - t1})
            history.append(record)
            bar.set_postfix(loss=f"{record.train_objective:.3f}",
                            heldout_acc=f"{record.heldout_accuracy:.3f}")
            if callback is not None:
                callback(record)
            if val is not None and best.update(shown, epoch, val, patience):
                break
    bar.close()
    if enc_val is not None:
        model.load_state_dict(best.state)
    elif ema:
        model.load_state_dict(shown.state_dict())
    final = (metrics_from_scores(data.heldout, enc_held.scores_by_list(model), against=against)
             if enc_held is not None else None)
    return TrainResult(model=model, history=history, config=config, device=str(dev),
                       final=final, param_counts=model.param_counts(), start=start,
                       best_epoch=best.epoch if enc_val is not None else None)


