"""Notebook 08: best-of-n against a learned reward model, and when it over-optimises.

* :func:`best_of_n_explorer` – sliders for the training-set size, the label noise β
  and n; the true reward r* of the best-of-n pick (learned model, oracle, random)
  against n, and the proxy and true rewards of the pick against KL_bon, each with
  the spread over 5 reward-model seeds.  Reads the cache of
  :mod:`rmteach.experiments.overoptimization` (nothing is trained on a slider move).
* :func:`best_of_n_summary` – the cached numbers behind a claim, as mean ± sd rows.
* :func:`length_bias_figure` – the length shortcut: best-of-n picks get longer (and, in
  this toy, no worse in r*), with and without length-controlled pairs.
"""

from __future__ import annotations

import math

import numpy as np
from ipywidgets import Layout, SelectionSlider

from ..experiments.overoptimization import load_cache, setting_key
from ..experiments.seeds import pm, spread
from ..math._checks import MAX_SIZE, check_int, check_real, validated
from ._base import PALETTE, LiveFigure, RMWidget
from ._ranges import refuses_out_of_range

__all__ = ["BestOfNExplorer", "best_of_n_explorer", "best_of_n_summary", "cached_runs",
           "length_bias_figure", "seed_sd"]

_BETA_LABELS = {"1 (very noisy)": 1.0, "3 (noisy)": 3.0, "∞ (perfect labels)": math.inf}


@validated(n_prompts="int", beta="real+inf", length_bias="real", cache="dict?",
           kind_bias="dict?")
def cached_runs(n_prompts: int, beta: float, length_bias: float = 0.0,
                length_controlled: bool = False, cache: dict | None = None, *,
                kind_bias: dict | None = None) -> dict:
    """The cached runs of one setting as arrays (seeds × n): ``{field: array}``."""
    cache = load_cache() if cache is None else cache
    key = setting_key(n_prompts, beta, length_bias, length_controlled, kind_bias)
    if key not in cache["runs"]:
        raise ValueError(f"no cached experiment for {key}; cached: "
                         f"{', '.join(sorted(cache['runs']))}.")
    runs = cache["runs"][key]
    return {f: np.array([r[f] for r in runs], dtype=float) for f in runs[0]
            if f != "setting"}


@validated(n_prompts="int", beta="real+inf", ns="items", length_bias="real",
           kind_bias="dict?")
def best_of_n_summary(n_prompts: int, beta: float, *, ns=(1, 4, 16, 64, 256),
                      length_bias: float = 0.0, length_controlled: bool = False,
                      kind_bias: dict | None = None) -> str:
    """Rows ``n  KL_bon  r*(learned) mean ± sd  r*(oracle)  r*(random)  proxy z  true z``."""
    c = cached_runs(n_prompts, beta, length_bias, length_controlled, kind_bias=kind_bias)
    all_ns = list(c["ns"][0].astype(int))
    n_seeds = len(c["true_learned"])
    lines = [f"(± : mean ± sample sd over n = {n_seeds} seeds, rmteach.seeds; other columns: "
             "means)",
             f"{'n':>4} {'KL_bon':>7} {'r* learned':>15} {'r* oracle':>9} {'r* random':>9} "
             f"{'proxy z':>13} {'true z':>13} {'length':>11}"]
    for n in ns:
        if n not in all_ns:
            raise ValueError(f"n={n} is not among the cached n: {all_ns}.")
        j = all_ns.index(n)

        def ms(a, j=j):
            return format(spread(a[:, j]), ".2f")
        lines.append(f"{n:>4} {c['kl'][0, j]:7.3f} {ms(c['true_learned']):>15} "
                     f"{c['true_oracle'][:, j].mean():9.2f} {c['true_random'][:, j].mean():9.2f}"
                     f" {ms(c['z_proxy']):>13} {ms(c['z_true']):>13} "
                     f"{c['length_learned'][:, j].mean():5.2f} words")
    return "\n".join(lines)


def seed_sd(a) -> np.ndarray:
    """The suite's spread (sample sd, n − 1, :func:`rmteach.seeds.spread`) of every column of
    ``a`` (seeds × something): the half-width of every ± band and table cell here."""
    from ..math._arrays import _check_numpy_input

    a = np.asarray(_check_numpy_input(a, "a"), dtype=float)
    if a.ndim not in (1, 2) or a.shape[0] < 1:
        raise ValueError(f"a must be one row per seed (a list, or seeds × columns); got shape "
                         f"{a.shape}.")
    if a.ndim == 1:
        return np.float64(spread(a).sd)
    return np.array([spread(col).sd for col in a.T])


def _band_verts(x, lo, hi):
    return np.column_stack([np.concatenate([x, x[::-1]]), np.concatenate([lo, hi[::-1]])])


class BestOfNExplorer(RMWidget):
    """Sliders ``n_prompts``, ``beta`` and ``n`` (main).  ``values``: n, kl_bon,
    true_learned, true_learned_sd, true_oracle, true_random, z_proxy, z_true, gap_z,
    peak_n (the n where the learned pick's mean r* is highest), heldout_accuracy."""

    @refuses_out_of_range
    def __init__(self, *, n_prompts: int = 50, beta: float = 1.0, n: int = 16):
        check_int(n_prompts, "n_prompts", lo=1, hi=MAX_SIZE)
        check_real(beta, "beta", allow_inf=True, lo=0.0)
        check_int(n, "n", lo=1, hi=MAX_SIZE)
        self._cache = load_cache()
        grid = self._cache["grid"]
        self._ns = np.array(next(iter(self._cache["runs"].values()))[0]["ns"], dtype=float)
        self._kl = np.log(self._ns) - (self._ns - 1) / self._ns
        beta_label = next((k for k, v in _BETA_LABELS.items() if v == beta), None)
        if n_prompts not in grid["sizes"] or beta_label is None or n not in self._ns:
            raise ValueError(f"choose n_prompts from {grid['sizes']}, beta from (1, 3, inf) "
                             f"and n from {self._ns.astype(int).tolist()}; got n_prompts="
                             f"{n_prompts}, beta={beta}, n={n}.")
        style = {"description_width": "150px"}
        wide = Layout(width="520px")
        controls = {
            "n_prompts": SelectionSlider(options=list(grid["sizes"]), value=n_prompts,
                                         description="training prompts", style=style,
                                         layout=wide),
            "beta": SelectionSlider(options=list(_BETA_LABELS), value=beta_label,
                                    description="label noise β", style=style, layout=wide),
            "n": SelectionSlider(options=self._ns.astype(int).tolist(), value=n,
                                 description="n (best of n)", style=style, layout=wide),
        }
        self._all = {k: cached_runs(*_key_args(k), cache=self._cache)
                     for k in self._cache["runs"] if k.endswith("lb=0,lc=0")}
        live = LiveFigure(1, 2, figsize=(8.6, 3.1))
        ax1, ax2 = live.axes
        lows = min(float(v["true_random"].min()) for v in self._all.values())
        highs = max(float(v["true_oracle"].max()) for v in self._all.values())
        zlo = min(float(v["z_true"].min()) for v in self._all.values())
        zhi = max(float(v["z_proxy"].max()) for v in self._all.values())
        with live.style():
            self._oracle, = ax1.plot([], [], color=PALETTE["green"], lw=2, ls="--",
                                     label="oracle: pick by r* (ceiling)")
            self._random, = ax1.plot([], [], color="0.5", lw=1.5, ls=":",
                                     label="random pick (floor)")
            self._band1 = ax1.fill_between(self._ns, self._ns * 0, self._ns * 0,
                                           color=PALETTE["blue"], alpha=0.25, lw=0)
            self._learned, = ax1.plot([], [], color=PALETTE["blue"], lw=2, marker="o", ms=3,
                                      label="learned model's pick (mean ± sd, 5 seeds)")
            self._pt1, = ax1.plot([], [], "o", color=PALETTE["vermillion"], ms=9, zorder=5)
            ax1.set_xscale("log", base=2)
            ax1.set_xlim(0.9, self._ns[-1] * 1.1)
            ax1.set_ylim(lows - 0.3, highs + 0.3)
            ax1.set_xlabel("n (responses drawn, log scale)")
            ax1.set_ylabel("true reward r* of the pick")
            ax1.set_title("What best-of-n really gets")
            ax1.legend(loc="upper left", frameon=False)
            self._band2p = ax2.fill_between(self._kl, self._kl * 0, self._kl * 0,
                                            color=PALETTE["orange"], alpha=0.25, lw=0)
            self._band2t = ax2.fill_between(self._kl, self._kl * 0, self._kl * 0,
                                            color=PALETTE["blue"], alpha=0.25, lw=0)
            self._proxy2, = ax2.plot([], [], color=PALETTE["orange"], lw=2,
                                     label="proxy: learned reward of the pick")
            self._true2, = ax2.plot([], [], color=PALETTE["blue"], lw=2,
                                    label="true reward r* of the pick")
            self._pt2p, = ax2.plot([], [], "o", color=PALETTE["vermillion"], ms=8, zorder=5)
            self._pt2t, = ax2.plot([], [], "o", color=PALETTE["vermillion"], ms=8, zorder=5)
            self._txt = ax2.text(0.02, 0.72, "", transform=ax2.transAxes,
                                 va="top")
            ax2.axhline(0, color="0.6", lw=0.8)
            ax2.set_xlim(0, self._kl[-1] * 1.03)
            ax2.set_ylim(zlo - 0.2, zhi + 0.3)
            ax2.set_xlabel("KL_bon = log n − (n−1)/n  (nats)")
            ax2.set_ylabel("gain over the pool mean (pool sd)")
            ax2.set_title("The proxy keeps rising; the truth may not")
            ax2.legend(loc="upper left", frameon=False)
        live.animate(self._oracle, self._random, self._band1, self._learned, self._pt1,
                     self._band2p, self._band2t, self._proxy2, self._true2, self._pt2p,
                     self._pt2t, self._txt)
        super().__init__(controls=controls, main="n", live_figure=live,
                         title="Best-of-n against a learned reward model")

    def update(self) -> None:
        size = self.controls["n_prompts"].value
        beta = _BETA_LABELS[self.controls["beta"].value]
        n = int(self.controls["n"].value)
        c = self._all[setting_key(size, beta)]
        j = int(np.flatnonzero(self._ns == n)[0])
        mean, sd = c["true_learned"].mean(0), seed_sd(c["true_learned"])
        zp, zps = c["z_proxy"].mean(0), seed_sd(c["z_proxy"])
        zt, zts = c["z_true"].mean(0), seed_sd(c["z_true"])
        self._oracle.set_data(self._ns, c["true_oracle"].mean(0))
        self._random.set_data(self._ns, c["true_random"].mean(0))
        self._learned.set_data(self._ns, mean)
        self._band1.set_verts([_band_verts(self._ns, mean - sd, mean + sd)])
        self._pt1.set_data([n], [mean[j]])
        self._band2p.set_verts([_band_verts(self._kl, zp - zps, zp + zps)])
        self._band2t.set_verts([_band_verts(self._kl, zt - zts, zt + zts)])
        self._proxy2.set_data(self._kl, zp)
        self._true2.set_data(self._kl, zt)
        self._pt2p.set_data([self._kl[j]], [zp[j]])
        self._pt2t.set_data([self._kl[j]], [zt[j]])
        gap = zp[j] - zt[j]
        self._txt.set_text(f"n = {n}: gap proxy − true = {gap:.2f} sd")
        peak = int(self._ns[int(np.argmax(mean))])
        acc = float(c["heldout_accuracy"].mean())
        self.values = {"n": n, "kl_bon": float(self._kl[j]), "true_learned": float(mean[j]),
                       "true_learned_sd": float(sd[j]),
                       "true_oracle": float(c["true_oracle"].mean(0)[j]),
                       "true_random": float(c["true_random"].mean(0)[j]),
                       "z_proxy": float(zp[j]), "z_true": float(zt[j]), "gap_z": float(gap),
                       "peak_n": peak, "heldout_accuracy": acc}
        self.readout.value = (
            f"r* of the learned pick <b>{mean[j]:.2f}</b> (oracle "
            f"{self.values['true_oracle']:.2f}); proxy − true = <b>{gap:.2f} sd</b>; held-out "
            f"accuracy of the reward models {acc:.1%}."
            f"<details><summary>details</summary>n = {n}; {size} training prompts, β = "
            f"{self.controls['beta'].value}; KL_bon = {self._kl[j]:.3f} nats; r* of the "
            f"pick over seeds {pm(c['true_learned'][:, j], '.2f')}; random pick "
            f"{self.values['true_random']:.2f}; the mean r* of the learned pick is highest at "
            f"n = {peak}; proxy {zp[j]:.2f} sd and true {zt[j]:.2f} sd above the pool mean."
            f"</details>")


def _key_args(key: str):
    parts = dict(p.split("=") for p in key.split(","))
    return (int(parts["n"]), float(parts["beta"]), float(parts["lb"]), bool(int(parts["lc"])))


@refuses_out_of_range
def best_of_n_explorer(*, n_prompts: int = 50, beta: float = 1.0,
                       n: int = 16) -> BestOfNExplorer:
    """Build the best-of-n explorer (see :class:`BestOfNExplorer`)."""
    return BestOfNExplorer(n_prompts=n_prompts, beta=beta, n=n)


@validated(n_prompts="int", beta="real+inf", length_bias="real")
def length_bias_figure(n_prompts: int = 150, beta: float = math.inf, length_bias: float = 0.5):
    """Best-of-n picks' length and r* against n: honest labels, length-biased labels, and
    length-biased annotators on length-controlled pairs (mean ± sd over 5 seeds)."""
    from .training import FigureView, _finish, _new_figure

    cache = load_cache()
    settings = [("honest annotators", (n_prompts, beta, 0.0, False), PALETTE["blue"]),
                (f"length bias λ = {length_bias:g}", (n_prompts, beta, length_bias, False),
                 PALETTE["vermillion"]),
                ("same bias, length-controlled pairs", (n_prompts, beta, length_bias, True),
                 PALETTE["green"])]
    fig, (ax1, ax2) = _new_figure(1, 2, (9.2, 3.1))
    values = {}
    with LiveFigure.style():
        for label, args, colour in settings:
            c = cached_runs(*args, cache=cache)
            ns = c["ns"][0]
            for ax, field in ((ax1, "length_learned"), (ax2, "true_learned")):
                m, s = c[field].mean(0), seed_sd(c[field])
                ax.fill_between(ns, m - s, m + s, color=colour, alpha=0.2, lw=0)
                ax.plot(ns, m, color=colour, lw=2, marker="o", ms=3, label=label)
                values[(label, field)] = m
        c = cached_runs(*settings[0][1], cache=cache)
        ax1.plot(ns, c["length_random"].mean(0), color="0.5", ls=":", label="random pick")
        ax2.plot(ns, c["true_oracle"].mean(0), color="0.3", ls="--", label="oracle")
        for ax in (ax1, ax2):
            ax.set_xscale("log", base=2)
            ax.set_xlabel("n (log scale)")
        ax1.set_ylabel("length of the pick (words)")
        ax1.set_title("Best-of-n picks get longer…")
        ax2.set_ylabel("true reward r* of the pick")
        ax2.set_title("…and no worse in r* here")
        ax1.legend(frameon=False)
        ax2.legend(handles=ax2.get_lines()[-1:], frameon=False, loc="upper left")
    _finish(fig)
    summary = "; ".join(f"{label}: best-of-{int(ns[-1])} pick "
                        f"{values[(label, 'length_learned')][-1]:.1f} words, "
                        f"r* {values[(label, 'true_learned')][-1]:.2f}"
                        for label, _, _ in settings)
    return FigureView(fig, summary, values)
