"""Notebook 05's static pieces: :class:`FigureView` (a Matplotlib figure shown as one
image, with a text summary) and its helpers, and the data shown with its known truth
(:func:`describe_list`, :func:`show_examples`) and the model's parameters φ
(:func:`phi_breakdown`, :func:`phi_table`).  Re-exported by :mod:`rmteach.widgets.training`."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure

from ..data.generate import PreferenceData, RankedList, explain_reward, topic_of, true_reward
from ..experiments.seeds import spread
from ._base import PALETTE, LiveFigure
from .style import new_figure, place_legends

__all__ = ["FigureView", "describe_list", "phi_breakdown", "phi_table", "pretraining_curves",
           "show_examples"]


# ---------------------------------------------------------------------------------------
# Static figures
# ---------------------------------------------------------------------------------------


class FigureView:
    """A finished figure for a notebook: PNG where images render, a text line elsewhere.

    ``.figure`` is the Agg-backed matplotlib figure (tests read its artists);
    ``.summary`` is the deterministic ``text/plain`` line (checked by nbval, so it holds
    no timings); ``.values`` holds the numbers that were plotted.
    """

    def __init__(self, figure: Figure, summary: str, values: Mapping | None = None):
        if not isinstance(figure, Figure):
            raise ValueError(f"figure must be a matplotlib Figure; got {type(figure).__name__}.")
        if not isinstance(summary, str):
            raise ValueError(f"summary must be a string; got {type(summary).__name__}.")
        if values is not None and not isinstance(values, Mapping):
            raise ValueError(f"values must be None or a dict; got {type(values).__name__}.")
        self.figure = figure
        self.summary = summary
        self.values = dict(values or {})

    def png(self) -> bytes:
        out = io.BytesIO()
        self.figure.savefig(out, format="png", dpi=self.figure.dpi)
        return out.getvalue()

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"image/png": base64.b64encode(self.png()).decode("ascii"),
                "text/plain": self.summary}

    def __repr__(self) -> str:
        return self.summary


def _new_figure(nrows: int, ncols: int, figsize) -> tuple[Figure, list]:
    fig = new_figure(figsize)
    with LiveFigure.style():
        axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, list(axes.flat)


def _finish(fig: Figure) -> None:
    """Lay a finished figure out, then move its legends off the data."""
    import warnings

    def layout():
        with LiveFigure.style(), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            fig.tight_layout(pad=0.6)

    layout()
    place_legends(fig, layout)


# ---------------------------------------------------------------------------------------
# The data, with its known truth
# ---------------------------------------------------------------------------------------


def _explain_line(prompt: str, response: str) -> str:
    e = explain_reward(prompt, response)
    parts = [f"{k} {n}×{e['values'][k]:+g}" for k, n in e["counts"].items() if n]
    return ", ".join(parts) if parts else "no scored words"


def describe_list(lst: RankedList, *, width: int = 44) -> str:
    """One ranked list as text: the prompt and its topic, then the responses best first
    (as the annotator ranked them) with the true reward r* and where it comes from.

    A ``*`` marks a response the annotator placed above one with a higher true reward
    (a noisy label); with β = ∞ there are none.
    """
    if not isinstance(lst, RankedList):
        raise ValueError(f"describe_list needs a RankedList; got {type(lst).__name__}.")
    lines = [f"prompt: {lst.prompt!r}   (topic: {topic_of(lst.prompt) or 'none'})"]
    rewards = [true_reward(lst.prompt, y) for y in lst.best_first()]
    for rank, (y, r) in enumerate(zip(lst.best_first(), rewards), start=1):
        noisy = any(q > r for q in rewards[rank:])      # ranked above a better response
        text = y if len(y) <= width else y[: width - 1] + "…"
        lines.append(f"  {rank}. {text:<{width}} r* = {r:+.2f}{' *' if noisy else '  '}"
                     f"  ({_explain_line(lst.prompt, y)})")
    return "\n".join(lines)


def show_examples(data: PreferenceData | Sequence[RankedList], k: int = 2, *,
                  split: str = "train", max_n: int | None = None) -> str:
    """The first ``k`` ranked lists of ``split`` (with at most ``max_n`` responses, if
    given) described by :func:`describe_list`."""
    from ..math._checks import check_int

    if split not in ("train", "heldout"):
        raise ValueError(f"split must be 'train' or 'heldout'; got {split!r}.")
    k = check_int(k, "k", lo=1)
    if max_n is not None:
        max_n = check_int(max_n, "max_n", lo=2)
    if isinstance(data, PreferenceData):
        lists = list(data.train if split == "train" else data.heldout)
    elif isinstance(data, (str, bytes)) or not hasattr(data, "__iter__"):
        raise ValueError("data must be a PreferenceData or a list of ranked lists; got "
                         f"{type(data).__name__}.")
    else:
        lists = list(data)
        for i, x in enumerate(lists):
            if not isinstance(x, RankedList):
                raise ValueError(f"data[{i}] must be a RankedList; got {type(x).__name__}.")
    if max_n is not None:
        lists = [x for x in lists if x.n <= max_n]
    if not lists:
        raise ValueError("there are no ranked lists to show.")
    return "\n\n".join(describe_list(x) for x in lists[: int(k)])


# ---------------------------------------------------------------------------------------
# φ = backbone + head
# ---------------------------------------------------------------------------------------


def phi_breakdown(model) -> dict[str, int]:
    """Parameter counts of each part of a :class:`~rmteach.model.network.TinyRewardModel`.

    Keys, in order: ``token embedding``, ``position embedding``, one ``transformer
    layer i`` per layer, ``final norm`` (together: the backbone) and ``head W_r``.  The
    sums agree with ``model.param_counts()``.
    """
    def count(module) -> int:
        return int(sum(p.numel() for p in module.parameters()))

    if not all(hasattr(model, a) for a in ("token_embedding", "transformer", "head",
                                           "param_counts")):
        raise ValueError(f"model must be a TinyRewardModel; got {type(model).__name__}.")

    parts = {"token embedding": count(model.token_embedding),
             "position embedding": count(model.position_embedding)}
    for i, layer in enumerate(model.transformer.layers, start=1):
        parts[f"transformer layer {i}"] = count(layer)
    parts["final norm"] = count(model.final_norm)
    parts["head W_r"] = count(model.head)
    counts = model.param_counts()
    backbone = sum(v for k, v in parts.items() if k != "head W_r")
    if backbone != counts["backbone"] or parts["head W_r"] != counts["head"]:
        raise ValueError("the model has parameters outside the known parts; "
                         f"parts sum to {backbone} + {parts['head W_r']}, param_counts() says "
                         f"{counts['backbone']} + {counts['head']}.")
    return parts


def phi_table(model) -> str:
    """φ's composition as a text table: every part, the backbone, the head, the total."""
    parts = phi_breakdown(model)
    counts = model.param_counts()
    total = counts["total"]
    lines = [f"{'part of φ':28s}{'parameters':>12s}{'share':>9s}"]
    for name, n in parts.items():
        if name == "head W_r":
            lines.append(f"{'  = backbone':28s}{counts['backbone']:>12,d}"
                         f"{counts['backbone'] / total:>9.1%}")
        lines.append(f"{'  ' + name if name != 'head W_r' else name:28s}{n:>12,d}"
                     f"{n / total:>9.1%}")
    lines.append(f"{'φ in total':28s}{total:>12,d}{1:>9.0%}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------


def pretraining_curves(doc: dict) -> FigureView:
    """Notebook 05, "Where φ comes from": held-out accuracy and pairwise loss against the
    number of pairs, from scratch and from the pre-trained backbone (``doc`` from
    :func:`rmteach.experiments.pretrained_phi.load_curve`), each start's mean over the seeds
    with a band of ± one sample sd (:func:`rmteach.seeds.spread`)."""
    import numpy as np

    from ..experiments.pretrained_phi import check_curve

    check_curve(doc)
    fig, axes = _new_figure(1, 2, (9.0, 3.4))
    x = np.array(doc["sizes"], dtype=float)
    starts = (("scratch", "from scratch", PALETTE["vermillion"]),
              ("pretrained", "from the pre-trained backbone", PALETTE["blue"]))
    values = {}
    for ax, key, name in zip(axes, ("accuracy", "loss"),
                             ("held-out pair accuracy", "held-out pairwise loss (nats)")):
        for start, label, colour in starts:
            cols = [spread(col) for col in np.array(doc[start][key], dtype=float).T]
            m = np.array([c.mean for c in cols])
            s = np.array([c.sd for c in cols])
            ax.plot(x, m, "o-", color=colour, label=label)
            ax.fill_between(x, m - s, m + s, color=colour, alpha=0.2)
            values[(start, key)] = m
        ax.set_xscale("log")
        ax.set_xlabel("training pairs")
        ax.set_ylabel(name)
    axes[1].axhline(np.log(2), color="0.4", ls="--", lw=1, label="ln 2")
    axes[0].axhline(0.5, color="0.4", ls=":", lw=1, label="chance")
    axes[0].legend(frameon=False)
    axes[1].legend(handles=axes[1].get_lines()[-1:], frameon=False)
    fig.suptitle(f"mean ± sample sd over n = {len(doc['seeds'])} seeds")
    _finish(fig)
    n = len(doc["seeds"])
    summary = ("held-out accuracy at " + ", ".join(f"{int(v)}" for v in x) + " pairs: "
               + "; ".join(f"{label} " + " ".join(f"{a:.3f}" for a in values[(start, 'accuracy')])
                           for start, label, _ in starts) + f" (means over n = {n} seeds)")
    return FigureView(fig, summary, values)
