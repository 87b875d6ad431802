"""Notebook 04, part 2: offsets the loss cannot see, and Llama 2's margins.

* :func:`offset_explorer` – one head trained with each way of pinning the offsets (none,
  TRL's centering, TorchRL's r_c² + r_r², post-hoc normalisation) and a coefficient
  slider: rewards against the truth r*, coloured by topic, and each topic's offset.
* :func:`margin_explorer` – the margin of "significantly better" (Llama 2: 1 small, 3
  large; the other levels in proportion): the push Sigmoid(−(Δ − m)) against Δ, and the
  learned gaps against the true gaps.
"""

from __future__ import annotations

import math

import numpy as np
from ipywidgets import Dropdown, FloatSlider, HBox, Layout, SelectionSlider

from ..data.generate import TOPICS
from ..experiments.frozen_head import fit_head, learned_scale, pair_set, preference_strength
from ..experiments.seed_tables import FIXES, offset_fix
from ..math._checks import validated
from ._base import PALETTE, PALETTE_CYCLE, LiveFigure, RMWidget
from ._ranges import refuses_out_of_range
from .readout import details

__all__ = ["MarginExplorer", "OffsetExplorer", "margin_explorer", "offset_explorer"]

_TOPICS = tuple(TOPICS)
#: the coefficient slider's values (1-2-5 steps)
_COEFS = (0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)


def _nearest(coef: float) -> float:
    if not (isinstance(coef, (int, float)) and math.isfinite(coef) and coef > 0):
        raise ValueError(f"coef must be a positive number; got {coef!r}.")
    return min(_COEFS, key=lambda c: abs(math.log(c / coef)))


class OffsetExplorer(RMWidget):
    """Dropdown ``fix`` and slider ``coef``: rewards vs r* by topic, and each topic's offset.

    ``values``: scale, offsets (5), offset_spread, relative_spread, mean, std,
    heldout_log_loss, heldout_accuracy.
    """

    @refuses_out_of_range
    @validated(fix="str", coef="real[0,]", beta="real+inf[0,]", seed="seed")
    def __init__(self, fix: str = "TRL centering", coef: float = 0.01, *, beta: float = 2.0,
                 seed: int = 0):
        self.beta, self.seed = beta, seed
        self._cache: dict = {}
        controls = {
            "fix": Dropdown(options=list(FIXES), value=fix, description="pin the offsets",
                            style={"description_width": "110px"}),
            "coef": SelectionSlider(options=_COEFS, value=_nearest(coef),
                                    description="coefficient c",
                                    style={"description_width": "90px"},
                                    layout=Layout(width="380px")),
        }
        first = self._run(fix, coef)
        live = LiveFigure(1, 2, figsize=(8.8, 3.0), gridspec_kw={"width_ratios": [1.6, 1]})
        ax, bx = live.axes
        with live.style():
            self._dots = []
            for j, topic in enumerate(_TOPICS):
                dots = ax.scatter([], [], s=6, color=PALETTE_CYCLE[j], label=topic)
                self._dots.append(dots)
            ax.set_xlabel("true reward r*(x, y)")
            ax.set_ylabel("learned reward r(x, y)")
            lo, hi = float(first["true"].min()), float(first["true"].max())
            ax.set_xlim(lo - 0.5, hi + 0.5)
            ax.set_ylim(-25, 25)
            ax.axhline(0, color="0.7", lw=0.8)
            ax.legend(loc="upper left", frameon=False, markerscale=2)
            self._bars = bx.bar(np.arange(5), np.zeros(5), color=PALETTE_CYCLE[:5])
            bx.axhline(0, color="0.5", lw=0.8)
            bx.set_xticks(np.arange(5), _TOPICS, rotation=55, ha="right",
                       rotation_mode="anchor")
            bx.set_ylim(-3, 3)
            bx.set_ylabel("offset f(x) / scale (r* units)")
            self._heading = bx.set_title("")
        live.animate(*self._dots, *self._bars, self._heading)
        super().__init__(controls=controls, main="coef", live_figure=live,
                         control_box=HBox([controls["fix"], controls["coef"]]),
                         title="Offsets: what the loss cannot see, and three ways to pin them")

    def _run(self, fix, coef):
        key = (fix, round(math.log10(coef), 4) if FIXES[fix][0] else None)
        if key not in self._cache:
            self._cache[key] = offset_fix(fix, coef=coef, beta=self.beta, seed=self.seed)
        return self._cache[key]

    def update(self) -> None:
        fix, coef = self.controls["fix"].value, float(self.controls["coef"].value)
        if not (coef > 0 and math.isfinite(coef)):
            raise ValueError(f"the coefficient must be a positive number; got {coef}.")
        res = self._run(fix, coef)
        keys = ("scale", "offset_spread", "relative_spread", "mean", "std", "heldout_log_loss",
                "heldout_accuracy")
        self.values = {k: res[k] for k in keys}
        self.values["offsets"] = res["offsets"].copy()
        for j, dots in enumerate(self._dots):
            sel = res["topic"] == j
            dots.set_offsets(np.c_[res["true"][sel], np.clip(res["rewards"][sel], -24, 24)])
        for bar, off in zip(self._bars, res["offsets"] / res["scale"]):
            bar.set_height(float(np.clip(off, -2.9, 2.9)))
        used = f" × {coef:g}" if FIXES[fix][0] else " (the coefficient is not used)"
        self._heading.set_text(f"{fix}{used}")
        self.readout.value = (
            f"<b>{fix}</b>{used}: scale <b>{res['scale']:.3f}</b>, offsets across topics "
            f"<b>{res['relative_spread']:.3f}</b> (sd in units of the scale), held-out "
            f"log-loss {res['heldout_log_loss']:.4f}."
            "<br>Try: lower the coefficient; notice the scale recover while the offsets stay "
            "pinned. Then pick <i>none</i>."
            + details(
                f"β = {self.beta}; offsets sd {res['offset_spread']:.3f} in reward units; "
                f"rewards on the reference set: mean {res['mean']:.3f}, sd {res['std']:.3f}; "
                f"held-out accuracy {res['heldout_accuracy']:.3f}."))


@refuses_out_of_range
def offset_explorer(fix: str = "TRL centering", coef: float = 0.01, *, beta: float = 2.0,
                    seed: int = 0) -> OffsetExplorer:
    """Build the offsets widget of notebook 04 (one call). Controls: ``fix``, ``coef``."""
    if fix not in FIXES:
        raise ValueError(f"fix must be one of {', '.join(map(repr, FIXES))}; got {fix!r}.")
    return OffsetExplorer(fix, coef, beta=beta, seed=seed)


class MarginExplorer(RMWidget):
    """Slider ``top_margin`` (m of "significantly better"): push vs Δ, learned vs true gaps.

    ``values``: top_margin, margins (per level), scale, heldout_log_loss, gap_by_level.
    """

    @refuses_out_of_range
    @validated(top_margin="real", beta="real+inf[0,]", seed="seed")
    def __init__(self, top_margin: float = 1.0, *, beta: float = 1.0, seed: int = 0):
        self.train, self.held = pair_set(1000, seed=0), pair_set(1000, split="heldout", seed=0)
        self.hc, self.hr, agrees = self.train.label(beta, seed=seed)
        self.levels = np.where(agrees, preference_strength(self.train.true_gap), 0)
        self.hc_h, self.hr_h, _ = self.held.label(beta, seed=seed + 1000)
        self.beta = beta
        self._cache: dict = {}
        base = fit_head(self.hc, self.hr).w
        controls = {"top_margin": FloatSlider(value=top_margin, min=0.0, max=4.0, step=0.25,
                                              description="m, significantly better",
                                              style={"description_width": "150px"},
                                              layout=Layout(width="420px"))}
        live = LiveFigure(1, 2, figsize=(8.8, 3.0))
        ax, bx = live.axes
        z = np.linspace(-4, 8, 241)
        with live.style():
            ax.plot(z, 1 / (1 + np.exp(z)), color="0.5", ls="--", label="m = 0")
            self._push, = ax.plot([], [], color=PALETTE["vermillion"], lw=2,
                                  label="current top m")
            ax.set_xlabel("reward gap Δ = r_c − r_r")
            ax.set_ylabel("push Sigmoid(−(Δ − m))")
            ax.legend(loc="upper right", frameon=False)
            d_true = self.held.h_better - self.held.h_worse
            gap_t = d_true @ np.r_[1.0, 0.5, -0.5, -0.25, -1.5, np.zeros(5)]
            self._gap_true = gap_t
            bx.plot([0, gap_t.max()], [0, beta * gap_t.max()], color="0.5", ls="--",
                    label="β · Δ* (the truth at β)")
            bx.plot(gap_t, d_true @ base, ".", ms=2, color="0.7", label="no margin")
            self._gaps, = bx.plot([], [], ".", ms=2, color=PALETTE["blue"],
                                  label="with margins")
            bx.set_xlabel("true gap Δ* (held-out pairs)")
            bx.set_ylabel("learned gap Δ")
            bx.legend(loc="upper left", frameon=False, markerscale=4)
        live.animate(self._push, self._gaps)
        self._z = z
        super().__init__(controls=controls, main="top_margin", live_figure=live,
                         title="Margins: ask strong preferences to win by m")

    def _fit(self, top):
        key = round(top, 6)
        if key not in self._cache:
            m = top * self.levels / 3.0
            self._cache[key] = fit_head(self.hc, self.hr, margin=m).w
        return self._cache[key]

    def update(self) -> None:
        top = float(self.controls["top_margin"].value)
        if not (math.isfinite(top) and top >= 0):
            raise ValueError(f"the margin must be a finite number >= 0; got {top}.")
        w = self._fit(top)
        d = self.held.h_better - self.held.h_worse
        gaps = d @ w
        ll = float(np.mean(np.logaddexp(0.0, -(self.hc_h - self.hr_h) @ w)))
        table = [round(top * k / 3, 3) for k in range(4)]
        self.values = {"top_margin": top, "margins": table, "scale": learned_scale(w),
                       "heldout_log_loss": ll, "heldout_accuracy": float(np.mean(gaps > 0))}
        self._push.set_data(self._z, 1 / (1 + np.exp(self._z - top)))
        self._gaps.set_data(self._gap_true, gaps)
        self.readout.value = (
            f"Scale <b>{learned_scale(w):.3f}</b> (without a margin it would sit near β); "
            f"held-out log-loss on fresh labels {ll:.4f}."
            "<br>Try: raise the top margin; notice the scale grow and the log-loss worsen."
            + details(
                f"margins by strength (negligibly, slightly, better, significantly): {table}; "
                f"β = {self.beta}; held-out accuracy against the true order "
                f"{np.mean(gaps > 0):.3f}."))


@refuses_out_of_range
def margin_explorer(top_margin: float = 1.0, *, beta: float = 1.0,
                    seed: int = 0) -> MarginExplorer:
    """Build the margin widget of notebook 04 (one call). Control: ``top_margin``."""
    return MarginExplorer(top_margin, beta=beta, seed=seed)
