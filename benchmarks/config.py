"""The three sizes a run can have: ``full`` (the committed figures), ``quick``
(under a minute, same problem sizes, fewer samples) and ``tiny`` (the test suite's
smoke run: small sizes, only to check that everything runs and writes)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Config:
    mode: str
    # part 1: loss kernels
    loss_batch: int = 1024
    loss_ns: tuple[int, ...] = (2, 4, 8, 16, 32)
    warmup: int = 2
    min_rounds: int = 5
    max_rounds: int = 40
    loss_budget_s: float = 3.0
    # part 2-3: training
    train_ns: tuple[int, ...] = (4, 8)
    train_epochs: int | None = None        # None: rmteach.model.training's default number of epochs
    train_prompts: int | None = None       # None: rmteach's default data size
    tta_prompts: int | None = None         # None: the default data of rmteach.model.training
    time_to_acc_target: float = 0.90
    time_to_acc_max_epochs: int = 40
    time_to_acc_max_s: float = 60.0        # give up after this much training time
    time_to_acc_losses: tuple[str, ...] = ("pairwise", "listwise", "plackett-luce")
    # part 4: notebooks
    notebooks: tuple[str, ...] | None = None  # None: every notebooks/*.ipynb
    notebook_timeout_s: int = 600
    # part 5: widgets
    widget_updates: int = 100
    widget_warmup: int = 5
    widget_values: int = 9                 # distinct control values the sweep ping-pongs over
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        d = asdict(self)
        d.pop("extra")
        return d


def make_config(mode: str) -> Config:
    if mode == "full":
        return Config(mode="full")
    if mode == "quick":
        return Config(mode="quick", warmup=1, min_rounds=3, max_rounds=10, loss_budget_s=0.5,
                      loss_ns=(2, 4, 8, 16, 32), train_ns=(8,), train_epochs=2,
                      train_prompts=120, time_to_acc_max_epochs=15, time_to_acc_max_s=15.0,
                      time_to_acc_losses=("listwise",), notebooks=("00_start_here.ipynb",),
                      widget_updates=10, widget_warmup=1, widget_values=3)
    if mode == "tiny":
        return Config(mode="tiny", loss_batch=16, loss_ns=(2, 4), warmup=1, min_rounds=2,
                      max_rounds=2, loss_budget_s=0.0, train_ns=(4,), train_epochs=1,
                      train_prompts=24, tta_prompts=24, time_to_acc_max_epochs=1,
                      time_to_acc_losses=("listwise",), widget_updates=3, widget_warmup=1,
                      widget_values=3)
    raise ValueError(f"unknown mode {mode!r}; expected 'full', 'quick' or 'tiny'.")
