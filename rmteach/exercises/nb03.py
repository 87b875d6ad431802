"""Exercises of notebook 03 (ranked lists and the listwise loss, Eq. 4.57).

* ``ranking_pairs`` – write ``my_ranking_to_pairs(ranking)``: the N(N−1)/2 pairs.
* ``listwise`` – write ``my_listwise_loss(scores, ranking)``: Eq. 4.57 for one list.
"""

from __future__ import annotations

import math

import numpy as np

from ..math.losses import listwise_loss, pairwise_loss, plackett_luce_loss
from ..math.ranking import ranking_to_pairs
from ._base import Exercise, Wrong, call, describe, isclose, require_callable

__all__ = ["listwise", "ranking_pairs"]

_PAIRS_NAME = "my_ranking_to_pairs"


def _fmt_pairs(pairs) -> str:
    return "{" + ", ".join(f"{a}≻{b}" for a, b in pairs) + "}"


def _check_pairs(fn) -> str:
    require_callable(fn, _PAIRS_NAME)
    for ranking in (["C", "A", "D", "B"], ["x", "y"], ["E", "B", "A", "D", "C"]):
        args = describe(ranking)
        out = call(fn, list(ranking), name=_PAIRS_NAME)
        try:
            got = [tuple(p) for p in out]
        except TypeError:
            raise Wrong(f"{_PAIRS_NAME}({args}) returned {out!r}; return a list of "
                        "(better, worse) tuples.") from None
        if any(len(p) != 2 for p in got):
            raise Wrong(f"{_PAIRS_NAME}({args}) returned {out!r}; each pair must be a "
                        "(better, worse) tuple of two labels.")
        want = ranking_to_pairs(ranking)
        n = len(ranking)
        got_set, want_set = set(got), set(want)
        if len(got_set) != len(got):
            dupes = sorted({p for p in got if got.count(p) > 1})
            raise Wrong(f"for {args} your list repeats {_fmt_pairs(dupes)}; each pair once.")
        if got_set == want_set:
            continue
        both = {(b, a) for a, b in want} | want_set
        if got_set == both:
            raise Wrong(f"for {args} you returned all {n * (n - 1)} ordered pairs, both "
                        "directions of each. That is the literal-reading trap: the ranking "
                        f"implies one direction per pair, {n * (n - 1) // 2} pairs.")
        adjacent = {(ranking[k], ranking[k + 1]) for k in range(n - 1)}
        if got_set == adjacent and n > 2:
            raise Wrong(f"for {args} you returned only the {n - 1} neighbouring pairs. A "
                        "ranking also implies every non-neighbouring pair (the first item "
                        f"beats all the others): {n * (n - 1) // 2} pairs in all.")
        reversed_ = sorted(p for p in got_set if (p[1], p[0]) in want_set)
        missing = [p for p in want if p not in got_set and (p[1], p[0]) not in got_set]
        extra = sorted(p for p in got_set - want_set if (p[1], p[0]) not in want_set)
        problems = []
        if reversed_:
            problems.append(f"backwards (worse, better): {_fmt_pairs(reversed_)}")
        if missing:
            problems.append(f"missing: {_fmt_pairs(missing)}")
        if extra:
            problems.append(f"not implied by the ranking: {_fmt_pairs(extra)}")
        raise Wrong(f"for {args}, " + "; ".join(problems) + f". Expected the "
                    f"{len(want)} pairs {_fmt_pairs(want)}.")
    return ("every ranking of N items gives its N(N−1)/2 pairs, each with the better item "
            "first (C > A > D > B → 6 pairs).")


ranking_pairs = Exercise(
    name="ranking_pairs",
    starter='''\
def my_ranking_to_pairs(ranking):
    # Your code here: a list of (better, worse) tuples.
    ...


ex.ranking_pairs.check(my_ranking_to_pairs)
''',
    title="From a ranking to its pairs",
    task=("Write my_ranking_to_pairs(ranking): given labels best first, e.g. "
          "['C', 'A', 'D', 'B'], return the list of all (better, worse) pairs it implies."),
    hint=("Which items does the best item beat, and the second best? Write the pairs of "
          "C > A > D > B on paper, compare their number with N(N−1)/2, then turn what you "
          "did by hand into code."),
    solution_code='''
def my_ranking_to_pairs(ranking):
    return [(ranking[i], ranking[j])
            for i in range(len(ranking)) for j in range(i + 1, len(ranking))]
''',
    checker=_check_pairs)


_LIST_NAME = "my_listwise_loss"

_LIST_CASES = [
    ({"A": 0.0, "B": 0.0, "C": 0.0, "D": 0.0}, ["C", "A", "D", "B"]),
    ({"A": 0.5, "B": -1.0, "C": 2.0, "D": 0.1}, ["C", "A", "D", "B"]),
    ({"p": 1.0, "q": 3.0}, ["p", "q"]),
    ({"A": 2.0, "B": 1.0, "C": 0.0, "D": -0.5, "E": 1.5}, ["A", "E", "B", "C", "D"]),
    ({"A": 0.0, "B": 5000.0, "C": -5000.0}, ["A", "B", "C"]),
]


def _variants(scores, ranking) -> list[tuple[float, str]]:
    """Values that common slips produce, with the message that explains each."""
    s = np.array([scores[k] for k in ranking], dtype=float)
    n = len(s)
    i, j = np.triu_indices(n, k=1)
    pair_sum = float(pairwise_loss(s[i], s[j], reduction="sum"))
    a, b = np.nonzero(~np.eye(n, dtype=bool))
    literal = float(pairwise_loss(s[a], s[b]))
    return [
        (pair_sum, "the sum over the N(N−1)/2 pairs, without the 1/(N(N−1)) average"),
        (2 * pair_sum, "the sum over the N(N−1) ordered pairs; Eq. 4.57 divides it by "
                       "N(N−1)"),
        (pair_sum / (n * (n - 1)), "the N(N−1)/2-pair sum divided by N(N−1): each pair "
                                   "appears twice among the ordered pairs, so divide that "
                                   "sum by N(N−1)/2"),
        (literal, "the literal reading: log Pr(y_a ≻ y_b) over both orders of every pair, "
                  "whatever the ranking. Score each pair by the probability of its TRUE "
                  "order"),
        (float(pairwise_loss(s[j], s[i])), "computed with the pairs backwards (worse minus "
                                           "better)"),
        (float(plackett_luce_loss(s)), "the Plackett–Luce loss, a different listwise loss"),
        (-float(listwise_loss(s)), "the right size with the wrong sign"),
    ]


def _check_listwise(fn) -> str:
    require_callable(fn, _LIST_NAME)
    for scores, ranking in _LIST_CASES:
        args = f"{describe(scores)}, {describe(ranking)}"
        out = call(fn, dict(scores), list(ranking), name=_LIST_NAME)
        try:
            value = float(np.asarray(out, dtype=float).reshape(()))
        except (TypeError, ValueError):
            raise Wrong(f"{_LIST_NAME}({args}) returned {out!r}; return one number.") from None
        want = float(listwise_loss([scores[k] for k in ranking]))
        if not math.isfinite(value):
            raise Wrong(f"{_LIST_NAME}({args}) returned {value}; expected {want:.6g}. A reward "
                        "gap of 10⁴ overflowed: compute each pair's loss stably (e.g. "
                        "np.logaddexp(0, -d)).")
        if isclose(value, want):
            continue
        if all(v == 0.0 for v in scores.values()) and isclose(value, 0.0):
            raise Wrong(f"{_LIST_NAME}({args}) returned 0 for a model that gives every item "
                        f"the same reward. Each pair then has Pr = 0.5, costing ln 2; the "
                        f"list's loss is ln 2 = {want:.6f}, not 0.")
        for slip, why in _variants(scores, ranking):
            if isclose(value, slip):
                raise Wrong(f"{_LIST_NAME}({args}) returned {value:.6g}, which is {why}. "
                            f"Expected {want:.6g}.")
        raise Wrong(f"{_LIST_NAME}({args}) returned {value:.6g}; expected {want:.6g}.")
    return ("your listwise loss matches Eq. 4.57 (true order for every pair, averaged over "
            "the N(N−1) ordered pairs): ln 2 for an undecided model, for every N.")


listwise = Exercise(
    name="listwise",
    starter='''\
def my_listwise_loss(scores, ranking):
    # Your code here: one number.
    ...


ex.listwise.check(my_listwise_loss)
''',
    title="The listwise loss of one list",
    task=("Write my_listwise_loss(scores, ranking): scores is a dict label → reward, ranking "
          "a list of labels best first. Return Eq. 4.57 for this one list: the average over "
          "the N(N−1) ordered pairs of −log Pr(the pair's true order)."),
    hint=("Every ordered pair of Eq. 4.57 is scored by the probability of its true order. "
          "How many distinct terms does that leave, and how often does each appear? Reuse "
          "your stable pair loss."),
    solution_code='''
def my_listwise_loss(scores, ranking):
    losses = [np.logaddexp(0.0, -(scores[ranking[i]] - scores[ranking[j]]))
              for i in range(len(ranking)) for j in range(i + 1, len(ranking))]
    return float(np.mean(losses))
''',
    checker=_check_listwise)
