"""Notebook 03, the list computations and two of its widgets (the ranking explorer is in
:mod:`rmteach.widgets.listwise`, which re-exports all of this):

* the computations: :func:`literal_objective`, :func:`descend_on_list`,
  :func:`plackett_luce_stage_probabilities`, :func:`noisy_model_scores`;
* :func:`list_length_explorer` – the N(N−1) pair sum against the 1/(N(N−1)) average;
* :func:`literal_trap_explorer` – the literal-reading trap collapses the rewards.
"""

from __future__ import annotations

import math

import numpy as np
from ipywidgets import IntSlider, Layout

from ..math._arrays import _check_numpy_input
from ..math.losses import listwise_loss, pairwise_loss, plackett_luce_loss, preference_probability
from ..math.ranking import ranked_pair_positions
from ._base import PALETTE, PALETTE_CYCLE, LiveFigure, RMWidget, check_arg
from ._ranges import refuses_out_of_range
from .readout import details

__all__ = [
    "ListLengthExplorer",
    "LiteralTrapExplorer",
    "descend_on_list",
    "list_length_explorer",
    "literal_objective",
    "literal_trap_explorer",
    "noisy_model_scores",
    "plackett_luce_stage_probabilities",
]


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
            sx.set_ylabel("Σ over N(N−1)\nordered pairs (nats)")
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
            f"N = <b>{n}</b>: a decent model's sum over the pairs <b>{v['sum_noisy']:.3f}</b>, "
            f"its average <b>{v['mean_noisy']:.4f}</b>."
            "<br>Try: move N; notice the sum grow with the list while the average stays put."
            + details(
                f"{v['pairs']} preferences, {v['ordered_pairs']} ordered pairs. Undecided "
                f"model: sum = {v['sum_uncertain']:.3f}, average = {v['mean_uncertain']:.4f} "
                "(= ln 2). Without the 1/(N(N−1)) factor a list of 20 would weigh "
                f"{20 * 19 // 2} / {v['pairs']} = {190 / v['pairs']:.1f}× as much as this "
                "one."))


@refuses_out_of_range
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
            f"After <b>{k}</b> steps: the spread of the rewards is "
            f"<b>{v['literal_spread']:.3f}</b> on the literal reading and "
            f"<b>{v['true_spread']:.3f}</b> on Eq. 4.57 as meant."
            "<br>Try: move the step slider from the start; notice one set of rewards "
            "collapse while the other separates."
            + details(
                f"Literal reading: rewards {fmt(lit)}; its objective "
                f"{v['literal_objective']:.4f} (its minimum is ln 2 = 0.6931, reached when all "
                f"rewards are equal). True order: rewards {fmt(true)}; listwise loss "
                f"{v['listwise_loss']:.4f}, falling towards 0 as the ranked rewards "
                "separate."))


@refuses_out_of_range
def literal_trap_explorer(steps: int = 200, lr: float = 0.5) -> LiteralTrapExplorer:
    """Build the literal-trap widget of notebook 03. Controls: ``step`` (main)."""
    return LiteralTrapExplorer(steps=steps, lr=lr)
