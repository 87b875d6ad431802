"""Notebook 06: diagnosing a reward model whose loss will not move.

* :func:`loss_diagnosis_explorer` – label noise β and learning rate; every change
  retrains a tiny model (:data:`TINY`, about a second on a 2-core CPU) and shows its
  loss and accuracy curves and the plain-words diagnosis of :mod:`rmteach.experiments.diagnose`
  (a loss stuck at ln 2, coin-flip labels, a learning rate far off, degenerate pairs,
  overfitting).
The comparisons are in :mod:`.comparing`, the data distribution in :mod:`.data_mix`.

The scenarios of the widget's menu are trained once and stored in the package
(``rmteach/_cache/diagnosis_runs.json``, made by ``tools/build_diagnosis_cache.py``; a test
retrains every one and compares), so the notebook and the menu show them at once; any other
β, learning rate or share of degenerate pairs is trained on the spot.

torch is only imported when something is trained.
"""

from __future__ import annotations

import functools
import html
import json
import math
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
from ipywidgets import Dropdown, FloatText, HBox, Layout

from ..data.generate import (
    PreferenceData,
    RankedList,
    label_agreement,
    make_preference_data,
)
from ..experiments.diagnose import LN2, Diagnosis, Finding, diagnose, diagnose_curves
from ..math._checks import check_real
from ._base import PALETTE, LiveFigure, RMWidget
from ._ranges import refuses_out_of_range
from .training import _percent

__all__ = [
    "DEGENERATE_SCENARIOS",
    "DEGENERATE_SHARES",
    "SCENARIOS",
    "STORED_RUNS",
    "TINY",
    "LossDiagnosisExplorer",
    "loss_diagnosis_explorer",
    "run_diagnosis",
    "with_degenerate_lists",
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
    "learning rate 0.03: the train/held-out gap opens (one seed)": (10.0, 3e-2),
    "learning rate far too large (10)": (10.0, 10.0),
}
#: name -> (β, lr, share of degenerate training pairs): scenarios with degenerate pairs
DEGENERATE_SCENARIOS: dict[str, tuple[float, float, float]] = {
    "90 % degenerate pairs (identical chosen and rejected), kept": (10.0, 3e-3, 0.9),
}
#: the shares of degenerate training pairs the widget offers
DEGENERATE_SHARES: tuple[float, ...] = (0.0, 0.5, 0.9, 1.0)
_CUSTOM = "(your own β and learning rate)"
#: the stored runs of the menu's scenarios (see the module doc)
STORED_RUNS = Path(__file__).resolve().parents[1] / "_cache" / "diagnosis_runs.json"


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
    stored: bool = False       # read from STORED_RUNS (then ``seconds`` is 0)


def run_diagnosis(beta: float, lr: float, *, config: dict | None = None) -> DiagnosisRun:
    """Train the tiny model (:data:`TINY`) on labels of rationality ``beta`` with learning
    rate ``lr``, and diagnose it with :func:`rmteach.experiments.diagnose.diagnose`.

    Held-out labels are always noiseless (β = ∞), so held-out accuracy measures what the
    model learned about the *true* reward.  Runs are deterministic and kept in memory per
    (β, lr, config), so asking again (or the widget going back) costs nothing; the
    scenarios of the widget's menu are read from :data:`STORED_RUNS` (``stored=True``).  A run
    whose rewards become NaN or infinite (a far too large learning rate) is reported
    with ``blew_up=True`` and the diagnosis of a loss that is not a number, instead of
    raising.
    """
    beta, lr = _check_beta_lr(beta, lr)
    cfg = {**TINY, **(config or {})}
    key = _key(beta, lr, cfg)
    if key not in _RUNS:                   # deterministic, so a repeat is served from memory
        _RUNS[key] = _stored_runs().get(key) or _run_diagnosis(beta, lr, cfg)
    return _RUNS[key]


_RUNS: dict = {}


def _key(beta: float, lr: float, cfg: dict) -> tuple:
    return beta, lr, json.dumps(cfg, sort_keys=True, default=repr)


def scenario_configs() -> list[tuple[float, float, dict]]:
    """(β, lr, config) of every scenario in the widget's menu, as the widget trains them."""
    out = [(beta, lr, dict(TINY)) for beta, lr in SCENARIOS.values()]
    out += [(beta, lr, {**TINY, "degenerate_share": share})
            for beta, lr, share in DEGENERATE_SCENARIOS.values()]
    return out


def run_to_doc(run: DiagnosisRun, config: dict) -> dict:
    """A run as JSON-ready data (without its timing), with the config it was trained with."""
    if not isinstance(run, DiagnosisRun):
        raise ValueError(f"run must be a DiagnosisRun (from run_diagnosis); got "
                         f"{type(run).__name__}.")
    if not isinstance(config, dict):
        raise ValueError(f"config must be a dict; got {type(config).__name__}.")
    doc = {k: v for k, v in asdict(run).items() if k not in ("seconds", "stored")}
    doc["diagnosis"] = [asdict(f) for f in run.diagnosis.findings]
    return {"config": config, **doc}


@functools.cache
def _stored_runs() -> dict:
    """The runs in :data:`STORED_RUNS`, keyed as :func:`run_diagnosis` keys them."""
    if not STORED_RUNS.exists():
        return {}
    out = {}
    for doc in json.loads(STORED_RUNS.read_text())["runs"]:
        doc = dict(doc)
        cfg = doc.pop("config")
        findings = tuple(Finding(**f) for f in doc.pop("diagnosis"))
        run = DiagnosisRun(**doc, diagnosis=Diagnosis(findings), seconds=0.0, stored=True)
        out[_key(run.beta, run.lr, cfg)] = run
    return out


def with_degenerate_lists(data, share: float):
    """The same data with the first ``share`` of the training lists made degenerate: every
    response replaced by a copy of the best one (as a copy bug in a labelling tool would)."""
    if not isinstance(data, PreferenceData):
        raise ValueError(f"data must be a PreferenceData (from make_preference_data); got "
                         f"{type(data).__name__}.")
    check_real(share, "share")
    if not 0.0 <= float(share) <= 1.0:
        raise ValueError(f"the share of degenerate pairs must be between 0 and 1; got {share}.")
    k = round(float(share) * len(data.train))
    bad = tuple(RankedList(x.prompt, (x.responses[x.ranking[0]],) * x.n, tuple(range(x.n)))
                for x in data.train[:k])
    return replace(data, train=bad + tuple(data.train[k:]))


def _run_diagnosis(beta: float, lr: float, cfg: dict) -> DiagnosisRun:
    from ..model.training import train

    start = time.perf_counter()
    data = make_preference_data(cfg["n_prompts"], max_n=cfg["max_n"], beta=beta,
                                heldout_beta=math.inf, seed=cfg["seed"])
    agreement = label_agreement(data.train)
    share = float(cfg.get("degenerate_share", 0.0))
    if share:
        data = with_degenerate_lists(data, share)
    try:
        result = train(data, loss=cfg["loss"], epochs=cfg["epochs"], lr=lr,
                       batch_size=cfg["batch_size"], seed=cfg["seed"], device="cpu",
                       model_kwargs=cfg["model_kwargs"], progress=False,
                       drop_degenerate=not share)
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
    codes (the diagnosis codes), diagnosis (its message), blew_up, seconds, stored.
    """

    def __init__(self, beta: float = 10.0, lr: float = 3e-3, *, config: dict | None = None):
        self.config = {**TINY, **(config or {})}
        self._applying = False
        self._runs: dict = {}
        scenario = Dropdown(options=[_CUSTOM, *SCENARIOS, *DEGENERATE_SCENARIOS], value=_CUSTOM,
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
            "degenerate": Dropdown(options=[(f"{v:.0%}", v) for v in DEGENERATE_SHARES],
                                   value=0.0, description="degenerate pairs",
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
            lx.legend(loc="lower left", frameon=False)
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
            ax.legend(loc="upper left", frameon=False)
        live.animate(self._tl, self._hl, self._lend, self._ltxt, self._ta, self._ha,
                     self._aend, self._atxt)
        box = HBox([controls["scenario"], controls["beta"], controls["lr"],
                    controls["degenerate"]],
                   layout=Layout(flex_flow="row wrap"))
        super().__init__(controls=controls, main="beta", live_figure=live, control_box=box,
                         title="Why is my loss stuck at ln 2? Retrain a tiny reward model",
                         limits={"beta": math.inf, "lr": math.inf})   # update() says more

    def _on_change(self, change=None) -> None:
        if self._applying:
            return
        if change is not None and change.get("owner") is self.controls["scenario"]:
            name = change["new"]
            if name not in SCENARIOS and name not in DEGENERATE_SCENARIOS:
                return
            beta, lr, share = (*SCENARIOS[name], 0.0) if name in SCENARIOS else \
                DEGENERATE_SCENARIOS[name]
            self._applying = True
            try:
                self.controls["beta"].value = beta
                self.controls["lr"].value = lr
                self.controls["degenerate"].value = share
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
        share = float(self.controls["degenerate"].value)
        key = (beta, lr, share)
        run = self._runs.get(key)
        if run is None:
            config = {**self.config, "degenerate_share": share} if share else self.config
            with self.busy(f"training the tiny model (β = {beta:g}, lr = {lr:g})…"):
                run = run_diagnosis(beta, lr, config=config)
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
            "beta": beta, "lr": lr, "degenerate_share": share,
            "label_agreement": run.label_agreement,
            "epochs": list(ep), "train_loss": list(run.train_loss),
            "heldout_loss": list(run.heldout_loss),
            "train_accuracy": list(run.train_accuracy),
            "heldout_accuracy": list(run.heldout_accuracy),
            "final_train_loss": run.train_loss[-1] if ep else float("nan"),
            "final_heldout_loss": run.heldout_loss[-1] if ep else float("nan"),
            "final_heldout_accuracy": run.heldout_accuracy[-1] if ep else float("nan"),
            "codes": list(run.diagnosis.codes), "diagnosis": run.diagnosis.message,
            "blew_up": run.blew_up, "seconds": run.seconds, "stored": run.stored,
        }
        titles = "; ".join(html.escape(f.title) for f in run.diagnosis.findings)
        paragraphs = "".join(f"<p style='margin:2px 0'><b>{html.escape(f.title)}</b>: "
                             f"{html.escape(f.explanation)}</p>"
                             for f in run.diagnosis.findings)
        when = ("a menu scenario, trained once and stored" if run.stored else
                f"this run trained in {run.seconds:.1f} s")
        final = ("the loss became NaN (not a number)" if run.blew_up or not ep else
                 f"final train loss {run.train_loss[-1]:.3f}, held-out accuracy "
                 f"{run.heldout_accuracy[-1]:.1%}")
        self.readout.value = (
            f"β = {beta:g}, lr = {lr:g}: {final}. <b>Diagnosis</b>: {titles}."
            f"<details><summary>details</summary><code>{share:.0%} degenerate pairs (kept); "
            f"{run.label_agreement:.0%} of the training labels agree with the true reward; "
            f"{when}</code>"
            f"<div style='margin-top:4px'><b>Diagnosis (rmteach.experiments.diagnose)</b>"
            f"{paragraphs}</div></details>")


@refuses_out_of_range
def loss_diagnosis_explorer(beta: float = 10.0, lr: float = 3e-3, *,
                            config: dict | None = None) -> LossDiagnosisExplorer:
    """Build notebook 06's diagnosis widget (controls ``scenario``, ``beta``, ``lr``).

    Every change retrains the tiny configuration :data:`TINY` (override parts with
    ``config``); results are cached per (β, lr), so going back is instant, and the menu's
    scenarios are stored (:data:`STORED_RUNS`).
    """
    return LossDiagnosisExplorer(beta=beta, lr=lr, config=config)
