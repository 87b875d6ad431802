"""Several seeds, and their spread: the suite's rule for claiming that one setting beats
another.

A single training run is one draw: another seed (another data sample, another
initialisation) moves held-out numbers by a few points. So a notebook that says "A beats
B" runs both on the same fixed list of seeds (:data:`SEEDS`), reports mean ± standard
deviation, and makes the claim only where the difference clears the spread
(:func:`clears`).

Every ± in the suite comes from here: :attr:`Spread.sd` is the one place a spread over seeds
is computed (the sample standard deviation, n − 1), and :func:`pm` is the one way it is
printed, with n beside it, e.g. ``0.756 ± 0.034 (sd, n = 5)``. ``tests/test_spread_rule.py``
fails if a notebook or a module computes a spread over seeds any other way.

>>> a, b = spread([0.74, 0.71, 0.79, 0.75, 0.79]), spread([0.77, 0.75, 0.82, 0.79, 0.80])
>>> f"{a:.3f}"
'0.756 ± 0.034'
>>> clears(a, b)
False
>>> d = paired(b, a)            # both settings ran on the same data for each seed
>>> f"{d:+.3f}", clears_paired(d)
('+0.030 ± 0.012', True)
>>> pm([0.74, 0.71, 0.79, 0.75, 0.79])
'0.756 ± 0.034 (sd, n = 5)'
>>> f"{d.se:.4f}"             # the standard error of the mean difference: sd / √n
'0.0055'

Two settings trained on the *same* data for each seed are compared by their per-seed
differences (:func:`paired`): seed-to-seed changes that hit both settings alike cancel.

**The rule, named.** "A beats B" is said only when :func:`clears_paired` holds (the mean
per-seed difference is larger than its own sd) or, for unpaired runs, when :func:`clears`
holds (the means differ by more than the two sds together). Note what this is: mean > sd
is the same as t = mean / (sd / √n) > √n, a cautious test (about p < 0.09 at n = 5 and
p < 0.01 at n = 10, two-sided). The sd says how much one run moves from seed to seed; the
standard error :attr:`Spread.se` says how well the *mean* is known. A difference can be
consistent over seeds (large t) yet small, and the rule then still says "no claim" when
mean ≤ sd.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["RULE", "SEEDS", "Spread", "clears", "clears_paired", "paired", "pm", "spread",
           "verdict"]

#: the fixed seeds every multi-seed experiment in the notebooks uses
SEEDS: tuple[int, ...] = (0, 1, 2, 3, 4)

#: the suite's rule for "A beats B", in the words notebooks print beside a verdict
RULE = "the suite's rule (rmteach.seeds): the mean per-seed difference must exceed its sample sd"


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

    @property
    def se(self) -> float:
        """Standard error of the mean, sd / √n: how well the mean (not one run) is known."""
        return self.sd / math.sqrt(self.n)

    def pm(self, spec: str = ".3f") -> str:
        """``"0.756 ± 0.034 (sd, n = 5)"``: mean ± sample sd, with n beside it."""
        return f"{self:{_check_spec(spec)}} (sd, n = {self.n})"

    def __format__(self, spec: str) -> str:
        spec = spec or ".3f"
        sd_spec = spec.replace("+", "").replace(" ", "")      # a sign only on the mean
        return f"{self.mean:{spec}} ± {self.sd:{sd_spec}}"

    def __str__(self) -> str:
        return format(self)


_SPEC = re.compile(r"[+ -]?\d{0,2}(\.\d{1,2})?[eEfFgG%]?")


def _check_spec(spec) -> str:
    """A number format for a float (``".3f"``, ``"+.2f"``, ``".1%"``: width and precision
    up to 2 digits), or a ``ValueError`` naming ``spec``."""
    if not isinstance(spec, str) or not _SPEC.fullmatch(spec):
        raise ValueError(f"spec must be a float format such as '.3f', '+.2f' or '.1%'; got "
                         f"{spec!r:.40}.")
    return spec


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


def pm(values: Spread | Iterable[float], spec: str = ".3f") -> str:
    """Mean ± sample standard deviation of values over seeds, with n printed beside it:
    the one way the suite prints a ±.

    >>> pm([1.274, 0.016, 0.101, 0.795, 0.343], ".2f")
    '0.51 ± 0.53 (sd, n = 5)'
    """
    return spread(values).pm(spec)


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
