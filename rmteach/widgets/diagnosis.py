"""Notebook 06: diagnosing and comparing reward models.

* :func:`loss_diagnosis_explorer` – label noise β and learning rate; every change
  retrains a tiny model (:data:`TINY`, about a second on a 2-core CPU) and shows its
  loss and accuracy curves and the plain-words diagnosis of :mod:`rmteach.diagnose`
  (a loss stuck at ln 2, coin-flip labels, a learning rate far off, overfitting).
* :func:`grouping_comparison` – InstructGPT's grouping by prompt (each response
  scored once, N forward passes per list) against pair-exploded training (each pair
  its own example, N(N−1) passes per list): cost, train versus held-out accuracy.
* :func:`toy_disagreement` and :func:`confidence_explorer` – why a lower held-out loss
  and a higher held-out accuracy can point at different models: accuracy only sees
  the sign of each reward gap, the loss also sees its size (confidence).
* :func:`data_mix_experiment` – the data distribution decides what is learned: the
  same number of training prompts, with one topic made rare, and per-topic held-out
  accuracy.

torch is only imported when something is trained.
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ipywidgets import Dropdown, FloatSlider, FloatText, HBox, Layout

from ..data import (
    TOPICS,
    PreferenceData,
    RankedList,
    label_agreement,
    make_preference_data,
    topic_of,
)
from ..diagnose import LN2, Diagnosis, diagnose, diagnose_curves
from ..evaluate import metrics_from_scores, score_lists
from ..losses import pairwise_loss
from ._base import PALETTE, PALETTE_CYCLE, LiveFigure, RMWidget
from .training import TOPIC_COLOURS, FigureView, _finish, _new_figure, _percent

__all__ = [
    "SCENARIOS",
    "TINY",
    "ConfidenceExplorer",
    "DataMixResult",
    "GroupingComparison",
    "LossDiagnosisExplorer",
    "ScaledRewardModel",
    "confidence_explorer",
    "data_mix_experiment",
    "grouping_comparison",
    "loss_diagnosis_explorer",
    "pair_weights",
    "run_diagnosis",
    "skew_topic",
    "topic_accuracy",
    "toy_disagreement",
]

#: the tiny configuration the diagnosis widget retrains on every change (~1 s on 2 cores)
TINY: dict = {
    "n_prompts": 400,
    "max_n": 6,
    "epochs": 6,
    "batch_size": 16,
    "loss": "listwise",
    "seed": 0,
    "model_kwargs": {"d_model": 16, "n_layers": 1, "n_heads": 2, "d_ff": 32},
}

#: name -> (β, lr) for the widget's scenario menu
SCENARIOS: dict[str, tuple[float, float]] = {
    "healthy: clean labels, a good learning rate": (10.0, 3e-3),
    "coin-flip labels (β = 0)": (0.0, 3e-3),
    "learning rate far too small (1e-6)": (10.0, 1e-6),
    "learning rate too large (0.03): overfits": (10.0, 3e-2),
    "learning rate far too large (10)": (10.0, 10.0),
}
_CUSTOM = "(your own β and learning rate)"


# ---------------------------------------------------------------------------------------
# A loss stuck at ln 2
# ---------------------------------------------------------------------------------------


def _check_beta_lr(beta, lr) -> tuple[float, float]:
    try:
        beta, lr = float(beta), float(lr)
    except (TypeError, ValueError):
        raise ValueError("β and the learning rate must be numbers.") from None
    if math.isnan(beta) or beta < 0:
        raise ValueError(f"β (how rational the annotators are) must be ≥ 0: 0 means coin "
                         f"flips, large values (10 or more) near-perfect labels; got {beta:g}.")
    if not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"the learning rate must be a positive number such as 0.01 (with "
                         f"lr = 0 the weights never move); got {lr:g}.")
    if lr > 1000:
        raise ValueError(f"a learning rate of {lr:g} is beyond anything useful; try a value "
                         "between 1e-6 and 100.")
    return beta, lr


@dataclass(frozen=True)
class DiagnosisRun:
    """One retrain of the tiny model: its per-epoch curves and the diagnosis."""

    beta: float
    lr: float
    label_agreement: float
    epochs: list
    train_loss: list
    heldout_loss: list
    train_accuracy: list
    heldout_accuracy: list
    diagnosis: Diagnosis
    blew_up: bool
    seconds: float


def run_diagnosis(beta: float, lr: float, *, config: dict | None = None) -> DiagnosisRun:
    """Train the tiny model (:data:`TINY`) on labels of rationality ``beta`` with learning
    rate ``lr``, and diagnose it with :func:`rmteach.diagnose.diagnose`.

    Held-out labels are always noiseless (β = ∞), so held-out accuracy measures what the
    model learned about the *true* reward.  Runs are deterministic and kept in memory per
    (β, lr, config), so asking again (or the widget going back) costs nothing.  A run
    whose rewards become NaN or infinite (a far too large learning rate) is reported
    with ``blew_up=True`` and the diagnosis of a loss that is not a number, instead of
    raising.
    """
    beta, lr = _check_beta_lr(beta, lr)
    cfg = {**TINY, **(config or {})}
    key = (beta, lr, repr(sorted(cfg.items())))
    if key not in _RUNS:                   # deterministic, so a repeat is served from memory
        _RUNS[key] = _run_diagnosis(beta, lr, cfg)
    return _RUNS[key]


_RUNS: dict = {}


def _run_diagnosis(beta: float, lr: float, cfg: dict) -> DiagnosisRun:
    from ..train import train

    start = time.perf_counter()
    data = make_preference_data(cfg["n_prompts"], max_n=cfg["max_n"], beta=beta,
                                heldout_beta=math.inf, seed=cfg["seed"])
    agreement = label_agreement(data.train)
    try:
        result = train(data, loss=cfg["loss"], epochs=cfg["epochs"], lr=lr,
                       batch_size=cfg["batch_size"], seed=cfg["seed"], device="cpu",
                       model_kwargs=cfg["model_kwargs"], progress=False)
    except ValueError as exc:
        if "NaN" not in str(exc) and "infinite" not in str(exc):
            raise
        nan = [float("nan")]
        return DiagnosisRun(beta, lr, agreement, [], [], [], [], [],
                            diagnose_curves(nan, lr=lr), True, time.perf_counter() - start)
    cols = result.curves()
    diag = diagnose(result, label_agreement=agreement)
    return DiagnosisRun(beta, lr, agreement, cols["epoch"], cols["train_loss"],
                        cols["heldout_loss"], cols["train_accuracy"],
                        cols["heldout_accuracy"], diag, False, time.perf_counter() - start)


class LossDiagnosisExplorer(RMWidget):
    """Label noise β and learning rate → retrain the tiny model → curves and diagnosis.

    Controls: ``scenario`` (a menu that sets both numbers), ``beta`` and ``lr``
    (``FloatText``, main: ``beta``).  ``values``: beta, lr, label_agreement, the
    per-epoch lists, final_train_loss, final_heldout_loss, final_heldout_accuracy,
    codes (the diagnosis codes), diagnosis (its message), blew_up, seconds.
    """

    def __init__(self, beta: float = 10.0, lr: float = 3e-3, *, config: dict | None = None):
        self.config = {**TINY, **(config or {})}
        self._applying = False
        self._runs: dict = {}
        scenario = Dropdown(options=[_CUSTOM, *SCENARIOS], value=_CUSTOM,
                            description="try a scenario", style={"description_width": "110px"},
                            layout=Layout(width="480px"))
        for name, (b, r) in SCENARIOS.items():
            if (b, r) == (beta, lr):
                scenario.value = name
        controls = {
            "scenario": scenario,
            "beta": FloatText(value=beta, step=0.5, description="label noise β",
                              style={"description_width": "110px"},
                              layout=Layout(width="220px")),
            "lr": FloatText(value=lr, step=0.001, description="learning rate",
                            style={"description_width": "110px"},
                            layout=Layout(width="220px")),
        }
        epochs = int(self.config["epochs"])
        live = LiveFigure(1, 2, figsize=(8.4, 2.9))
        lx, ax = live.axes
        with live.style():
            lx.axhline(LN2, color=PALETTE["vermillion"], lw=1.2, ls=":",
                       label="ln 2 ≈ 0.693 (undecided)")
            self._tl, = lx.plot([], [], "--", marker=".", color=PALETTE["blue"], lw=1.3,
                                label="train")
            self._hl, = lx.plot([], [], "-", marker="o", ms=3, color=PALETTE["orange"], lw=2,
                                label="held-out (clean labels)")
            self._lend, = lx.plot([], [], "D", color=PALETTE["orange"], ms=7, mec="black",
                                  mew=0.6)
            self._ltxt = lx.text(0.98, 0.96, "", transform=lx.transAxes, ha="right", va="top")
            lx.set_xlim(0.5, epochs + 0.5)
            lx.set_ylim(0, 1.6)
            lx.set_xlabel("epoch")
            lx.set_ylabel("listwise loss, Eq. 4.57 (nats)")
            lx.set_title("Loss per epoch (clipped at 1.6)")
            lx.legend(loc="lower left", frameon=False, fontsize=7)
            ax.axhline(0.5, color="0.5", lw=1, ls=":", label="chance (50 %)")
            self._ta, = ax.plot([], [], "--", marker=".", color=PALETTE["blue"], lw=1.3,
                                label="train")
            self._ha, = ax.plot([], [], "-", marker="o", ms=3, color=PALETTE["orange"], lw=2,
                                label="held-out vs the true reward")
            self._aend, = ax.plot([], [], "D", color=PALETTE["orange"], ms=7, mec="black",
                                  mew=0.6)
            self._atxt = ax.text(0.98, 0.04, "", transform=ax.transAxes, ha="right")
            ax.set_xlim(0.5, epochs + 0.5)
            ax.set_ylim(0.3, 1.0)
            ax.set_xlabel("epoch")
            ax.set_ylabel("pairwise accuracy")
            ax.yaxis.set_major_formatter(_percent)
            ax.set_title("Accuracy per epoch")
            ax.legend(loc="upper left", frameon=False, fontsize=7)
        live.animate(self._tl, self._hl, self._lend, self._ltxt, self._ta, self._ha,
                     self._aend, self._atxt)
        box = HBox([controls["scenario"], controls["beta"], controls["lr"]],
                   layout=Layout(flex_flow="row wrap"))
        super().__init__(controls=controls, main="beta", live_figure=live, control_box=box,
                         title="Why is my loss stuck at ln 2? Retrain a tiny reward model")

    def _on_change(self, change=None) -> None:
        if self._applying:
            return
        if change is not None and change.get("owner") is self.controls["scenario"]:
            name = change["new"]
            if name not in SCENARIOS:
                return
            beta, lr = SCENARIOS[name]
            self._applying = True
            try:
                self.controls["beta"].value = beta
                self.controls["lr"].value = lr
            finally:
                self._applying = False
        elif change is not None and self.controls["scenario"].value != _CUSTOM:
            self._applying = True
            try:
                self.controls["scenario"].value = _CUSTOM
            finally:
                self._applying = False
        self.refresh()

    def update(self) -> None:
        beta, lr = _check_beta_lr(self.controls["beta"].value, self.controls["lr"].value)
        key = (beta, lr)
        run = self._runs.get(key)
        if run is None:
            run = run_diagnosis(beta, lr, config=self.config)
            self._runs[key] = run
        self.run = run
        clip = 1.58
        ep = run.epochs
        self._tl.set_data(ep, np.minimum(run.train_loss, clip))
        self._hl.set_data(ep, np.minimum(run.heldout_loss, clip))
        self._ta.set_data(ep, run.train_accuracy)
        self._ha.set_data(ep, run.heldout_accuracy)
        if run.blew_up:
            self._lend.set_data([], [])
            self._aend.set_data([], [])
            self._ltxt.set_text("the loss became NaN:\nnothing to plot")
            self._atxt.set_text("")
        else:
            fl, fa = run.heldout_loss[-1], run.heldout_accuracy[-1]
            self._lend.set_data([ep[-1]], [min(fl, clip)])
            self._aend.set_data([ep[-1]], [fa])
            self._ltxt.set_text(f"final train {run.train_loss[-1]:.3f}\n"
                                f"final held-out {fl:.3f}")
            self._atxt.set_text(f"final held-out accuracy {fa:.1%}")
        self.values = {
            "beta": beta, "lr": lr, "label_agreement": run.label_agreement,
            "epochs": list(ep), "train_loss": list(run.train_loss),
            "heldout_loss": list(run.heldout_loss),
            "train_accuracy": list(run.train_accuracy),
            "heldout_accuracy": list(run.heldout_accuracy),
            "final_train_loss": run.train_loss[-1] if ep else float("nan"),
            "final_heldout_loss": run.heldout_loss[-1] if ep else float("nan"),
            "final_heldout_accuracy": run.heldout_accuracy[-1] if ep else float("nan"),
            "codes": list(run.diagnosis.codes), "diagnosis": run.diagnosis.message,
            "blew_up": run.blew_up, "seconds": run.seconds,
        }
        paragraphs = "".join(f"<p style='margin:2px 0'><b>{html.escape(f.title)}</b>: "
                             f"{html.escape(f.explanation)}</p>"
                             for f in run.diagnosis.findings)
        self.readout.value = (
            f"<code>β = {beta:g}, lr = {lr:g}: {run.label_agreement:.0%} of the training "
            f"labels agree with the true reward; this run trained in {run.seconds:.1f} s</code>"
            f"<div style='margin-top:4px'><b>Diagnosis (rmteach.diagnose)</b>{paragraphs}</div>")


def loss_diagnosis_explorer(beta: float = 10.0, lr: float = 3e-3, *,
                            config: dict | None = None) -> LossDiagnosisExplorer:
    """Build notebook 06's diagnosis widget (controls ``scenario``, ``beta``, ``lr``).

    Every change retrains the tiny configuration :data:`TINY` (override parts with
    ``config``); results are cached per (β, lr), so going back is instant.
    """
    return LossDiagnosisExplorer(beta=beta, lr=lr, config=config)


# ---------------------------------------------------------------------------------------
# Overfitting, and InstructGPT's grouping by prompt
# ---------------------------------------------------------------------------------------


@dataclass
class GroupingComparison:
    """Grouped listwise against pair-exploded training on the same lists of N responses.

    ``results`` maps a label to its :class:`~rmteach.train.TrainResult`.
    """

    n: int
    results: dict
    data: PreferenceData | None = None

    def rows(self) -> list[dict]:
        out = []
        for label, r in self.results.items():
            h = r.history
            best = min(x.heldout_loss for x in h)
            out.append({"run": label, "forward_per_epoch": r.forward_passes_per_epoch,
                        "steps_per_epoch": _steps(r),
                        "train_accuracy": h[-1].train_accuracy,
                        "heldout_accuracy": h[-1].heldout_accuracy,
                        "gap": h[-1].train_accuracy - h[-1].heldout_accuracy,
                        "best_heldout_loss": best,
                        "best_epoch": [x.heldout_loss for x in h].index(best) + 1,
                        "final_heldout_loss": h[-1].heldout_loss,
                        "seconds_per_epoch": float(np.median(r.seconds_per_epoch))})
        return out

    def table(self, *, timings: bool = False) -> str:
        """Side-by-side numbers; ``timings=True`` adds seconds per epoch (not deterministic)."""
        head = (f"{'':34s}{'passes/ep':>10s}{'steps/ep':>9s}{'train acc':>10s}"
                f"{'held acc':>9s}{'gap':>7s}{'held loss: best (ep)':>22s}{'final':>7s}")
        if timings:
            head += f"{'s/epoch':>9s}"
        lines = [head]
        for row in self.rows():
            line = (f"{row['run']:34s}{row['forward_per_epoch']:>10d}"
                    f"{row['steps_per_epoch']:>9d}{row['train_accuracy']:>10.3f}"
                    f"{row['heldout_accuracy']:>9.3f}{row['gap']:>7.3f}"
                    f"{row['best_heldout_loss']:>17.3f} ({row['best_epoch']})"
                    f"{row['final_heldout_loss']:>7.3f}")
            if timings:
                line += f"{row['seconds_per_epoch']:>9.2f}"
            lines.append(line)
        return "\n".join(lines)

    def curves(self) -> FigureView:
        from .training import training_curves

        return training_curves(self.results)


def _steps(result) -> int:
    cfg = result.config
    if cfg["mode"] == "grouped":
        examples = cfg["train_lists"]
    else:
        examples = result.forward_passes_per_epoch // 2
    return math.ceil(examples / cfg["batch_size"])


def grouping_comparison(n_prompts: int = 100, n: int = 8, *, epochs: int = 8,
                        batch_size: int = 16, lr: float = 1e-2, seed: int = 0,
                        model_kwargs: dict | None = None, matched: bool = True,
                        progress: bool = True) -> GroupingComparison:
    """Train the same tiny model three ways on ``n_prompts`` lists of exactly ``n`` responses.

    * ``grouped listwise`` (InstructGPT): ``batch_size`` lists per step, each response
      scored once: N forward passes per list per epoch;
    * ``exploded pairs``: each of the N(N−1)/2 pairs its own shuffled example,
      ``batch_size`` pairs per step, both responses scored: N(N−1) passes per list;
    * ``exploded, same steps`` (if ``matched``): exploded with ``batch_size``·N(N−1)/2
      pairs per step, so it takes as many steps per epoch as grouped training and
      isolates the cost of the extra forward passes.

    Every run sees every comparison once per epoch.
    """
    from ..train import train

    if int(n) < 2:
        raise ValueError(f"n (responses per prompt) must be at least 2; got {n}.")
    mk = dict(model_kwargs or TINY["model_kwargs"])
    data = make_preference_data(n_prompts, min_n=n, max_n=n, seed=seed)
    pairs = n * (n - 1) // 2
    specs = {"grouped listwise (InstructGPT)": ("listwise", "grouped", batch_size),
             "exploded pairs": ("pairwise", "exploded", batch_size)}
    if matched:
        specs["exploded pairs, same steps"] = ("pairwise", "exploded", batch_size * pairs)
    results = {}
    for label, (loss, mode, bs) in specs.items():
        results[label] = train(data, loss=loss, mode=mode, epochs=epochs, lr=lr,
                               batch_size=bs, seed=seed, device="cpu", model_kwargs=mk,
                               progress=progress)
    return GroupingComparison(n=n, results=results, data=data)


# ---------------------------------------------------------------------------------------
# When the held-out loss and the held-out accuracy disagree
# ---------------------------------------------------------------------------------------


def toy_disagreement() -> dict:
    """Two models on the same four held-out pairs (reward gaps r_preferred − r_rejected).

    Model A orders three of the four pairs right, each by a hair, and one badly wrong.
    Model B orders only two right, but confidently, and its two mistakes are small.
    A has the higher accuracy, B the lower loss (Eq. 4.37, computed with
    :func:`rmteach.pairwise_loss`).
    """
    gaps = {"A": np.array([0.1, 0.1, 0.1, -3.0]), "B": np.array([2.0, 2.0, -0.1, -0.1])}
    out = {}
    for name, g in gaps.items():
        out[name] = {"gaps": g,
                     "per_pair_loss": pairwise_loss(g, 0.0, reduction="none"),
                     "loss": float(pairwise_loss(g, 0.0)),
                     "accuracy": float(np.mean(g > 0))}
    return out


class ScaledRewardModel:
    """A trained reward model whose rewards are multiplied by ``scale`` (a temperature).

    Scaling by a positive number keeps every pair's order, so the pairwise accuracy is
    unchanged, while the loss changes: the model becomes more or less confident.
    It offers what :func:`rmteach.evaluate.score_lists` needs (``encode``, ``device``,
    ``eval``/``train``, calling), so it works with :func:`rmteach.evaluate.compare_models`.
    """

    def __init__(self, model, scale: float):
        if not (math.isfinite(scale) and scale > 0):
            raise ValueError(f"scale must be a positive number; got {scale}.")
        self.model = model
        self.scale = float(scale)

    @property
    def device(self):
        return self.model.device

    @property
    def training(self) -> bool:
        return self.model.training

    def encode(self, prompts, responses):
        return self.model.encode(prompts, responses)

    def eval(self):
        self.model.eval()
        return self

    def train(self, mode: bool = True):
        self.model.train(mode)
        return self

    def __call__(self, ids, lengths):
        return self.model(ids, lengths) * self.scale


class ConfidenceExplorer(RMWidget):
    """Slider ``scale`` (main): multiply model A's held-out rewards by it and compare with B.

    The accuracy of A stays the same for every positive scale (no pair changes order);
    its listwise loss (Eq. 4.57) traces a U: too timid and every pair costs nearly ln 2,
    too bold and its confident mistakes cost ≈ |gap| each.  ``values``: scale,
    loss_a, accuracy_a, loss_b, accuracy_b, best_scale, best_loss_a, winner_loss,
    winner_accuracy.
    """

    def __init__(self, model_a, model_b, lists: Sequence[RankedList] | PreferenceData, *,
                 names: tuple[str, str] = ("A", "B"), scale: float = 1.0):
        if isinstance(lists, PreferenceData):
            lists = list(lists.heldout)
        self.lists = [x for x in lists]
        if not self.lists:
            raise ValueError("give at least one held-out ranked list to compare on.")
        self.names = tuple(names)
        self._sa = score_lists(model_a, self.lists)
        self._eval_b = metrics_from_scores(self.lists, score_lists(model_b, self.lists),
                                           against=None)
        self._acc_a = metrics_from_scores(self.lists, self._sa, against=None).accuracy
        self._grid = np.exp(np.linspace(np.log(0.05), np.log(5.0), 121))
        self._curve = np.array([self._loss_a(s) for s in self._grid])
        k = int(np.argmin(self._curve))
        self._best = (float(self._grid[k]), float(self._curve[k]))
        slider = FloatSlider(value=scale, min=0.0, max=5.0, step=0.05, readout_format=".2f",
                             description=f"scale of {self.names[0]}'s rewards",
                             style={"description_width": "170px"},
                             layout=Layout(width="560px"))
        live = LiveFigure(figsize=(6.6, 2.9))
        ax = live.axes[0]
        a, b = self.names
        with live.style():
            ax.plot(self._grid, self._curve, color=PALETTE["blue"], lw=2,
                    label=f"{a}: held-out loss at this scale")
            ax.axhline(self._eval_b.listwise_loss, color=PALETTE["orange"], lw=2, ls="--",
                       label=f"{b}: held-out loss (accuracy {self._eval_b.accuracy:.1%})")
            ax.axhline(LN2, color="0.5", lw=1, ls=":", label="ln 2 (undecided)")
            ax.plot([self._best[0]], [self._best[1]], "v", color=PALETTE["green"], ms=8,
                    label=f"{a}'s best scale")
            self._pt, = ax.plot([], [], "o", color=PALETTE["vermillion"], ms=9, zorder=5)
            self._txt = ax.text(0.45, 0.95, "", transform=ax.transAxes, ha="left", va="top")
            ax.set_xscale("log")
            ax.set_xlim(0.05, 5.0)
            top = max(float(self._curve.max()), self._eval_b.listwise_loss)
            ax.set_ylim(0, min(3.0, 1.1 * top))
            ax.set_xlabel(f"scale s: {a}'s rewards × s (log axis; s = 1 is the trained model)")
            ax.set_ylabel("held-out listwise loss (nats)")
            ax.set_title(f"{a}'s accuracy is {self._acc_a:.1%} at every scale; "
                         "its loss is not")
            ax.legend(loc="upper left", frameon=False, fontsize=7)
        live.animate(self._pt, self._txt)
        super().__init__(controls={"scale": slider}, main="scale", live_figure=live,
                         title="Accuracy ignores confidence; the loss does not")

    def _loss_a(self, s: float) -> float:
        padded_scores = [np.asarray(x) * s for x in self._sa]
        return metrics_from_scores(self.lists, padded_scores, against=None).listwise_loss

    def update(self) -> None:
        s = float(self.controls["scale"].value)
        if not (math.isfinite(s) and s > 0):
            raise ValueError("a scale of 0 gives every response the same reward: every pair "
                             "is a tie, the accuracy is undefined and the loss is ln 2. Pick "
                             "a scale above 0.")
        ev = metrics_from_scores(self.lists, [np.asarray(x) * s for x in self._sa],
                                 against=None)
        a, b = self.names
        lb, ab = self._eval_b.listwise_loss, self._eval_b.accuracy
        win_loss = a if ev.listwise_loss < lb else b
        win_acc = a if ev.accuracy > ab else (b if ab > ev.accuracy else "tie")
        self.values = {"scale": s, "loss_a": ev.listwise_loss, "accuracy_a": ev.accuracy,
                       "loss_b": lb, "accuracy_b": ab, "best_scale": self._best[0],
                       "best_loss_a": self._best[1], "winner_loss": win_loss,
                       "winner_accuracy": win_acc}
        x = min(max(s, 0.05), 5.0)
        self._pt.set_data([x], [min(ev.listwise_loss, 2.99)])
        self._txt.set_text(f"s = {s:.2f}: {a}'s loss {ev.listwise_loss:.3f}")
        agree = "agree" if win_loss == win_acc else "DISAGREE"
        self.readout.value = (
            f"<code>{a}: accuracy {ev.accuracy:.1%}, loss {ev.listwise_loss:.3f}   |   "
            f"{b}: accuracy {ab:.1%}, loss {lb:.3f}</code><br>"
            f"Lower loss: <b>{win_loss}</b>; higher accuracy: <b>{win_acc}</b>: the two "
            f"measures {agree}.")


def confidence_explorer(model_a, model_b, lists, *, names: tuple[str, str] = ("A", "B"),
                        scale: float = 1.0) -> ConfidenceExplorer:
    """Build notebook 06's accuracy-versus-loss widget (control ``scale``, main)."""
    return ConfidenceExplorer(model_a, model_b, lists, names=names, scale=scale)


# ---------------------------------------------------------------------------------------
# The data distribution
# ---------------------------------------------------------------------------------------


def pair_weights(ns: Sequence[int]) -> np.ndarray:
    """Each prompt's share of the pair-averaged loss (Eq. 4.37 over the exploded pairs).

    A prompt with a ranked list of N responses contributes N(N−1)/2 pairs, so its weight is
    N(N−1)/2 divided by the total; the listwise loss averaged over lists gives each
    prompt 1/(number of lists) instead.

    >>> pair_weights([2, 4]).tolist()
    [0.14285714285714285, 0.8571428571428571]
    """
    n = np.asarray(ns, dtype=float)
    if n.ndim != 1 or n.size == 0 or np.any(n < 2) or np.any(n != np.round(n)):
        raise ValueError(f"give one whole number N ≥ 2 per prompt; got {list(ns)}.")
    pairs = n * (n - 1) / 2
    return pairs / pairs.sum()


def topic_accuracy(model, lists: Sequence[RankedList]) -> dict[str, float]:
    """Held-out pairwise accuracy of ``model`` on each topic's lists (ties excluded)."""
    lists = list(lists)
    scores = score_lists(model, lists)
    out = {}
    for topic in TOPICS:
        idx = [i for i, x in enumerate(lists) if topic_of(x.prompt) == topic]
        if idx:
            ev = metrics_from_scores([lists[i] for i in idx], [scores[i] for i in idx],
                                     against=None)
            out[topic] = ev.accuracy
    return out


def skew_topic(data: PreferenceData, topic: str, keep: int, *, seed: int = 0) -> PreferenceData:
    """The same data with only ``keep`` training lists of ``topic`` (held-out untouched).

    The dropped lists are replaced by extra lists of the other topics drawn from a
    bigger pool, so the training set keeps its size: only the *mix* changes.
    """
    if topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}; expected one of {', '.join(TOPICS)}.")
    if int(keep) < 0:
        raise ValueError(f"keep must be ≥ 0; got {keep}.")
    n_prompts = data.info.get("n_prompts")
    if not data.synthetic or n_prompts is None:
        raise ValueError("skew_topic needs built-in data from make_preference_data.")
    pool = make_preference_data(min(1600, 3 * n_prompts), min_n=data.info["min_n"],
                                max_n=data.info["max_n"], beta=data.beta,
                                min_gap=data.info["min_gap"], seed=seed + 1000)
    held = {x.prompt for x in data.heldout}
    kept = [x for x in data.train if topic_of(x.prompt) != topic]
    rare = [x for x in data.train if topic_of(x.prompt) == topic][: int(keep)]
    used = {x.prompt for x in data.train} | held
    extra = [x for x in pool.train + pool.heldout
             if topic_of(x.prompt) != topic and x.prompt not in used]
    need = len(data.train) - len(kept) - len(rare)
    if len(extra) < need:
        raise ValueError("not enough distinct prompts to keep the training set's size; "
                         "use fewer prompts.")
    train = tuple(kept + rare + extra[:need])
    return PreferenceData(train, data.heldout, data.beta, data.seed, True,
                          {**data.info, "skewed_topic": topic, "keep": int(keep)})


def _topic_counts(lists) -> dict[str, tuple[int, int]]:
    out = {t: [0, 0] for t in TOPICS}
    for x in lists:
        t = topic_of(x.prompt)
        if t in out:
            out[t][0] += 1
            out[t][1] += x.n * (x.n - 1) // 2
    return {t: (a, b) for t, (a, b) in out.items()}


@dataclass
class DataMixResult:
    """Two models trained on equally many prompts, one with a rare topic."""

    topic: str
    data: dict            # label -> PreferenceData
    results: dict         # label -> TrainResult
    accuracy: dict        # label -> {topic: held-out accuracy}

    def table(self) -> str:
        labels = list(self.results)
        head = f"{'topic':10s}" + "".join(f"{lab + ': prompts/pairs':>30s}" for lab in labels)
        head += "".join(f"{lab + ' acc':>16s}" for lab in labels)
        lines = [head]
        counts = {lab: _topic_counts(self.data[lab].train) for lab in labels}
        for t in TOPICS:
            row = f"{t:10s}"
            for lab in labels:
                p, q = counts[lab][t]
                row += f"{p:>20d} / {q:<7d}"
            for lab in labels:
                row += f"{self.accuracy[lab].get(t, float('nan')):>16.3f}"
            lines.append(row)
        return "\n".join(lines)

    def figure(self) -> FigureView:
        labels = list(self.results)
        fig, (ax,) = _new_figure(1, 1, (6.6, 3.0))
        x = np.arange(len(TOPICS))
        width = 0.8 / len(labels)
        with LiveFigure.style():
            for i, lab in enumerate(labels):
                acc = [self.accuracy[lab].get(t, np.nan) for t in TOPICS]
                bars = ax.bar(x + (i - (len(labels) - 1) / 2) * width, acc, width,
                              color=PALETTE_CYCLE[i], label=lab)
                for bar, v in zip(bars, acc):
                    ax.text(bar.get_x() + bar.get_width() / 2, v + 0.01, f"{v:.0%}",
                            ha="center", va="bottom", fontsize=7)
            k = list(TOPICS).index(self.topic)
            ax.axvspan(k - 0.45, k + 0.45, color=TOPIC_COLOURS[self.topic], alpha=0.12,
                       lw=0, label=f"the rare topic ({self.topic})")
            ax.axhline(0.5, color="0.5", lw=1, ls=":")
            ax.set_xticks(x, list(TOPICS))
            ax.set_ylim(0.4, 1.0)
            ax.yaxis.set_major_formatter(_percent)
            ax.set_xlabel("topic of the held-out prompt")
            ax.set_ylabel("held-out pairwise accuracy")
            ax.set_title("Same number of training prompts, different mix")
            ax.legend(loc="upper left", frameon=False, fontsize=7, ncol=3)
        _finish(fig)
        return FigureView(fig, f"Figure: held-out accuracy per topic ({', '.join(labels)})",
                          {"accuracy": self.accuracy})


def data_mix_experiment(n_prompts: int = 300, topic: str = "space", keep: int = 4, *,
                        epochs: int = 6, lr: float = 1e-2, seed: int = 0,
                        max_n: int = 6, model_kwargs: dict | None = None,
                        progress: bool = True) -> DataMixResult:
    """Train on a balanced mix and on one where ``topic`` has only ``keep`` training lists
    (same number of training prompts), and measure held-out accuracy per topic."""
    from ..train import train

    mk = dict(model_kwargs or TINY["model_kwargs"])
    balanced = make_preference_data(n_prompts, max_n=max_n, seed=seed)
    skewed = skew_topic(balanced, topic, keep, seed=seed)
    labels = {"balanced": balanced, f"rare {topic}": skewed}
    results, acc = {}, {}
    for label, d in labels.items():
        results[label] = train(d, loss="listwise", epochs=epochs, lr=lr, seed=seed,
                               device="cpu", model_kwargs=mk, progress=progress)
        acc[label] = topic_accuracy(results[label].model, d.heldout)
    return DataMixResult(topic, labels, results, acc)
