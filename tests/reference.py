"""Plain-loop reference implementations of the book's formulas.

Written to be obviously right rather than fast: Python floats, explicit loops,
one formula per line.  The vectorised library code in ``rmteach.math.losses`` is
compared against these on random batches.
"""

from __future__ import annotations

import math


def log_sigmoid(z: float) -> float:
    """log(1 / (1 + e^{−z})), branching so that exp never overflows."""
    if z >= 0:
        return -math.log1p(math.exp(-z))
    return z - math.log1p(math.exp(z))


def preference_probability(r_a: float, r_b: float) -> float:
    return math.exp(log_sigmoid(r_a - r_b))


def pairwise_loss(r_chosen: float, r_rejected: float, margin: float = 0.0) -> float:
    return -log_sigmoid(r_chosen - r_rejected - margin)


def listwise_loss(scores: list[float], ranking: list[int] | None = None) -> float:
    """Eq. 4.57, literally: every ORDERED pair (a, b), a ≠ b, scored by the probability
    of its true order, normalised by N(N−1)."""
    n = len(scores)
    order = list(range(n)) if ranking is None else list(ranking)
    position = {item: k for k, item in enumerate(order)}
    total = 0.0
    for a in range(n):
        for b in range(n):
            if a == b:
                continue
            if position[a] < position[b]:      # a is ranked above b: true order a ≻ b
                total += log_sigmoid(scores[a] - scores[b])
            else:                              # b ≻ a is the true order
                total += log_sigmoid(scores[b] - scores[a])
    return -total / (n * (n - 1))


def plackett_luce_loss(scores: list[float], ranking: list[int] | None = None) -> float:
    """−log Π_k exp(s_{π_k}) / Σ_{j ≥ k} exp(s_{π_j})."""
    order = list(range(len(scores))) if ranking is None else list(ranking)
    total = 0.0
    for k in range(len(order)):
        pool = [scores[i] for i in order[k:]]
        top = max(pool)
        log_denominator = top + math.log(sum(math.exp(v - top) for v in pool))
        total += log_denominator - scores[order[k]]
    return total
