"""One training loop for the reward model, with every loss of the book.

``train(data, loss=...)`` minimises, over the model's parameters φ,

* ``"pairwise"``: the empirical pair-wise loss (Eq. 4.37), −log Sigmoid(r_a − r_b − m),
  averaged over all (chosen, rejected) pairs of the batch (margin m optional);
* ``"listwise"``: the listwise loss accumulated from pairwise comparisons (Eq. 4.57),
  averaged within each ranked list and then over lists;
* ``"plackett-luce"``: the Plackett–Luce negative log-likelihood (Eqs. 4.58–4.61),

plus, optionally, ``center_coef × mean (r_a + r_b)²`` over the pairs (the centering
regulariser).  Every formula comes from :mod:`rmteach.losses`.

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

import difflib
import math
import os
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import torch

from ._checks import check_int, check_real, check_seed
from .data import PreferenceData, RankedList, label_agreement, make_preference_data, split_by_prompt
from .evaluate import Evaluation, NonFiniteRewardsError, metrics_from_scores, score_encoded
from .losses import centering_penalty, listwise_loss, pairwise_loss, plackett_luce_loss
from .model import TinyRewardModel, Vocabulary, pick_device

__all__ = ["DEFAULTS", "LOSSES", "MODES", "EpochRecord", "TrainResult", "train"]

LOSSES = ("pairwise", "listwise", "plackett-luce")
MODES = ("grouped", "exploded")

#: the default knobs of :func:`train` (tuned for a 2-core CPU)
DEFAULTS = {"epochs": 12, "lr": 1e-2, "batch_size": 16, "weight_decay": 0.0}
#: the sizes ``model_kwargs`` may set for a new model
MODEL_KWARGS = ("d_model", "n_layers", "n_heads", "d_ff", "max_len", "dropout")


@dataclass(frozen=True)
class EpochRecord:
    """What happened in one epoch.

    ``train_objective`` is the mean of the minimised batch objective (loss plus any
    centering penalty) during the epoch.  The other losses and accuracies are
    measured after the epoch, in eval mode: ``*_loss`` is the listwise loss of
    Eq. 4.57 (the same yardstick whatever loss was trained; ln 2 ≈ 0.693 for a model
    that cannot tell responses apart), ``heldout_log_loss`` the pairwise loss per pair.
    ``forward_passes`` counts the responses scored by the training steps;
    ``seconds`` is the training time of the epoch (without the evaluation).
    """

    epoch: int
    train_objective: float
    train_loss: float
    heldout_loss: float
    train_accuracy: float
    heldout_accuracy: float
    heldout_log_loss: float
    heldout_ties: int
    heldout_kendall_tau: float
    reward_spread: float
    forward_passes: int
    seconds: float
    eval_seconds: float
    validation_loss: float = float("nan")
    validation_accuracy: float = float("nan")


@dataclass
class TrainResult:
    """The trained model, its per-epoch history, and the settings used.

    Convenience properties read the last epoch (or ``best_epoch``, the epoch kept when
    a validation split chose the model): ``heldout_accuracy``,
    ``heldout_loss``, ``heldout_log_loss``; ``forward_passes`` is the total over all
    epochs and ``seconds_per_epoch`` the training time of each epoch.
    """

    model: TinyRewardModel
    history: list[EpochRecord]
    config: dict
    device: str
    final: Evaluation | None = None
    param_counts: dict = field(default_factory=dict)
    start: EpochRecord | None = None   # epoch 0, before any step (``train(eval_start=True)``)
    best_epoch: int | None = None     # the epoch kept (chosen on validation), if any

    @property
    def _kept(self) -> EpochRecord:
        return self.history[(self.best_epoch or len(self.history)) - 1]

    @property
    def heldout_accuracy(self) -> float:
        return self._kept.heldout_accuracy if self.history else float("nan")

    @property
    def heldout_loss(self) -> float:
        return self._kept.heldout_loss if self.history else float("nan")

    @property
    def heldout_log_loss(self) -> float:
        return self._kept.heldout_log_loss if self.history else float("nan")

    @property
    def forward_passes(self) -> int:
        return sum(r.forward_passes for r in self.history)

    @property
    def forward_passes_per_epoch(self) -> int:
        return self.history[0].forward_passes if self.history else 0

    @property
    def seconds_per_epoch(self) -> list[float]:
        return [r.seconds for r in self.history]

    @property
    def train_seconds(self) -> float:
        return float(sum(r.seconds for r in self.history))

    def curves(self) -> dict[str, list]:
        """The history as columns (``{"epoch": [...], "train_loss": [...], ...}``) for plots,
        starting with epoch 0 (the untrained model) when it was measured."""
        rows = ([self.start] if self.start is not None else []) + list(self.history)
        return {k: [getattr(r, k) for r in rows] for k in EpochRecord.__dataclass_fields__}

    def as_dict(self) -> dict:
        """A JSON-ready summary (NaN becomes None); the model itself is left out."""
        def clean(v):
            if isinstance(v, float) and not math.isfinite(v):
                return None
            if isinstance(v, dict):
                return {k: clean(x) for k, x in v.items()}
            if isinstance(v, list):
                return [clean(x) for x in v]
            return v
        return clean({
            "config": dict(self.config),
            "device": self.device,
            "heldout_accuracy": self.heldout_accuracy,
            "heldout_loss": self.heldout_loss,
            "heldout_log_loss": self.heldout_log_loss,
            "forward_passes": self.forward_passes,
            "train_seconds": self.train_seconds,
            "params": dict(self.param_counts),
            "history": [asdict(r) for r in self.history],
        })


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


# ---------------------------------------------------------------------------
# The loop
# ---------------------------------------------------------------------------


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
    center_coef = check_real(center_coef, "center_coef", lo=0.0)
    epochs = check_int(epochs, "epochs", lo=1, hi=100_000)
    lr = check_real(lr, "lr (the learning rate)", lo=0.0)
    if lr == 0:
        warnings.warn("lr=0: the learning rate is zero, so training will not change any "
                      "weight (the model stays as initialised). Pass lr > 0 to train.",
                      UserWarning, stacklevel=3)
    batch_size = check_int(batch_size, "batch_size", lo=1)
    weight_decay = check_real(weight_decay, "weight_decay", lo=0.0)
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
                         "rmteach.jsonl.read_jsonl(path).")
    if isinstance(data, PreferenceData):
        if heldout is not None:
            raise ValueError("pass held-out items either inside PreferenceData or as heldout=, "
                             "not both.")
        return data
    from .data import as_ranked_list

    train_lists = tuple(as_ranked_list(x) for x in data)
    held_lists = tuple(as_ranked_list(x) for x in (heldout or ()))
    return PreferenceData(train_lists, held_lists, None, seed, False)


def _degenerate(data: PreferenceData, model, drop: bool):
    """Find (and by default drop) the training pairs the model cannot tell apart."""
    from dataclasses import replace

    from .degenerate import drop_degenerate as _drop

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
          eval_train: bool = True,
          eval_start: bool = False,
          threads: int | None = 1,
          drop_degenerate: bool = True,
          callback: Callable[[EpochRecord], None] | None = None,
          validation_fraction: float = 0.0,
          patience: int | None = None) -> TrainResult:
    """Train a :class:`~rmteach.model.TinyRewardModel` on preference data.

    Args:
        data: a :class:`~rmteach.data.PreferenceData` (train and held-out split), or a
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
            :func:`~rmteach.model.pick_device`.
        model: a model to continue training (default: a new one, seeded by ``seed``).
        model_kwargs: sizes for a new model (``d_model``, ``n_layers``, ...).
        progress: show a ``tqdm.auto`` progress bar (notebook or terminal).
        eval_train: measure train loss/accuracy after each epoch (needed to spot
            overfitting; turn off to save time).
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

    Returns:
        :class:`TrainResult` with ``model``, ``history`` (one :class:`EpochRecord` per
        epoch), ``forward_passes``, ``seconds_per_epoch``, ``heldout_accuracy``,
        ``heldout_loss``, ``device`` and ``param_counts``.
    """
    (margin, center_coef, epochs, lr, batch_size, weight_decay, seed, threads) = _check_args(
        loss, mode, margin, center_coef, epochs, lr, batch_size, weight_decay, seed, threads,
        model_kwargs)
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
    enc_held = _Encoded(model, data.heldout).to(dev) if data.heldout else None
    enc_val = _Encoded(model, val_lists).to(dev) if val_lists else None
    against = "truth" if data.synthetic else "labels"
    config = {"loss": loss, "mode": mode, "margin": margin, "center_coef": center_coef,
              "epochs": int(epochs), "lr": lr, "batch_size": int(batch_size),
              "weight_decay": weight_decay, "seed": seed, "beta": data.beta,
              "train_lists": len(data.train), "heldout_lists": len(data.heldout),
              **({"validation_lists": len(val_lists), "patience": patience} if val_lists
                 else {}),
              "model": {k: v for k, v in model.config().items() if k != "vocab"},
              "label_agreement": label_agreement(data.train) if data.synthetic else None,
              **degenerate}

    saved_threads = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(int(threads))
    try:
        return _loop(model, data, enc, enc_held, against, config, dev, loss, mode, margin,
                     center_coef, int(epochs), lr, int(batch_size), weight_decay, seed,
                     progress, eval_train, callback, eval_start, enc_val, patience)
    finally:
        torch.set_num_threads(saved_threads)


def _loop(model, data, enc, enc_held, against, config, dev, loss, mode, margin, center_coef,
          epochs, lr, batch_size, weight_decay, seed, progress, eval_train, callback,
          eval_start=False, enc_val=None, patience=None):
    start = None
    if eval_start:
        model.eval()
        with torch.no_grad():
            start = _epoch_record(0, float("nan"), model, enc, enc_held, against, eval_train,
                                  0, 0.0)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    shuffle_rng = np.random.default_rng([seed, 7])
    n_examples = len(enc.n) if mode == "grouped" else len(enc.pair_better)
    n_batches = math.ceil(n_examples / batch_size)

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
                total += float(value.detach()) * len(chosen)
                count += len(chosen)
                bar.update(1)
            _sync(dev)
            seconds = time.perf_counter() - t0
            if not all(bool(torch.isfinite(p.detach()).all()) for p in model.parameters()):
                raise _diverged(epoch, lr)
            t1 = time.perf_counter()
            try:
                record = _epoch_record(epoch, total / count, model, enc, enc_held, against,
                                       eval_train, passes, seconds)
            except NonFiniteRewardsError:
                raise _diverged(epoch, lr) from None
            val = (metrics_from_scores(enc_val.lists, enc_val.scores_by_list(model),
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
            if val is not None and best.update(model, epoch, val, patience):
                break
    bar.close()
    if enc_val is not None:
        model.load_state_dict(best.state)
    final = (metrics_from_scores(data.heldout, enc_held.scores_by_list(model), against=against)
             if enc_held is not None else None)
    return TrainResult(model=model, history=history, config=config, device=str(dev),
                       final=final, param_counts=model.param_counts(), start=start,
                       best_epoch=best.epoch if enc_val is not None else None)


class _Best:
    """The best validation epoch so far (highest pairwise accuracy, then lowest listwise
    loss), its weights, and whether to stop.  Accuracy first: a model that keeps ordering
    better while growing more confident raises the loss, yet it is the better ranker."""

    def __init__(self):
        self.key, self.epoch, self.state, self.waited = None, None, None, 0

    def update(self, model, epoch, val, patience) -> bool:
        acc = val.accuracy if math.isfinite(val.accuracy) else -1.0
        key = (round(acc, 9), -val.listwise_loss)
        if self.state is None or key > self.key:
            self.key, self.epoch, self.waited = key, epoch, 0
            self.state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            self.waited += 1
        return patience is not None and self.waited >= int(patience)


def _sync(dev):
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)


def _epoch_record(epoch, objective, model, enc, enc_held, against, eval_train, passes,
                  seconds) -> EpochRecord:
    nan = float("nan")
    tr = (metrics_from_scores(enc.lists, enc.scores_by_list(model), against=None)
          if eval_train else None)
    he = (metrics_from_scores(enc_held.lists, enc_held.scores_by_list(model), against=against)
          if enc_held is not None else None)
    return EpochRecord(
        epoch=epoch,
        train_objective=float(objective),
        train_loss=tr.listwise_loss if tr else nan,
        heldout_loss=he.listwise_loss if he else nan,
        train_accuracy=tr.accuracy if tr else nan,
        heldout_accuracy=he.accuracy if he else nan,
        heldout_log_loss=he.log_loss if he else nan,
        heldout_ties=he.ties if he else 0,
        heldout_kendall_tau=he.kendall_tau if he else nan,
        reward_spread=(he or tr).reward_spread if (he or tr) else nan,
        forward_passes=int(passes),
        seconds=float(seconds),
        eval_seconds=0.0,
    )
