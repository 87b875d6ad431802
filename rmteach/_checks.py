"""Argument checks shared by the public API: each raises a ``ValueError`` that names the
argument as the caller wrote it and says what was expected."""

from __future__ import annotations

import math
import numbers

__all__ = ["MAX_SEED", "check_int", "check_real", "check_seed"]

#: largest seed accepted (NumPy and torch both take any value in 0 .. 2**63 − 1)
MAX_SEED = 2**63 - 1


def _type(value) -> str:
    return type(value).__name__


def check_int(value, name: str, *, lo: int | None = None, hi: int | None = None) -> int:
    """``value`` as a Python int, if it is a whole number (not a bool) within [lo, hi]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and not isinstance(value, bool) \
                and math.isfinite(value) and float(value).is_integer():
            got = f"the float {value!r}"
        else:
            got = f"{_type(value)} {value!r}"[:120]
        span = _span(lo, hi)
        raise ValueError(f"{name} must be a whole number{span}; got {got}.")
    value = int(value)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ValueError(f"{name} must be a whole number{_span(lo, hi)}; got {value}.")
    return value


def check_real(value, name: str, *, lo: float | None = None, hi: float | None = None,
               allow_inf: bool = False, lo_open: bool = False) -> float:
    """``value`` as a float, if it is a real number (not NaN; ±inf only with ``allow_inf``)
    with lo <= value <= hi (lo < value with ``lo_open``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        hint = " (write math.inf, not the string 'inf')" if isinstance(value, str) and \
            value.strip().lower() in ("inf", "infinity", "+inf") else ""
        raise ValueError(f"{name} must be a number{_span(lo, hi, lo_open)}; got "
                         f"{_type(value)} {value!r}{hint}."[:300])
    value = float(value)
    if math.isnan(value):
        raise ValueError(f"{name} must be a number{_span(lo, hi, lo_open)}; got NaN.")
    if math.isinf(value) and not allow_inf:
        raise ValueError(f"{name} must be a finite number{_span(lo, hi, lo_open)}; got {value}.")
    if (lo is not None and (value < lo or (lo_open and value == lo))) or \
            (hi is not None and value > hi):
        raise ValueError(f"{name} must be a number{_span(lo, hi, lo_open)}; got {value:g}.")
    return value


def check_seed(seed, name: str = "seed") -> int:
    """A seed: a whole number in 0 .. 2**63 − 1."""
    return check_int(seed, name, lo=0, hi=MAX_SEED)


def _span(lo, hi, lo_open=False) -> str:
    if lo is not None and hi is not None:
        return f" {'>' if lo_open else 'between'} {lo:g}" + (f" and <= {hi:g}" if lo_open
                                                             else f" and {hi:g}")
    if lo is not None:
        return f" {'>' if lo_open else '>='} {lo:g}"
    if hi is not None:
        return f" <= {hi:g}"
    return ""
