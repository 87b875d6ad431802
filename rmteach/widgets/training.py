"""Notebook 05: training a tiny reward model, and looking at what it learned.

Everything the notebook shows is computed here, so the notebook stays a few calls:

* :func:`describe_list` / :func:`show_examples` – a ranked list of the synthetic data
  with each response's hidden true reward r*(x, y) and why (:func:`rmteach.data.explain_reward`).
* :func:`phi_breakdown` / :func:`phi_table` – φ = backbone + head: the parameter count of
  every part of :class:`~rmteach.model.network.TinyRewardModel` (the book's r(x, y) = h_last · W_r).
* :func:`training_curves` – loss and pairwise accuracy per epoch from one or more
  :class:`~rmteach.model.training.TrainResult` histories (train dashed, held-out solid; ln 2
  and chance marked; the final held-out value marked and labelled).
* :func:`reward_agreement` / :func:`reward_scatter` – the learned reward against the
  true reward, both centred within each prompt's list (Bradley–Terry fixes rewards only
  up to a constant per prompt), coloured by topic.

Figures are Agg-backed :class:`matplotlib.figure.Figure` objects (never pyplot) wrapped
in :class:`FigureView`, which shows as a PNG in a notebook and as a one-line text
summary where images do not render.  Nothing here imports torch at import time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from ..data.generate import TOPICS, PreferenceData, RankedList, topic_of, true_reward
from ..model.evaluate import kendall_tau, score_lists
from ._base import PALETTE, PALETTE_CYCLE, LiveFigure
from .figures import (
    FigureView,
    _finish,
    _new_figure,
    describe_list,
    phi_breakdown,
    phi_table,
    show_examples,
)

__all__ = [
    "TOPIC_COLOURS",
    "FigureView",
    "describe_list",
    "phi_breakdown",
    "phi_table",
    "reward_agreement",
    "reward_scatter",
    "show_examples",
    "training_curves",
]

LN2 = math.log(2.0)

#: one Okabe–Ito colour per topic of the synthetic language
TOPIC_COLOURS: dict[str, str] = {t: PALETTE_CYCLE[i] for i, t in enumerate(TOPICS)}


# Training curves
# ---------------------------------------------------------------------------------------


def _as_runs(results) -> dict:
    if hasattr(results, "history"):
        return {results.config.get("loss", "run"): results}
    if isinstance(results, Mapping):
        runs = dict(results)
    else:
        raise ValueError("training_curves needs a TrainResult or a dict name -> TrainResult.")
    if not runs:
        raise ValueError("training_curves needs at least one TrainResult.")
    for name, r in runs.items():
        if not getattr(r, "history", None):
            raise ValueError(f"run {name!r} has no history (no epoch was trained).")
    return runs


def _spread_labels(values: list[float], gap: float) -> list[float]:
    """Label heights near ``values`` (same order) that are at least ``gap`` apart."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    last = -math.inf
    for i in order:
        y = values[i] if math.isfinite(values[i]) else last + gap
        out[i] = max(y, last + gap)
        last = out[i]
    return out


def training_curves(results, *, title: str = "") -> FigureView:
    """Loss (Eq. 4.57 scale) and pairwise accuracy per epoch, one colour per run.

    ``results``: a :class:`~rmteach.model.training.TrainResult` or a dict ``name -> TrainResult``.
    Dashed lines are the training data, solid lines held-out data; ln 2 (an undecided
    model) and 50 % (chance) are marked, and each run's final held-out value is marked
    (◆) and labelled at the right.  ``values[name]`` holds the plotted columns.
    """
    from matplotlib.lines import Line2D

    runs = _as_runs(results)
    fig, (lx, ax) = _new_figure(1, 2, (9.0, 4.4))
    values = {}
    max_epoch, min_epoch = 1, 1
    finals = []
    with LiveFigure.style():
        for i, (name, r) in enumerate(runs.items()):
            c = PALETTE_CYCLE[i % len(PALETTE_CYCLE)]
            cols = r.curves()
            ep = cols["epoch"]
            max_epoch = max(max_epoch, ep[-1])
            min_epoch = min(min_epoch, ep[0])
            values[name] = {k: cols[k] for k in ("epoch", "train_loss", "heldout_loss",
                                                 "train_accuracy", "heldout_accuracy")}
            lx.plot(ep, cols["train_loss"], color=c, ls="--", lw=1.3, marker=".")
            lx.plot(ep, cols["heldout_loss"], color=c, lw=2, marker="o", ms=3)
            ax.plot(ep, cols["train_accuracy"], color=c, ls="--", lw=1.3, marker=".")
            ax.plot(ep, cols["heldout_accuracy"], color=c, lw=2, marker="o", ms=3)
            fl, fa = cols["heldout_loss"][-1], cols["heldout_accuracy"][-1]
            lx.plot([ep[-1]], [fl], "D", color=c, ms=7, mec="black", mew=0.6, zorder=5)
            ax.plot([ep[-1]], [fa], "D", color=c, ms=7, mec="black", mew=0.6, zorder=5)
            finals.append((c, ep[-1], fl, fa))
        lx.axhline(LN2, color="0.5", lw=1, ls=":")
        ax.axhline(0.5, color="0.5", lw=1, ls=":")
        for a in (lx, ax):
            a.set_xlabel("epoch")
            a.set_xlim(min_epoch - 0.5, max_epoch + 0.5 + 0.18 * max_epoch)
        top = max(max(v["train_loss"] + v["heldout_loss"]) for v in values.values())
        ytop = max(0.8, 1.08 * top) if math.isfinite(top) else 1.5
        lx.set_ylim(0, ytop)
        ax.set_ylim(0.4, 1.0)
        # final held-out values, labelled at the right without overlapping
        x_label = max_epoch + 0.35
        # one line of 11 pt text is ~17 px of an axes ~190 px tall: about 9 % of its range
        for axis, k, fmt, gap in ((lx, 2, "{:.3f}", 0.1 * ytop), (ax, 3, "{:.1%}", 0.06)):
            heights = _spread_labels([f[k] for f in finals], gap)
            for (c, _ep, *vals), y in zip(finals, heights):
                axis.text(x_label, y, fmt.format(vals[k - 2]), color=c,
                          va="center", ha="left")
        lx.set_ylabel("listwise loss, Eq. 4.57 (nats)")
        lx.set_title("Loss per epoch")
        ax.set_ylabel("pairwise accuracy")
        ax.set_title("Accuracy per epoch (◆ = final held-out value)")
        ax.yaxis.set_major_formatter(_percent)
        handles = [Line2D([], [], color=PALETTE_CYCLE[i % len(PALETTE_CYCLE)], lw=2,
                          label=name) for i, name in enumerate(runs)]
        handles += [Line2D([], [], color="0.3", ls="--", lw=1.3, label="train"),
                    Line2D([], [], color="0.3", lw=2, label="held-out"),
                    Line2D([], [], color="0.5", ls=":", lw=1,
                           label="ln 2 (undecided) / 50 % (chance)")]
        for ncol in range(min(len(handles), 3), 0, -1):    # fewer columns until it fits
            legend = fig.legend(handles=handles, loc="lower center", ncol=ncol,
                                frameon=False)
            if ncol == 1 or legend.get_window_extent(
                    fig.canvas.get_renderer()).width <= fig.bbox.width - 8:
                break
            legend.remove()
        if title:
            fig.suptitle(title)
    rows = math.ceil(len(handles) / ncol)
    import warnings

    with LiveFigure.style(), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fig.tight_layout(pad=0.6, rect=(0, 0.062 * rows + 0.02, 1, 1))   # legend rows below
    names = ", ".join(runs)
    return FigureView(fig, f"Figure: loss and accuracy per epoch ({names})", values)


def _percent_format(v, _pos=None) -> str:
    return f"{v:.0%}"


def _make_percent():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(_percent_format)


_percent = _make_percent()


# ---------------------------------------------------------------------------------------
# Learned versus true reward
# ---------------------------------------------------------------------------------------


def reward_agreement(model, data: PreferenceData | Sequence[RankedList], *,
                     split: str = "heldout") -> dict:
    """The model's rewards next to the true reward r*, per response of ``split``.

    Both are centred within each prompt's list (subtract the list's mean): Bradley–Terry
    only constrains reward *differences* within a prompt, so a per-prompt constant is
    not learned and should not be compared.  Returns arrays ``true`` and ``learned``
    (centred), ``topic`` and ``list_index`` per response, the slope of the least-squares
    line through the origin (learned ≈ slope · true), the Pearson correlation of the
    centred values and the mean within-list Kendall τ.
    """
    if isinstance(data, PreferenceData):
        if split not in ("train", "heldout"):
            raise ValueError(f"split must be 'train' or 'heldout'; got {split!r}.")
        lists = list(data.train if split == "train" else data.heldout)
    elif isinstance(data, (str, bytes)) or not hasattr(data, "__iter__"):
        raise ValueError("data must be a PreferenceData or a list of ranked lists; got "
                         f"{type(data).__name__}.")
    else:
        lists = list(data)
    if not lists:
        raise ValueError(f"the {split} split is empty: nothing to plot.")
    scores = score_lists(model, lists)
    true_c, learned_c, topics, index, taus = [], [], [], [], []
    for k, (lst, s) in enumerate(zip(lists, scores)):
        t = np.array([true_reward(lst.prompt, y) for y in lst.responses])
        s = np.asarray(s, dtype=float)
        true_c.append(t - t.mean())
        learned_c.append(s - s.mean())
        topics += [topic_of(lst.prompt) or "none"] * lst.n
        index += [k] * lst.n
        tau = kendall_tau(s, t)
        if not math.isnan(tau):
            taus.append(tau)
    x = np.concatenate(true_c)
    y = np.concatenate(learned_c)
    slope = float(x @ y / (x @ x)) if float(x @ x) > 0 else float("nan")
    pearson = (float(np.corrcoef(x, y)[0, 1]) if np.std(x) > 0 and np.std(y) > 0
               else float("nan"))
    return {"true": x, "learned": y, "topic": topics, "list_index": np.array(index),
            "slope": slope, "pearson": pearson,
            "kendall_tau": float(np.mean(taus)) if taus else float("nan"),
            "responses": int(x.size), "lists": len(lists)}


def reward_scatter(model, data: PreferenceData | Sequence[RankedList], *,
                   split: str = "heldout", highlight: int = 0) -> FigureView:
    """Scatter of learned against true reward (both centred per prompt), coloured by topic.

    The responses of list number ``highlight`` are joined by a line and circled, so one
    prompt's ranking can be followed; the dashed line is the least-squares fit through
    the origin.  ``values`` is :func:`reward_agreement`'s dict.
    """
    info = reward_agreement(model, data, split=split)
    from ..math._checks import check_int

    highlight = check_int(highlight, "highlight")
    if not 0 <= highlight < info["lists"]:
        raise ValueError(f"highlight must be a list index from 0 to {info['lists'] - 1}; "
                         f"got {highlight}.")
    x, y = info["true"], info["learned"]
    fig, (ax,) = _new_figure(1, 1, (6.2, 4.0))
    with LiveFigure.style():
        topics = np.array(info["topic"])
        for name, colour in TOPIC_COLOURS.items():
            m = topics == name
            if m.any():
                ax.scatter(x[m], y[m], s=12, color=colour, alpha=0.6, lw=0, label=name)
        span = np.array([x.min(), x.max()])
        if math.isfinite(info["slope"]):
            ax.plot(span, info["slope"] * span, color="0.35", lw=1, ls="--",
                    label=f"fit: learned ≈ {info['slope']:.2f} × true")
        m = info["list_index"] == int(highlight)
        order = np.argsort(x[m])
        ax.plot(x[m][order], y[m][order], color=PALETTE["black"], lw=1.2, zorder=4)
        ax.scatter(x[m], y[m], s=60, facecolor="none", edgecolor=PALETTE["black"], lw=1.4,
                   zorder=5, label=f"one prompt's {int(m.sum())} responses")
        ax.axhline(0, color="0.8", lw=0.8, zorder=0)
        ax.axvline(0, color="0.8", lw=0.8, zorder=0)
        ax.set_xlabel("true reward r*(x, y), centred per prompt")
        ax.set_ylabel("learned reward r(x, y), centred per prompt")
        ax.set_title(f"{split} responses: Pearson {info['pearson']:.3f}, "
                     f"mean Kendall τ {info['kendall_tau']:.3f}")
        ax.legend(loc="upper left", frameon=False, markerscale=1.5)
    _finish(fig)
    summary = (f"Figure: learned vs true reward for {info['responses']} {split} responses "
               f"of {info['lists']} prompts")
    return FigureView(fig, summary, info)
