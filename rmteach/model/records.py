"""What training returns and keeps: the loss and mode names, :data:`DEFAULTS`,
:class:`EpochRecord` (one epoch), :class:`TrainResult` (model, history, settings), the
per-epoch measurement and the early-stopping keeper of the best validation epoch."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from .evaluate import Evaluation, metrics_from_scores
from .network import TinyRewardModel

__all__ = ["DEFAULTS", "LOSSES", "MODES", "EpochRecord", "TrainResult"]


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
