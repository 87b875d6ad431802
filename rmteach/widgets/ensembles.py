"""Notebook 12: best-of-n picked by an ensemble of reward models, mean − k·sd.

:func:`ensemble_explorer` – a slider k (and the data setting): the true reward r* of the
best-of-n pick against n when 5 reward models pick together by mean − k·sd of their
standardised scores (k = 0 is the plain mean), beside the plain mean, the minimum and one
member alone (the average of the 5 members' own curves), each the mean over the notebook's
5 seeds, with a ± sd band (sample sd) around the moving curve. Reads the cache of
:mod:`rmteach.experiments.ensembles`; nothing is trained on a slider move.
"""

from __future__ import annotations

import numpy as np
from ipywidgets import FloatSlider, HBox, Layout, ToggleButtons

from ..experiments.ensembles import SETTINGS, choose_weight, curve_table, load_ensemble_runs
from ..experiments.seeds import spread
from ..math._checks import check_real
from ._base import PALETTE, LiveFigure, RMWidget
from ._ranges import refuses_out_of_range
from .readout import details

__all__ = ["EnsembleExplorer", "ensemble_explorer"]


def _member_average(runs) -> np.ndarray:
    """(seeds × n): per seed, the mean of the members' own curves (one member, expected)."""
    return np.array([np.mean(r["members"], axis=0) for r in runs])


def _num(x: float) -> str:
    """A reward with two decimals and a true minus sign."""
    return f"{x:.2f}".replace("-", "−")


def _sd_columns(table) -> np.ndarray:
    """The suite's spread over seeds (sample sd, :func:`rmteach.seeds.spread`) of each column."""
    return np.array([spread(col).sd for col in np.asarray(table, dtype=float).T])


def _band(x, lo, hi):
    return np.column_stack([np.concatenate([x, x[::-1]]), np.concatenate([lo, hi[::-1]])])


class EnsembleExplorer(RMWidget):
    """Slider ``k`` (main) and toggle ``setting``. ``values``: k, n (the largest), and at
    that n the mean r* of the pick for ``sd`` (mean − k·sd), ``sd_spread`` (its sample sd
    over seeds), ``mean``, ``min``, ``member`` (one member alone), ``seeds`` and ``k_val``
    (the k chosen on the validation seeds)."""

    def __init__(self, *, k: float = 0.0, setting: str = "noisy labels"):
        self._cache = load_ensemble_runs()
        grid = [float(v) for v in self._cache["k_grid"]]
        if setting not in self._cache["runs"]:
            raise ValueError(f"setting must be one of {sorted(self._cache['runs'])}; got "
                             f"{setting!r:.60}.")
        step = grid[1] - grid[0]
        k = check_real(k, "k")
        if not any(abs(k - g) < 1e-9 for g in grid):
            raise ValueError(f"k must be one of the cached values {grid[0]:g}, {grid[1]:g}, "
                             f"..., {grid[-1]:g} (steps of {step:g}); got {k!r:.40}.")
        controls = {
            "k": FloatSlider(value=k, min=grid[0], max=grid[-1], step=step,
                             description="k in mean − k·sd", readout_format=".2f",
                             style={"description_width": "120px"},
                             layout=Layout(width="400px")),
            "setting": ToggleButtons(options=list(self._cache["runs"]), value=setting,
                                     description="labels", style={"button_width": "150px"}),
        }
        self._ns = np.array(next(iter(self._cache["runs"].values()))["report"][0]["ns"],
                            dtype=float)
        self._ylim = {}                 # per setting, wide enough for every k: no jumps
        for name, v in self._cache["runs"].items():
            tables = [curve_table(v["report"], "mean-k-sd", g) for g in grid]
            tables += [curve_table(v["report"], how) for how in ("mean", "min", "random")]
            lo = min(float((t.mean(0) - _sd_columns(t)).min()) for t in tables)
            hi = max(float((t.mean(0) + _sd_columns(t)).max()) for t in tables)
            self._ylim[name] = (lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo))
        live = LiveFigure(1, 1, figsize=(6.6, 3.3))
        ax = live.axes[0] if isinstance(live.axes, (list, tuple, np.ndarray)) else live.axes
        with live.style():
            self._member, = ax.plot([], [], color="0.45", lw=1.8, ls=":",
                                    label="one member alone")
            self._mean, = ax.plot([], [], color=PALETTE["blue"], lw=1.8, ls="--",
                                  label="mean of 5")
            self._min, = ax.plot([], [], color=PALETTE["green"], lw=1.8, ls="-.",
                                 label="min of 5 (worst case)")
            self._band = ax.fill_between(self._ns, self._ns * 0, self._ns * 0,
                                         color=PALETTE["vermillion"], alpha=0.2, lw=0)
            self._sd, = ax.plot([], [], color=PALETTE["vermillion"], lw=2.4, marker="o", ms=3,
                                label="mean − k·sd (± sd, 5 seeds)")
            ax.set_xscale("log", base=2)
            ax.set_xlim(0.9, self._ns[-1] * 1.1)
            ax.set_xlabel("n (responses drawn, log scale)")
            ax.set_ylabel("true reward r* of the pick")
            ax.legend(loc="upper left", frameon=False, ncol=2)
            self._heading = ax.set_title("")
        self._ax = ax
        live.animate(self._member, self._mean, self._min, self._band, self._sd, self._heading)
        super().__init__(controls=controls, main="k", live_figure=live,
                         control_box=HBox([controls["k"], controls["setting"]]),
                         title="An ensemble of reward models picks the best of n")

    def update(self) -> None:
        k = float(self.controls["k"].value)
        setting = self.controls["setting"].value
        runs = self._cache["runs"][setting]
        report = runs["report"]
        grid = [float(v) for v in self._cache["k_grid"]]
        if not any(abs(k - g) < 1e-9 for g in grid):
            raise ValueError(f"k must be one of the cached values {grid}; got {k}.")
        sd_tab = curve_table(report, "mean-k-sd", k)
        mean_c, sd_c = sd_tab.mean(0), _sd_columns(sd_tab)
        member = _member_average(report).mean(0)
        mean = curve_table(report, "mean").mean(0)
        low = curve_table(report, "min").mean(0)
        self._member.set_data(self._ns, member)
        self._mean.set_data(self._ns, mean)
        self._min.set_data(self._ns, low)
        self._sd.set_data(self._ns, mean_c)
        self._band.set_verts([_band(self._ns, mean_c - sd_c, mean_c + sd_c)])
        self._heading.set_text(f"{setting}: mean − {k:g}·sd")
        self._ax.set_ylim(*self._ylim[setting])
        k_val = choose_weight(runs["validation"], "sd") if runs["validation"] else float("nan")
        n = int(self._ns[-1])
        self.values = {"k": k, "n": n, "sd": float(mean_c[-1]), "sd_spread": float(sd_c[-1]),
                       "mean": float(mean[-1]), "min": float(low[-1]),
                       "member": float(member[-1]), "seeds": len(report), "k_val": k_val}
        self.readout.value = (
            f"Best of {n}: r* of the pick <b>{_num(mean_c[-1])}</b> by mean − k·sd, "
            f"{_num(mean[-1])} by the plain mean, {_num(member[-1])} by one member alone. Try "
            f"raising k: when does caution start to cost?"
            + details(f"k = {k:g}; mean − k·sd {spread(sd_tab[:, -1]).pm('.2f')} over the "
                      f"notebook's seeds; "
                      f"min of the 5 members {low[-1]:.2f}; the k chosen on the validation "
                      f"seeds {k_val:g}; {setting}: {SETTINGS[setting][0]} training prompts; "
                      f"each member standardised per prompt before combining."))


@refuses_out_of_range
def ensemble_explorer(*, k: float = 0.0, setting: str = "noisy labels") -> EnsembleExplorer:
    """Build the ensemble explorer of notebook 12 (see :class:`EnsembleExplorer`)."""
    return EnsembleExplorer(k=k, setting=setting)
