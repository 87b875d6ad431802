"""Several seeds, and their spread: the suite's rule for claiming that one setting beats
another.

A single training run is one draw: another seed (another data sample, another
initialisation) moves held-out numbers by a few points. So a notebook that says "A beats
B" runs both on the same fixed list of seeds (:data:`SEEDS`), reports mean ± standard
deviation, and makes the claim only where the difference clears the spread
(:func:`clears`).

>>> a, b = spread([0.74, 0.71, 0.79, 0.75, 0.79]), spread([0.77, 0.75, 0.82, 0.79, 0.80])
>>> f"{a:.3f}"
'0.756 ± 0.034'
>>> clears(a, b)
False
>>> d = paired(b, a)            # both settings ran on the same data for each seed
>>> f"{d:+.3f}", clears_paired(d)
('+0.030 ± 0.012', True)

Two settings trained on the *same* data for each seed are compared by their per-seed
differences (:func:`paired`): seed-to-seed changes that hit both settings alike cancel.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["SEEDS", "Spread", "clears", "clears_paired", "paired", "spread", "verdict"]

#: the fixed seeds every multi-seed experiment in the notebooks uses
SEEDS: tuple[int, ...] = (0, 1, 2, 3, 4)


@dataclass(frozen=True)
class Spread:
    """Values over seeds; ``mean`` and ``sd`` (sample standard deviation, n − 1)."""

    values: tuple[float, ...]

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def mean(self) -> float:
        return math.fsum(self.values) / self.n

    @property
    def sd(self) -> float:
        if self.n < 2:
            return float("nan")
        m = self.mean
        return math.sqrt(math.fsum((v - m) ** 2 for v in self.values) / (self.n - 1))

    def __format__(self, spec: str) -> str:
        spec = spec or ".3f"
        sd_spec = spec.replace("+", "").replace(" ", "")      # a sign only on the mean
        return f"{self.mean:{spec}} ± {self.sd:{sd_spec}}"

    def __str__(self) -> str:
        return format(self)


def spread(values: Iterable[float]) -> Spread:
    """The values of one measurement over several seeds (at least one, all finite)."""
    if isinstance(values, Spread):
        return values
    try:
        if isinstance(values, (str, bytes)):
            raise TypeError
        raw = list(values)                      # may be a generator: read it once
        if any(isinstance(v, (str, bytes, bool)) for v in raw):
            raise TypeError
        vals = tuple(float(v) for v in raw)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"values must be one or more finite numbers, one per seed; got "
                         f"{values!r:.60}.") from None
    if not vals or not all(math.isfinite(v) for v in vals):
        raise ValueError(f"values must be one or more finite numbers, one per seed; got "
                         f"{list(vals)!r:.60}.")
    return Spread(vals)


def _spread_arg(x, name: str) -> Spread:
    if not isinstance(x, Spread):
        raise ValueError(f"{name} must be a Spread (from rmteach.experiments.seeds.spread); got "
                         f"{type(x).__name__}.")
    return x


def clears(a: Spread, b: Spread) -> bool:
    """True when the means differ by more than the two standard deviations together:
    the suite's (deliberately cautious) test before saying that one setting beats
    another."""
    a, b = _spread_arg(a, "a"), _spread_arg(b, "b")
    return abs(a.mean - b.mean) > a.sd + b.sd


def paired(a: Spread | Iterable[float], b: Spread | Iterable[float]) -> Spread:
    """Per-seed differences a − b of two settings run on the same seeds (same order)."""
    va, vb = spread(a).values, spread(b).values
    if len(va) != len(vb):
        raise ValueError(f"a and b need one value per seed each; got {len(va)} and {len(vb)}.")
    return spread(x - y for x, y in zip(va, vb))


def clears_paired(diff: Spread) -> bool:
    """True when the mean per-seed difference is larger than its own spread (sd)."""
    diff = _spread_arg(diff, "diff")
    return abs(diff.mean) > diff.sd


def verdict(diff: Spread) -> str:
    """Plain words for a per-seed difference: does it clear its spread?"""
    return "clears its spread" if clears_paired(diff) else "within its spread: no claim"
