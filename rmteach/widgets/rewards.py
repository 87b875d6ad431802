"""Notebook 04, part 1: the gradient reward by reward, and the scale the labels set.

* :func:`gradient_stepper` – six pairs, each reward drawn with the arrow of its next
  update; a **Step** button applies one gradient step, to the rewards as free numbers
  or through the head W_r (where one step moves every reward that shares a feature).
* :func:`scale_explorer` – annotators of rationality β: the fitted scale of W_r against
  β (theory: β), the fitted loss against the floor the labels set (their entropy), and
  with noiseless labels the scale that never stops growing.
"""

from __future__ import annotations

import math

import numpy as np
from ipywidgets import Button, FloatSlider, HBox, Layout, ToggleButtons, VBox
from matplotlib.collections import LineCollection

from ..experiments.frozen_head import (
    TRUE_HEAD,
    descend_head,
    fit_head,
    head_gradient,
    label_entropy,
    learned_scale,
    pair_set,
    reward_gradients,
)
from ._base import PALETTE, LiveFigure, RMWidget
from ._ranges import refuses_out_of_range
from .readout import details

__all__ = ["GradientStepper", "ScaleExplorer", "gradient_stepper", "scale_explorer"]

LN2 = math.log(2.0)
_HEAD_STEP = 0.05     # W_r's step is η/20: features are word counts, |h_c − h_r|² ≈ 20
_MODES = (("rewards as free numbers", "free"), ("through the head W_r", "head"))


class GradientStepper(RMWidget):
    """Pairs (chosen ●, rejected ○) with arrows of their next update and a Step button.

    The step is on the **sum** of the pair losses (the mean only rescales the step).
    ``values``: rewards (K × 2), grad (K × 2), push (Sigmoid(−Δ) per pair), loss, steps.
    """

    def __init__(self, n_pairs: int = 6, *, lr: float = 1.5, seed: int = 0):
        if not 2 <= int(n_pairs) <= 12:
            raise ValueError(f"n_pairs must be between 2 and 12; got {n_pairs}.")
        pairs = pair_set(40, seed=seed).subset(int(n_pairs))
        self.h_c, self.h_r = np.array(pairs.h_better), np.array(pairs.h_worse)
        self.true_gap = np.array(pairs.true_gap)
        rng = np.random.default_rng([seed, 41])
        self._w0 = np.r_[rng.normal(0.0, 0.4, 5), np.zeros(5)]   # a random head, no offsets
        self.steps = 0
        controls = {
            "lr": FloatSlider(value=lr, min=0.05, max=2.0, step=0.05, description="step size η",
                              style={"description_width": "90px"}, layout=Layout(width="330px")),
            "mode": ToggleButtons(options=_MODES, value="free", description="update",
                                 style={"button_width": "auto"}),
        }
        self.step_button = Button(description="Step", button_style="primary")
        self.ten_button = Button(description="10 steps")
        self.reset_button = Button(description="Reset")
        self.step_button.on_click(lambda _: self.step())
        self.ten_button.on_click(lambda _: self.step(10))
        self.reset_button.on_click(lambda _: self.reset())
        k = int(n_pairs)
        live = LiveFigure(1, 2, figsize=(8.6, 3.0), gridspec_kw={"width_ratios": [2.2, 1]})
        ax, bx = live.axes
        self._ax = ax
        x = np.arange(k)
        with live.style():
            self._chosen, = ax.plot(x - 0.12, np.zeros(k), "o", color=PALETTE["blue"],
                                    label="chosen r_c")
            self._rejected, = ax.plot(x + 0.12, np.zeros(k), "o", mfc="white",
                                      mec=PALETTE["vermillion"], label="rejected r_r")
            self._shafts = LineCollection([], colors=[PALETTE["blue"]] * k
                                          + [PALETTE["vermillion"]] * k, linewidths=1.6)
            ax.add_collection(self._shafts)
            self._up, = ax.plot([], [], "^", ms=5, color="0.25")
            self._down, = ax.plot([], [], "v", ms=5, color="0.25")
            ax.axhline(0, color="0.7", lw=0.8)
            ax.set_xticks(x, [f"pair {i + 1}\nΔ*={g:.2f}" for i, g in enumerate(self.true_gap)])
            ax.set_ylim(-6, 6)
            ax.set_xlim(-0.6, k - 0.4)
            ax.set_ylabel("reward r (arrow: next update)")
            ax.legend(loc="upper left", frameon=False, ncols=2)
            self._heading = ax.set_title("")
            self._bars = bx.bar(x, np.zeros(k), color=PALETTE["orange"])
            bx.set_ylim(0, 1)
            bx.set_xticks(x, [str(i + 1) for i in x])
            bx.set_xlabel("pair")
            bx.set_ylabel("push Sigmoid(−Δ)")
            bx.axhline(0.5, color="0.6", lw=0.8, ls=":")
        live.animate(self._chosen, self._rejected, self._shafts, self._up, self._down,
                     self._heading, *self._bars)
        self.reset(refresh=False)
        box = VBox([HBox([controls["lr"], controls["mode"]]),
                    HBox([self.step_button, self.ten_button, self.reset_button])])
        super().__init__(controls=controls, main="lr", live_figure=live, control_box=box,
                         title="The gradient, reward by reward: each pair pushes its two "
                               "rewards apart")

    # -- state ---------------------------------------------------------------------------
    def reset(self, refresh: bool = True) -> None:
        """Back to the starting head (and the rewards it gives)."""
        self.w = self._w0.copy()
        self.free = np.stack([self.h_c @ self.w, self.h_r @ self.w], axis=1)
        self.steps = 0
        if refresh:
            self.refresh()

    def _rewards(self) -> np.ndarray:
        if self.controls["mode"].value == "head":
            return np.stack([self.h_c @ self.w, self.h_r @ self.w], axis=1)
        return self.free

    def _next_change(self, r, lr):
        """The exact change of every reward in the next step (K × 2)."""
        g_c, g_r = reward_gradients(r[:, 0], r[:, 1])
        if self.controls["mode"].value == "free":
            return -lr * np.stack([g_c, g_r], axis=1)
        dw = -lr * _HEAD_STEP * len(r) * head_gradient(self.w, self.h_c, self.h_r)   # sum
        return np.stack([self.h_c @ dw, self.h_r @ dw], axis=1)          # r is linear in W_r

    def step(self, n: int = 1) -> None:
        """Apply ``n`` gradient steps with the current step size and mode."""
        lr = float(self.controls["lr"].value)
        for _ in range(int(n)):
            if self.controls["mode"].value == "free":
                self.free = self.free + self._next_change(self.free, lr)
            else:
                self.w = self.w - lr * _HEAD_STEP * len(self.h_c) * head_gradient(
                    self.w, self.h_c, self.h_r)
            self.steps += 1
        self.refresh()

    def update(self) -> None:
        lr = float(self.controls["lr"].value)
        if self.controls["mode"].value == "free":
            self.free = np.where(np.isfinite(self.free), self.free, 0.0)
        r = self._rewards()
        change = self._next_change(r, lr)
        g_c, g_r = reward_gradients(r[:, 0], r[:, 1])
        delta = r[:, 0] - r[:, 1]
        push = -g_c
        loss = float(np.sum(np.logaddexp(0.0, -delta)))
        self.values = {"rewards": r.copy(), "grad": np.stack([g_c, g_r], axis=1),
                       "change": change, "push": push, "loss": loss, "steps": self.steps,
                       "correct": int(np.sum(delta > 0))}
        k = len(r)
        # the axes grow (never clip) to hold every reward and arrow end, at least ±6
        reach = float(np.max(np.abs(np.r_[r.ravel(), (r + change).ravel()])))
        top = max(6.0, float(np.ceil(reach + 0.5)))
        if self._ax.get_ylim()[1] != top:
            self._ax.set_ylim(-top, top)
            self.live_figure.invalidate()
        shown = r
        self._chosen.set_ydata(shown[:, 0])
        self._rejected.set_ydata(shown[:, 1])
        xs = np.r_[np.arange(k) - 0.12, np.arange(k) + 0.12]
        y0 = np.r_[shown[:, 0], shown[:, 1]]
        y1 = y0 + np.r_[change[:, 0], change[:, 1]]
        self._shafts.set_segments([[(x, a), (x, b)] for x, a, b in zip(xs, y0, y1)])
        visible = np.abs(y1 - y0) > 0.05            # arrow heads only where there is a move
        self._up.set_data(xs[visible & (y1 > y0)], y1[visible & (y1 > y0)])
        self._down.set_data(xs[visible & (y1 < y0)], y1[visible & (y1 < y0)])
        self.values["arrow_ends"] = y1
        for bar, p in zip(self._bars, push):
            bar.set_height(p)
        self._heading.set_text(f"step {self.steps}: sum of losses {loss:.3f}, "
                             f"{int(np.sum(delta > 0))}/{k} pairs ordered right")
        rows = "".join(
            f"<tr><td>{i + 1}</td><td>{d:+.3f}</td><td>{p:.3f}</td><td>{g_c[i]:+.3f}</td>"
            f"<td>{g_r[i]:+.3f}</td><td>{self.true_gap[i]:.2f}</td></tr>"
            for i, (d, p) in enumerate(zip(delta, push)))
        head = ""
        if self.controls["mode"].value == "head":
            head = (f"<br>W_r response weights {np.round(self.w[:5], 2).tolist()} vs w* "
                    f"{TRUE_HEAD[:5].tolist()}: scale {learned_scale(self.w):.2f}")
        self.readout.value = (
            f"Step <b>{self.steps}</b>: sum of losses <b>{loss:.3f}</b>, "
            f"<b>{int(np.sum(delta > 0))}</b> of {k} pairs ordered right."
            "<br>Try: press Step a few times; notice which arrows are long and which pairs "
            "stop moving once they are ordered right."
            + details(
                "<table><tr><th>pair</th><th>Δ = r_c − r_r</th><th>Sigmoid(−Δ)</th>"
                "<th>∂ℓ/∂r_c</th><th>∂ℓ/∂r_r</th><th>true gap Δ*</th></tr>" + rows
                + "</table>"
                f"η = {lr:.2f}: each arrow is η·Sigmoid(−Δ) long in free mode. Through the "
                "head the step on W_r is η/20 (the features are word counts), and a pair's "
                "step also moves every reward that shares its features." + head,
                "per-pair numbers"))


@refuses_out_of_range
def gradient_stepper(n_pairs: int = 6, *, lr: float = 1.5, seed: int = 0) -> GradientStepper:
    """Build the gradient widget of notebook 04 (one call). Controls: ``lr``, ``mode``."""
    return GradientStepper(n_pairs, lr=lr, seed=seed)


class ScaleExplorer(RMWidget):
    """β slider: fitted scale vs β (theory β), loss vs its floor, and noiseless growth.

    ``values``: beta, scale, loss, floor, agreement (share of labels that follow r*).
    """

    def __init__(self, beta: float = 2.0, *, n_prompts: int = 1000, seed: int = 0):
        self.pairs = pair_set(n_prompts, seed=seed)
        self.seed = seed
        grid = np.round(np.arange(0.25, 4.01, 0.25), 2)
        self._cache: dict[float, tuple] = {}
        fits = [self._fit(b) for b in grid]
        steps, heads, losses = descend_head(*self.pairs.label(math.inf, seed=seed)[:2],
                                            steps=4000, lr=1.0, record=41)
        controls = {"beta": FloatSlider(value=beta, min=0.0, max=4.0, step=0.05,
                                        description="annotator β",
                                        style={"description_width": "90px"},
                                        layout=Layout(width="420px"))}
        live = LiveFigure(1, 3, figsize=(9.6, 2.9))
        ax, bx, cx = live.axes
        with live.style():
            ax.plot([0, 4], [0, 4], color="0.5", ls="--", lw=1, label="theory: scale = β")
            ax.plot(grid, [f[0] for f in fits], "o", ms=3, color=PALETTE["blue"],
                    label="fitted scale")
            self._a_pt, = ax.plot([], [], "o", ms=9, color=PALETTE["vermillion"])
            ax.set_xlabel("annotator rationality β")
            ax.set_ylabel("scale of the learned rewards")
            ax.set_ylim(0, 6)
            ax.legend(loc="upper left", frameon=False)
            bb = np.linspace(0, 4, 81)
            bx.plot(bb, [label_entropy(self.pairs.true_gap, b) for b in bb], color="0.3",
                    label="floor: label entropy")
            bx.plot(grid, [f[1] for f in fits], "o", ms=3, color=PALETTE["blue"],
                    label="fitted loss")
            bx.axhline(LN2, color="0.6", ls=":", lw=1)
            bx.text(0.1, LN2 + 0.02, "ln 2", ha="left", va="bottom", color="0.4")
            self._b_pt, = bx.plot([], [], "o", ms=9, color=PALETTE["vermillion"])
            bx.set_xlabel("annotator rationality β")
            bx.set_ylabel("loss per pair (nats)")
            bx.set_ylim(0, 0.75)
            bx.legend(loc="lower right", frameon=False)
            cx.plot(steps, [learned_scale(w) for w in heads], color=PALETTE["green"],
                    label="scale")
            cx.set_xlabel("gradient steps (noiseless labels, β = ∞)")
            cx.set_ylabel("scale of the learned rewards")
            t = cx.twinx()
            t.plot(steps, losses, color=PALETTE["purple"], ls="--", label="loss")
            t.set_ylabel("loss per pair", color=PALETTE["purple"])
            t.set_yscale("log")
            cx.set_title("β = ∞: the loss falls, the scale grows")
        self.noiseless = {"steps": steps, "scale": np.array([learned_scale(w) for w in heads]),
                          "loss": losses}
        live.animate(self._a_pt, self._b_pt)
        super().__init__(controls=controls, main="beta", live_figure=live,
                         title="Label noise sets the scale of the rewards")

    def _fit(self, beta: float):
        key = round(float(beta), 6)
        if key not in self._cache:
            hc, hr, agrees = self.pairs.label(beta, seed=self.seed)
            fit = fit_head(hc, hr)
            self._cache[key] = (fit.scale, fit.loss, float(agrees.mean()), fit.w)
        return self._cache[key]

    def update(self) -> None:
        beta = float(self.controls["beta"].value)
        if not (math.isfinite(beta) and beta >= 0):
            raise ValueError(f"β must be a finite number >= 0; got {beta}.")
        scale, loss, agree, w = self._fit(beta)
        floor = label_entropy(self.pairs.true_gap, beta)
        self.values = {"beta": beta, "scale": scale, "loss": loss, "floor": floor,
                       "agreement": agree}
        self._a_pt.set_data([beta], [min(scale, 5.9)])
        self._b_pt.set_data([beta], [loss])
        self.readout.value = (
            f"β = {beta:.2f}: fitted scale <b>{scale:.3f}</b>; fitted loss {loss:.4f}, floor "
            f"(label entropy) {floor:.4f}."
            "<br>Try: move β from small to large; notice the scale follow β and the loss stop "
            "at its floor, not at zero."
            + details(
                f"{agree:.1%} of the labels follow r*; ln 2 = {LN2:.4f}; W_r response weights "
                f"{np.round(w[:5], 2).tolist()} vs β·w* "
                f"{np.round(beta * TRUE_HEAD[:5], 2).tolist()}"))


@refuses_out_of_range
def scale_explorer(beta: float = 2.0, *, n_prompts: int = 1000, seed: int = 0) -> ScaleExplorer:
    """Build the β-slider widget of notebook 04 (one call). Control: ``beta``."""
    return ScaleExplorer(beta, n_prompts=n_prompts, seed=seed)
