"""Notebook 09: a tiny RLHF loop, reward hacking, and the KL penalty.

* :func:`kl_penalty_explorer` – a β_KL slider; the policy of :mod:`rmteach.policy`
  is trained against 5 cached reward models (one per seed) and the figure shows the
  learned reward, the true reward and KL(π‖π_ref) over the steps (mean ± sd over the
  5 reward models).  Each β_KL is trained once (about 0.2 s per run) and remembered.
* :func:`reward_curves` – the same figure for one fixed β_KL, as a static view.
"""

from __future__ import annotations

import html

import numpy as np
from ipywidgets import Layout, SelectionSlider

from ..policy import load_problem, train_policy, what_changed
from ._base import PALETTE, LiveFigure, RMWidget
from .best_of_n import _band_verts

__all__ = ["BETA_KLS", "KLPenaltyExplorer", "kl_penalty_explorer", "run_summary"]

#: the β_KL values the slider offers
BETA_KLS: tuple[float, ...] = (0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
SEEDS = (0, 1, 2, 3, 4)
SETTING = "n=50,beta=1,lb=0,lc=0"


def run_summary(runs) -> dict:
    """Mean ± sd over runs: final proxy, final and peak true reward, the peak's step, KL."""
    true = np.array([r.true for r in runs])
    proxy = np.array([r.proxy for r in runs])
    kl = np.array([r.kl for r in runs])
    peak = true.max(axis=1)
    return {"proxy_end": (proxy[:, -1].mean(), proxy[:, -1].std()),
            "true_start": (true[:, 0].mean(), true[:, 0].std()),
            "true_peak": (peak.mean(), peak.std()),
            "true_end": (true[:, -1].mean(), true[:, -1].std()),
            "drop": ((peak - true[:, -1]).mean(), (peak - true[:, -1]).std()),
            "peak_step": (float(np.mean(runs[0].steps[true.argmax(axis=1)])),
                          float(np.std(runs[0].steps[true.argmax(axis=1)]))),
            "kl_end": (kl[:, -1].mean(), kl[:, -1].std())}


class KLPenaltyExplorer(RMWidget):
    """Slider ``beta_kl`` (main).  ``values``: beta_kl, proxy_end, true_start, true_peak,
    true_end, drop (peak − end of the true reward), peak_step, kl_end (means over 5 seeds)."""

    def __init__(self, *, beta_kl: float = 0.0, steps: int = 300, setting: str = SETTING):
        if beta_kl not in BETA_KLS:
            raise ValueError(f"beta_kl must be one of {list(BETA_KLS)}; got {beta_kl!r}.")
        self._problems = [load_problem(setting, s) for s in SEEDS]
        self._steps = int(steps)
        self._runs: dict[float, list] = {}
        slider = SelectionSlider(options=list(BETA_KLS), value=beta_kl,
                                 description="KL penalty β_KL", style={"description_width":
                                                                        "120px"},
                                 layout=Layout(width="520px"))
        live = LiveFigure(1, 3, figsize=(10.0, 3.0))
        ax1, ax2, ax3 = live.axes
        x = np.arange(0, self._steps + 1, 5, dtype=float)
        ref_true = float(np.mean([p.true.mean() for p in self._problems]))
        best_true = float(np.mean([p.true.max(axis=1).mean() for p in self._problems]))
        with live.style():
            self._bands, self._lines = [], []
            for ax, colour, label in ((ax1, PALETTE["orange"], "learned reward r (normalised)"),
                                      (ax2, PALETTE["blue"], "true reward r*"),
                                      (ax3, PALETTE["purple"], "KL(π‖π_ref), nats")):
                self._bands.append(ax.fill_between(x, x * 0, x * 0, color=colour, alpha=0.25,
                                                   lw=0))
                line, = ax.plot([], [], color=colour, lw=2, label=label + " (mean ± sd)")
                self._lines.append(line)
                ax.set_xlim(0, self._steps)
                ax.set_xlabel("policy-gradient step")
                ax.set_title(label)
            ax2.axhline(ref_true, color="0.5", ls=":", lw=1, label="reference policy")
            ax2.axhline(best_true, color=PALETTE["green"], ls="--", lw=1,
                        label="best candidate by r*")
            ax2.legend(loc="lower right", frameon=False, fontsize=7)
            self._peak, = ax2.plot([], [], "v", color=PALETTE["vermillion"], ms=8)
            ax1.set_ylim(-0.2, 3.6)
            ax2.set_ylim(ref_true - 0.5, best_true + 0.3)
            ax3.set_ylim(-0.1, np.log(self._problems[0].proxy.shape[1]) + 0.2)
            ax1.set_ylabel("E_π[r]  (sd of the reference)")
            ax2.set_ylabel("E_π[r*]  (reward units)")
            ax3.set_ylabel("nats")
        live.animate(*self._bands, *self._lines, self._peak)
        super().__init__(controls={"beta_kl": slider}, main="beta_kl", live_figure=live,
                         title="RLHF in miniature: the KL penalty holds the policy back")

    def runs(self, beta_kl: float) -> list:
        """The 5 runs (one per reward-model seed) at ``beta_kl``, trained once."""
        if beta_kl not in self._runs:
            self._runs[beta_kl] = [train_policy(p, beta_kl=beta_kl, steps=self._steps, seed=s)
                                   for p, s in zip(self._problems, SEEDS)]
        return self._runs[beta_kl]

    def update(self) -> None:
        b = float(self.controls["beta_kl"].value)
        runs = self.runs(b)
        x = runs[0].steps.astype(float)
        for band, line, field in zip(self._bands, self._lines, ("proxy", "true", "kl")):
            a = np.array([getattr(r, field) for r in runs])
            m, s = a.mean(0), a.std(0)
            line.set_data(x, m)
            band.set_verts([_band_verts(x, m - s, m + s)])
        true_mean = np.mean([r.true for r in runs], axis=0)
        k = int(np.argmax(true_mean))
        self._peak.set_data([x[k]], [true_mean[k]])
        summary = run_summary(runs)
        self.values = {"beta_kl": b, **{k2: float(v[0]) for k2, v in summary.items()}}
        _, words = what_changed(self._problems[0], runs[0].probs, top=5)
        grown = ", ".join(f"{html.escape(w)} ({kind}, r* {v:+g})"
                          for w, kind, v, _, _ in words)

        def ms(name, fmt=".2f"):
            m, s = summary[name]
            return f"{m:{fmt}} ± {s:{fmt}}"
        self.readout.value = (
            f"β_KL = {b:g}: true reward {ms('true_start')} at the start, peak "
            f"{ms('true_peak')} (step {summary['peak_step'][0]:.0f}), end "
            f"<b>{ms('true_end')}</b>; learned reward at the end {ms('proxy_end')}; "
            f"KL at the end {ms('kl_end')} nats (5 reward models).<br>"
            f"Words the policy emits more (reward model of seed 0): {grown}.")


def kl_penalty_explorer(*, beta_kl: float = 0.0, steps: int = 300) -> KLPenaltyExplorer:
    """Build the β_KL explorer (see :class:`KLPenaltyExplorer`)."""
    return KLPenaltyExplorer(beta_kl=beta_kl, steps=steps)
