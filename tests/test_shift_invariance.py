"""Shift invariance of every loss and probability, in every dtype, up to the documented range.

Bradley–Terry and Plackett–Luce see only reward differences, so adding one constant c to
every reward of a pair or a list must not change the result.  The losses promise finite,
correct values for rewards up to ±1e4 (module doc of ``rmteach.math.losses``).  At such
magnitudes a low-precision dtype cannot even hold the small differences exactly, so the
test compares each dtype's result with the float64 value *of the very numbers that dtype
holds* (shifted back by their maximum): what is lost in storing the inputs is not the
function's fault; what is lost inside it is.

(``centering_penalty`` is left out on purpose: it penalises the level of the rewards,
which is exactly what a shift changes.)
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rmteach.math.losses import (
    listwise_loss,
    pairwise_loss,
    plackett_luce_loss,
    preference_probability,
    preference_probability_softmax,
)

LIMIT = 1e4           # the documented range of the rewards
DTYPES = [np.float16, np.float32, np.float64, torch.float16, torch.bfloat16, torch.float32,
          torch.float64]
EPS = {np.float16: 2**-10, np.float32: 2**-23, np.float64: 2**-52, torch.float16: 2**-10,
       torch.bfloat16: 2**-7, torch.float32: 2**-23, torch.float64: 2**-52}


def _cast(values, dtype):
    """The values as ``dtype`` (rounded as that dtype stores them), and their float64 copy."""
    a = np.asarray(values, dtype=np.float64)
    if isinstance(dtype, torch.dtype):
        t = torch.tensor(a, dtype=dtype)
        return t, t.double().numpy()
    x = a.astype(dtype)
    return x, x.astype(np.float64)


def _f(x) -> float:
    return float(x.double()) if isinstance(x, torch.Tensor) else float(x)


base = st.lists(st.floats(-5, 5, allow_nan=False), min_size=2, max_size=6)
shift = st.one_of(st.floats(-LIMIT + 10, LIMIT - 10, allow_nan=False),
                  st.sampled_from([0.0, 1e3, -1e3, 1e4 - 10, -(1e4 - 10)]))


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("fn", [listwise_loss, plackett_luce_loss], ids=lambda f: f.__name__)
@settings(max_examples=15, deadline=None, derandomize=True)
@given(scores=base, c=shift)
def test_list_losses_are_shift_invariant(fn, dtype, scores, c):
    x, held = _cast(np.asarray(scores) + c, dtype)
    ref = float(fn(held - held.max()))            # float64, shifted back to 0
    got = _f(fn(x))
    tol = 4 * EPS[dtype] * len(scores) * (abs(ref) + 12)
    assert abs(got - ref) <= tol, (got, ref, tol)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("fn", [pairwise_loss, preference_probability,
                                preference_probability_softmax], ids=lambda f: f.__name__)
@settings(max_examples=15, deadline=None, derandomize=True)
@given(pair=st.tuples(st.floats(-5, 5), st.floats(-5, 5)), c=shift)
def test_pair_functions_are_shift_invariant(fn, dtype, pair, c):
    x, held = _cast([pair[0] + c, pair[1] + c], dtype)
    ref = float(fn(held[0] - held.max(), held[1] - held.max()))
    got = _f(fn(x[0], x[1]))
    tol = 4 * EPS[dtype] * (abs(ref) + 12)
    assert abs(got - ref) <= tol, (got, ref, tol)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32,
                                   torch.float64, np.float16, np.float32, np.float64], ids=str)
@pytest.mark.parametrize("level", [1e3, 1e4])
def test_a_tie_costs_ln2_at_any_level(dtype, level):
    # The reported failures: equal fp16 scores of 1e4 gave 0.0 instead of ln 2, and
    # [1000, 1000] in fp16 gave 0.5.
    x, _ = _cast([level, level], dtype)
    for fn in (pairwise_loss, listwise_loss, plackett_luce_loss):
        value = _f(fn(x[0], x[1])) if fn is pairwise_loss else _f(fn(x))
        assert value == pytest.approx(np.log(2), abs=8 * EPS[dtype]), (fn.__name__, value)
    three, _ = _cast([level, level, level], dtype)
    assert _f(plackett_luce_loss(three)) == pytest.approx(np.log(6), abs=16 * EPS[dtype])


@pytest.mark.parametrize("level", [1e7, 1e15])
def test_plackett_luce_far_beyond_the_range(level):
    # fp32 [1e7, 1e7] gave 1.0 and float64 [1e15, 1e15] gave 0.75 before the max shift
    dtype = torch.float32 if level == 1e7 else torch.float64
    assert float(plackett_luce_loss(torch.tensor([level, level], dtype=dtype))) == \
        pytest.approx(np.log(2), abs=1e-6)


def test_the_max_shift_passes_no_gradient_through_the_max():
    s = torch.tensor([[1e4, 1e4 - 1.0, 1e4 - 3.0]], dtype=torch.float64, requires_grad=True)
    plackett_luce_loss(s).backward()
    t = torch.tensor([[0.0, -1.0, -3.0]], dtype=torch.float64, requires_grad=True)
    plackett_luce_loss(t).backward()
    torch.testing.assert_close(s.grad, t.grad)
    assert abs(float(s.grad.sum())) < 1e-12        # shift invariance: gradients sum to 0
