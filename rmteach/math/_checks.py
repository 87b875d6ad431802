"""Argument checks shared by the public API: each raises a ``ValueError`` that names the
argument as the caller wrote it and says what was expected."""

from __future__ import annotations

import functools
import inspect
import math
import numbers
import os
import re
import sys
from collections.abc import Mapping

__all__ = ["MAX_SEED", "MAX_SIZE", "check_int", "check_real", "check_seed", "validated"]

#: largest seed accepted (NumPy and torch both take any value in 0 .. 2**63 − 1)
MAX_SEED = 2**63 - 1
#: largest count (of bins, draws, prompts, levels, ...) any public function accepts unless
#: it names a smaller bound: beyond this the arrays it implies outgrow a laptop
MAX_SIZE = 10**7


def _type(value) -> str:
    return type(value).__name__


def check_int(value, name: str, *, lo: int | None = None, hi: int | None = None) -> int:
    """``value`` as a Python int, if it is a whole number (not a bool) within [lo, hi]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and not isinstance(value, bool) \
                and math.isfinite(value) and float(value).is_integer():
            got = f"the float {value!r}"
        else:
            got = _show(value)
        span = _span(lo, hi)
        raise ValueError(f"{name} must be a whole number{span}; got {got}.")
    value = int(value)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ValueError(f"{name} must be a whole number{_span(lo, hi)}; got "
                         f"{_show_int(value)}.")
    return value


def _show_int(value: int) -> str:
    """An int as text, without Python's 4300-digit limit: a huge one by its size."""
    if abs(value) < 10**30:
        return str(value)
    return f"a number of about {int(abs(value).bit_length() * 0.30103) + 1:,} digits"


def _show(value) -> str:
    if isinstance(value, int):
        return _show_int(value)
    try:
        return f"{_type(value)} {value!r}"[:120]
    except Exception:                   # a learner's object whose repr fails
        return _type(value)


def check_real(value, name: str, *, lo: float | None = None, hi: float | None = None,
               allow_inf: bool = False, lo_open: bool = False, hi_open: bool = False) -> float:
    """``value`` as a float, if it is a real number (not NaN; ±inf only with ``allow_inf``)
    with lo <= value <= hi (lo < value with ``lo_open``, value < hi with ``hi_open``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        hint = " (write math.inf, not the string 'inf')" if isinstance(value, str) and \
            value.strip().lower() in ("inf", "infinity", "+inf") else ""
        raise ValueError(f"{name} must be a number{_span(lo, hi, lo_open)}; got "
                         f"{_show(value)}{hint}."[:300])
    try:
        value = float(value)
    except OverflowError:               # an int beyond 1.8e308
        raise ValueError(f"{name} must be a number{_span(lo, hi, lo_open)}; got "
                         f"{_show_int(int(value))}, too large for a float.") from None
    if math.isnan(value):
        raise ValueError(f"{name} must be a number{_span(lo, hi, lo_open)}; got NaN.")
    if math.isinf(value) and not allow_inf:
        raise ValueError(f"{name} must be a finite number{_span(lo, hi, lo_open)}; got {value}.")
    if (lo is not None and (value < lo or (lo_open and value == lo))) or \
            (hi is not None and (value > hi or (hi_open and value == hi))):
        raise ValueError(f"{name} must be a number{_span(lo, hi, lo_open, hi_open)}; got "
                         f"{value:g}.")
    return value


def check_seed(seed, name: str = "seed") -> int:
    """A seed: a whole number in 0 .. 2**63 − 1."""
    return check_int(seed, name, lo=0, hi=MAX_SEED)


def check_seeds(seeds, name: str = "seeds", *, most: int = 1000) -> tuple[int, ...]:
    """A non-empty list or tuple of at most ``most`` seeds, as a tuple of ints."""
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, (list, tuple, range)):
        raise ValueError(f"{name} must be a list of seeds (whole numbers, e.g. [0, 1, 2]); "
                         f"got {_show(seeds)}.")
    if not 1 <= len(seeds) <= most:
        raise ValueError(f"{name} must list 1 to {most:,} seeds; got {len(seeds):,}.")
    return tuple(check_seed(s, f"{name}[{i}]") for i, s in enumerate(seeds))


def _g(x) -> str:
    return f"{x:,}" if isinstance(x, int) else f"{x:g}"


def _span(lo, hi, lo_open=False, hi_open=False) -> str:
    if lo is not None and hi is not None:
        if lo_open or hi_open:
            return (f" {'>' if lo_open else '>='} {_g(lo)} and {'<' if hi_open else '<='} "
                    f"{_g(hi)}")
        return f" between {_g(lo)} and {_g(hi)}"
    if lo is not None:
        return f" {'>' if lo_open else '>='} {_g(lo)}"
    if hi is not None:
        return f" {'<' if hi_open else '<='} {_g(hi)}"
    return ""


_KIND = re.compile(r"^(\w+(?:\+inf)?)(?:([\[(])([^,\])]*),([^\])]*)([\])]))?(\?)?$")


def _bound(text: str, whole: bool):
    text = text.strip()
    if not text:
        return None
    return int(float(text)) if whole else float(text)


def _parse_kind(kind: str):
    """``"int[1,1e6]"`` -> ("int", 1, 1000000, False, False); ``"real(0,]?"`` -> open lo,
    optional.  Parsed once, when a function is decorated."""
    m = _KIND.match(kind)
    if m is None:                                           # pragma: no cover
        raise AssertionError(f"unknown kind {kind!r}")
    base, bracket, lo, hi, close, optional = m.groups()
    whole = base in ("int", "seed")
    lo = _bound(lo or "", whole)
    hi = _bound(hi or "", whole)
    if base == "int" and hi is None:
        hi = MAX_SIZE if lo is not None and lo >= 0 else hi
    return base, lo, hi, bracket == "(", close == ")", bool(optional)


def _check_kind(value, name: str, spec) -> None:
    kind, lo, hi, lo_open, hi_open, optional = spec
    if value is None and optional:
        return
    if kind == "array":
        from ._arrays import _check_numpy_input, is_torch

        if not is_torch(value):
            _check_numpy_input(value, name)
    elif kind in ("real", "real+inf"):
        check_real(value, name, allow_inf=kind == "real+inf", lo=lo, hi=hi, lo_open=lo_open,
                   hi_open=hi_open)
    elif kind == "int":
        check_int(value, name, lo=lo, hi=hi)
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
    elif kind == "path":
        if not isinstance(value, (str, os.PathLike)) or not str(value).strip():
            raise ValueError(f"{name} must be a file path (a non-empty string or Path); got "
                             f"{_type(value)}.")
    elif kind in _CLASSES:
        module, cls, what = _CLASSES[kind]
        loaded = sys.modules.get(module)     # not imported yet: value cannot be one
        if loaded is None or not isinstance(value, getattr(loaded, cls)):
            raise ValueError(f"{name} must be {what}; got {_type(value)}.")
    else:                                                   # pragma: no cover
        raise AssertionError(f"unknown kind {kind!r}")


#: kinds that are instances of a class (looked up among the loaded modules, never imported)
_CLASSES = {"figure": ("matplotlib.figure", "Figure", "a matplotlib Figure"),
            "module": ("torch.nn", "Module", "a torch model (a torch.nn.Module)")}


#: a ValueError with one of these texts comes from NumPy or Python, not from a check: it names
#: no argument, so :func:`validated` replaces it
_LIBRARY_TEXT = re.compile(r"cannot reshape array|invalid literal for|math domain error|"
                           r"Maximum allowed size|could not convert string|"
                           r"could not (be )?broadcast|values to unpack|"
                           r"setting an array element|inhomogeneous shape")


def validated(**kinds: str):
    """Decorate a public function so that bad arguments raise ``ValueError`` naming them.

    ``kinds`` maps a parameter to what it must be: ``"array"`` (real numbers: a number,
    list, NumPy array or torch tensor), ``"real"``, ``"real+inf"``, ``"int"``, ``"seed"``,
    ``"str"``, ``"dict"``, ``"items"`` (a list), ``"path"`` (a str or Path), ``"figure"``
    (a matplotlib Figure) or ``"module"`` (a torch model); a trailing ``?`` also allows
    ``None``.
    Numbers take bounds: ``"int[1,1000]"``, ``"real[0,1]"``, ``"real(0,]"`` (lo open); an
    ``"int"`` with a lower bound >= 0 and no upper bound stops at :data:`MAX_SIZE`.
    NumPy scalars (``np.float32(0.1)``, ``np.int64(3)``) are numbers like any other.
    The values are only checked, never changed.  As a last line of defence, a
    ``TypeError``/``IndexError``/``AttributeError``/``KeyError`` that the arguments cause
    inside the function, or a ``ValueError`` in NumPy's or Python's words ("cannot reshape
    array", ...), becomes a ``ValueError`` that lists the argument types given.
    """
    specs = {name: _parse_kind(kind) for name, kind in kinds.items()}

    def decorate(fn):
        sig = inspect.signature(fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                bound = sig.bind(*args, **kwargs)
            except TypeError as exc:
                raise ValueError(f"{fn.__name__}(): {exc}.") from None
            arguments = bound.arguments
            for name, spec in specs.items():
                if name in arguments:
                    _check_kind(arguments[name], name, spec)
            try:
                return fn(*args, **kwargs)
            except (TypeError, IndexError, AttributeError, KeyError, OverflowError,
                    RecursionError, ValueError) as exc:
                if isinstance(exc, ValueError) and not _LIBRARY_TEXT.search(str(exc)):
                    raise                       # the package's own message: it names the cause
                given = ", ".join(f"{k}: {type(v).__name__}" for k, v in bound.arguments.items())
                # NumPy's or Python's own words name no argument: the types given and the
                # kind of failure do, and help() says what each argument must be
                raise ValueError(f"{fn.__name__}() cannot use these arguments ({given}); see "
                                 f"help({fn.__name__}) for what each must be (it failed with "
                                 f"{type(exc).__name__}).") from None
        return wrapper
    return decorate
