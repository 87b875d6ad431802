"""Notebook 01: the Bradley–Terry preference probability (Eq. 4.35).

    Pr(y_a ≻ y_b | x) = Sigmoid(r(x, y_a) − r(x, y_b)) = e^{r_a} / (e^{r_a} + e^{r_b})

:func:`bradley_terry_explorer` shows the sigmoid form and the exponential form side by
side.  The shift slider c adds the same constant to both rewards (nothing changes);
the scale slider s multiplies both (the confidence changes, a negative s flips the
preference).  The rewards the model ends up with are r'_a = s·r_a + c, r'_b = s·r_b + c.
"""

from __future__ import annotations

import numpy as np
from ipywidgets import FloatSlider, HBox, Layout, VBox

from ..math.losses import preference_probability, preference_probability_softmax
from ._base import PALETTE, LiveFigure, RMWidget, check_arg, format_probability
from ._ranges import refuses_out_of_range
from .readout import details

__all__ = ["BradleyTerryExplorer", "bradley_terry_explorer"]

_X_LIMIT = 10.0       # the sigmoid panel shows Δ in [−10, 10]


def _slider(description, value, lo, hi, step=0.1):
    return FloatSlider(value=value, min=lo, max=hi, step=step, description=description,
                       continuous_update=True, readout_format=".1f",
                       style={"description_width": "150px"}, layout=Layout(width="400px"))


class BradleyTerryExplorer(RMWidget):
    """Sliders r_a, r_b, shift c and scale s; the sigmoid curve with the current point, and
    the exponential form e^{r'}/(e^{r'_a} + e^{r'_b}) as two bars that sum to 1.

    ``values``: r_a_prime, r_b_prime (after shift and scale), delta, p_sigmoid, p_softmax, p_b.
    """

    def __init__(self, r_a: float = 1.0, r_b: float = 0.0, shift: float = 0.0,
                 scale: float = 1.0):
        r_a, r_b = check_arg(r_a, "r_a", -6, 6), check_arg(r_b, "r_b", -6, 6)
        shift, scale = check_arg(shift, "shift", -5, 5), check_arg(scale, "scale", -3, 3)
        controls = {
            "r_a": _slider("reward r(x, y_a)", r_a, -6, 6),
            "r_b": _slider("reward r(x, y_b)", r_b, -6, 6),
            "shift": _slider("shift c (add to both)", shift, -5, 5),
            "scale": _slider("scale s (multiply both)", scale, -3, 3),
        }
        live = LiveFigure(1, 2, figsize=(7.4, 2.8), gridspec_kw={"width_ratios": [1.7, 1]})
        ax, bx = live.axes
        with live.style():
            z = np.linspace(-_X_LIMIT, _X_LIMIT, 301)
            ax.plot(z, preference_probability(z, 0.0), color=PALETTE["blue"], lw=2,
                    label=r"Sigmoid($\Delta$)")
            ax.axhline(0.5, color="0.6", lw=0.8, ls=":")
            ax.axvline(0.0, color="0.6", lw=0.8, ls=":")
            self._before, = ax.plot([], [], "o", mfc="none", mec=PALETTE["black"], ms=8,
                                    label="before shift and scale", clip_on=False)
            self._point, = ax.plot([], [], "o", color=PALETTE["vermillion"], ms=9,
                                   label=r"current $\Delta'$", clip_on=False)
            self._guide, = ax.plot([], [], color=PALETTE["vermillion"], lw=1, ls="--")
            self._label = ax.text(0.03, 0.95, "", transform=ax.transAxes, va="top")
            ax.set_xlim(-_X_LIMIT, _X_LIMIT)
            ax.set_ylim(-0.03, 1.03)
            ax.set_xlabel(r"reward gap $\Delta' = r'(x,y_a) - r'(x,y_b)$ (reward units)")
            ax.set_ylabel(r"$\Pr(y_a \succ y_b \mid x)$")
            ax.set_title("Sigmoid form")
            ax.legend(loc="lower right", frameon=False)
            self._bars = bx.bar([0, 1], [0.5, 0.5], width=0.6,
                                color=[PALETTE["vermillion"], PALETTE["blue"]])
            self._bar_text = [bx.text(i, 0.5, "", ha="center", va="bottom") for i in (0, 1)]
            bx.set_xticks([0, 1], [r"$y_a$", r"$y_b$"])
            bx.set_ylim(0, 1.15)
            bx.set_ylabel("probability, exponential form")
            bx.set_title("Exponential form (Eq. 4.35)")
        live.animate(self._before, self._point, self._guide, self._label, *self._bars,
                     *self._bar_text)
        self._ax = ax
        box = VBox([HBox([controls["r_a"], controls["shift"]]),
                    HBox([controls["r_b"], controls["scale"]])])
        super().__init__(controls=controls, main="r_a", live_figure=live, control_box=box,
                         title="Bradley–Terry: from two rewards to a preference probability")

    def update(self) -> None:
        c = {k: float(w.value) for k, w in self.controls.items()}   # finite: checked first
        r_a = c["scale"] * c["r_a"] + c["shift"]
        r_b = c["scale"] * c["r_b"] + c["shift"]
        delta0 = c["r_a"] - c["r_b"]
        delta = r_a - r_b
        p = float(preference_probability(r_a, r_b))
        p_soft = float(preference_probability_softmax(r_a, r_b))
        p_b = float(preference_probability_softmax(r_b, r_a))
        self.values = {"r_a_prime": r_a, "r_b_prime": r_b, "delta": delta, "p_sigmoid": p,
                       "p_softmax": p_soft, "p_b": p_b}

        shown = float(np.clip(delta, -_X_LIMIT, _X_LIMIT))
        self._point.set_data([shown], [p])
        self._guide.set_data([shown, shown], [0, p])
        before = float(np.clip(delta0, -_X_LIMIT, _X_LIMIT))
        self._before.set_data([before], [float(preference_probability(delta0, 0.0))])
        off = "  (off the plot: shown at the edge)" if abs(delta) > _X_LIMIT else ""
        self._label.set_text(f"Δ' = {delta:.2f}{off}\nPr = {format_probability(p)}")
        for bar, text, h in zip(self._bars, self._bar_text, (p_soft, p_b)):
            bar.set_height(h)
            text.set_y(h + 0.02)
            text.set_text(f"{h:.3f}")

        verdict = ("y_a preferred" if delta > 0 else "y_b preferred" if delta < 0
                   else "no preference (0.5)")
        flip = (" <b>The negative scale flipped the preference.</b>"
                if c["scale"] < 0 and delta0 != 0 else "")
        zero = (" <b>Scale 0 erases every preference: Pr = 0.5.</b>"
                if c["scale"] == 0 and delta0 != 0 else "")
        self.readout.value = (
            f"<code>Δ' = {delta:.2f}</code> → <code>Pr(y_a ≻ y_b) = Sigmoid(Δ') = "
            f"{p:.6f}</code>: {verdict}.{flip}{zero}"
            "<br>Try: shift both rewards, then change the scale; notice which one moves Pr."
            + details(
                f"<code>r'_a = {r_a:.2f}, r'_b = {r_b:.2f}</code> · <code>Δ' = s·Δ = "
                f"{c['scale']:.1f} × {delta0:.2f}</code> (the shift c cancels) · "
                f"<code>e^r'_a / (e^r'_a + e^r'_b) = {p_soft:.6f}</code> (the same number) · "
                f"<code>Pr(y_b ≻ y_a) = 1 − Pr = {p_b:.6f}</code>"))


@refuses_out_of_range
def bradley_terry_explorer(r_a: float = 1.0, r_b: float = 0.0, shift: float = 0.0,
                           scale: float = 1.0) -> BradleyTerryExplorer:
    """Build the Bradley–Terry explorer of notebook 01 (one call).

    Controls: ``r_a``, ``r_b``, ``shift``, ``scale`` (main: ``r_a``).
    """
    return BradleyTerryExplorer(r_a=r_a, r_b=r_b, shift=shift, scale=scale)
