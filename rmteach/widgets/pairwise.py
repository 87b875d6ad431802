"""Notebook 02: the pair-wise ranking loss and the empirical loss (Eq. 4.37).

    ℓ(Δ) = −log Sigmoid(Δ),  Δ = r(x, y_a) − r(x, y_b),   dℓ/dΔ = −Sigmoid(−Δ)
    L    = −(1/|D|) Σ_{(x, y_a, y_b) ∈ D} log Sigmoid(r(x, y_a) − r(x, y_b))      (Eq. 4.37)

Three widgets:

* :func:`pairwise_loss_explorer` – ℓ and its gradient against Δ: confident and right
  gives ≈ 0, uncertain gives ln 2, confident and wrong grows linearly.
* :func:`empirical_loss_explorer` – an editable little data set: change any reward or
  the number of copies of a pair and watch each pair's loss and the average update.
* :func:`sampling_weight_explorer` – the uniform-sampling assumption: duplicating one
  kind of prompt changes what minimising the average learns (in :mod:`.sampling_weight`).
"""

from __future__ import annotations

import html
import math

import numpy as np
from ipywidgets import (
    HTML,
    BoundedIntText,
    FloatSlider,
    FloatText,
    GridBox,
    Layout,
)

from ..math.losses import pairwise_loss, preference_probability
from ._base import (
    MAX_TYPED,
    PALETTE,
    PALETTE_CYCLE,
    LiveFigure,
    RMWidget,
    check_arg,
    format_probability,
)
from ._ranges import refuses_out_of_range
from .readout import details
from .sampling_weight import (  # the notebook's third widget, in a module of its own
    SamplingWeightExplorer,
    length_preference_loss,
    sampling_weight_explorer,
)

__all__ = [
    "DEFAULT_PAIRS",
    "EmpiricalLossExplorer",
    "PairwiseLossExplorer",
    "SamplingWeightExplorer",
    "empirical_loss_explorer",
    "length_preference_loss",
    "loss_gradient",
    "pairwise_loss_explorer",
    "sampling_weight_explorer",
]

LN2 = math.log(2.0)


def loss_gradient(delta):
    """dℓ/dΔ of ℓ(Δ) = −log Sigmoid(Δ): −Sigmoid(−Δ) = −(1 − Pr(y_a ≻ y_b)).

    >>> float(loss_gradient(0.0))
    -0.5
    """
    return -preference_probability(0.0, delta)


def _regime(delta: float) -> str:
    if delta >= 3:
        return ("confident and right: the loss is ≈ e^(−Δ) ≈ 0 and the gradient ≈ 0 — "
                "this pair has almost nothing left to teach.")
    if delta <= -3:
        return ("confident and wrong: the loss is ≈ |Δ|, growing linearly, and the gradient "
                "≈ −1 — the strongest push towards the preferred response.")
    if abs(delta) < 0.25:
        return "uncertain: Pr ≈ 0.5, so the loss is ≈ ln 2 ≈ 0.693 and the gradient ≈ −0.5."
    return "in between: the loss falls smoothly as the gap grows in the right direction."


class PairwiseLossExplorer(RMWidget):
    """Slider Δ; two panels: ℓ(Δ) with ln 2 and the line −Δ, and dℓ/dΔ.

    ``values``: delta, probability, loss, gradient.
    """

    def __init__(self, delta: float = 0.0):
        delta = check_arg(delta, "delta", -10, 10)
        slider = FloatSlider(value=delta, min=-10, max=10, step=0.1, readout_format=".1f",
                             description="gap Δ = r_a − r_b",
                             style={"description_width": "140px"},
                             layout=Layout(width="520px"))
        live = LiveFigure(1, 2, figsize=(7.4, 2.8))
        ax, gx = live.axes
        z = np.linspace(-10, 10, 401)
        with live.style():
            ax.plot(z, pairwise_loss(z, 0.0, reduction="none"), color=PALETTE["blue"], lw=2,
                    label=r"$-\log \mathrm{Sigmoid}(\Delta)$")
            ax.plot(z[z < 0], -z[z < 0], color="0.55", lw=1, ls="--",
                    label=r"$-\Delta$ (the linear asymptote)")
            ax.axhline(LN2, color=PALETTE["orange"], lw=1, ls=":", label=r"$\ln 2$")
            self._lpt, = ax.plot([], [], "o", color=PALETTE["vermillion"], ms=8, clip_on=False)
            self._ltxt = ax.text(0.97, 0.95, "", transform=ax.transAxes, ha="right", va="top")
            ax.set_xlim(-10, 10)
            ax.set_ylim(0, 10.5)
            ax.set_xlabel(r"reward gap $\Delta = r(x,y_a) - r(x,y_b)$")
            ax.set_ylabel("loss of this pair (nats)")
            ax.set_title("Pair-wise loss")
            ax.legend(loc="center right", frameon=False)
            gx.plot(z, loss_gradient(z), color=PALETTE["green"], lw=2)
            gx.axhline(0, color="0.6", lw=0.8, ls=":")
            self._gpt, = gx.plot([], [], "o", color=PALETTE["vermillion"], ms=8, clip_on=False)
            self._gtxt = gx.text(0.97, 0.08, "", transform=gx.transAxes, ha="right")
            gx.set_xlim(-10, 10)
            gx.set_ylim(-1.05, 0.05)
            gx.set_xlabel(r"reward gap $\Delta$")
            gx.set_ylabel(r"gradient $d\ell / d\Delta$")
            gx.set_title(r"Its gradient $-\mathrm{Sigmoid}(-\Delta)$")
        live.animate(self._lpt, self._ltxt, self._gpt, self._gtxt)
        super().__init__(controls={"delta": slider}, main="delta", live_figure=live,
                         title="The pair-wise loss and its gradient")

    def update(self) -> None:
        d = float(self.controls["delta"].value)
        loss = float(pairwise_loss(d, 0.0))
        grad = float(loss_gradient(d))
        p = float(preference_probability(d, 0.0))
        self.values = {"delta": d, "probability": p, "loss": loss, "gradient": grad}
        self._lpt.set_data([d], [loss])
        self._ltxt.set_text(f"Δ = {d:.1f}\nloss = {loss:.4f}")
        self._gpt.set_data([d], [grad])
        self._gtxt.set_text(f"gradient = {grad:.4f}")
        self.readout.value = (
            f"<code>Pr(y_a ≻ y_b) = {format_probability(p)}</code> · <code>loss = −log Pr = "
            f"{loss:.4f}</code> · <code>dℓ/dΔ = {grad:.4f}</code>"
            + details(html.escape(_regime(d)), "what this regime means"))


@refuses_out_of_range
def pairwise_loss_explorer(delta: float = 0.0) -> PairwiseLossExplorer:
    """Build the loss-versus-gap widget of notebook 02. Controls: ``delta`` (main)."""
    return PairwiseLossExplorer(delta=delta)


# ---------------------------------------------------------------------------------------
# An editable data set
# ---------------------------------------------------------------------------------------

#: (prompt, preferred response y_a, rejected response y_b, r(x, y_a), r(x, y_b))
DEFAULT_PAIRS: tuple[tuple[str, str, str, float, float], ...] = (
    ("x1: explain recursion", "worked example", "one-liner", 1.5, 0.5),
    ("x1: explain recursion", "worked example", "wrong example", 2.0, -1.0),
    ("x2: is 91 prime?", "no, 7 × 13", "yes", 0.2, 0.8),
    ("x3: write a haiku", "a 5-7-5 haiku", "a limerick", 0.0, 0.0),
)


class EmpiricalLossExplorer(RMWidget):
    """A table of preference pairs with editable rewards and copy counts.

    Controls: ``r_chosen_i``, ``r_rejected_i`` (``FloatText``) and ``copies_i``
    (``BoundedIntText``, 0–20) for each row i; main: ``r_chosen_0``.  The empirical
    loss is Eq. 4.37 over the data set in which pair i appears ``copies_i`` times.

    ``values``: losses (per pair), probabilities, weights (share of |D| per row),
    size (|D|), empirical_loss, prompt_share (prompt -> share of |D|).
    """

    def __init__(self, pairs=DEFAULT_PAIRS):
        self.pairs = _check_pairs(pairs)
        controls = {}
        cells = [HTML(f"<b>{h}</b>") for h in
                 ("prompt x", "y_a (preferred)", "y_b (rejected)", "r(x, y_a)", "r(x, y_b)",
                  "copies in D", "loss of the pair")]
        self._loss_cells = []
        for i, (prompt, chosen, rejected, ra, rb) in enumerate(self.pairs):
            controls[f"r_chosen_{i}"] = FloatText(value=ra, step=0.1,
                                                  layout=Layout(width="80px"))
            controls[f"r_rejected_{i}"] = FloatText(value=rb, step=0.1,
                                                    layout=Layout(width="80px"))
            controls[f"copies_{i}"] = BoundedIntText(value=1, min=0, max=20,
                                                     layout=Layout(width="70px"))
            cell = HTML()
            self._loss_cells.append(cell)
            cells += [HTML(html.escape(prompt)), HTML(html.escape(chosen)),
                      HTML(html.escape(rejected)), controls[f"r_chosen_{i}"],
                      controls[f"r_rejected_{i}"], controls[f"copies_{i}"], cell]
        grid = GridBox(cells, layout=Layout(
            grid_template_columns="150px 120px 110px 90px 90px 80px 170px", grid_gap="2px 6px"))

        n = len(self.pairs)
        live = LiveFigure(figsize=(6.4, 2.7))
        ax = live.axes[0]
        colours = {}
        for prompt, *_ in self.pairs:
            colours.setdefault(prompt, PALETTE_CYCLE[len(colours) % len(PALETTE_CYCLE)])
        with live.style():
            self._bars = ax.bar(range(n), np.zeros(n), width=0.6,
                                color=[colours[p[0]] for p in self.pairs])
            self._bar_text = [ax.text(i, 0, "", ha="center", va="bottom",
                                      bbox={"facecolor": "white", "edgecolor": "none",
                                            "alpha": 0.8, "pad": 1})
                              for i in range(n)]
            ax.axhline(LN2, color="0.5", lw=1, ls=":", label="ln 2 (an undecided model)")
            self._mean_line = ax.axhline(0, color=PALETTE["vermillion"], lw=2,
                                         label="empirical loss (Eq. 4.37)")
            ax.set_xticks(range(n), [f"pair {i + 1}\n(prompt {p[0].split(':')[0]})"
                                     for i, p in enumerate(self.pairs)])
            ax.set_ylabel("loss −log Sigmoid(Δ) (nats)")
            ax.set_title("Each pair's loss; the line is their average over D (copies count)")
            ax.legend(loc="upper right", frameon=False)
            ax.set_xlim(-0.6, n - 0.4)
        self._ax = ax
        self._ytop = None
        live.animate(*self._bars, self._mean_line, *self._bar_text)   # labels drawn last
        labels = {}
        for i in range(n):
            labels[f"r_chosen_{i}"] = f"r(x, y_a) of pair {i + 1}"
            labels[f"r_rejected_{i}"] = f"r(x, y_b) of pair {i + 1}"
            labels[f"copies_{i}"] = f"copies of pair {i + 1}"
        super().__init__(controls=controls, main="r_chosen_0", live_figure=live,
                         control_box=grid, title="An editable preference data set",
                         labels=labels)

    def update(self) -> None:
        n = len(self.pairs)
        ra = np.array([float(self.controls[f"r_chosen_{i}"].value) for i in range(n)])
        rb = np.array([float(self.controls[f"r_rejected_{i}"].value) for i in range(n)])
        copies = np.array([int(self.controls[f"copies_{i}"].value) for i in range(n)])
        bad = [f"pair {i + 1}" for i in range(n)
               if not (math.isfinite(ra[i]) and math.isfinite(rb[i]))]
        if bad:
            raise ValueError(f"the rewards of {', '.join(bad)} are not finite numbers; "
                             "type ordinary numbers like 1.5 or -0.3.")
        if copies.sum() == 0:
            raise ValueError("every pair has 0 copies, so D_r is empty and Eq. 4.37 divides by "
                             "|D_r| = 0; give at least one pair one copy.")
        losses = pairwise_loss(ra, rb, reduction="none")
        probs = preference_probability(ra, rb)
        # Eq. 4.37 over the data set in which pair i appears copies[i] times
        emp = float(pairwise_loss(np.repeat(ra, copies), np.repeat(rb, copies)))
        size = int(copies.sum())
        weights = copies / size
        share: dict[str, float] = {}
        for (prompt, *_), w in zip(self.pairs, weights):
            share[prompt] = share.get(prompt, 0.0) + float(w)
        self.values = {"losses": [float(v) for v in losses],
                       "probabilities": [float(v) for v in probs],
                       "weights": [float(w) for w in weights], "size": size,
                       "empirical_loss": emp, "prompt_share": share}

        top = max(3.0, float(math.ceil(1.2 * float(np.max(losses)))))
        if top != self._ytop:
            self._ax.set_ylim(0, top)
            self._ytop = top
            self.live_figure.invalidate()
        for i, (bar, text) in enumerate(zip(self._bars, self._bar_text)):
            bar.set_height(losses[i])
            bar.set_alpha(1.0 if copies[i] else 0.25)
            y = losses[i] + 0.03 * top
            if y - 0.02 * top <= emp <= y + 0.17 * top:     # keep the label off the mean line
                y = emp + 0.03 * top
            text.set_position((i, y))
            text.set_text(f"{losses[i]:.3f}, {copies[i]} cop{'y' if copies[i] == 1 else 'ies'}")
        self._mean_line.set_ydata([emp, emp])
        for i, cell in enumerate(self._loss_cells):
            cell.value = (f"<code>{losses[i]:.4f}</code> (Pr = {format_probability(probs[i])})")
        terms = " + ".join(f"{c}×{v:.3f}" for c, v in zip(copies, losses) if c)
        shares = ", ".join(f"{html.escape(k)}: {v:.0%}" for k, v in share.items())
        self.readout.value = (
            f"|D| = {size} pairs; empirical loss (Eq. 4.37) <b>{emp:.4f}</b>."
            "<br>Try: add copies of one prompt's pair; notice that prompt's share of the "
            "average grow."
            + details(f"(1/{size}) ({terms}) = {emp:.4f}; share of the average each prompt "
                      f"gets: {shares}", "the sum and each prompt's share"))


def _check_pairs(pairs) -> list[tuple]:
    """Rows (prompt, preferred, rejected, r_a, r_b), checked."""
    if isinstance(pairs, (str, bytes)) or not hasattr(pairs, "__len__"):
        raise ValueError("pairs must be a list of rows (prompt, preferred, rejected, r_a, r_b); "
                         f"got {type(pairs).__name__}.")
    if not 1 <= len(pairs) <= 12:
        raise ValueError(f"give between 1 and 12 pairs (prompt, chosen, rejected, r_a, r_b); "
                         f"got {len(pairs)}.")
    rows = []
    for i, row in enumerate(pairs):
        if isinstance(row, (str, bytes)) or not hasattr(row, "__len__") or len(row) != 5:
            raise ValueError(f"pairs[{i}] must be a row (prompt, preferred, rejected, r_a, r_b) "
                             f"of 5 entries; got {row!r:.80}.")
        for k in range(3):
            if not isinstance(row[k], str):
                raise ValueError(f"pairs[{i}][{k}] must be text; got {type(row[k]).__name__}.")
        ra = check_arg(row[3], f"pairs[{i}][3] (r_a)", -MAX_TYPED, MAX_TYPED)
        rb = check_arg(row[4], f"pairs[{i}][4] (r_b)", -MAX_TYPED, MAX_TYPED)
        rows.append((row[0], row[1], row[2], ra, rb))
    return rows


def empirical_loss_explorer(pairs=DEFAULT_PAIRS) -> EmpiricalLossExplorer:
    """Build the editable data-set widget of notebook 02 (main control ``r_chosen_0``).

    ``pairs``: rows ``(prompt, preferred, rejected, r(x, y_a), r(x, y_b))``.
    """
    return EmpiricalLossExplorer(pairs=pairs)
