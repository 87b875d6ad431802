"""Hand-computed values, the plain-loop reference, array types, gradients and stability."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import rmteach
from rmteach import (
    centering_penalty,
    listwise_loss,
    pairwise_loss,
    plackett_luce_loss,
    preference_probability,
    preference_probability_softmax,
    ranking_to_pairs,
)

from . import reference as ref

LN2 = math.log(2.0)


# ---------------------------------------------------------------------------
# Hand-computed values
# ---------------------------------------------------------------------------


def test_preference_probability_by_hand():
    # Sigmoid(2 − 1) = 1 / (1 + e^{−1}) = 1 / 1.36787944... = 0.73105857...
    assert preference_probability(2.0, 1.0) == pytest.approx(0.7310585786300049, abs=1e-15)
    assert preference_probability(0.0, 0.0) == 0.5
    assert preference_probability_softmax(3.0, 1.0) == pytest.approx(
        math.e**3 / (math.e**3 + math.e**1), rel=1e-14)


def test_two_pair_dataset_from_the_seeds():
    # D = {(x1, y_a1 ≻ y_b1), (x2, y_a2 ≻ y_b2)} with rewards (2.0, 0.5) and (−1.0, 0.0):
    # L = −½ [log σ(1.5) + log σ(−1)] = ½ [0.2014132779 + 1.3132616875] = 0.7573374827
    loss = pairwise_loss([2.0, -1.0], [0.5, 0.0])
    assert loss == pytest.approx(0.757337482750487621774, abs=1e-14)
    assert pairwise_loss([2.0, -1.0], [0.5, 0.0], reduction="sum") == pytest.approx(
        2 * 0.757337482750487621774, abs=1e-14)
    np.testing.assert_allclose(pairwise_loss([2.0, -1.0], [0.5, 0.0], reduction="none"),
                               [0.2014132779827524, 1.3132616875182228], atol=1e-14)


def test_margin_shifts_the_gap():
    # −log σ(1.5 − 0.5) = log(1 + e^{−1}) = 0.3132616875
    assert pairwise_loss(2.0, 0.5, margin=0.5) == pytest.approx(0.31326168751822286, abs=1e-14)


def test_c_a_d_b_pairs():
    assert ranking_to_pairs("C > A > D > B") == [
        ("C", "A"), ("C", "D"), ("C", "B"), ("A", "D"), ("A", "B"), ("D", "B")]
    assert ranking_to_pairs(["C", "A", "D", "B"]) == ranking_to_pairs("C≻A≻D≻B")


def test_c_a_d_b_listwise_by_hand():
    # A=0.5, B=−1, C=2, D=0.1; best first C, A, D, B = 2, 0.5, 0.1, −1.
    # Mean over the 6 ranked pairs of log(1 + e^{−(r_better − r_worse)}) = 0.2318585406
    scores = [0.5, -1.0, 2.0, 0.1]
    value = listwise_loss(scores, ranking=[2, 0, 3, 1])
    assert value == pytest.approx(0.231858540556265149517, abs=1e-14)
    assert listwise_loss([2.0, 0.5, 0.1, -1.0]) == pytest.approx(value, abs=1e-15)
    assert plackett_luce_loss(scores, ranking=[2, 0, 3, 1]) == pytest.approx(
        1.27814193399702546382, abs=1e-13)


@pytest.mark.parametrize("n", [2, 3, 10])
def test_uncertain_model_scores_ln2_for_every_n(n):
    assert listwise_loss(np.zeros(n)) == pytest.approx(LN2, abs=1e-15)
    assert listwise_loss(np.full(n, 7.25)) == pytest.approx(LN2, abs=1e-15)


def test_plackett_luce_by_hand():
    # (log(e² + e + 1) − 2) + (log(e + 1) − 1) + 0 = 0.4076059644 + 0.3132616875
    assert plackett_luce_loss([2.0, 1.0, 0.0]) == pytest.approx(0.720867651962603138, abs=1e-14)
    assert plackett_luce_loss([0.0, 0.0, 0.0]) == pytest.approx(math.log(6), abs=1e-14)


def test_centering_penalty_by_hand():
    assert centering_penalty([1.0, -1.0], [1.0, 0.5]) == pytest.approx((4.0 + 0.25) / 2)


def test_readme_one_liner_prints_ln2():
    assert str(rmteach.listwise_loss([0.0, 0.0, 0.0])).startswith("0.693")


# ---------------------------------------------------------------------------
# Against the plain-loop reference, on random batches
# ---------------------------------------------------------------------------


def _random_lists(seed, batch, n, scale=3.0):
    rng = np.random.default_rng(seed)
    scores = rng.normal(scale=scale, size=(batch, n))
    rankings = np.stack([rng.permutation(n) for _ in range(batch)])
    return scores, rankings


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("n", [2, 3, 5, 8, 32, 33, 40])    # 33, 40: the gather path (N > 32)
def test_lists_match_reference(backend, n):
    scores, rankings = _random_lists(seed=n, batch=40 if n < 30 else 6, n=n)
    expect_list = [ref.listwise_loss(s.tolist(), r.tolist()) for s, r in zip(scores, rankings)]
    expect_pl = [ref.plackett_luce_loss(s.tolist(), r.tolist()) for s, r in zip(scores, rankings)]
    if backend == "torch":
        scores, rankings = torch.tensor(scores, dtype=torch.float64), torch.tensor(rankings)
    got_list = listwise_loss(scores, rankings, reduction="none")
    got_pl = plackett_luce_loss(scores, rankings, reduction="none")
    np.testing.assert_allclose(np.asarray(got_list), expect_list, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(np.asarray(got_pl), expect_pl, rtol=1e-6, atol=1e-6)
    assert float(listwise_loss(scores, rankings)) == pytest.approx(np.mean(expect_list), abs=1e-6)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_pairs_match_reference(backend):
    rng = np.random.default_rng(0)
    a, b, m = rng.normal(scale=5, size=(3, 200))
    m = np.abs(m)
    expect_p = [ref.preference_probability(x, y) for x, y in zip(a, b)]
    expect_l = [ref.pairwise_loss(x, y, z) for x, y, z in zip(a, b, m)]
    if backend == "torch":
        a, b, m = (torch.tensor(v, dtype=torch.float64) for v in (a, b, m))
    np.testing.assert_allclose(np.asarray(preference_probability(a, b)), expect_p, atol=1e-6)
    np.testing.assert_allclose(np.asarray(preference_probability_softmax(a, b)), expect_p,
                               atol=1e-6)
    np.testing.assert_allclose(np.asarray(pairwise_loss(a, b, margin=m, reduction="none")),
                               expect_l, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_padded_lists_match_unpadded(backend):
    rng = np.random.default_rng(1)
    n_max, lengths = 6, np.array([2, 6, 4, 3])
    scores = rng.normal(size=(4, n_max))
    scores[0, 2:] = np.nan                       # padding may hold anything
    scores[2, 4:] = np.inf
    rankings = np.stack([np.concatenate([rng.permutation(k), -np.ones(n_max - k, int)])
                         for k in lengths])
    expect_list = [ref.listwise_loss(s[:k].tolist(), r[:k].tolist())
                   for s, r, k in zip(scores, rankings, lengths)]
    expect_pl = [ref.plackett_luce_loss(s[:k].tolist(), r[:k].tolist())
                 for s, r, k in zip(scores, rankings, lengths)]
    if backend == "torch":
        scores = torch.tensor(scores)
        rankings, lengths = torch.tensor(rankings), torch.tensor(lengths)
    np.testing.assert_allclose(
        np.asarray(listwise_loss(scores, rankings, lengths=lengths, reduction="none")),
        expect_list, atol=1e-12)
    np.testing.assert_allclose(
        np.asarray(plackett_luce_loss(scores, rankings, lengths=lengths, reduction="none")),
        expect_pl, atol=1e-12)


def test_one_ranking_for_every_row_and_extra_batch_dims():
    scores = np.arange(24, dtype=float).reshape(2, 3, 4) / 7
    ranking = [3, 1, 0, 2]
    out = listwise_loss(scores, ranking, reduction="none")
    assert out.shape == (2, 3)
    assert out[1, 2] == pytest.approx(ref.listwise_loss(scores[1, 2].tolist(), ranking))


# ---------------------------------------------------------------------------
# Array types in and out
# ---------------------------------------------------------------------------


def test_python_and_numpy_in_numpy_out():
    out = pairwise_loss([1.0, 2.0], [0.0, 0.0], reduction="none")
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    assert isinstance(listwise_loss([1, 0, 2]), np.floating)
    f32 = listwise_loss(np.array([[1.0, 0.0, 2.0]], dtype=np.float32), reduction="none")
    assert f32.dtype == np.float32


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_torch_in_torch_out_keeps_dtype_device_and_autograd(dtype):
    s = torch.tensor([[0.3, -0.2, 1.0]], dtype=dtype, requires_grad=True)
    out = listwise_loss(s)
    assert isinstance(out, torch.Tensor) and out.dtype == dtype and out.device == s.device
    assert out.requires_grad
    out.backward()
    assert s.grad is not None and s.grad.shape == s.shape
    mixed = pairwise_loss(torch.tensor([1.0], dtype=dtype), [0.0])     # list joins torch
    assert isinstance(mixed, torch.Tensor) and mixed.dtype == dtype


# ---------------------------------------------------------------------------
# Gradients
# ---------------------------------------------------------------------------


def test_pairwise_gradient_is_minus_sigmoid_of_minus_gap():
    chosen = torch.tensor([2.0, -1.0, 0.0, 5.0], dtype=torch.float64, requires_grad=True)
    rejected = torch.tensor([0.5, 0.0, 0.0, -3.0], dtype=torch.float64, requires_grad=True)
    pairwise_loss(chosen, rejected, reduction="sum").backward()
    gap = (chosen - rejected).detach()
    torch.testing.assert_close(chosen.grad, -torch.sigmoid(-gap))
    torch.testing.assert_close(rejected.grad, torch.sigmoid(-gap))


def test_listwise_gradient_matches_analytic():
    s = torch.tensor([1.2, -0.3, 0.4, 2.0], dtype=torch.float64, requires_grad=True)
    listwise_loss(s).backward()
    expect = np.zeros(4)
    values = s.detach().numpy()
    pairs = [(i, j) for i in range(4) for j in range(i + 1, 4)]
    for i, j in pairs:       # d/ds_i −log σ(s_i − s_j) = −σ(−(s_i − s_j))
        g = 1.0 / (1.0 + math.exp(values[i] - values[j]))
        expect[i] -= g / len(pairs)
        expect[j] += g / len(pairs)
    np.testing.assert_allclose(s.grad.numpy(), expect, atol=1e-12)


def test_plackett_luce_gradient_matches_finite_differences():
    s = torch.tensor([0.7, -1.1, 0.2, 1.5], dtype=torch.float64, requires_grad=True)
    ranking = torch.tensor([3, 0, 2, 1])
    torch.autograd.gradcheck(lambda x: plackett_luce_loss(x, ranking), (s,))
    torch.autograd.gradcheck(lambda x: listwise_loss(x, ranking), (s,))


# ---------------------------------------------------------------------------
# Numerical stability at score gaps of ±1e4
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_stable_at_huge_gaps(dtype, backend):
    def arr(values):
        if backend == "torch":
            return torch.tensor(values, dtype=getattr(torch, dtype), requires_grad=True)
        return np.array(values, dtype=dtype)

    def num(x):
        return float(x.detach()) if isinstance(x, torch.Tensor) else float(x)

    right = pairwise_loss(arr([1e4]), arr([0.0]), reduction="none")
    wrong = pairwise_loss(arr([-1e4]), arr([0.0]), reduction="none")
    assert num(right[0]) == 0.0
    assert num(wrong[0]) == pytest.approx(1e4, rel=1e-6)
    assert num(preference_probability(arr([1e4]), arr([-1e4]))[0]) == 1.0
    assert num(preference_probability(arr([-1e4]), arr([1e4]))[0]) == 0.0
    best_first = arr([1e4, 0.0, -1e4])
    assert num(listwise_loss(best_first)) == 0.0
    worst_first = arr([-1e4, 0.0, 1e4])
    # pairs: (−1e4 vs 0), (−1e4 vs 1e4), (0 vs 1e4) → (1e4 + 2e4 + 1e4) / 3
    assert num(listwise_loss(worst_first)) == pytest.approx(4e4 / 3, rel=1e-6)
    # PL: logsumexp(−1e4, 0, 1e4) + 1e4  +  logsumexp(0, 1e4) − 0  = 2e4 + 1e4
    assert num(plackett_luce_loss(worst_first)) == pytest.approx(3e4, rel=1e-6)
    if backend == "torch":
        for f in (listwise_loss, plackett_luce_loss):
            x = arr([-1e4, 0.0, 1e4])
            f(x).backward()
            assert torch.isfinite(x.grad).all()


def test_math_api_needs_no_torch():
    """`import rmteach` and every loss work in a Python where torch cannot be imported."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "class NoTorch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'torch' or name.startswith('torch.'):\n"
        "            raise ImportError('torch is blocked for this test')\n"
        "sys.meta_path.insert(0, NoTorch())\n"
        "import rmteach\n"
        "print(rmteach.listwise_loss([0.0, 0.0, 0.0]), rmteach.plackett_luce_loss([1.0, 0.0]),"
        " rmteach.pairwise_loss(1.0, 0.0), rmteach.preference_probability(1.0, 0.0))\n"
        "assert 'torch' not in sys.modules\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    values = [float(v) for v in out.stdout.split()]
    assert values[0] == pytest.approx(LN2)
    assert values[1] == pytest.approx(values[2]) == pytest.approx(math.log1p(math.exp(-1)))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("n", [2, 5, 17, 32])
def test_pair_gaps_by_matrix_product_are_exact(backend, dtype, n):
    """scores @ D (the ±1 pair-difference matrix) equals r_i − r_j bit for bit."""
    from rmteach.math.list_losses import _ranked_gaps
    from rmteach.math.ranking import ranked_pair_positions

    rng = np.random.default_rng(n)
    s = (rng.normal(scale=100, size=(64, n)) * 10.0 ** rng.integers(-8, 8, size=(64, n)))
    s = s.astype(dtype)
    i, j = ranked_pair_positions(n)
    expected = s[:, i] - s[:, j]
    if backend == "torch":
        got = _ranked_gaps(torch.tensor(s)).numpy()
    else:
        got = _ranked_gaps(s)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


def test_pair_gaps_stay_exact_under_autocast():
    """Under bf16 autocast a matrix product would round the gaps; the gather path must be used."""
    from rmteach.math.list_losses import _ranked_gaps
    from rmteach.math.ranking import ranked_pair_positions

    s = torch.tensor(np.random.default_rng(0).normal(scale=50, size=(16, 6)), dtype=torch.float32)
    i, j = ranked_pair_positions(6)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        got = _ranked_gaps(s)
    assert got.dtype == torch.float32
    torch.testing.assert_close(got, s[:, i] - s[:, j], rtol=0, atol=0)
