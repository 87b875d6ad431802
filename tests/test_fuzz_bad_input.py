"""Fuzzing the public math, ranking and JSONL API with careless and hostile inputs.

The promise under test (README, "What bad input gets"): every call either returns a
correct, finite result or raises ``ValueError`` whose message names the argument as the
caller wrote it.  No TypeError, IndexError, RuntimeError, RecursionError, no NaN, no
warning.  ``COUNTS`` records what each fuzz test tried (class -> outcome -> count);
``python -m tools.fuzz_report`` runs these tests with more examples and prints it.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import warnings
from collections import Counter

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rmteach.data.degenerate import DegeneratePairsWarning
from rmteach.data.generate import PreferencePair, RankedList, as_ranked_list
from rmteach.data.jsonl import loads_jsonl, read_jsonl, write_jsonl
from rmteach.math.losses import (
    centering_penalty,
    dpo_loss,
    implicit_reward,
    listwise_loss,
    pairwise_loss,
    plackett_luce_loss,
    preference_probability,
    preference_probability_softmax,
    regression_loss,
)
from rmteach.math.ranking import parse_ranking, ranking_to_pairs
from rmteach.model.evaluate import kendall_tau

#: examples per fuzz test (tools/fuzz_report.py raises it through the environment)
EXAMPLES = int(os.environ.get("RMTEACH_FUZZ_EXAMPLES", "80"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])

#: (class, outcome) -> number of inputs tried
COUNTS: Counter = Counter()


def _outcome(cls: str, fn, names, check=None):
    """Run ``fn()``: a finite result (then ``check(result)``) or a ValueError naming one of
    ``names``; anything else fails the test.  Records the outcome in COUNTS."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")            # a warning is a defect too,
        # except the one that reports dropped degenerate pairs (chosen == rejected): that
        # warning is the documented outcome for such lines (rmteach.data.degenerate)
        warnings.simplefilter("ignore", DegeneratePairsWarning)
        try:
            result = fn()
        except ValueError as exc:
            text = str(exc)
            assert any(n in text for n in names), f"message names none of {names}: {text}"
            assert "\n" not in text.strip() and len(text) < 1000, text
            COUNTS[cls, "ValueError naming the argument"] += 1
            return None
    if check is not None:
        check(result)
    COUNTS[cls, "correct finite result"] += 1
    return result


def _finite(result) -> bool:
    if isinstance(result, torch.Tensor):
        return bool(torch.isfinite(result.detach().float()).all())
    return bool(np.all(np.isfinite(np.asarray(result, dtype=float))))


# ---------------------------------------------------------------------------------------
# Values: what a careless caller passes where rewards are expected
# ---------------------------------------------------------------------------------------

floats_any = st.floats(allow_nan=True, allow_infinity=True, width=64)
floats_ok = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)


class Exploding:
    """A learner's object whose conversion to an array raises."""

    def __array__(self, *args, **kwargs):
        raise RuntimeError("boom")

    def __len__(self):
        raise TypeError("no length")


def _tensor(values, dtype, device="cpu"):
    return torch.tensor(np.asarray(values, dtype=np.float64), dtype=dtype, device=device)


bad_scalars = st.one_of(
    st.none(), st.text(max_size=8), st.binary(max_size=8), st.complex_numbers(max_magnitude=10),
    st.just(float("nan")), st.just(float("inf")), st.just(-float("inf")),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.sets(st.integers(), max_size=3), st.just(Exploding()), st.just(object()),
    st.just(1e308), st.just(-1e308),
)
bad_arrays = st.one_of(
    st.lists(floats_any, max_size=6),
    st.lists(st.one_of(floats_ok, st.none(), st.text(max_size=2)), min_size=1, max_size=4),
    st.lists(st.lists(floats_ok, max_size=3), max_size=3),              # ragged or empty
    st.just([]), st.just([[]]),
    st.lists(st.complex_numbers(max_magnitude=5), min_size=1, max_size=3),
    st.builds(lambda v: np.array(v, dtype=object), st.lists(floats_ok, min_size=1, max_size=3)),
    st.builds(lambda v: np.array(v, dtype="U8"), st.lists(st.text(max_size=3), max_size=3)),
    st.builds(lambda v, dt: _tensor(v, dt), st.lists(floats_ok, max_size=4),
              st.sampled_from([torch.float16, torch.bfloat16, torch.float32, torch.float64,
                               torch.int64, torch.complex64, torch.bool])),
    st.builds(lambda v: _tensor(v, torch.float32, "meta"), st.lists(floats_ok, max_size=3)),
)
good_arrays = st.one_of(
    floats_ok, st.lists(floats_ok, min_size=1, max_size=6),
    st.builds(lambda v, dt: np.asarray(v, dtype=dt), st.lists(floats_ok, min_size=1, max_size=6),
              st.sampled_from([np.float32, np.float64])),
)
reward_like = st.one_of(good_arrays, bad_arrays, bad_scalars)
reductions = st.one_of(st.sampled_from(["mean", "sum", "none"]),
                       st.sampled_from(["avg", "", "MEAN", None, 3, ["mean"]]))


def _ref_pairwise(c, r, m):
    return np.logaddexp(0.0, -(np.asarray(c, float) - np.asarray(r, float) - m))


def _plain(x) -> bool:
    """A plain finite float or list of them (the reference formula applies)."""
    try:
        a = np.asarray(x)
    except Exception:
        return False
    return a.dtype.kind in "fi" and a.dtype != object and a.size > 0 and \
        bool(np.all(np.isfinite(a))) and not isinstance(x, torch.Tensor)


@FUZZ
@given(reward_like, reward_like, st.one_of(st.just(0.0), floats_any, bad_arrays), reductions,
       st.sampled_from(["pairwise_loss", "preference_probability",
                        "preference_probability_softmax", "centering_penalty"]))
def test_pair_functions(a, b, margin, reduction, which):
    names = {"pairwise_loss": ("r_chosen", "r_rejected", "margin", "reduction"),
             "preference_probability": ("r_a", "r_b"),
             "preference_probability_softmax": ("r_a", "r_b"),
             "centering_penalty": ("r_a", "r_b", "reduction")}[which]
    fn = {"pairwise_loss": lambda: pairwise_loss(a, b, margin=margin, reduction=reduction),
          "preference_probability": lambda: preference_probability(a, b),
          "preference_probability_softmax": lambda: preference_probability_softmax(a, b),
          "centering_penalty": lambda: centering_penalty(a, b, reduction=reduction)}[which]

    def check(result):
        assert _finite(result), f"{which} returned a non-finite {result!r}"
        if which == "pairwise_loss" and _plain(a) and _plain(b) and reduction == "none" \
                and isinstance(margin, float) and np.shape(a) == np.shape(b):
            np.testing.assert_allclose(np.asarray(result, float), _ref_pairwise(a, b, margin),
                                       rtol=1e-4, atol=1e-4)
        if which == "preference_probability" and _plain(a) and _plain(b):
            p = np.asarray(result, float)
            assert np.all((p >= 0) & (p <= 1))

    _outcome("math: pair losses and probabilities", fn, names, check)


@FUZZ
@given(reward_like, reward_like, st.one_of(st.just(0.1), floats_any, bad_scalars),
       st.one_of(st.sampled_from(["sigmoid", "robust", "hinge", "ipo"]), st.text(max_size=4),
                 st.none()),
       st.one_of(st.just(0.0), st.floats(-1, 1)), st.one_of(st.none(), reward_like),
       reductions, st.sampled_from(["dpo_loss", "implicit_reward", "regression_loss"]))
def test_dpo_family(a, b, beta, loss_type, eps, lengths, reduction, which):
    """The loss family beyond the book (issue 22): DPO, its implicit reward, regression."""
    names = {"dpo_loss": ("policy_chosen_logps", "policy_rejected_logps", "beta", "loss_type",
                          "label_smoothing", "chosen_lengths", "rejected_lengths",
                          "reduction"),
             "implicit_reward": ("policy_logps", "ref_logps", "beta"),
             "regression_loss": ("rewards", "ratings", "reduction")}[which]
    fn = {"dpo_loss": lambda: dpo_loss(a, b, 0.0, 0.0, beta=beta, loss_type=loss_type,
                                       label_smoothing=eps, chosen_lengths=lengths,
                                       rejected_lengths=lengths, reduction=reduction),
          "implicit_reward": lambda: implicit_reward(a, b, beta),
          "regression_loss": lambda: regression_loss(a, b, reduction=reduction)}[which]

    def check(result):
        assert _finite(result), f"{which} returned {result!r}"

    _outcome("math: DPO family and regression", fn, names, check)


def _ref_listwise(scores, ranking):
    s = np.asarray(scores, float)[list(ranking)]
    terms = [np.logaddexp(0.0, -(s[i] - s[j]))
             for i, j in itertools.combinations(range(len(s)), 2)]
    return float(np.mean(terms))


def _ref_pl(scores, ranking):
    s = np.asarray(scores, float)[list(ranking)]
    return float(sum(np.logaddexp.reduce(s[k:]) - s[k] for k in range(len(s))))


bad_rankings = st.one_of(
    st.none(), st.text(max_size=5), st.lists(st.integers(-3, 8), max_size=6),
    st.lists(st.floats(-2, 8), max_size=5), st.just(Exploding()),
    st.lists(st.booleans(), max_size=4), st.just([[0, 1], [1]]),
)


@FUZZ
@given(st.one_of(st.lists(floats_ok, min_size=2, max_size=7), reward_like), st.data(),
       reductions, st.sampled_from(["listwise_loss", "plackett_luce_loss"]))
def test_list_functions(scores, data, reduction, which):
    fn = listwise_loss if which == "listwise_loss" else plackett_luce_loss
    n = len(scores) if isinstance(scores, list) else 0
    good_rank = data.draw(st.permutations(range(n))) if n >= 2 else None
    ranking = data.draw(st.one_of(st.just(good_rank), bad_rankings))
    lengths = data.draw(st.one_of(st.none(), st.none(), st.integers(-1, 9), bad_rankings))

    def check(result):
        assert _finite(result), f"{which} returned {result!r}"
        if _plain(scores) and np.ndim(scores) == 1 and lengths is None and reduction == "mean" \
                and ranking is not None and list(np.asarray(ranking)) == list(good_rank or []):
            ref = (_ref_listwise if which == "listwise_loss" else _ref_pl)(scores, ranking)
            assert float(result) == pytest.approx(ref, rel=1e-6, abs=1e-6)

    _outcome("math: list losses", lambda: fn(scores, ranking, lengths=lengths,
                                             reduction=reduction),
             ("scores", "ranking", "lengths", "reduction"), check)


@FUZZ
@given(reward_like, reward_like)
def test_kendall_tau(x, y):
    def check(result):
        assert isinstance(result, float)
        assert math.isnan(result) or -1.0 <= result <= 1.0   # NaN only for a constant list

    _outcome("math: kendall_tau", lambda: kendall_tau(x, y), ("x", "y", "kendall_tau"), check)


# ---------------------------------------------------------------------------------------
# Rankings
# ---------------------------------------------------------------------------------------

ranking_text = st.text(alphabet="ABCD >=,＞<≻;|→\t\n\u00a0x1", max_size=14)
ranking_objects = st.one_of(
    ranking_text, st.lists(st.sampled_from("ABCDE"), max_size=6),
    st.lists(st.integers(0, 5), max_size=6), st.sets(st.sampled_from("ABC")),
    st.frozensets(st.integers(0, 3)), st.binary(max_size=6), st.none(), st.integers(),
    st.floats(), st.lists(st.lists(st.integers(), max_size=2), max_size=3),
    st.dictionaries(st.sampled_from("ABC"), st.integers(), max_size=3),
    st.builds(range, st.sampled_from([0, 1, 2, 5, 40, 2001, 10_000, 10**9])), st.just(Exploding()),
    st.builds(lambda v: np.array(v), st.lists(st.integers(0, 9), max_size=5)),
)


@FUZZ
@given(ranking_objects)
def test_rankings(ranking):
    def check(pairs):
        labels = parse_ranking(ranking)
        n = len(labels)
        assert len(pairs) == n * (n - 1) // 2
        pos = {label: k for k, label in enumerate(labels)}
        assert all(pos[a] < pos[b] for a, b in pairs)
        if isinstance(ranking, str):
            assert all(lab and lab == lab.strip() for lab in labels)
            assert "=" not in ranking

    _outcome("ranking", lambda: ranking_to_pairs(ranking), ("ranking",), check)


# ---------------------------------------------------------------------------------------
# JSONL
# ---------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                max_size=3),
    max_leaves=8)
texts = st.one_of(st.text(min_size=1, max_size=8), st.just("\ud800"), st.just(""),
                  st.just("ok\udfffok"), st.integers(), st.none(), st.lists(st.text(), max_size=2))


@st.composite
def jsonl_lines(draw):
    kind = draw(st.sampled_from(["pair", "list", "value", "text", "deep", "surrogate"]))
    if kind == "pair":
        obj = {"prompt": draw(texts), "chosen": draw(texts), "rejected": draw(texts)}
        for key in draw(st.sets(st.sampled_from(["prompt", "chosen", "rejected"]))):
            del obj[key]
        return json.dumps(obj)
    if kind == "list":
        n = draw(st.integers(0, 4))
        ranking = draw(st.one_of(st.permutations(range(n)), st.lists(st.integers(-1, 5)),
                                 st.lists(st.floats(0, 3), max_size=3), st.just("0 > 1")))
        obj = {"prompt": draw(texts), "responses": [draw(texts) for _ in range(n)],
               "ranking": ranking}
        return json.dumps(obj)
    if kind == "value":
        return json.dumps(draw(json_values))
    if kind == "deep":
        depth = draw(st.integers(10, 200_000))
        return "[" * depth + "]" * depth
    if kind == "surrogate":
        return '{"prompt": "p", "chosen": "a\\ud800", "rejected": "b"}'
    return draw(st.text(max_size=20))


@FUZZ
@given(st.lists(jsonl_lines(), min_size=0, max_size=4))
def test_jsonl_lines(lines):
    text = "\n".join(lines)

    def check(items):
        assert items and all(isinstance(it, (PreferencePair, RankedList)) for it in items)
        for it in items:
            fields = [it.prompt, *(
                [it.chosen, it.rejected] if isinstance(it, PreferencePair) else it.responses)]
            for f in fields:
                f.encode("utf-8")          # no lone surrogate got through
                assert f.strip()

    _outcome("jsonl: reading", lambda: loads_jsonl(text, source="fuzz.jsonl"),
             ("fuzz.jsonl",), check)


items_strategy = st.lists(st.one_of(
    st.builds(PreferencePair, texts.filter(lambda t: isinstance(t, str)),
              st.sampled_from(["a", "b\ud800", "c"]), st.just("r")),
    st.just(RankedList("p", ("a", "b"), (1, 0))), st.just("not an item"), st.none(),
    st.just(42)), max_size=4)


@FUZZ
@given(items_strategy)
def test_jsonl_write_is_all_or_nothing(items):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "data.jsonl")
        before = '{"prompt": "old", "chosen": "kept", "rejected": "safe"}\n'
        with open(path, "w", encoding="utf-8") as f:
            f.write(before)

        def check(_):
            if items:
                # a file holds one format: with any ranked list, pairs become lists of two
                mixed = any(isinstance(x, RankedList) for x in items)
                assert read_jsonl(path) == [as_ranked_list(x) if mixed else x for x in items]
            assert os.listdir(folder) == ["data.jsonl"]

        if _outcome("jsonl: writing", lambda: write_jsonl(items, path), ("items",),
                    check) is None and not _written(items):
            with open(path, encoding="utf-8") as f:
                assert f.read() == before, "a failed write changed the old file"
            assert os.listdir(folder) == ["data.jsonl"], "a temporary file was left behind"


def _written(items) -> bool:
    return all(isinstance(x, (PreferencePair, RankedList)) for x in items) and all(
        "\ud800" not in json.dumps(str(x), ensure_ascii=False) for x in items)
