"""Notebook 11: what each loss of the DPO family asks of the implicit reward margin.

:func:`dpo_target_explorer` – sliders β and label noise ε: the expected loss of one pair
whose label is flipped with probability ε, (1 − ε)·ℓ(Δ) + ε·ℓ(−Δ), against the log-ratio
gap Δ = (log π_c − log π_ref,c) − (log π_r − log π_ref,r), for DPO (``sigmoid``), IPO and
hinge, each minimum marked.  DPO's minimum runs off to infinity as ε → 0 (it pushes the
gap up without end); IPO's sits at (1 − 2ε)/(2β) (a bounded target); the hinge stops at 1/β.
"""

from __future__ import annotations

import math

import numpy as np
from ipywidgets import FloatSlider, HBox, Layout

from ..experiments.dpo import LOSSES, expected_loss, optimal_gap
from ._base import PALETTE, LiveFigure, RMWidget

__all__ = ["DPOTargetExplorer", "dpo_target_explorer"]

_COLOURS = {"DPO": PALETTE["vermillion"], "IPO": PALETTE["blue"], "hinge": PALETTE["green"]}
_XMAX = 60.0


def _fmt_gap(g: float) -> str:
    return "∞ (no minimum)" if math.isinf(g) else f"{g:.2f}"


class DPOTargetExplorer(RMWidget):
    """Sliders ``beta`` and ``noise``: expected loss against the log-ratio gap, per loss.

    ``values``: the gap Δ* that minimises the expected loss, per loss (``"DPO"``, ``"IPO"``,
    ``"hinge"``; ``inf`` where there is none).
    """

    def __init__(self, beta: float = 0.1, noise: float = 0.0):
        controls = {
            "beta": FloatSlider(value=beta, min=0.05, max=1.0, step=0.05, description="β",
                                layout=Layout(width="300px")),
            "noise": FloatSlider(value=noise, min=0.0, max=0.45, step=0.05,
                                 description="label noise ε", layout=Layout(width="340px"),
                                 style={"description_width": "90px"}),
        }
        self._x = np.linspace(-10.0, _XMAX, 561)
        live = LiveFigure(1, 1, figsize=(6.4, 3.0))
        ax = live.axes[0] if isinstance(live.axes, (list, tuple, np.ndarray)) else live.axes
        self._lines, self._marks = {}, {}
        with live.style():
            for name in LOSSES:
                self._lines[name], = ax.plot([], [], color=_COLOURS[name], lw=2, label=name)
                self._marks[name], = ax.plot([], [], "o", ms=7, color=_COLOURS[name])
            ax.set_xlim(self._x[0], _XMAX)
            ax.set_ylim(0, 3)
            ax.set_xlabel("log-ratio gap Δ (nats): how far the policy moved the pair")
            ax.set_ylabel("expected loss of the pair")
            ax.legend(loc="upper right", frameon=False)
            self._heading = ax.set_title("")
        live.animate(*self._lines.values(), *self._marks.values(), self._heading)
        super().__init__(controls=controls, main="beta", live_figure=live,
                         control_box=HBox([controls["beta"], controls["noise"]]),
                         title="What each loss asks of the implicit reward margin")

    def update(self) -> None:
        beta = float(self.controls["beta"].value)
        noise = float(self.controls["noise"].value)
        if not (math.isfinite(beta) and beta > 0):
            raise ValueError(f"β must be a number > 0; got {beta}.")
        if not (0 <= noise < 0.5):
            raise ValueError(f"the label noise must be in [0, 0.5); got {noise}.")
        self.values = {}
        for name, loss_type in LOSSES.items():
            y = expected_loss(self._x, beta, noise, loss_type)
            self._lines[name].set_data(self._x, np.minimum(y, 3.5))
            g = optimal_gap(beta, noise, loss_type)
            self.values[name] = g
            shown = min(g, _XMAX)
            at = float(expected_loss(shown, beta, noise, loss_type))
            self._marks[name].set_data([shown], [min(at, 2.95)])
        self._heading.set_text(f"β = {beta:g}, label noise ε = {noise:g}")
        v = self.values
        self.readout.value = (
            f"The loss is lowest at Δ* = <b>DPO</b> {_fmt_gap(v['DPO'])}, "
            f"<b>IPO</b> {_fmt_gap(v['IPO'])}, <b>hinge</b> {_fmt_gap(v['hinge'])} "
            f"(nats; the implicit reward margin is β·Δ*).")


def dpo_target_explorer(beta: float = 0.1, noise: float = 0.0) -> DPOTargetExplorer:
    """Build the widget of notebook 11 (one call).  Controls: ``beta``, ``noise``."""
    if isinstance(beta, bool) or not isinstance(beta, (int, float)) \
            or not 0.05 <= beta <= 1.0:
        raise ValueError(f"beta must be a number in [0.05, 1]; got {beta!r}.")
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) \
            or not 0.0 <= noise <= 0.45:
        raise ValueError(f"noise must be a number in [0, 0.45]; got {noise!r}.")
    return DPOTargetExplorer(float(beta), float(noise))
