"""Notebook 09: a tiny RLHF loop, reward hacking, and the KL penalty.

* :func:`kl_penalty_explorer` – a β_KL slider; the word-writing policy of
  :mod:`rmteach.experiments.policy`, trained against 5 reward models (one per seed), and the figure
  shows the learned reward, the true reward and KL(π‖π_ref) over the steps (mean ± sd
  over the 5 reward models).  The 35 runs (7 β_KL × 5 seeds, about 10 s each on 2
  cores) are cached by ``tools/build_overopt_cache.py``; a test re-trains one and
  compares.
* :func:`run_summary` – mean ± sd of the numbers a claim rests on.
"""

from __future__ import annotations

import html

import numpy as np
from ipywidgets import Layout, SelectionSlider

from ..data.language import WORD_VALUES
from ..experiments.overoptimization import load_cache
from ..experiments.policy import PolicyRun
from ..experiments.seeds import spread
from ..math._checks import check_real, validated
from ._base import PALETTE, LiveFigure, RMWidget
from ._ranges import refuses_out_of_range
from .best_of_n import _band_verts, seed_sd

__all__ = ["BETA_KLS", "KLPenaltyExplorer", "cached_policy_runs", "kl_penalty_explorer",
           "run_summary"]

#: the β_KL values the slider offers
BETA_KLS: tuple[float, ...] = (0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
SEEDS = (0, 1, 2, 3, 4)


@validated(beta_kl="real", cache="dict?")
def cached_policy_runs(beta_kl: float, cache: dict | None = None) -> dict:
    """The cached runs at ``beta_kl``: ``steps`` and (seeds × steps) ``proxy``, ``true``,
    ``kl`` arrays, ``kinds`` (word kind → seeds × (words per response under π_ref,
    under π)) and ``words`` (what the policy of seed 0 writes more)."""
    cache = load_cache("policy_curves.json") if cache is None else cache
    key = f"{beta_kl:g}"
    if key not in cache["runs"]:
        raise ValueError(f"beta_kl must be one of {list(BETA_KLS)}; got {beta_kl!r}.")
    d = cache["runs"][key]
    return {"steps": np.array(d["steps"]), "words": d["words"],
            "kinds": {k: np.array(d["kinds"][k]) for k in WORD_VALUES},
            **{f: np.array(d[f]) for f in ("proxy", "true", "kl")}}


def run_summary(runs) -> dict:
    """The suite's :class:`~rmteach.seeds.Spread` (mean, sample sd with n − 1, n) over runs
    (PolicyRun objects or a :func:`cached_policy_runs` dict) of: final proxy, start, peak and
    final true reward, the drop from the peak, its step, final KL."""
    _check_runs(runs)
    if isinstance(runs, dict):
        true, proxy, kl, steps = runs["true"], runs["proxy"], runs["kl"], runs["steps"]
    else:
        true = np.array([r.true for r in runs])
        proxy = np.array([r.proxy for r in runs])
        kl = np.array([r.kl for r in runs])
        steps = runs[0].steps
    peak = true.max(axis=1)
    peak_steps = np.asarray(steps[true.argmax(axis=1)], dtype=float)
    return {"proxy_end": spread(proxy[:, -1]), "true_start": spread(true[:, 0]),
            "true_peak": spread(peak), "true_end": spread(true[:, -1]),
            "drop": spread(peak - true[:, -1]), "peak_step": spread(peak_steps),
            "kl_end": spread(kl[:, -1])}


def _check_runs(runs) -> None:
    expected = "a list of PolicyRun (from train_policy) or the dict of cached_policy_runs()"
    if isinstance(runs, dict):
        missing = [f for f in ("steps", "proxy", "true", "kl") if f not in runs]
        if missing:
            raise ValueError(f"runs has no {', '.join(missing)}; expected {expected}.")
        return
    if not isinstance(runs, (list, tuple)) or not runs or \
            not all(isinstance(r, PolicyRun) for r in runs):
        what = "an empty list" if isinstance(runs, (list, tuple)) and not runs else \
            type(runs).__name__
        raise ValueError(f"runs must be {expected}; got {what}.")


class KLPenaltyExplorer(RMWidget):
    """Slider ``beta_kl`` (main).  ``values``: beta_kl, proxy_end, true_start, true_peak,
    true_end, drop (peak − end of the true reward), peak_step, kl_end (means over 5 seeds)."""

    def __init__(self, *, beta_kl: float = 0.0):
        check_real(beta_kl, "beta_kl")
        if beta_kl not in BETA_KLS:
            raise ValueError(f"beta_kl must be one of {list(BETA_KLS)}; got {beta_kl!r}.")
        self._cache = load_cache("policy_curves.json")
        self._steps = int(self._cache["train"]["steps"])
        slider = SelectionSlider(options=list(BETA_KLS), value=beta_kl,
                                 description="KL penalty β_KL", style={"description_width":
                                                                        "120px"},
                                 layout=Layout(width="520px"))
        live = LiveFigure(1, 3, figsize=(10.0, 3.0))
        ax1, ax2, ax3 = live.axes
        x = cached_policy_runs(0.0, self._cache)["steps"].astype(float)
        ref_true = self._cache["ref_true"]
        top = max(max(max(row) for row in d["proxy"]) for d in self._cache["runs"].values())
        with live.style():
            self._bands, self._lines = [], []
            for ax, colour, label in ((ax1, PALETTE["orange"], "learned reward r (normalised)"),
                                      (ax2, PALETTE["blue"], "true reward r*"),
                                      (ax3, PALETTE["purple"], "KL(π‖π_ref), nats")):
                self._bands.append(ax.fill_between(x, x * 0, x * 0, color=colour, alpha=0.25,
                                                   lw=0))
                line, = ax.plot([], [], color=colour, lw=2, label="mean ± sd")
                self._lines.append(line)
                ax.set_xlim(0, self._steps)
                ax.set_xlabel("policy-gradient step")
                ax.set_title(label)
            ax2.axhline(ref_true, color="0.5", ls=":", lw=1, label="reference policy")
            ax2.legend(loc="upper right", frameon=False)
            self._seed_lines = [ax2.plot([], [], color=PALETTE["blue"], lw=0.7, alpha=0.6,
                                         label="each reward model" if k == 0 else None)[0]
                                for k in range(len(SEEDS))]
            ax2.legend(loc="upper right", frameon=False)
            self._peak, = ax2.plot([], [], "v", color=PALETTE["vermillion"], ms=8)
            ax1.set_ylim(-0.2, top + 0.3)
            lo = min(min(min(row) for row in d["true"]) for d in self._cache["runs"].values())
            hi = max(max(max(row) for row in d["true"]) for d in self._cache["runs"].values())
            ax2.set_ylim(lo - 0.15, hi + 0.15)
            kl_top = max(max(max(row) for row in d["kl"]) for d in self._cache["runs"].values())
            ax3.set_ylim(-0.3, kl_top * 1.05 + 0.3)
            ax1.set_ylabel("E_π[r]  (sd of the reference)")
            ax2.set_ylabel("E_π[r*]  (reward units)")
            ax3.set_ylabel("nats")
        live.animate(*self._bands, *self._lines, *self._seed_lines, self._peak)
        super().__init__(controls={"beta_kl": slider}, main="beta_kl", live_figure=live,
                         title="RLHF in miniature: the KL penalty holds the policy back")

    def runs(self, beta_kl: float) -> dict:
        """The cached runs (5 reward-model seeds) at ``beta_kl``."""
        return cached_policy_runs(beta_kl, self._cache)

    def update(self) -> None:
        b = float(self.controls["beta_kl"].value)
        runs = self.runs(b)
        x = runs["steps"].astype(float)
        for band, line, field in zip(self._bands, self._lines, ("proxy", "true", "kl")):
            a = runs[field]
            m, s = a.mean(0), seed_sd(a)
            line.set_data(x, m)
            band.set_verts([_band_verts(x, m - s, m + s)])
        for line, row in zip(self._seed_lines, runs["true"]):
            line.set_data(x, row)
        true_mean = runs["true"].mean(axis=0)
        k = int(np.argmax(true_mean))
        self._peak.set_data([x[k]], [true_mean[k]])
        summary = run_summary(runs)
        self.values = {"beta_kl": b, **{k2: float(v.mean) for k2, v in summary.items()}}
        grown = ", ".join(f"{html.escape(w)} ({kind}, r* {v:+g})"
                          for w, kind, v, _, _ in runs["words"][:5]) or "none"
        kinds = runs["kinds"]
        per_response = ", ".join(f"{k} {kinds[k][:, 0].mean():.1f} → {kinds[k][:, 1].mean():.1f}"
                                 for k in kinds)

        def ms(name, fmt=".2f"):
            return format(summary[name], fmt)
        n_models = len(runs["true"])
        self.readout.value = (
            f"β_KL = {b:g}: the true reward peaks at {summary['true_peak'].mean:+.2f} and ends at "
            f"<b>{summary['true_end'].mean:+.2f}</b>; the policy ends "
            f"{summary['kl_end'].mean:.1f} nats from the reference."
            f"<details><summary>details</summary>Mean ± sd over n = {n_models} reward models: "
            f"true reward {ms('true_start')} at the start, peak {ms('true_peak')} (step "
            f"{summary['peak_step'].mean:.0f}), end {ms('true_end')}; learned reward at the end "
            f"{ms('proxy_end')}; KL at the end {ms('kl_end')} nats (a policy writing only "
            f"on-topic words would score {self._cache['best_true']:+.2f}).<br>"
            f"Words per response, reference → policy (mean of {n_models}): {per_response}.<br>"
            f"Words the policy writes more (reward model of seed 0): {grown}.</details>")


@refuses_out_of_range
def kl_penalty_explorer(*, beta_kl: float = 0.0) -> KLPenaltyExplorer:
    """Build the β_KL explorer (see :class:`KLPenaltyExplorer`)."""
    return KLPenaltyExplorer(beta_kl=beta_kl)
