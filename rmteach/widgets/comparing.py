"""Notebook 06: comparing reward models (the grouping experiment is in :mod:`.grouping`).

* :func:`toy_disagreement` and :func:`confidence_explorer` – why a lower held-out loss
  and a higher held-out accuracy can point at different models: accuracy only sees
  the sign of each reward gap, the loss also sees its size (confidence);
  :func:`fit_scale` – a temperature for a model, fitted on validation prompts.

torch is only imported when something is trained.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ipywidgets import FloatSlider, Layout

from ..data.generate import PreferenceData, RankedList, as_ranked_list
from ..experiments.diagnose import LN2
from ..math.calibration import fit_temperature
from ..math.losses import pairwise_loss
from ..model.evaluate import metrics_from_scores, score_lists
from ._base import PALETTE, LiveFigure, RMWidget, check_arg

__all__ = [
    "SCALE_GRID",
    "ConfidenceExplorer",
    "ScaledRewardModel",
    "confidence_explorer",
    "fit_scale",
    "toy_disagreement",
]

#: the scales the confidence widget plots: 121 values from 0.05 to 5 on a log axis
SCALE_GRID = np.exp(np.linspace(np.log(0.05), np.log(5.0), 121))


def _ranked_gaps(lists: Sequence[RankedList], scores: Sequence[np.ndarray]):
    """Every ranked pair's gap r_better − r_worse, and its weight in Eq. 4.57."""
    gaps, weights = [], []
    for lst, x in zip(lists, scores):
        ordered = np.asarray(x, dtype=float)[list(lst.ranking)]
        i, j = np.triu_indices(lst.n, k=1)
        gaps.append(ordered[i] - ordered[j])
        weights.append(np.full(i.size, 1.0 / i.size))
    return np.concatenate(gaps), np.concatenate(weights) / len(gaps)


def _listwise_loss_by_scale(lists: Sequence[RankedList], scores: Sequence[np.ndarray],
                           scales) -> np.ndarray:
    """Eq. 4.57 (the mean over lists of each list's mean −log Sigmoid(s·gap) over its
    ranked pairs) for every scale s in ``scales`` at once."""
    gap, weight = _ranked_gaps(lists, scores)
    s = np.asarray(scales, dtype=float)[:, None]
    return np.logaddexp(0.0, -s * gap[None, :]) @ weight


def fit_scale(model, lists: Sequence[RankedList]) -> float:
    """The scale s = 1/T for the temperature T that :func:`rmteach.math.calibration.
    fit_temperature` fits on the ranked pairs of ``lists`` (log-loss per pair). Fit it on
    a *validation* split, never on the prompts you report."""
    if not all(hasattr(model, a) for a in ("encode", "device", "eval")):
        raise ValueError(f"model must be a trained TinyRewardModel; got {type(model).__name__}.")
    if isinstance(lists, PreferenceData):
        raise ValueError("lists must be the validation lists themselves, not a PreferenceData "
                         "(whose held-out split you would then tune on).")
    try:
        lists = [as_ranked_list(x) for x in lists]
    except (TypeError, ValueError, AttributeError):
        raise ValueError(f"lists must be ranked lists (validation prompts); got "
                         f"{lists!r:.60}.") from None
    if not lists:
        raise ValueError("give at least one validation list to fit the scale on.")
    gap, _ = _ranked_gaps(lists, score_lists(model, lists))
    return 1.0 / fit_temperature(gap)


# ---------------------------------------------------------------------------------------
# When the held-out loss and the held-out accuracy disagree
# ---------------------------------------------------------------------------------------


def toy_disagreement() -> dict:
    """Two models on the same four held-out pairs (reward gaps r_preferred − r_rejected).

    Model A orders three of the four pairs right, each by a hair, and one badly wrong.
    Model B orders only two right, but confidently, and its two mistakes are small.
    A has the higher accuracy, B the lower loss (Eq. 4.37, computed with
    :func:`rmteach.pairwise_loss`).
    """
    gaps = {"A": np.array([0.1, 0.1, 0.1, -3.0]), "B": np.array([2.0, 2.0, -0.1, -0.1])}
    out = {}
    for name, g in gaps.items():
        out[name] = {"gaps": g,
                     "per_pair_loss": pairwise_loss(g, 0.0, reduction="none"),
                     "loss": float(pairwise_loss(g, 0.0)),
                     "accuracy": float(np.mean(g > 0))}
    return out


class ScaledRewardModel:
    """A trained reward model whose rewards are multiplied by ``scale`` (a temperature).

    Scaling by a positive number keeps every pair's order, so the pairwise accuracy is
    unchanged, while the loss changes: the model becomes more or less confident.
    It offers what :func:`rmteach.model.evaluate.score_lists` needs (``encode``, ``device``,
    ``eval``/``train``, calling), so it works with :func:`rmteach.model.evaluate.compare_models`.
    """

    def __init__(self, model, scale: float):
        scale = check_arg(scale, "scale", 0.0)
        if not scale > 0:
            raise ValueError(f"scale must be a positive number; got {scale}.")
        if not all(hasattr(model, a) for a in ("encode", "device", "training", "eval")):
            raise ValueError(f"model must be a TinyRewardModel; got {type(model).__name__}.")
        self.model = model
        self.scale = float(scale)

    @property
    def device(self):
        return self.model.device

    @property
    def training(self) -> bool:
        return self.model.training

    def encode(self, prompts, responses):
        return self.model.encode(prompts, responses)

    def eval(self):
        self.model.eval()
        return self

    def train(self, mode: bool = True):
        self.model.train(mode)
        return self

    def __call__(self, ids, lengths):
        return self.model(ids, lengths) * self.scale


class ConfidenceExplorer(RMWidget):
    """Slider ``scale`` (main): multiply model A's held-out rewards by it and compare with B.

    The accuracy of A stays the same for every positive scale (no pair changes order);
    its listwise loss (Eq. 4.57) traces a U: too timid and every pair costs nearly ln 2,
    too bold and its confident mistakes cost ≈ |gap| each.  ``values``: scale,
    loss_a, accuracy_a, loss_b, accuracy_b, best_scale, best_loss_a, winner_loss,
    winner_accuracy.
    """

    def __init__(self, model_a, model_b, lists: Sequence[RankedList] | PreferenceData, *,
                 names: tuple[str, str] = ("A", "B"), scale: float = 1.0,
                 validation: Sequence[RankedList] | None = None):
        scale = check_arg(scale, "scale", 0.05, 5.0)
        if isinstance(names, str) or not hasattr(names, "__len__") or len(names) != 2 \
                or not all(isinstance(x, str) for x in names):
            raise ValueError(f"names must be two strings, like ('A', 'B'); got {names!r:.60}.")
        if isinstance(lists, PreferenceData):
            lists = list(lists.heldout)
        self.lists = [x for x in lists]
        if not self.lists:
            raise ValueError("give at least one held-out ranked list to compare on.")
        self.names = tuple(names)
        self._sa = score_lists(model_a, self.lists)
        self._eval_b = metrics_from_scores(self.lists, score_lists(model_b, self.lists),
                                           against=None)
        self._acc_a = metrics_from_scores(self.lists, self._sa, against=None).accuracy
        self._grid = SCALE_GRID
        self._curve = _listwise_loss_by_scale(self.lists, self._sa, self._grid)
        # the scale to report is fitted on validation prompts; without them, the minimum
        # of the curve itself is marked, and labelled as tuned on the shown prompts
        self.fitted_on_validation = validation is not None
        if self.fitted_on_validation:
            s_best = fit_scale(model_a, validation)
        else:
            s_best = float(self._grid[int(np.argmin(self._curve))])
        self._best = (s_best, self._loss_a(s_best))
        slider = FloatSlider(value=scale, min=0.0, max=5.0, step=0.05, readout_format=".2f",
                             description=f"scale of {self.names[0]}'s rewards",
                             style={"description_width": "170px"},
                             layout=Layout(width="560px"))
        live = LiveFigure(figsize=(6.6, 2.9))
        ax = live.axes[0]
        a, b = self.names
        with live.style():
            ax.plot(self._grid, self._curve, color=PALETTE["blue"], lw=2,
                    label=f"{a}: held-out loss at this scale")
            ax.axhline(self._eval_b.listwise_loss, color=PALETTE["orange"], lw=2, ls="--",
                       label=f"{b}: held-out loss (accuracy {self._eval_b.accuracy:.1%})")
            ax.axhline(LN2, color="0.5", lw=1, ls=":", label="ln 2 (undecided)")
            ax.plot([self._best[0]], [self._best[1]], "v", color=PALETTE["green"], ms=8,
                    label=(f"{a}'s scale fitted on validation prompts"
                           if self.fitted_on_validation else
                           f"{a}'s best scale on these prompts (tuned on them: optimistic)"))
            self._pt, = ax.plot([], [], "o", color=PALETTE["vermillion"], ms=9, zorder=5)
            self._txt = ax.text(0.45, 0.95, "", transform=ax.transAxes, ha="left", va="top")
            ax.set_xscale("log")
            ax.set_xlim(0.05, 5.0)
            top = max(float(self._curve.max()), self._eval_b.listwise_loss)
            ax.set_ylim(0, 1.08 * top)      # the whole curve: the marker is never clamped
            ax.set_xlabel(f"scale s: {a}'s rewards × s (log axis; s = 1 is the trained model)")
            ax.set_ylabel("held-out listwise loss (nats)")
            ax.set_title(f"{a}'s accuracy is {self._acc_a:.1%} at every scale; "
                         "its loss is not")
            ax.legend(loc="upper left", frameon=False)
        live.animate(self._pt, self._txt)
        super().__init__(controls={"scale": slider}, main="scale", live_figure=live,
                         title="Accuracy ignores confidence; the loss does not")

    def _loss_a(self, s: float) -> float:
        padded_scores = [np.asarray(x) * s for x in self._sa]
        return metrics_from_scores(self.lists, padded_scores, against=None).listwise_loss

    def update(self) -> None:
        s = float(self.controls["scale"].value)
        if s <= 0:      # finite: the base class checked it first
            raise ValueError(f"a scale of {s:g} gives every response the same reward (or "
                             "flips them): pick a scale above 0; at 0 every pair is a tie, "
                             "the accuracy is undefined and the loss is ln 2.")
        ev = metrics_from_scores(self.lists, [np.asarray(x) * s for x in self._sa],
                                 against=None)
        a, b = self.names
        lb, ab = self._eval_b.listwise_loss, self._eval_b.accuracy
        win_loss = a if ev.listwise_loss < lb else b
        win_acc = a if ev.accuracy > ab else (b if ab > ev.accuracy else "tie")
        self.values = {"scale": s, "loss_a": ev.listwise_loss, "accuracy_a": ev.accuracy,
                       "loss_b": lb, "accuracy_b": ab, "best_scale": self._best[0],
                       "best_loss_a": self._best[1], "winner_loss": win_loss,
                       "winner_accuracy": win_acc}
        x = min(max(s, 0.05), 5.0)
        self._pt.set_data([x], [ev.listwise_loss])
        if ev.listwise_loss > 0.97 * self._pt.axes.get_ylim()[1]:      # beyond the curve
            self._pt.axes.set_ylim(0, 1.08 * ev.listwise_loss)
            self.live_figure.invalidate()
        self._txt.set_text(f"s = {s:.2f}: {a}'s loss {ev.listwise_loss:.3f}")
        agree = "agree" if win_loss == win_acc else "DISAGREE"
        self.readout.value = (
            f"<code>{a}: accuracy {ev.accuracy:.1%}, loss {ev.listwise_loss:.3f}   |   "
            f"{b}: accuracy {ab:.1%}, loss {lb:.3f}</code><br>"
            f"Lower loss: <b>{win_loss}</b>; higher accuracy: <b>{win_acc}</b>: the two "
            f"measures {agree}.")


def confidence_explorer(model_a, model_b, lists, *, names: tuple[str, str] = ("A", "B"),
                        scale: float = 1.0, validation=None) -> ConfidenceExplorer:
    """Build notebook 06's accuracy-versus-loss widget (control ``scale``, main).

    ``lists``: the held-out prompts the two models are compared on; ``validation``: other
    prompts, never trained on, on which model A's best scale (temperature) is fitted."""
    return ConfidenceExplorer(model_a, model_b, lists, names=names, scale=scale,
                              validation=validation)
