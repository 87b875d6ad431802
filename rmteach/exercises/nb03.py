"""Exercises of notebook 03 (ranked lists and the listwise loss, Eq. 4.57).

* ``ranking_pairs`` (implement) – write ``my_ranking_to_pairs(ranking)``: the N(N−1)/2 pairs.
* ``listwise`` (variant) – write ``my_tiered_listwise_loss(scores, tiers)``: Eq. 4.57 for
  a ranking with tied items, a case the book does not spell out.
"""

from __future__ import annotations

import math

import numpy as np

from ..math.losses import listwise_loss, pairwise_loss, plackett_luce_loss
from ..math.ranking import ranking_to_pairs
from ..math.ties import tiered_listwise_loss
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


_LIST_NAME = "my_tiered_listwise_loss"

_LIST_CASES = [
    ({"A": 0.0, "B": 0.0, "C": 0.0, "D": 0.0}, [["C"], ["A", "D"], ["B"]]),
    ({"A": 0.5, "B": -1.0, "C": 2.0, "D": 0.1}, [["C"], ["A"], ["D"], ["B"]]),
    ({"A": 0.5, "B": -1.0, "C": 2.0, "D": 0.1}, [["C"], ["A", "D"], ["B"]]),
    ({"p": 1.0, "q": 3.0}, [["p"], ["q"]]),
    ({"A": 2.0, "B": 1.0, "C": 0.0, "D": -0.5, "E": 1.5}, [["A", "E"], ["B", "C", "D"]]),
    ({"A": 0.0, "B": 5000.0, "C": -5000.0, "D": 1.0}, [["A"], ["B", "D"], ["C"]]),
]


def _cross_pairs(scores, tiers):
    """(better, worse) score arrays of every pair the tiers decide."""
    better, worse = [], []
    for t, tier in enumerate(tiers):
        for lower in tiers[t + 1:]:
            for a in tier:
                for b in lower:
                    better.append(scores[a])
                    worse.append(scores[b])
    return np.array(better, dtype=float), np.array(worse, dtype=float)


def _variants(scores, tiers) -> list[tuple[float, str]]:
    """Values that common slips produce, with the message that explains each."""
    flat = [k for tier in tiers for k in tier]
    s = np.array([scores[k] for k in flat], dtype=float)
    n = len(s)
    b, w = _cross_pairs(scores, tiers)
    decided = float(pairwise_loss(b, w, reduction="sum"))
    tied = sum(len(t) * (len(t) - 1) // 2 for t in tiers)
    i, j = np.triu_indices(n, k=1)
    out = [
        (float(listwise_loss(s)), "Eq. 4.57 on the flattened list: it orders the tied "
                                  "items as they happen to be written, an order the "
                                  "annotators never gave"),
        (decided, "the sum over the decided pairs, without an average"),
        (decided / (n * (n - 1) / 2), "the decided pairs' losses divided by all N(N−1)/2 "
                                      "pairs, tied ones included: an undecided model would "
                                      "then pay less than ln 2"),
        ((decided + tied * np.log(2.0)) / (n * (n - 1) / 2),
         "an average that counts each tied pair as a constant ln 2: it has no gradient, "
         "yet it dilutes the weight of the pairs the annotators did decide. A tie is not "
         "an order: leave it out of the data"),
        (float(pairwise_loss(w, b)), "computed with the pairs backwards (worse minus better)"),
        (float(pairwise_loss(np.r_[b, w], np.r_[w, b])), "the literal reading: both orders "
                                                        "of every decided pair"),
        (-tiered_listwise_loss(scores, tiers), "the right size with the wrong sign"),
        (float(plackett_luce_loss(s)), "the Plackett–Luce loss of the flattened list"),
    ]
    if tied:
        out.append((float(pairwise_loss(s[i], s[j])), "Eq. 4.57 on the flattened list, "
                                                       "which orders the tied items"))
    return out


def _check_listwise(fn) -> str:
    require_callable(fn, _LIST_NAME)
    for scores, tiers in _LIST_CASES:
        args = f"{describe(scores)}, {describe(tiers)}"
        out = call(fn, dict(scores), [list(t) for t in tiers], name=_LIST_NAME)
        try:
            value = float(np.asarray(out, dtype=float).reshape(()))
        except (TypeError, ValueError):
            raise Wrong(f"{_LIST_NAME}({args}) returned {out!r}; return one number.") from None
        want = tiered_listwise_loss(scores, tiers)
        if not math.isfinite(value):
            raise Wrong(f"{_LIST_NAME}({args}) returned {value}; expected {want:.6g}. A reward "
                        "gap of 10⁴ overflowed: compute each pair's loss stably, as in "
                        "notebook 2.")
        if isclose(value, want):
            continue
        if all(v == 0.0 for v in scores.values()) and isclose(value, 0.0):
            raise Wrong(f"{_LIST_NAME}({args}) returned 0 for a model that gives every item "
                        f"the same reward. Each decided pair then has Pr = 0.5 and costs ln 2; "
                        f"the list's loss is ln 2 = {want:.6f}, not 0.")
        for slip, why in _variants(scores, tiers):
            if isclose(value, slip):
                raise Wrong(f"{_LIST_NAME}({args}) returned {value:.6g}, which is {why}. "
                            f"Expected {want:.6g}.")
        raise Wrong(f"{_LIST_NAME}({args}) returned {value:.6g}; expected {want:.6g}.")
    return ("your loss uses every order the annotators gave and none they did not: the "
            "pairs across tiers, each scored by its true order and averaged. An undecided "
            "model pays ln 2, a strict ranking gives back Eq. 4.57, and tied items exert no "
            "pull on each other.")


listwise = Exercise(
    name="listwise",
    kind="variant",
    starter='''\
def my_tiered_listwise_loss(scores, tiers):
    # Your code here: one number; Eq. 4.57 when every tier holds one label.
    ...


ex.listwise.check(my_tiered_listwise_loss)
''',
    title="A variant of Eq. 4.57: rankings with ties",
    task=("Annotators sometimes cannot separate two responses, so a ranking comes in tiers, "
          "best first: [['C'], ['A', 'D'], ['B']] says C beats everything, A and D are "
          "tied, and both beat B. Eq. 4.57 assumes a strict ranking. Write "
          "my_tiered_listwise_loss(scores, tiers) (scores: a dict label → reward): a "
          "listwise loss that uses every order the annotators gave and no order they did "
          "not give, equals Eq. 4.57 when every tier holds one label, costs ln 2 for a "
          "model that gives every item the same reward, and stays finite for gaps of 10⁴."),
    hint=("Write out the pairs of C > A > D > B, then cross out those the tiers "
          "[['C'], ['A', 'D'], ['B']] leave undecided. What should a crossed-out pair teach "
          "the model? For a model with all rewards equal, what must you divide by to get "
          "ln 2?"),
    solution_code='''
def my_tiered_listwise_loss(scores, tiers):
    losses = [np.logaddexp(0.0, -(scores[a] - scores[b]))
              for t in range(len(tiers)) for lower in tiers[t + 1:]
              for a in tiers[t] for b in lower]
    return float(np.mean(losses))
''',
    checker=_check_listwise)
