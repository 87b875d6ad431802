"""Notebook 07: tiered rankings with ties, and calibration.

* :func:`tiered_ranking_explorer` – type a ranking with ties (``A > B = C > D``), move one
  item's reward: the items drawn on the reward axis by tier, the cross-tier pairs, and
  the tiered listwise loss with its normalisation (N² − Σ n_t²)/2.
* :func:`reliability_explorer` – a temperature slider on a reward model's gaps: the
  reliability diagram (predicted against observed on held-out pairs), ECE and log-loss,
  with the temperature fitted on the validation split marked.
"""

from __future__ import annotations

import math

import numpy as np
from ipywidgets import Dropdown, FloatSlider, HBox, Layout, Text, VBox

from ..math._checks import validated
from ..math.calibration import (
    apply_temperature,
    expected_calibration_error,
    fit_temperature,
    fold_pairs,
    log_loss,
    reliability_table,
)
from ..math.ranking import parse_tiers, tiers_to_pairs
from ..math.ties import tiered_listwise_loss, tiered_pair_count
from ._base import PALETTE, LiveFigure, RMWidget

__all__ = ["ReliabilityExplorer", "TieredRankingExplorer", "reliability_explorer",
           "tiered_ranking_explorer"]

_LABELS = ("A", "B", "C", "D", "E", "F")
_MAX_PAIRS = 15


class TieredRankingExplorer(RMWidget):
    """Controls ``ranking`` (text), ``item`` and ``reward``: tiers on the reward axis and the
    cross-tier pairs (green: ordered right, red: wrong).

    ``values``: tiers, pairs, n_pairs, untied_pairs, loss.
    """

    def __init__(self, ranking: str = "A > B = C > D", scores: dict | None = None):
        self.scores = dict(scores or {"A": 2.0, "B": 0.5, "C": 1.0, "D": -1.0, "E": 0.0,
                                      "F": -0.5})
        controls = {
            "ranking": Text(value=ranking, description="ranking", continuous_update=False,
                            style={"description_width": "70px"}, layout=Layout(width="300px")),
            "item": Dropdown(options=list(_LABELS), value="B", description="move",
                             style={"description_width": "50px"}, layout=Layout(width="130px")),
            "reward": FloatSlider(value=self.scores["B"], min=-4, max=4, step=0.1,
                                  description="its reward", style={"description_width": "80px"},
                                  layout=Layout(width="330px")),
        }
        controls["ranking"].add_class("rmteach-ranking-input")
        controls["item"].observe(self._on_item, names="value")
        live = LiveFigure(figsize=(7.0, 2.9))
        ax = live.axes[0]
        with live.style():
            self._segments = [ax.plot([], [], lw=1.5)[0] for _ in range(_MAX_PAIRS)]
            # labelled points: each letter inside its own dot
            self._dots, = ax.plot([], [], "o", ms=19, color=PALETTE["blue"], zorder=3)
            self._names = [ax.text(0, 0, "", ha="center", va="center", color="white",
                                   fontweight="bold", zorder=4)
                           for _ in _LABELS]
            ax.set_ylim(-4.5, 4.5)
            ax.set_xlabel("tiers, best first (items in one tier are tied)")
            ax.set_ylabel("reward r")
            self._heading = ax.set_title("")
        self._ax = ax
        live.animate(*self._segments, self._dots, *self._names, self._heading)
        super().__init__(controls=controls, main="reward", live_figure=live,
                         control_box=VBox([controls["ranking"],
                                           HBox([controls["item"], controls["reward"]])]),
                         title="Tiered rankings: ties give no pair")

    def _on_item(self, change) -> None:
        self.controls["reward"].value = float(self.scores.get(change["new"], 0.0))

    def update(self) -> None:
        item = self.controls["item"].value
        self.scores[item] = float(self.controls["reward"].value)
        tiers = parse_tiers(self.controls["ranking"].value)
        labels = [x for t in tiers for x in t]
        unknown = [x for x in labels if x not in _LABELS]
        if unknown:
            raise ValueError(f"use the labels A to F; got {', '.join(map(repr, unknown))}.")
        if len(tiers) < 2:
            raise ValueError("all items are tied (one tier): the ranking implies no pair. Put "
                             "a '>' between tiers, like 'A > B = C'.")
        pairs = tiers_to_pairs(tiers)
        loss = tiered_listwise_loss(self.scores, tiers)
        # tied items side by side within their tier, so neither points nor letters overlap
        xpos = {x: t + 0.22 * (k - (len(tier) - 1) / 2)
                for t, tier in enumerate(tiers) for k, x in enumerate(tier)}
        names = [" = ".join(t) for t in tiers]
        if names != getattr(self, "_tick_names", None):        # static part changed: redraw it
            self._tick_names = names
            self._ax.set_xticks(range(len(tiers)), names)
            self._ax.set_xlim(-0.5, len(tiers) - 0.5)
            self.live_figure.invalidate()
        n = len(labels)
        self.values = {"tiers": tiers, "pairs": pairs, "n_pairs": len(pairs),
                       "untied_pairs": n * (n - 1) // 2, "loss": loss}
        for seg, pair in zip(self._segments, pairs + [None] * (_MAX_PAIRS - len(pairs))):
            if pair is None:
                seg.set_data([], [])
                continue
            a, b = pair
            seg.set_data([xpos[a], xpos[b]], [self.scores[a], self.scores[b]])
            seg.set_color(PALETTE["green"] if self.scores[a] > self.scores[b]
                          else PALETTE["vermillion"])
        ys = [float(self.scores[x]) for x in labels]
        top = max(4.5, float(np.ceil(max(abs(y) for y in ys) + 0.7)))   # never clip a point
        if self._ax.get_ylim()[1] != top:
            self._ax.set_ylim(-top, top)
            self.live_figure.invalidate()
        self._dots.set_data([xpos[x] for x in labels], ys)
        for text, (x, y) in zip(self._names, list(zip(labels, ys)) + [("", 0)] * 6):
            text.set_text(x)
            text.set_position((xpos.get(x, 0), y))
        right = sum(self.scores[a] > self.scores[b] for a, b in pairs)
        self._heading.set_text(f"{len(pairs)} cross-tier pairs, {right} ordered right")
        sizes = " + ".join(f"{len(t)}²" for t in tiers)
        self.readout.value = (
            f"<b>{tiered_pair_count(tiers)}</b> cross-tier pairs ({n * (n - 1) // 2} without "
            f"ties); tiered listwise loss <b>{loss:.4f}</b>."
            f"<details><summary>details</summary>Tiers {tiers}: N = {n}, pairs = (N² − "
            f"({sizes}))/2; the loss is the mean over these pairs of −log Sigmoid(r_better − "
            f"r_worse) (ln 2 = 0.6931 for an undecided model).</details>")


def tiered_ranking_explorer(ranking: str = "A > B = C > D",
                            scores: dict | None = None) -> TieredRankingExplorer:
    """Build the tiered-ranking widget of notebook 07 (one call). Main control: ``reward``."""
    return TieredRankingExplorer(ranking, scores)


class ReliabilityExplorer(RMWidget):
    """Temperature slider: reliability diagram and ECE of Sigmoid(Δ / T) on the test pairs.

    ``values``: temperature, fitted_temperature, ece, log_loss, accuracy.
    """

    @validated(test_gap="array?", validation_gap="array?", n_bins="int[1,100]")
    def __init__(self, test_gap=None, validation_gap=None, *, n_bins: int = 10):
        if (test_gap is None) != (validation_gap is None):
            raise ValueError("give both test_gap and validation_gap (reward gaps of the test "
                             "and validation pairs), or neither for notebook 07's model.")
        if test_gap is None:
            from ..experiments.seed_tables import calibration_setup

            setup = calibration_setup()
            test_gap, validation_gap = setup["test_gap"], setup["validation_gap"]
        self.test_gap = np.asarray(test_gap, dtype=float)
        if self.test_gap.ndim != 1 or self.test_gap.size < 2 or \
                not np.all(np.isfinite(self.test_gap)):
            raise ValueError(f"test_gap must be a 1-D list of at least 2 finite reward gaps; got "
                             f"shape {self.test_gap.shape}.")
        self.fitted = fit_temperature(validation_gap)
        self.n_bins = int(n_bins)
        controls = {"temperature": FloatSlider(value=1.0, min=0.2, max=10.0, step=0.1,
                                               description="temperature T",
                                                  style={"description_width": "100px"},
                                                  layout=Layout(width="420px"))}
        live = LiveFigure(1, 2, figsize=(8.4, 3.0), gridspec_kw={"width_ratios": [1.2, 1]})
        ax, bx = live.axes
        with live.style():
            ax.plot([0.5, 1], [0.5, 1], color="0.5", ls="--", label="perfectly calibrated")
            self._curve, = ax.plot([], [], "o-", color=PALETTE["blue"], label="model")
            ax.set_xlim(0.5, 1.0)
            ax.set_ylim(0.3, 1.02)
            ax.set_xlabel("predicted Pr for the preferred response")
            ax.set_ylabel("observed: annotators agree")
            ax.legend(loc="upper left", frameon=False)
            self._hist = bx.bar(np.linspace(0.525, 0.975, self.n_bins), np.zeros(self.n_bins),
                                width=0.045, color=PALETTE["skyblue"])
            bx.set_xlim(0.5, 1.0)
            bx.set_ylim(0, len(self.test_gap))
            bx.set_xlabel("predicted Pr")
            bx.set_ylabel("test pairs")
            self._heading = ax.set_title("")
        live.animate(self._curve, *self._hist, self._heading)
        super().__init__(controls=controls, main="temperature", live_figure=live,
                         title="Reliability diagram: is Sigmoid(Δ) a probability you can trust?")

    def update(self) -> None:
        t = float(self.controls["temperature"].value)
        if not (math.isfinite(t) and t > 0):
            raise ValueError(f"the temperature must be a positive number; got {t}.")
        gap = apply_temperature(self.test_gap, t)
        q, won = fold_pairs(gap)
        mean_q, rate, count = reliability_table(q, won, n_bins=self.n_bins)
        ece = expected_calibration_error(q, won, n_bins=self.n_bins)
        ll = log_loss(self.test_gap, t)
        keep = count > 0
        self._curve.set_data(mean_q[keep], rate[keep])
        for bar, c in zip(self._hist, count):
            bar.set_height(c)
        self._heading.set_text(f"T = {t:.2f}: ECE {ece:.3f}")
        self.values = {"temperature": t, "fitted_temperature": self.fitted, "ece": ece,
                       "log_loss": ll, "accuracy": float(np.mean(self.test_gap > 0))}
        self.readout.value = (
            f"T = {t:.3f} (fitted on the validation split: {self.fitted:.3f}): test ECE "
            f"<b>{ece:.4f}</b>, accuracy {np.mean(self.test_gap > 0):.4f}."
            f"<details><summary>details</summary>Test log-loss {ll:.4f}. The accuracy is the "
            "same for every T: dividing by T never changes an order.</details>")


@validated(n_bins="int[1,100]")      # more bins than pairs per bin say nothing, and cost
def reliability_explorer(test_gap=None, validation_gap=None, *,
                         n_bins: int = 10) -> ReliabilityExplorer:
    """Build the calibration widget of notebook 07 (one call). Control: ``temperature``.

    Without arguments it uses :func:`rmteach.experiments.seed_tables.calibration_setup`'s model.
    """
    return ReliabilityExplorer(test_gap, validation_gap, n_bins=n_bins)
