"""Notebook 06: comparing reward models.

* :func:`grouping_comparison` – InstructGPT's grouping by prompt (each response
  scored once, N forward passes per list) against pair-exploded training (each pair
  its own example, N(N−1) passes per list): cost, train versus held-out accuracy.
* :func:`toy_disagreement` and :func:`confidence_explorer` – why a lower held-out loss
  and a higher held-out accuracy can point at different models: accuracy only sees
  the sign of each reward gap, the loss also sees its size (confidence).

torch is only imported when something is trained.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ipywidgets import FloatSlider, Layout

from ..data import (
    PreferenceData,
    RankedList,
    make_preference_data,
)
from ..diagnose import LN2
from ..evaluate import (
    SCALE_GRID,
    fit_scale,
    listwise_loss_by_scale,
    metrics_from_scores,
    score_lists,
)
from ..losses import pairwise_loss
from ..seeds import Spread, spread
from ._base import PALETTE, LiveFigure, RMWidget
from .diagnosis import TINY
from .training import FigureView

# ---------------------------------------------------------------------------------------
# Overfitting, and InstructGPT's grouping by prompt
# ---------------------------------------------------------------------------------------

__all__ = [
    "ConfidenceExplorer",
    "GroupingComparison",
    "ScaledRewardModel",
    "confidence_explorer",
    "fit_scale",
    "grouping_comparison",
    "grouping_data",
    "toy_disagreement",
]



@dataclass
class GroupingComparison:
    """Grouped listwise against pair-exploded training on the same lists of N responses,
    once per seed.

    ``runs`` maps a label to its :class:`~rmteach.train.TrainResult` per seed (in the order
    of ``seeds``); ``datas`` and ``validations`` hold each seed's data (train and held-out
    test prompts) and its validation prompts. ``results`` and ``data`` are the first
    seed's, for figures and for comparing two of its models.
    """

    n: int
    results: dict
    data: PreferenceData | None = None
    seeds: tuple = (0,)
    runs: dict | None = None
    datas: tuple = ()
    validations: tuple = ()

    def rows(self, k: int = 0) -> list[dict]:
        """One row per run, for the seed at position ``k``."""
        out = []
        for label, results in (self.runs or {lab: [r] for lab, r in self.results.items()}).items():
            r = results[k]
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
                        "rise": h[-1].heldout_loss - best,
                        "seconds_per_epoch": float(np.median(r.seconds_per_epoch))})
        return out

    def spreads(self) -> dict[str, dict[str, Spread]]:
        """label -> measurement -> :class:`~rmteach.seeds.Spread` over the seeds."""
        per_seed = [self.rows(k) for k in range(len(self.seeds))]
        out = {}
        for i, row in enumerate(per_seed[0]):
            out[row["run"]] = {key: spread(rows[i][key] for rows in per_seed)
                               for key in ("train_accuracy", "heldout_accuracy", "gap",
                                           "best_heldout_loss", "final_heldout_loss",
                                           "rise", "best_epoch")}
        return out

    def table(self, *, timings: bool = False) -> str:
        """Side-by-side numbers; ``timings=True`` adds seconds per epoch (not deterministic).
        With several seeds: mean ± sd over them (costs are the same for every seed)."""
        if len(self.seeds) > 1:
            return self._spread_table()
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

    def _spread_table(self) -> str:
        sp = self.spreads()
        lines = [f"mean ± sd over {len(self.seeds)} seeds {list(self.seeds)}",
                 f"{'':31s}{'passes/ep':>10s}{'steps/ep':>9s}{'held-out acc':>16s}"
                 f"{'train − held-out':>18s}{'held-out loss':>16s}{'rise after best':>18s}"]
        for row in self.rows():
            m = sp[row["run"]]
            lines.append(f"{row['run']:31s}{row['forward_per_epoch']:>10d}"
                         f"{row['steps_per_epoch']:>9d}{format(m['heldout_accuracy']):>16s}"
                         f"{format(m['gap']):>18s}{format(m['final_heldout_loss']):>16s}"
                         f"{format(m['rise']):>18s}")
        return "\n".join(lines)

    def temperature(self, a: str = "exploded pairs",
                    b: str = "grouped listwise (InstructGPT)") -> dict:
        """Fit a temperature (a positive scale s on ``a``'s rewards) on each seed's
        *validation* prompts, then compare ``a`` at that scale with ``b`` on the held-out
        test prompts. Returns per-seed lists and :class:`~rmteach.seeds.Spread` values:
        ``scale``, ``loss_a`` (test, scale 1), ``loss_a_scaled`` (test, fitted scale),
        ``loss_b`` (test)."""
        out = {"scale": [], "loss_a": [], "loss_a_scaled": [], "loss_b": []}
        for k in range(len(self.seeds)):
            ma, mb = self.runs[a][k].model, self.runs[b][k].model
            scale = fit_scale(ma, self.validations[k])
            test = list(self.datas[k].heldout)
            sa = score_lists(ma, test)
            out["scale"].append(scale)
            out["loss_a"].append(metrics_from_scores(test, sa, against=None).listwise_loss)
            out["loss_a_scaled"].append(metrics_from_scores(
                test, [x * scale for x in sa], against=None).listwise_loss)
            out["loss_b"].append(metrics_from_scores(
                test, score_lists(mb, test), against=None).listwise_loss)
        return {**out, "spread": {key: spread(v) for key, v in out.items()}}

    def seed_results(self, k: int = 0) -> dict:
        """label -> :class:`~rmteach.train.TrainResult` of the seed at position ``k``."""
        if self.runs is None:
            return dict(self.results)
        return {label: results[k] for label, results in self.runs.items()}

    def curves(self, k: int = 0) -> FigureView:
        """The per-epoch curves of the seed at position ``k`` (default: the first)."""
        from .training import training_curves

        title = f"seed {self.seeds[k]}" if len(self.seeds) > 1 else ""
        return training_curves(self.seed_results(k), title=title)


def _steps(result) -> int:
    cfg = result.config
    if cfg["mode"] == "grouped":
        examples = cfg["train_lists"]
    else:
        examples = result.forward_passes_per_epoch // 2
    return math.ceil(examples / cfg["batch_size"])


def grouping_data(n_prompts: int, n: int, seed: int):
    """Lists of exactly ``n`` responses, split by prompt into train (70 %), validation
    (15 %) and held-out test (15 %). Returns ``(data, validation)``: ``data.heldout`` is
    the test split."""
    from ..data import split_by_prompt

    full = make_preference_data(n_prompts, min_n=n, max_n=n, heldout_fraction=0.3,
                                seed=seed)
    validation, test = split_by_prompt(full.heldout, heldout_fraction=0.5, seed=seed)
    data = PreferenceData(full.train, tuple(test), full.beta, full.seed, True,
                          {**full.info, "validation_lists": len(validation)})
    return data, tuple(validation)


def grouping_comparison(n_prompts: int = 100, n: int = 8, *, epochs: int = 8,
                        batch_size: int = 16, lr: float = 1e-2, seed: int = 0,
                        seeds: Sequence[int] | None = None,
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

    Every run sees every comparison once per epoch. ``seeds`` (default: just ``seed``)
    repeats everything with each seed: new data, new initial weights, new shuffling.
    The prompts are split 70 / 15 / 15 into train, validation (for :meth:`temperature`)
    and held-out test.
    """
    from ..train import train

    if int(n) < 2:
        raise ValueError(f"n (responses per prompt) must be at least 2; got {n}.")
    seeds = tuple(int(s) for s in (seeds if seeds is not None else (seed,)))
    if not seeds:
        raise ValueError("seeds must name at least one seed.")
    mk = dict(model_kwargs or TINY["model_kwargs"])
    pairs = n * (n - 1) // 2
    specs = {"grouped listwise (InstructGPT)": ("listwise", "grouped", batch_size),
             "exploded pairs": ("pairwise", "exploded", batch_size)}
    if matched:
        specs["exploded pairs, same steps"] = ("pairwise", "exploded", batch_size * pairs)
    runs: dict = {label: [] for label in specs}
    datas, validations = [], []
    for sd in seeds:
        data, validation = grouping_data(n_prompts, n, sd)
        datas.append(data)
        validations.append(validation)
        for label, (loss, mode, bs) in specs.items():
            runs[label].append(train(data, loss=loss, mode=mode, epochs=epochs, lr=lr,
                                     batch_size=bs, seed=sd, device="cpu", model_kwargs=mk,
                                     progress=progress))
    return GroupingComparison(n=n, results={lab: r[0] for lab, r in runs.items()},
                              data=datas[0], seeds=seeds, runs=runs, datas=tuple(datas),
                              validations=tuple(validations))


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
                 names: tuple[str, str] = ("A", "B"), scale: float = 1.0,
                 validation: Sequence[RankedList] | None = None):
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
        self._grid = SCALE_GRID
        self._curve = listwise_loss_by_scale(self.lists, self._sa, self._grid)
        # the scale to report is fitted on validation prompts; without them, the minimum
        # of the curve itself is marked, and labelled as tuned on the shown prompts
        self.fitted_on_validation = validation is not None
        if self.fitted_on_validation:
            s_best = fit_scale(model_a, validation)
        else:
            s_best = float(self._grid[int(np.argmin(self._curve))])
        self._best = (s_best, self._loss_a(s_best))
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
                    label=(f"{a}'s scale fitted on validation prompts"
                           if self.fitted_on_validation else
                           f"{a}'s best scale on these prompts (tuned on them: optimistic)"))
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
                        scale: float = 1.0, validation=None) -> ConfidenceExplorer:
    """Build notebook 06's accuracy-versus-loss widget (control ``scale``, main).

    ``lists``: the held-out prompts the two models are compared on; ``validation``: other
    prompts, never trained on, on which model A's best scale (temperature) is fitted."""
    return ConfidenceExplorer(model_a, model_b, lists, names=names, scale=scale,
                              validation=validation)
