"""Notebook 03: ranked lists, the listwise loss (Eq. 4.57) and Plackett–Luce (Eqs. 4.58–4.61).

    L_list = −E_{(x, Y) ∼ D} [ 1/(N(N−1)) Σ_{y_a, y_b ∈ Y, a ≠ b} log Pr(y_a ≻ y_b | x) ]

where each ordered pair is scored by the probability of its *true* order.  Widgets:

* :func:`listwise_explorer` – type a ranking such as ``C > A > D > B``; see its
  N(N−1)/2 pairs, a pair matrix coloured by −log Pr(true order), the listwise loss and
  the Plackett–Luce loss of the same list, and move each item's score.
* :func:`list_length_explorer` – the N(N−1) pair sum grows like N², the
  1/(N(N−1)) average stays comparable across list lengths.
* :func:`literal_trap_explorer` – the literal-reading trap: summing log Pr(y_a ≻ y_b)
  over *both* orders of every pair, whatever the ranking, is minimised by equal
  rewards; gradient descent on it collapses the rewards, while the true-order
  objective separates them.  The descent itself is :func:`descend_on_list`.
"""

from __future__ import annotations

import html
import math

import numpy as np
from ipywidgets import FloatSlider, HBox, IntSlider, Layout, Text, VBox
from matplotlib.colors import PowerNorm

from .._arrays import _check_numpy_input
from ..losses import listwise_loss, pairwise_loss, plackett_luce_loss, preference_probability
from ..ranking import parse_ranking, ranked_pair_positions, ranking_to_pairs
from ._base import PALETTE, PALETTE_CYCLE, LiveFigure, RMWidget, check_arg

__all__ = [
    "ListLengthExplorer",
    "ListwiseExplorer",
    "LiteralTrapExplorer",
    "descend_on_list",
    "list_length_explorer",
    "listwise_explorer",
    "literal_objective",
    "literal_trap_explorer",
    "noisy_model_scores",
    "plackett_luce_stage_probabilities",
]

MAX_ITEMS = 8
DEFAULT_SCORES = {"A": 0.5, "B": -1.0, "C": 2.0, "D": 0.1}


# ---------------------------------------------------------------------------------------
# Computations (used by the widgets, the quizzes, the exercises and the tests)
# ---------------------------------------------------------------------------------------

def literal_objective(scores) -> float:
    """The *literal* (wrong) reading of Eq. 4.57 for one list, best first or not:

        −1/(N(N−1)) Σ_{a ≠ b} log Pr(y_a ≻ y_b)   over BOTH orders of every pair,

    whatever the ranking.  Each unordered pair contributes ℓ(Δ) + ℓ(−Δ) ≥ 2 ln 2, with
    equality only at Δ = 0, so it is minimised by giving every item the same reward.

    >>> round(literal_objective([0.0, 0.0, 0.0]), 6)     # its minimum: ln 2
    0.693147
    """
    s = np.asarray(_check_numpy_input(scores, "scores"), dtype=float)
    n = s.shape[-1] if s.ndim else 0
    if n < 2:
        raise ValueError(f"a list needs at least 2 items; got {n}.")
    a, b = np.nonzero(~np.eye(n, dtype=bool))            # all N(N−1) ordered pairs
    return float(pairwise_loss(s[a], s[b]))


def _pair_mean_gradient(scores: np.ndarray, winners: np.ndarray, losers: np.ndarray):
    """Gradient of mean_k −log Sigmoid(r[winners_k] − r[losers_k]) with respect to r."""
    push = preference_probability(scores[losers], scores[winners]) / len(winners)
    grad = np.zeros_like(scores)
    np.add.at(grad, winners, -push)
    np.add.at(grad, losers, push)
    return grad


def descend_on_list(scores, *, objective: str = "true", steps: int = 300, lr: float = 1.0):
    """Plain gradient descent on one best-first list's rewards; returns shape (steps + 1, N).

    ``objective="true"``: Eq. 4.57 as meant (each pair in its true order) –
    the rewards separate in ranked order.  ``objective="literal"``: the literal
    reading (:func:`literal_objective`) – the rewards collapse to their mean.

    >>> path = descend_on_list([0.3, 0.1, -0.2, 0.0], objective="literal", steps=500)
    >>> bool(np.ptp(path[-1]) < 1e-3)                     # all rewards pushed together
    True
    """
    steps = check_arg(steps, "steps", 0, 100_000, integer=True)
    lr = check_arg(lr, "lr", 0.0, 1e6)
    s = np.array(_check_numpy_input(scores, "scores"), dtype=float)
    if s.ndim != 1 or s.size < 2:
        raise ValueError("scores must be one list of at least 2 rewards, best first.")
    if objective == "true":
        winners, losers = ranked_pair_positions(s.size)
    elif objective == "literal":
        winners, losers = np.nonzero(~np.eye(s.size, dtype=bool))
    else:
        raise ValueError(f"objective must be 'true' or 'literal'; got {objective!r}.")
    if steps < 0 or not math.isfinite(lr) or lr <= 0:
        raise ValueError("steps must be ≥ 0 and lr a positive number.")
    path = np.empty((steps + 1, s.size))
    path[0] = s
    for t in range(steps):
        s = s - lr * _pair_mean_gradient(s, winners, losers)
        path[t + 1] = s
    return path


def plackett_luce_stage_probabilities(scores) -> np.ndarray:
    """Plackett–Luce choice probabilities of a best-first list, stage by stage (Eq. 4.59).

    Stage k picks y_k from the items not yet placed: e^{r_k} / Σ_{j ≥ k} e^{r_j}.
    The N − 1 probabilities multiply to Pr(Y | x) (the last stage is certain).
    Computed from :func:`rmteach.plackett_luce_loss` of the list's suffixes.

    >>> plackett_luce_stage_probabilities([0.0, 0.0, 0.0]).round(4)
    array([0.3333, 0.5   ])
    """
    s = np.asarray(_check_numpy_input(scores, "scores"), dtype=float)
    n = s.size
    if n < 2:
        raise ValueError(f"a list needs at least 2 items; got {n}.")
    suffix = [float(plackett_luce_loss(s[k:])) for k in range(n - 1)] + [0.0]
    return np.exp(-(np.array(suffix[:-1]) - np.array(suffix[1:])))


# ---------------------------------------------------------------------------------------
# The ranking explorer
# ---------------------------------------------------------------------------------------

class ListwiseExplorer(RMWidget):
    """A ranking box and one score slider per item.

    Controls: ``ranking`` (``Text``, DOM class ``rmteach-ranking-input``) and
    ``score_<label>`` per item (main: ``score_<first item>``).  Rankings may use a
    subset of the items (at least 2); labels are matched case-insensitively.

    ``values``: ranking (labels, best first), n, pairs [(better, worse), ...],
    pair_losses (same order), listwise_loss (Eq. 4.57), ordered_sum (the N(N−1)-term
    sum), plackett_luce_loss, pl_stage_probabilities.
    """

    def __init__(self, ranking: str = "C > A > D > B", scores=None):
        if not isinstance(ranking, str):
            raise ValueError(f"ranking must be text like 'C > A > D > B'; got "
                             f"{type(ranking).__name__}.")
        if scores is not None and not isinstance(scores, dict):
            raise ValueError("scores must be a dict label -> reward, like {'A': 0.5, 'B': -1}; "
                             f"got {type(scores).__name__}.")
        scores = dict(DEFAULT_SCORES if scores is None else scores)
        for label, value in scores.items():
            check_arg(value, f"scores[{label!r}]", -4, 4)
        if not 2 <= len(scores) <= MAX_ITEMS:
            raise ValueError(f"give between 2 and {MAX_ITEMS} items; got {len(scores)}.")
        self.items = [str(k) for k in scores]
        text = Text(value=ranking, description="ranking (best first)",
                    placeholder="e.g. C > A > D > B", continuous_update=False,
                    style={"description_width": "140px"}, layout=Layout(width="420px"))
        text.add_class("rmteach-ranking-input")
        controls = {"ranking": text}
        for label in self.items:
            controls[f"score_{label}"] = FloatSlider(
                value=float(scores[label]), min=-4, max=4, step=0.1, readout_format=".1f",
                description=f"r(x, {label})", layout=Layout(width="300px"))
        sliders = [controls[f"score_{k}"] for k in self.items]
        box = VBox([text, HBox([VBox(sliders[0::2]), VBox(sliders[1::2])])])

        live = LiveFigure(1, 2, figsize=(7.6, 3.3), gridspec_kw={"width_ratios": [1.2, 1]})
        mx, px = live.axes
        with live.style():
            # square-root colour scale: the small losses of pairs the model gets right
            # (0.05 to 0.5) differ visibly, and mistakes (> ln 2) still darken up to 4
            self._im = mx.imshow(np.zeros((2, 2)), cmap="cividis_r",
                                 norm=PowerNorm(0.5, vmin=0.0, vmax=4.0),
                                 interpolation="nearest")
            cbar = live.figure.colorbar(self._im, ax=mx, fraction=0.046, pad=0.04,
                                        ticks=[0.0, 0.1, 0.3, math.log(2.0), 2.0, 4.0])
            cbar.ax.set_yticklabels(["0", "0.1", "0.3", "ln 2", "2", "4"])
            cbar.set_label("−log Pr(true order) (nats)")
            self._cells = [[mx.text(j, i, "", ha="center", va="center", fontsize=8)
                            for j in range(MAX_ITEMS)] for i in range(MAX_ITEMS)]
            mx.set_title("Pair matrix, items in ranked order")
            mx.set_xlabel("item")
            mx.set_ylabel("item")
            self._pl_bars = px.bar(range(MAX_ITEMS - 1), np.zeros(MAX_ITEMS - 1), width=0.6,
                                   color=PALETTE["green"])
            self._pl_text = [px.text(k, 0, "", ha="center", va="bottom", fontsize=8)
                             for k in range(MAX_ITEMS - 1)]
            self._loss_text = px.text(0.02, 0.98, "", transform=px.transAxes, va="top",
                                      fontsize=8)
            px.set_ylim(0, 1.25)
            px.set_ylabel("Pr(pick the true next item)")
            px.set_xlabel("Plackett–Luce stage: item picked from those left")
            px.set_title("Plackett–Luce, same list")
        self._mx, self._px = mx, px
        self._shown_ranking: list | None = None
        live.animate(self._im, *[t for row in self._cells for t in row], *self._pl_bars,
                     *self._pl_text, self._loss_text)
        super().__init__(controls=controls, main=f"score_{self.items[0]}", live_figure=live,
                         control_box=box, title="A ranked list and its listwise loss")

    def _parse(self) -> list[str]:
        labels = parse_ranking(self.controls["ranking"].value)
        lookup = {k.upper(): k for k in self.items}
        out = []
        unknown = []
        for label in labels:
            key = str(label).upper()
            if key in lookup:
                out.append(lookup[key])
            else:
                unknown.append(str(label))
        if unknown:
            raise ValueError(f"unknown item(s) {', '.join(map(repr, unknown))}; this list has "
                             f"the items {', '.join(self.items)}.")
        if len(set(out)) != len(out):
            raise ValueError("an item appears twice (labels are not case-sensitive); each "
                             "response must appear exactly once.")
        return out

    def _relayout(self, ranking: list[str]) -> None:
        n = len(ranking)
        self._im.set_extent((-0.5, n - 0.5, n - 0.5, -0.5))
        self._mx.set_xticks(range(n), ranking)
        self._mx.set_yticks(range(n), ranking)
        self._mx.set_xlim(-0.5, n - 0.5)
        self._mx.set_ylim(n - 0.5, -0.5)
        self._px.set_xticks(range(n - 1), [f"{k + 1}: {ranking[k]}" for k in range(n - 1)])
        self._px.set_xlim(-0.6, n - 1.4 + 0.2 if n > 2 else 0.6)
        self._shown_ranking = list(ranking)
        self.live_figure.invalidate()

    def update(self) -> None:
        ranking = self._parse()
        n = len(ranking)
        s = np.array([float(self.controls[f"score_{k}"].value) for k in ranking])
        pairs = ranking_to_pairs(ranking)
        i, j = ranked_pair_positions(n)
        losses = pairwise_loss(s[i], s[j], reduction="none")
        loss = float(listwise_loss(s))
        pl = float(plackett_luce_loss(s))
        stages = plackett_luce_stage_probabilities(s)
        self.values = {"ranking": ranking, "n": n, "pairs": pairs,
                       "pair_losses": [float(v) for v in losses], "listwise_loss": loss,
                       "ordered_sum": float(2 * losses.sum()), "plackett_luce_loss": pl,
                       "pl_stage_probabilities": [float(p) for p in stages]}

        if ranking != self._shown_ranking:
            self._relayout(ranking)
        matrix = np.full((n, n), np.nan)
        matrix[i, j] = losses
        matrix[j, i] = losses
        self._im.set_data(np.ma.masked_invalid(matrix))
        for a in range(MAX_ITEMS):
            for b in range(MAX_ITEMS):
                cell = self._cells[a][b]
                if a < n and b < n and a != b:
                    v = matrix[a, b]
                    cell.set_text(f"{v:.2f}")
                    cell.set_color("white" if v > 1.2 else "black")
                    cell.set_visible(True)
                else:
                    cell.set_visible(False)
        for k, (bar, text) in enumerate(zip(self._pl_bars, self._pl_text)):
            visible = k < n - 1
            bar.set_visible(visible)
            text.set_visible(visible)
            if visible:
                bar.set_height(stages[k])
                text.set_position((k, stages[k] + 0.02))
                text.set_text(f"{stages[k]:.2f}")

        self._loss_text.set_text(f"listwise loss (Eq. 4.57) {loss:.3f}\n"
                                 f"Plackett–Luce loss {pl:.3f}")
        rows = " ".join(f"<span style='display:inline-block;margin-right:14px;"
                        f"font-family:monospace'>{html.escape(str(a))} ≻ "
                        f"{html.escape(str(b))}: {v:.4f}</span>"
                        for (a, b), v in zip(pairs, losses))
        self.readout.value = (
            f"{n} items → N(N−1)/2 = {len(pairs)} implied preferences "
            f"(N(N−1) = {n * (n - 1)} ordered pairs: each pair counted in both orders, "
            "both scored by its true order). −log Sigmoid(r_better − r_worse) per pair:"
            f"<br>{rows}<br>"
            f"Sum over the N(N−1) ordered pairs = {2 * losses.sum():.4f}; "
            f"listwise loss (Eq. 4.57) = sum / {n * (n - 1)} = <b>{loss:.4f}</b> "
            f"(an undecided model: ln 2 = 0.6931).<br>"
            f"Plackett–Luce loss −log Pr(Y) (Eqs. 4.58–4.61) = <b>{pl:.4f}</b> "
            f"(an undecided model: ln {n}! = {math.lgamma(n + 1):.4f}).")


def listwise_explorer(ranking: str = "C > A > D > B", scores=None) -> ListwiseExplorer:
    """Build the ranking widget of notebook 03.

    ``scores``: dict label -> reward (default A 0.5, B −1.0, C 2.0, D 0.1).
    Controls ``ranking`` and ``score_<label>``; main ``score_A``.
    """
    return ListwiseExplorer(ranking=ranking, scores=scores)


# ---------------------------------------------------------------------------------------
# List length: sum versus average
# ---------------------------------------------------------------------------------------

N_RANGE = np.arange(2, 21)


def noisy_model_scores(n: int, *, seed: int = 0, noise: float = 0.6,
                       draws: int = 200) -> np.ndarray:
    """Best-first rewards of a decent but imperfect model, shape (draws, n), one row per list.

    Each response's true quality is drawn from the same standard normal whatever N (then
    sorted, best first), and the model adds Gaussian noise of sd ``noise``. So a pair in a
    list of 20 is as hard as a pair in a list of 2, and the Eq. 4.57 average is about the
    same for every N. (Squeezing N qualities into a fixed range instead would shrink the
    gaps as N grows, and the average would climb because the pairs get harder, not because
    the normalisation fails.)
    """
    n = check_arg(n, "n", 2, 1000, integer=True)
    seed = check_arg(seed, "seed", 0, 2**31, integer=True)
    noise = check_arg(noise, "noise", 0.0, 1e3)
    draws = check_arg(draws, "draws", 1, 100_000, integer=True)
    rng = np.random.default_rng(seed + 1000 * n)
    quality = -np.sort(-rng.standard_normal((draws, n)), axis=1)
    return quality + noise * rng.standard_normal((draws, n))


class ListLengthExplorer(RMWidget):
    """An N slider; the N(N−1)-term sum and the Eq. 4.57 average for lists of N = 2..20.

    Controls: ``n`` (main).  ``values``: n, pairs, ordered_pairs, sum_noisy, mean_noisy,
    sum_uncertain, mean_uncertain.
    """

    def __init__(self, n: int = 4, seed: int = 0):
        n = check_arg(n, "n", 2, 20, integer=True)
        seed = check_arg(seed, "seed", 0, 2**31, integer=True)
        self._mean_noisy = np.array([float(listwise_loss(noisy_model_scores(k, seed=seed)))
                                     for k in N_RANGE])
        self._mean_unc = np.array([float(listwise_loss(np.zeros(k))) for k in N_RANGE])
        count = N_RANGE * (N_RANGE - 1)
        self._sum_noisy = count * self._mean_noisy
        self._sum_unc = count * self._mean_unc
        slider = IntSlider(value=n, min=2, max=20, description="list length N",
                           style={"description_width": "100px"}, layout=Layout(width="420px"))
        live = LiveFigure(1, 2, figsize=(7.4, 2.8))
        sx, mx = live.axes
        noisy, unc = PALETTE["blue"], PALETTE["orange"]
        with live.style():
            sx.plot(N_RANGE, self._sum_unc, "o-", color=unc, ms=3, label="undecided model")
            sx.plot(N_RANGE, self._sum_noisy, "s-", color=noisy, ms=3, label="a decent model")
            self._sdot, = sx.plot([], [], "o", ms=11, mfc="none", mec=PALETTE["vermillion"],
                                  mew=2)
            sx.set_xlabel("list length N")
            sx.set_ylabel("Σ over N(N−1) ordered pairs (nats)")
            sx.set_title("The sum grows like N²")
            sx.legend(loc="upper left", frameon=False)
            mx.plot(N_RANGE, self._mean_unc, "o-", color=unc, ms=3, label="undecided: ln 2")
            mx.plot(N_RANGE, self._mean_noisy, "s-", color=noisy, ms=3, label="a decent model")
            self._mdot, = mx.plot([], [], "o", ms=11, mfc="none", mec=PALETTE["vermillion"],
                                  mew=2)
            mx.set_ylim(0, 1.0)
            mx.set_xlabel("list length N")
            mx.set_ylabel("1/(N(N−1)) × sum (nats)")
            mx.set_title("The average (Eq. 4.57) stays level")
            mx.legend(loc="lower right", frameon=False)
            for ax in (sx, mx):
                ax.set_xticks([2, 5, 10, 15, 20])
        live.animate(self._sdot, self._mdot)
        super().__init__(controls={"n": slider}, main="n", live_figure=live,
                         title="Sum or average over the pairs of a list")

    def update(self) -> None:
        n = int(self.controls["n"].value)
        if not 2 <= n <= 20:
            raise ValueError(f"N must be between 2 and 20; got {n}.")
        k = n - 2
        self.values = {"n": n, "pairs": n * (n - 1) // 2, "ordered_pairs": n * (n - 1),
                       "sum_noisy": float(self._sum_noisy[k]),
                       "mean_noisy": float(self._mean_noisy[k]),
                       "sum_uncertain": float(self._sum_unc[k]),
                       "mean_uncertain": float(self._mean_unc[k])}
        self._sdot.set_data([n, n], [self._sum_noisy[k], self._sum_unc[k]])
        self._mdot.set_data([n, n], [self._mean_noisy[k], self._mean_unc[k]])
        v = self.values
        self.readout.value = (
            f"N = {n}: {v['pairs']} preferences, {v['ordered_pairs']} ordered pairs.<br>"
            f"Undecided model: sum = {v['sum_uncertain']:.3f}, average = "
            f"{v['mean_uncertain']:.4f} (= ln 2).<br>"
            f"Decent model: sum = {v['sum_noisy']:.3f}, average = {v['mean_noisy']:.4f}.<br>"
            "Without the 1/(N(N−1)) factor a list of 20 would weigh "
            f"{20 * 19 // 2} / {v['pairs']} = {190 / v['pairs']:.1f}× as much as this one.")


def list_length_explorer(n: int = 4, seed: int = 0) -> ListLengthExplorer:
    """Build the sum-versus-average widget of notebook 03. Controls: ``n`` (main)."""
    return ListLengthExplorer(n=n, seed=seed)


# ---------------------------------------------------------------------------------------
# The literal-reading trap
# ---------------------------------------------------------------------------------------

TRAP_START = (1.5, 0.5, -0.5, -1.5)    # rewards of C, A, D, B: a start that already ranks well


class LiteralTrapExplorer(RMWidget):
    """A step slider over two gradient-descent runs from the same start on C > A > D > B.

    Left: the literal objective (both orders of every pair) – the rewards collapse.
    Right: Eq. 4.57 as meant (true order) – they separate in ranked order.
    Controls: ``step`` (main).  ``values``: step, literal_rewards, true_rewards,
    literal_spread, true_spread, literal_objective, listwise_loss.
    """

    def __init__(self, steps: int = 200, lr: float = 0.5, start=TRAP_START,
                 labels=("C", "A", "D", "B")):
        steps = check_arg(steps, "steps", 1, 5000, integer=True)
        lr = check_arg(lr, "lr", 1e-6, 100)
        if isinstance(start, (str, bytes)) or not hasattr(start, "__len__") or \
                isinstance(labels, (str, bytes)) or not hasattr(labels, "__len__"):
            raise ValueError("start and labels must be lists (one starting reward per label).")
        if len(start) != len(labels):
            raise ValueError("give one starting reward per label.")
        self.labels = list(labels)
        self._lit = descend_on_list(start, objective="literal", steps=steps, lr=lr)
        self._true = descend_on_list(start, objective="true", steps=steps, lr=lr)
        slider = IntSlider(value=steps, min=0, max=steps, step=5,
                           description="gradient steps", style={"description_width": "110px"},
                           layout=Layout(width="460px"))
        live = LiveFigure(1, 2, figsize=(7.4, 2.9))
        lx, tx = live.axes
        t = np.arange(steps + 1)
        lo = min(self._lit.min(), self._true.min()) - 0.2
        hi = max(self._lit.max(), self._true.max()) + 0.2
        self._markers = []
        with live.style():
            for ax, path, title in ((lx, self._lit, "Literal reading: both orders, every pair"),
                                    (tx, self._true, "Eq. 4.57 as meant: true order only")):
                for k, label in enumerate(self.labels):
                    ax.plot(t, path[:, k], color=PALETTE_CYCLE[k], lw=1.8,
                            label=f"r({label})")
                marker, = ax.plot([], [], "o", color="black", ms=4, clip_on=False)
                line = ax.axvline(0, color="0.4", lw=0.8, ls=":")
                self._markers.append((marker, line))
                ax.set_ylim(lo, hi)
                ax.set_xlim(0, steps)
                ax.set_xlabel("gradient-descent step")
                ax.set_ylabel("reward")
                ax.set_title(title)
            lx.legend(loc="upper right", frameon=False, ncols=2,
                      title=f"ranking {' > '.join(self.labels)}")
        live.animate(*[a for pair in self._markers for a in pair])
        super().__init__(controls={"step": slider}, main="step", live_figure=live,
                         title="The literal-reading trap")

    def update(self) -> None:
        k = int(self.controls["step"].value)
        if not 0 <= k < len(self._lit):
            raise ValueError(f"step must be between 0 and {len(self._lit) - 1}; got {k}.")
        lit, true = self._lit[k], self._true[k]
        self.values = {"step": k, "literal_rewards": [float(v) for v in lit],
                       "true_rewards": [float(v) for v in true],
                       "literal_spread": float(np.ptp(lit)), "true_spread": float(np.ptp(true)),
                       "literal_objective": literal_objective(lit),
                       "listwise_loss": float(listwise_loss(true))}
        for (marker, line), path in zip(self._markers, (lit, true)):
            marker.set_data(np.full(len(path), k), path)
            line.set_xdata([k, k])
        v = self.values

        def fmt(rewards):
            return ", ".join(f"{lab} {r:+.2f}" for lab, r in zip(self.labels, rewards))

        self.readout.value = (
            f"After {k} steps.<br>Literal reading: rewards {fmt(lit)}; spread "
            f"{v['literal_spread']:.3f}; its objective {v['literal_objective']:.4f} "
            "(its minimum is ln 2 = 0.6931, reached when all rewards are equal).<br>"
            f"True order: rewards {fmt(true)}; spread {v['true_spread']:.3f}; listwise loss "
            f"{v['listwise_loss']:.4f}, falling towards 0 as the ranked rewards separate.")


def literal_trap_explorer(steps: int = 200, lr: float = 0.5) -> LiteralTrapExplorer:
    """Build the literal-trap widget of notebook 03. Controls: ``step`` (main)."""
    return LiteralTrapExplorer(steps=steps, lr=lr)
