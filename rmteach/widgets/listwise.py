"""Notebook 03: ranked lists, the listwise loss (Eq. 4.57) and Plackett–Luce (Eqs. 4.58–4.61).

    L_list = −E_{(x, Y) ∼ D} [ 1/(N(N−1)) Σ_{y_a, y_b ∈ Y, a ≠ b} log Pr(y_a ≻ y_b | x) ]

where each ordered pair is scored by the probability of its *true* order.  Widgets:

* :func:`listwise_explorer` – type a ranking such as ``C > A > D > B``; see its
  N(N−1)/2 pairs, a pair matrix coloured by −log Pr(true order), the listwise loss and
  the Plackett–Luce loss of the same list, and move each item's score.
* :func:`list_length_explorer` – the N(N−1) pair sum grows like N², the
  1/(N(N−1)) average stays comparable across list lengths.
* :func:`literal_trap_explorer` – the literal-reading trap: summing log Pr(y_a ≻ y_b)
  over *both* orders of every pair, whatever the ranking, is minimised by equal
  rewards; gradient descent on it collapses the rewards, while the true-order
  objective separates them.  The descent itself is :func:`descend_on_list`.

The last two widgets and the computations live in :mod:`rmteach.widgets.listwise_trap`
(re-exported here).
"""

from __future__ import annotations

import html
import math

import numpy as np
from ipywidgets import FloatSlider, HBox, Layout, Text, VBox
from matplotlib.colors import PowerNorm

from ..math.losses import listwise_loss, pairwise_loss, plackett_luce_loss
from ..math.ranking import parse_ranking, ranked_pair_positions, ranking_to_pairs
from ._base import PALETTE, LiveFigure, RMWidget, check_arg
from .listwise_trap import (
    ListLengthExplorer,
    LiteralTrapExplorer,
    descend_on_list,
    list_length_explorer,
    literal_objective,
    literal_trap_explorer,
    noisy_model_scores,
    plackett_luce_stage_probabilities,
)
from .readout import details

__all__ = [
    "ListLengthExplorer",
    "ListwiseExplorer",
    "LiteralTrapExplorer",
    "descend_on_list",
    "list_length_explorer",
    "listwise_explorer",
    "literal_objective",
    "literal_trap_explorer",
    "noisy_model_scores",
    "plackett_luce_stage_probabilities",
]

MAX_ITEMS = 8
DEFAULT_SCORES = {"A": 0.5, "B": -1.0, "C": 2.0, "D": 0.1}


# ---------------------------------------------------------------------------------------
# The ranking explorer
# ---------------------------------------------------------------------------------------

class ListwiseExplorer(RMWidget):
    """A ranking box and one score slider per item.

    Controls: ``ranking`` (``Text``, DOM class ``rmteach-ranking-input``) and
    ``score_<label>`` per item (main: ``score_<first item>``).  Rankings may use a
    subset of the items (at least 2); labels are matched case-insensitively.

    ``values``: ranking (labels, best first), n, pairs [(better, worse), ...],
    pair_losses (same order), listwise_loss (Eq. 4.57), ordered_sum (the N(N−1)-term
    sum), plackett_luce_loss, pl_stage_probabilities.
    """

    def __init__(self, ranking: str = "C > A > D > B", scores=None):
        if not isinstance(ranking, str):
            raise ValueError(f"ranking must be text like 'C > A > D > B'; got "
                             f"{type(ranking).__name__}.")
        if scores is not None and not isinstance(scores, dict):
            raise ValueError("scores must be a dict label -> reward, like {'A': 0.5, 'B': -1}; "
                             f"got {type(scores).__name__}.")
        scores = dict(DEFAULT_SCORES if scores is None else scores)
        for label, value in scores.items():
            check_arg(value, f"scores[{label!r}]", -4, 4)
        if not 2 <= len(scores) <= MAX_ITEMS:
            raise ValueError(f"give between 2 and {MAX_ITEMS} items; got {len(scores)}.")
        self.items = [str(k) for k in scores]
        text = Text(value=ranking, description="ranking (best first)",
                    placeholder="e.g. C > A > D > B", continuous_update=False,
                    style={"description_width": "140px"}, layout=Layout(width="420px"))
        text.add_class("rmteach-ranking-input")
        controls = {"ranking": text}
        for label in self.items:
            controls[f"score_{label}"] = FloatSlider(
                value=float(scores[label]), min=-4, max=4, step=0.1, readout_format=".1f",
                description=f"r(x, {label})", layout=Layout(width="300px"))
        sliders = [controls[f"score_{k}"] for k in self.items]
        box = VBox([text, HBox([VBox(sliders[0::2]), VBox(sliders[1::2])])])

        live = LiveFigure(1, 2, figsize=(7.6, 3.3), gridspec_kw={"width_ratios": [1.2, 1]})
        mx, px = live.axes
        with live.style():
            # square-root colour scale: the small losses of pairs the model gets right
            # (0.05 to 0.5) differ visibly, and mistakes (> ln 2) still darken up to 4
            self._im = mx.imshow(np.zeros((2, 2)), cmap="cividis_r",
                                 norm=PowerNorm(0.5, vmin=0.0, vmax=4.0),
                                 interpolation="nearest")
            cbar = live.figure.colorbar(self._im, ax=mx, fraction=0.046, pad=0.04,
                                        ticks=[0.0, 0.1, 0.3, math.log(2.0), 2.0, 4.0])
            cbar.ax.set_yticklabels(["0", "0.1", "0.3", "ln 2", "2", "4"])
            cbar.set_label("−log Pr(true order) (nats)")
            self._cells = [[mx.text(j, i, "", ha="center", va="center")
                            for j in range(MAX_ITEMS)] for i in range(MAX_ITEMS)]
            mx.set_title("Pair matrix, items in ranked order")
            mx.set_xlabel("item")
            mx.set_ylabel("item")
            self._pl_bars = px.bar(range(MAX_ITEMS - 1), np.zeros(MAX_ITEMS - 1), width=0.6,
                                   color=PALETTE["green"])
            self._pl_text = [px.text(k, 0, "", ha="center", va="bottom")
                             for k in range(MAX_ITEMS - 1)]
            self._loss_text = px.text(0.02, 0.98, "", transform=px.transAxes, va="top")
            px.set_ylim(0, 1.7)        # room for the loss text above the bars
            px.set_ylabel("Pr(pick the true next item)")
            px.set_xlabel("Plackett–Luce stage:\nitem picked from those left")
            px.set_title("Plackett–Luce, same list")
        self._mx, self._px = mx, px
        self._shown_ranking: list | None = None
        live.animate(self._im, *[t for row in self._cells for t in row], *self._pl_bars,
                     *self._pl_text, self._loss_text)
        super().__init__(controls=controls, main=f"score_{self.items[0]}", live_figure=live,
                         control_box=box, title="A ranked list and its listwise loss")

    def _parse(self) -> list[str]:
        labels = parse_ranking(self.controls["ranking"].value)
        lookup = {k.upper(): k for k in self.items}
        out = []
        unknown = []
        for label in labels:
            key = str(label).upper()
            if key in lookup:
                out.append(lookup[key])
            else:
                unknown.append(str(label))
        if unknown:
            raise ValueError(f"unknown item(s) {', '.join(map(repr, unknown))}; this list has "
                             f"the items {', '.join(self.items)}.")
        if len(set(out)) != len(out):
            raise ValueError("an item appears twice (labels are not case-sensitive); each "
                             "response must appear exactly once.")
        return out

    def _relayout(self, ranking: list[str]) -> None:
        n = len(ranking)
        self._im.set_extent((-0.5, n - 0.5, n - 0.5, -0.5))
        self._mx.set_xticks(range(n), ranking)
        self._mx.set_yticks(range(n), ranking)
        self._mx.set_xlim(-0.5, n - 0.5)
        self._mx.set_ylim(n - 0.5, -0.5)
        self._px.set_xticks(range(n - 1), [f"{k + 1}: {ranking[k]}" for k in range(n - 1)])
        self._px.set_xlim(-0.6, n - 1.4 + 0.2 if n > 2 else 0.6)
        self._shown_ranking = list(ranking)
        self.live_figure.invalidate()

    def update(self) -> None:
        ranking = self._parse()
        n = len(ranking)
        s = np.array([float(self.controls[f"score_{k}"].value) for k in ranking])
        pairs = ranking_to_pairs(ranking)
        i, j = ranked_pair_positions(n)
        losses = pairwise_loss(s[i], s[j], reduction="none")
        loss = float(listwise_loss(s))
        pl = float(plackett_luce_loss(s))
        stages = plackett_luce_stage_probabilities(s)
        self.values = {"ranking": ranking, "n": n, "pairs": pairs,
                       "pair_losses": [float(v) for v in losses], "listwise_loss": loss,
                       "ordered_sum": float(2 * losses.sum()), "plackett_luce_loss": pl,
                       "pl_stage_probabilities": [float(p) for p in stages]}

        if ranking != self._shown_ranking:
            self._relayout(ranking)
        matrix = np.full((n, n), np.nan)
        matrix[i, j] = losses
        matrix[j, i] = losses
        self._im.set_data(np.ma.masked_invalid(matrix))
        for a in range(MAX_ITEMS):
            for b in range(MAX_ITEMS):
                cell = self._cells[a][b]
                if a < n and b < n and a != b:
                    v = matrix[a, b]
                    cell.set_text(f"{v:.2f}")
                    cell.set_color("white" if v > 1.2 else "black")
                    cell.set_visible(True)
                else:
                    cell.set_visible(False)
        for k, (bar, text) in enumerate(zip(self._pl_bars, self._pl_text)):
            visible = k < n - 1
            bar.set_visible(visible)
            text.set_visible(visible)
            if visible:
                bar.set_height(stages[k])
                text.set_position((k, stages[k] + 0.02))
                text.set_text(f"{stages[k]:.2f}")

        self._loss_text.set_text(f"listwise loss (Eq. 4.57) {loss:.3f}\n"
                                 f"Plackett–Luce loss {pl:.3f}")
        rows = " ".join(f"<span style='display:inline-block;margin-right:14px;"
                        f"font-family:monospace'>{html.escape(str(a))} ≻ "
                        f"{html.escape(str(b))}: {v:.4f}</span>"
                        for (a, b), v in zip(pairs, losses))
        self.readout.value = (
            f"{n} items → <b>{len(pairs)}</b> implied preferences; listwise loss (Eq. 4.57) "
            f"<b>{loss:.4f}</b>, Plackett–Luce loss <b>{pl:.4f}</b>."
            "<br>Try: drag one score past its neighbour's; notice which pair's loss jumps "
            "and how much the average moves."
            + details(
            f"{n} items → N(N−1)/2 = {len(pairs)} implied preferences "
            f"(N(N−1) = {n * (n - 1)} ordered pairs: each pair counted in both orders, "
            "both scored by its true order). −log Sigmoid(r_better − r_worse) per pair:"
            f"<br>{rows}<br>"
            f"Sum over the N(N−1) ordered pairs = {2 * losses.sum():.4f}; "
            f"listwise loss (Eq. 4.57) = sum / {n * (n - 1)} = <b>{loss:.4f}</b> "
            f"(an undecided model: ln 2 = 0.6931).<br>"
            f"Plackett–Luce loss −log Pr(Y) (Eqs. 4.58–4.61) = <b>{pl:.4f}</b> "
            f"(an undecided model: ln {n}! = {math.lgamma(n + 1):.4f}).", "per-pair numbers"))


def listwise_explorer(ranking: str = "C > A > D > B", scores=None) -> ListwiseExplorer:
    """Build the ranking widget of notebook 03.

    ``scores``: dict label -> reward (default A 0.5, B −1.0, C 2.0, D 0.1).
    Controls ``ranking`` and ``score_<label>``; main ``score_A``.
    """
    return ListwiseExplorer(ranking=ranking, scores=scores)


