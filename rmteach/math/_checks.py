"""Argument checks shared by the public API: each raises a ``ValueError`` that names the
argument as the caller wrote it and says what was expected."""

from __future__ import annotations

import functools
import inspect
import math
import numbers
from collections.abc import Mapping

__all__ = ["MAX_SEED", "check_int", "check_real", "check_seed", "validated"]

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


def _check_kind(value, name: str, kind: str) -> None:
    optional = kind.endswith("?")
    kind = kind.rstrip("?")
    if value is None and optional:
        return
    if kind == "array":
        from ._arrays import _check_numpy_input, is_torch

        if not is_torch(value):
            _check_numpy_input(value, name)
    elif kind in ("real", "real+inf"):
        check_real(value, name, allow_inf=kind == "real+inf")
    elif kind == "int":
        check_int(value, name)
    elif kind == "seed":
        check_seed(value, name)
    elif kind == "str":
        if not isinstance(value, str):
            raise ValueError(f"{name} must be a string; got {type(value).__name__}.")
    elif kind == "dict":
        if not isinstance(value, Mapping):
            raise ValueError(f"{name} must be a dict; got {type(value).__name__}.")
    elif kind == "items":
        if value is None or isinstance(value, (str, bytes, Mapping)) or \
                not hasattr(value, "__iter__"):
            raise ValueError(f"{name} must be a list; got {type(value).__name__}.")
    else:                                                   # pragma: no cover
        raise AssertionError(f"unknown kind {kind!r}")


def validated(**kinds: str):
    """Decorate a public function so that bad arguments raise ``ValueError`` naming them.

    ``kinds`` maps a parameter to what it must be: ``"array"`` (real numbers: a number,
    list, NumPy array or torch tensor), ``"real"``, ``"real+inf"``, ``"int"``, ``"seed"``,
    ``"str"``, ``"dict"`` or ``"items"`` (a list); a trailing ``?`` also allows ``None``.
    The values are only checked, never changed.  As a last line of defence, a
    ``TypeError``/``IndexError``/``AttributeError``/``KeyError`` that the arguments cause
    inside the function becomes a ``ValueError`` that lists the argument types given.
    """
    def decorate(fn):
        sig = inspect.signature(fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                bound = sig.bind(*args, **kwargs)
            except TypeError as exc:
                raise ValueError(f"{fn.__name__}(): {exc}.") from None
            for name, kind in kinds.items():
                if name in bound.arguments:
                    _check_kind(bound.arguments[name], name, kind)
            try:
                return fn(*args, **kwargs)
            except (TypeError, IndexError, AttributeError, KeyError) as exc:
                given = ", ".join(f"{k}: {type(v).__name__}" for k, v in bound.arguments.items())
                text = " ".join(str(exc).split())[:200]
                raise ValueError(f"{fn.__name__}() cannot use these arguments ({given}): "
                                 f"{type(exc).__name__}: {text}.") from None
        return wrapper
    return decorate
