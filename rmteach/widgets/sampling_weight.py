"""Notebook 02, part 3: the uniform-sampling assumption of Eq. 4.37.

* :func:`length_preference_loss` – Eq. 4.37 for a one-parameter reward model
  r(x, y) = w · length(y), on a mix of "longer preferred" and "shorter preferred" pairs;
* :func:`sampling_weight_explorer` – duplicating one kind of prompt changes what
  minimising the average learns.

Re-exported by :mod:`rmteach.widgets.pairwise` (the notebook's other two widgets).
"""

from __future__ import annotations

import html
import math

import numpy as np
from ipywidgets import IntSlider, Layout

from ..math._arrays import _check_numpy_input
from ..math.losses import pairwise_loss, preference_probability
from ._base import PALETTE, LiveFigure, RMWidget, check_arg
from ._ranges import refuses_out_of_range
from .readout import details

__all__ = ["SamplingWeightExplorer", "length_preference_loss", "sampling_weight_explorer"]

_W = np.linspace(-5.0, 5.0, 1001)


def length_preference_loss(w, n_long_preferred: int, n_short_preferred: int):
    """Eq. 4.37 for a one-parameter reward model r(x, y) = w · length(y).

    The data set has ``n_long_preferred`` pairs in which the longer response (by one
    length unit) was preferred (say, coding prompts) and ``n_short_preferred`` in
    which the shorter one was (say, chit-chat).  In the first kind Δ = w, in the
    second Δ = −w.  Returns L(w) for each w in the array ``w``.

    Its minimiser satisfies Sigmoid(w*) = n_long / (n_long + n_short): the model's
    length preference copies the *mix of pairs* in D.

    >>> round(float(length_preference_loss(0.0, 3, 1)), 6)      # w = 0: undecided, ln 2
    0.693147
    """
    n_long_preferred = check_arg(n_long_preferred, "n_long_preferred", 0, 10_000, integer=True)
    n_short_preferred = check_arg(n_short_preferred, "n_short_preferred", 0, 10_000,
                                  integer=True)
    n = n_long_preferred + n_short_preferred
    if n_long_preferred < 0 or n_short_preferred < 0 or n == 0:
        raise ValueError("give each kind of pair 0 or more copies, and at least one pair in "
                         f"total; got {n_long_preferred} and {n_short_preferred}.")
    w = np.asarray(_check_numpy_input(w, "w"), dtype=float)
    gaps = np.concatenate([np.ones(n_long_preferred), -np.ones(n_short_preferred)])
    per_pair = pairwise_loss(w[..., None] * gaps, 0.0, reduction="none")
    return per_pair.mean(axis=-1)            # the average over D (Eq. 4.37)


class SamplingWeightExplorer(RMWidget):
    """Two copy sliders; L(w) of :func:`length_preference_loss` and its minimiser.

    Controls: ``copies_long`` (main) and ``copies_short``.
    ``values``: n_long, n_short, w_star (grid minimiser), w_star_exact (ln(n_long/n_short)
    or ±inf), p_long_star (the learned Pr(longer ≻ shorter)), share_long.
    """

    def __init__(self, copies_long: int = 3, copies_short: int = 3):
        copies_long = check_arg(copies_long, "copies_long", 0, 12, integer=True)
        copies_short = check_arg(copies_short, "copies_short", 0, 12, integer=True)
        controls = {
            "copies_long": IntSlider(value=copies_long, min=0, max=12,
                                     description="pairs where the LONGER answer won (coding)",
                                     style={"description_width": "300px"},
                                     layout=Layout(width="560px")),
            "copies_short": IntSlider(value=copies_short, min=0, max=12,
                                      description="pairs where the SHORTER answer won (chat)",
                                      style={"description_width": "300px"},
                                      layout=Layout(width="560px")),
        }
        live = LiveFigure(figsize=(6.4, 2.7))
        ax = live.axes[0]
        with live.style():
            ax.plot(_W, length_preference_loss(_W, 1, 1), color="0.6", lw=1.2, ls="--",
                    label="balanced data (1 : 1)")
            self._curve, = ax.plot(_W, np.zeros_like(_W), color=PALETTE["blue"], lw=2,
                                   label="this data set")
            self._min, = ax.plot([], [], "v", color=PALETTE["vermillion"], ms=9,
                                 clip_on=False, label="minimiser w*")
            self._txt = ax.text(0.5, 0.95, "", transform=ax.transAxes, ha="center", va="top")
            ax.set_xlim(-5, 5)
            ax.set_ylim(0, 4)
            ax.set_xlabel("w: reward per unit of length (the model's only parameter)")
            ax.set_ylabel("empirical loss L(w) (nats)")
            ax.legend(loc="lower left", frameon=False)
        live.animate(self._curve, self._min, self._txt)
        super().__init__(controls=controls, main="copies_long", live_figure=live,
                         title="Who is in D decides what the average optimises")

    def update(self) -> None:
        n_long = int(self.controls["copies_long"].value)
        n_short = int(self.controls["copies_short"].value)
        if n_long + n_short == 0:
            raise ValueError("both sliders are at 0, so D is empty and there is nothing to "
                             "average; move one of them up.")
        curve = length_preference_loss(_W, n_long, n_short)
        k = int(np.argmin(curve))
        w_star = float(_W[k])
        exact = (math.log(n_long / n_short) if n_long and n_short
                 else math.inf if n_long else -math.inf)
        p_star = float(preference_probability(w_star, 0.0))
        share = n_long / (n_long + n_short)
        self.values = {"n_long": n_long, "n_short": n_short, "w_star": w_star,
                       "w_star_exact": exact, "p_long_star": p_star, "share_long": share}
        self._curve.set_ydata(curve)
        self._min.set_data([w_star], [float(curve[k])])
        edge = " (at the edge: no finite minimum)" if not math.isfinite(exact) else ""
        self._txt.set_text(f"w* = {w_star:.2f}{edge}")
        if math.isfinite(exact):
            note = (f"The model learns Pr(longer ≻ shorter) = {p_star:.3f}, exactly the "
                    "share of 'longer won' pairs in D.")
            more = (f"w* = ln({n_long}/{n_short}) = {exact:.3f}; Sigmoid(w*) = {p_star:.3f}; "
                    f"share of 'longer won' pairs {share:.1%}.")
        else:
            side = "longer" if n_long else "shorter"
            note = (f"Every pair prefers the {side} answer, so L(w) keeps falling as |w| grows: "
                    "no finite minimiser — the rewards would grow without bound.")
            more = ""
        self.readout.value = (f"{n_long} 'longer won', {n_short} 'shorter won': "
                              f"{html.escape(note)}"
                              "<br>Try: change the mix; notice the learned probability "
                              "follow the share, whatever the answers say."
                              + (details(html.escape(more)) if more else ""))


@refuses_out_of_range
def sampling_weight_explorer(copies_long: int = 3, copies_short: int = 3
                             ) -> SamplingWeightExplorer:
    """Build the data-mix widget of notebook 02. Controls: ``copies_long`` (main),
    ``copies_short``."""
    return SamplingWeightExplorer(copies_long=copies_long, copies_short=copies_short)
