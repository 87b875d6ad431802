"""Array plumbing shared by the math API: one code path for NumPy and torch.

Rules (the same for every public function in :mod:`rmteach.math.losses`):

* torch tensors in -> torch tensors out, with dtype, device and autograd kept;
* NumPy arrays, Python numbers and (nested) lists in -> NumPy out
  (integers and Python floats become float64; float32 arrays stay float32);
* a mix of torch and non-torch inputs is computed in torch, on the tensor's
  device and dtype.

The namespace object ``xp`` comes from ``array_api_compat`` so the formulas are
written once against the array API standard.  torch is never imported here:
``import rmteach`` works without it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import array_api_compat
import numpy as np

REDUCTIONS = ("mean", "sum", "none")


def is_torch(x: Any) -> bool:
    """True when ``x`` is a torch tensor (checked without importing torch)."""
    return array_api_compat.is_torch_array(x)


def _reference_tensor(values: Sequence[Any]):
    for v in values:
        if is_torch(v):
            return v
    return None


#: most elements an input array may have (a float64 copy of it is ~400 MB)
MAX_ELEMENTS = 50_000_000


def _bad_numbers(name, v, why) -> ValueError:
    return ValueError(f"{name} must be numbers (real numbers: a float, list or array); "
                      f"got {type(v).__name__}{why}.")


def _why(exc: Exception) -> str:
    """What went wrong converting to numbers, in the suite's words (never NumPy's text)."""
    text = str(exc)
    if "inhomogeneous" in text or "sequence" in text:
        return " whose rows have different lengths (a ragged list: give every row as many values)"
    if "too large" in text or isinstance(exc, OverflowError):
        return " holding a number too large for a float (beyond ±1.8e308)"
    return f" that NumPy cannot read as numbers ({type(exc).__name__})"


def _check_numpy_input(v, name: str):
    """``v`` as a float NumPy array, or a ``ValueError`` naming ``name``."""
    if v is None:
        raise ValueError(f"{name} is None; expected real numbers (a float, list or array).")
    if isinstance(v, (str, bytes, dict, set, frozenset)):
        raise _bad_numbers(name, v, f" {v!r:.60}")
    if isinstance(v, np.ndarray) and v.dtype.kind == "f":
        return v
    try:
        raw = np.asarray(v)
    except (TypeError, ValueError, RecursionError) as exc:
        raise _bad_numbers(name, v, _why(exc)) from None
    except Exception as exc:  # a learner's object may raise anything inside __array__
        raise _bad_numbers(name, v, f" (converting it raised {type(exc).__name__})") from None
    if raw.dtype.kind == "c":
        raise ValueError(f"{name} holds complex numbers; rewards are real numbers (take "
                         ".real yourself if the imaginary part is meant to be dropped).")
    if raw.dtype.kind in "USVMmO" and raw.dtype.kind != "O":
        raise _bad_numbers(name, v, f" of dtype {raw.dtype}")
    if raw.size > MAX_ELEMENTS:
        raise ValueError(f"{name} has {raw.size:,} elements; at most {MAX_ELEMENTS:,}.")
    if raw.dtype.kind == "O":
        for x in raw.reshape(-1):
            if x is None:
                raise ValueError(f"{name} contains None; expected real numbers only.")
            if isinstance(x, (complex, np.complexfloating)):
                raise ValueError(f"{name} holds complex numbers; rewards are real numbers.")
            if isinstance(x, (str, bytes)):
                raise _bad_numbers(name, v, f" holding the string {x!r:.40}")
    try:
        return np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as exc:
        raise _bad_numbers(name, v, _why(exc)) from None


def as_arrays(*values: Any, names: Sequence[str]):
    """Convert ``values`` to arrays of one namespace.

    Returns ``(xp, arrays)``.  Raises ``ValueError`` for things that are not real
    numbers (None, strings, complex numbers, ragged lists, meta tensors), with the
    argument's name in the message.
    """
    ref = _reference_tensor(values)
    out = []
    if ref is not None:
        import torch  # only reached when the caller already uses torch

        for v, name in zip(values, names):
            if is_torch(v):
                if v.is_complex():
                    raise ValueError(f"{name} is a complex tensor; rewards are real numbers.")
                if v.device.type == "meta":
                    raise ValueError(f"{name} is on the meta device, which holds no values; "
                                     "create it on 'cpu' or 'cuda'.")
        if ref.device.type == "meta":        # a meta tensor is never a reference
            ref = next(v for v in values if is_torch(v) and v.device.type != "meta")
        float_dtype = ref.dtype if ref.is_floating_point() else torch.get_default_dtype()
        for v, name in zip(values, names):
            if is_torch(v):
                if v.numel() > MAX_ELEMENTS:
                    raise ValueError(f"{name} has {v.numel():,} elements; at most "
                                     f"{MAX_ELEMENTS:,}.")
                t = v if v.is_floating_point() else v.to(float_dtype)
                if t.device != ref.device:
                    raise ValueError(
                        f"{name} is on {t.device} but the other inputs are on {ref.device}; "
                        "move them to one device first (tensor.to(device))."
                    )
            else:
                arr = _check_numpy_input(v, name)
                t = torch.as_tensor(np.asarray(arr, dtype=np.float64), dtype=float_dtype,
                                    device=ref.device)
            out.append(t)
    else:
        for v, name in zip(values, names):
            out.append(_check_numpy_input(v, name))
    xp = array_api_compat.array_namespace(*out)
    return xp, out


def check_finite(x, name: str, where=None) -> None:
    """Raise ``ValueError`` if ``x`` (optionally only where ``where`` is True) has NaN or inf."""
    if where is None:
        # Fast path: a finite sum means every element is finite (any NaN or inf, or an
        # inf − inf, makes the sum non-finite).  Only a non-finite sum (or an overflow of
        # huge finite values) needs the element-wise look below.
        if is_torch(x):
            total = x.detach().sum()
        else:
            with np.errstate(over="ignore", invalid="ignore"):
                total = np.sum(x)
        if bool(np.isfinite(float(total))):
            return
    if is_torch(x):
        import torch

        ok = torch.isfinite(x.detach())
        if where is not None:
            ok = ok | ~where
        bad = not bool(ok.all())
        if bad:
            n_bad = int((~ok).sum())
    else:
        ok = np.isfinite(x)
        if where is not None:
            ok = ok | ~np.asarray(where)
        bad = not bool(ok.all())
        n_bad = int((~ok).sum()) if bad else 0
    if bad:
        raise ValueError(
            f"{name} contains {n_bad} NaN or infinite value(s); rewards must be finite "
            "real numbers. Check for a division by zero or an exploding model upstream."
        )


def broadcast(xp, arrays, names: Sequence[str]):
    """Broadcast ``arrays`` together, or raise a ``ValueError`` naming the shapes."""
    shapes = [tuple(a.shape) for a in arrays]
    try:
        return xp.broadcast_arrays(*arrays)
    except (ValueError, RuntimeError):
        described = ", ".join(f"{n} {s}" for n, s in zip(names, shapes))
        raise ValueError(
            f"shapes do not match or broadcast: {described}. Pass one reward per pair in each "
            "argument (equal shapes), or a scalar for one side."
        ) from None


def check_reduction(reduction: str) -> None:
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValueError(
            f"unknown reduction {reduction!r}; expected one of {', '.join(map(repr, REDUCTIONS))}."
        )


def reduce(xp, values, reduction: str, count=None, name: str = "the input"):
    """Apply ``reduction`` ('mean' | 'sum' | 'none') over all elements.

    NumPy results of a full reduction come back as NumPy scalars (``np.float64``).
    The mean of nothing is refused (``ValueError`` naming ``name``), not NaN.
    """
    if reduction == "mean" and _size(values) == 0:
        raise ValueError(f"{name} is empty: there is nothing to average. Give at least one "
                         "pair or list (or use reduction='sum' or 'none').")
    if reduction == "none":
        return values
    if reduction == "sum":
        out = xp.sum(values)
    else:
        out = xp.mean(values)
    if not is_torch(out):
        out = np.asarray(out)[()]
    return out


def _size(x) -> int:
    return int(x.numel()) if is_torch(x) else int(np.size(x))


def log_sigmoid(xp, z):
    """log Sigmoid(z), stable for any finite z: min(z, 0) − log1p(exp(−|z|)).

    torch inputs use ``torch.nn.functional.logsigmoid`` (same formula, fused kernel,
    exact gradient Sigmoid(−z)).
    """
    if is_torch(z):
        import torch.nn.functional as F

        return F.logsigmoid(z)
    z = np.asarray(z)
    if z.ndim == 0:
        return np.minimum(z, 0.0) - np.log1p(np.exp(-np.abs(z)))
    tail = np.abs(z)                     # log1p(exp(−|z|)), computed in place
    np.negative(tail, out=tail)
    np.exp(tail, out=tail)
    np.log1p(tail, out=tail)
    out = np.minimum(z, 0.0)
    out -= tail
    return out


def sigmoid(xp, z):
    """Sigmoid(z) = 1 / (1 + exp(−z)), computed without overflow."""
    if is_torch(z):
        import torch

        return torch.sigmoid(z)
    return xp.exp(log_sigmoid(xp, z))


def gather_last(xp, x, index):
    """``x[..., index]`` along the last axis, row by row (``index`` has x's shape)."""
    if is_torch(x):
        import torch

        return torch.gather(x, -1, index)
    return np.take_along_axis(x, index, axis=-1)


def reverse_logcumsumexp(xp, x):
    """``out[..., k] = log Σ_{j ≥ k} exp(x[..., j])`` along the last axis, stably, in O(N)."""
    if is_torch(x):
        import torch

        return torch.flip(torch.logcumsumexp(torch.flip(x, (-1,)), dim=-1), (-1,))
    return np.flip(np.logaddexp.accumulate(np.flip(x, -1), axis=-1), -1)


def index_on(x, index: np.ndarray):
    """``index`` (a NumPy integer array) as an index for ``x``: a tensor on x's device for torch."""
    if is_torch(x):
        import torch

        return torch.as_tensor(index, device=x.device)
    return index


def _scalarize(x):
    """0-d NumPy arrays become NumPy scalars (they print as plain numbers)."""
    if not is_torch(x) and np.ndim(x) == 0:
        return np.asarray(x)[()]
    return x


def _quiet(fn):
    """Run ``fn`` with NumPy's overflow warnings off: an overflow is reported as a
    ``ValueError`` (see :func:`_finite_result`), not as a warning plus ``inf``."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            return fn(*args, **kwargs)
    return wrapper


def _finite_result(out, what: str):
    """``out``, or a ``ValueError`` if finite inputs made it overflow (rewards far too big)."""
    if not is_torch(out) and np.ndim(out) == 0 and math.isfinite(out):   # the common case
        return out
    try:
        check_finite(out, "the loss")
    except ValueError:
        dtype = getattr(out, "dtype", "float64")
        small = " (float16 holds at most 65,504: use float32)" if "16" in str(dtype) else ""
        raise ValueError(f"the rewards are so large, or so far apart, that {what} overflows "
                         f"{dtype}{small} and the loss is infinite. Keep rewards within ±1e4 "
                         "(the documented range; a reward model's outputs are usually within "
                         "±10).") from None
    return out


def paired_arrays(values: Sequence, names: Sequence[str]):
    """NumPy float arrays of ``values`` (each checked as real numbers and finite), broadcast
    together (one value per pair, or a scalar for one side), or a ``ValueError`` naming the
    argument.

    >>> paired_arrays([[1.0, 2.0], 0.5], ("r_chosen", "r_rejected"))[1].tolist()
    [0.5, 0.5]
    """
    arrays = [np.asarray(_check_numpy_input(v, n), dtype=float) for v, n in zip(values, names)]
    for a, n in zip(arrays, names):
        check_finite(a, n)
    return broadcast(np, arrays, names)
