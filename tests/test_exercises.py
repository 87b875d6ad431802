"""Exercise checkers: the model solution passes, the starter says "Not yet", and each
typical mistake gets the specific message that names it."""

import itertools

import numpy as np
import pytest

from rmteach.exercises import EXERCISES, nb01, nb02, nb03, nb04, nb07


def _solution(ex):
    ns = {"np": np}
    exec(ex.solution_code(), ns)
    names = [k for k in ns if k not in ("np", "__builtins__")]
    assert len(names) == 1
    return ns[names[0]]


@pytest.mark.parametrize("key", sorted(EXERCISES))
def test_model_solution_passes(key, capsys):
    ex = EXERCISES[key]
    result = ex.evaluate(_solution(ex))
    assert result.ok, result.message
    assert result.message.startswith("Correct")
    ex.check(_solution(ex))
    assert capsys.readouterr().out.startswith("Correct")


@pytest.mark.parametrize("key", sorted(EXERCISES))
def test_starter_placeholder_says_not_yet_deterministically(key):
    ex = EXERCISES[key]

    def starter(*args):
        ...

    answer = starter if "def " in ex.starter else ...     # a predicted number starts as ...
    first = ex.evaluate(answer)
    assert not first.ok and first.message.startswith("Not yet")
    assert ex.evaluate(answer).message == first.message
    assert "0x" not in first.message


@pytest.mark.parametrize("key", sorted(EXERCISES))
def test_hint_and_solution_print(key, capsys):
    EXERCISES[key].hint()                     # Run All must not show the hint either
    assert "Hint: " not in capsys.readouterr().out
    EXERCISES[key].hint(reveal=True)
    EXERCISES[key].solution(reveal=True)
    out = capsys.readouterr().out
    assert out.startswith("Hint: ") and "Solution:\n" in out
    EXERCISES[key].solution()                 # Run All must not show the model answer
    hidden = capsys.readouterr().out
    assert "Solution:" not in hidden and EXERCISES[key].solution_code() not in hidden
    assert f"ex.{EXERCISES[key].name}.solution(reveal=True)" in hidden


def _msg(ex, answer):
    r = ex.evaluate(answer)
    assert not r.ok
    assert r.message.startswith("Not quite")
    return r.message


# --- notebook 01 -----------------------------------------------------------------------

def test_bt_probability_mistakes():
    ex = nb01.bt_probability
    assert "r_a − r_b, not r_b − r_a" in _msg(ex, lambda a, b: 1 / (1 + np.exp(a - b)))
    assert "apply Sigmoid" in _msg(ex, lambda a, b: np.asarray(a) - np.asarray(b))
    m = _msg(ex, lambda a, b: np.exp(a) / (np.exp(a) + np.exp(b)))
    assert "my_preference_probability(1000.0, 1000.0) returned nan" in m
    assert "shape" in _msg(ex, lambda a, b: float(np.mean(1 / (1 + np.exp(-(np.asarray(a) -
                                                                           np.asarray(b)))))))
    assert "raised ZeroDivisionError" in _msg(ex, lambda a, b: 1 / 0)
    assert "not a str" in _msg(ex, "my_preference_probability") or \
        "not a" in _msg(ex, "my_preference_probability")


def test_scale_for_confidence_mistakes():
    ex = nb01.scale_for_confidence
    assert ex.kind == "predict"
    assert ex.evaluate(361 / 362).ok and ex.evaluate(0.997).ok
    assert f"{361 / 362:.3f}" == "0.997" and "19² = 361 : 1" in ex.evaluate(0.997).message
    assert not ex.evaluate(0.998).ok and not ex.evaluate(0.996).ok
    assert "1 − 0.05²" in _msg(ex, 0.9975)
    assert "one-step probability" in _msg(ex, 0.95)
    assert "0.95²" in _msg(ex, 0.9025)
    assert "halfway" in _msg(ex, 0.975)
    assert "Sigmoid(2)" in _msg(ex, 0.8808)
    assert "the scale s itself" in _msg(ex, 2.944)
    assert "not a probability" in _msg(ex, 1.9)
    assert "too low" in _msg(ex, 0.99) and "too high" in _msg(ex, 0.9999)
    assert "one number" in _msg(ex, "0.997")


# --- notebook 02 -----------------------------------------------------------------------

def test_pairwise_loss_mistakes():
    ex = nb02.stable_pairwise_loss
    naive = lambda c, r: -np.log(1 / (1 + np.exp(-(c - r))))  # noqa: E731
    m = _msg(ex, naive)
    assert "unstable" in m and "pair 1 (gap -10000) gave inf" in m
    assert "swapped" in _msg(ex, lambda c, r: np.logaddexp(0, c - r))
    assert "minus sign" in _msg(ex, lambda c, r: -np.logaddexp(0, r - c))
    assert "the mean" in _msg(ex, lambda c, r: np.logaddexp(0, r - c).mean())
    assert "the sum" in _msg(ex, lambda c, r: np.logaddexp(0, r - c).sum())
    assert "probabilities" in _msg(ex, lambda c, r: 1 / (1 + np.exp(-(c - r))))


def test_empirical_loss_mistakes():
    ex = nb02.empirical_loss
    assert ex.kind == "variant"
    loss = lambda c, r: np.logaddexp(0, r - c)  # noqa: E731
    assert ex.evaluate(lambda c, r, w: float(np.sum(w * loss(c, r)) / np.sum(w))).ok
    by_n = _msg(ex, lambda c, r, w: float(np.mean(w * loss(c, r))))
    assert "divided by the number of pairs" in by_n and "doubling every weight" in by_n
    assert "weighted sum" in _msg(ex, lambda c, r, w: float(np.sum(w * loss(c, r))))
    assert "change nothing" in _msg(ex, lambda c, r, w: float(np.mean(loss(c, r))))
    assert "sign" in _msg(ex, lambda c, r, w: -float(np.sum(w * loss(c, r)) / np.sum(w)))
    assert "return one number" in _msg(ex, lambda c, r, w: w * loss(c, r))
    naive = lambda c, r, w: float(np.sum(w * -np.log(1 / (1 + np.exp(-(c - r))))) / np.sum(w))  # noqa: E731
    assert "overflowed" in _msg(ex, naive)
    assert "raised TypeError" in _msg(ex, lambda c, r: 0.5)      # the old two-argument form


# --- notebook 03 -----------------------------------------------------------------------

def test_ranking_pairs_mistakes():
    ex = nb03.ranking_pairs
    both = lambda r: [(a, b) for a in r for b in r if a != b]  # noqa: E731
    assert "literal-reading trap" in _msg(ex, both)
    assert "neighbouring" in _msg(ex, lambda r: list(itertools.pairwise(r)))
    backwards = lambda r: [(r[j], r[i]) for i in range(len(r))  # noqa: E731
                           for j in range(i + 1, len(r))]
    assert "backwards (worse, better)" in _msg(ex, backwards)
    first_only = lambda r: [(r[0], x) for x in r[1:]]  # noqa: E731
    assert "missing: {A≻D, A≻B, D≻B}" in _msg(ex, first_only)
    dup = lambda r: [(r[0], r[1])] * 2  # noqa: E731
    assert "repeats" in _msg(ex, dup)
    assert "tuple" in _msg(ex, lambda r: ["CA", "CD"]) or "two labels" in _msg(
        ex, lambda r: [("C", "A", "x")])


def _tier_losses(scores, tiers):
    return [np.logaddexp(0.0, -(scores[a] - scores[b]))
            for t in range(len(tiers)) for lower in tiers[t + 1:]
            for a in tiers[t] for b in lower]


def _flat(tiers):
    return [k for tier in tiers for k in tier]


def test_listwise_mistakes():
    ex = nb03.listwise
    assert ex.kind == "variant"
    assert ex.evaluate(lambda s, t: float(np.mean(_tier_losses(s, t)))).ok
    assert "ln 2" in _msg(ex, lambda s, t: 0.0)
    flat = lambda s, t: float(np.mean([np.logaddexp(0.0, -(s[r[i]] - s[r[j]]))  # noqa: E731
                                       for r in [_flat(t)] for i in range(len(r))
                                       for j in range(i + 1, len(r))]))
    assert "flattened list" in _msg(ex, flat)
    assert "without an average" in _msg(ex, lambda s, t: float(sum(_tier_losses(s, t))))
    all_pairs = lambda s, t: sum(_tier_losses(s, t)) / (  # noqa: E731
        len(_flat(t)) * (len(_flat(t)) - 1) / 2)
    assert "tied ones included" in _msg(ex, all_pairs)
    tied_ln2 = lambda s, t: (sum(_tier_losses(s, t)) + np.log(2) * sum(  # noqa: E731
        len(x) * (len(x) - 1) // 2 for x in t)) / (len(_flat(t)) * (len(_flat(t)) - 1) / 2)
    assert "constant ln 2" in _msg(ex, tied_ln2)
    naive = lambda s, t: float(np.mean([-np.log(1 / (1 + np.exp(-(s[a] - s[b]))))  # noqa: E731
                                        for i in range(len(t)) for lower in t[i + 1:]
                                        for a in t[i] for b in lower]))
    assert "overflowed" in _msg(ex, naive)
    assert "one number" in _msg(ex, lambda s, t: "low")


# --- notebook 07 -----------------------------------------------------------------------

def test_tie_accuracy_mistakes():
    ex = nb07.tie_accuracy
    assert ex.kind == "choose"
    assert ex.evaluate(lambda c, w, t: (c + t / 2) / (c + w + t)).ok
    assert "'exclude' convention's value" in _msg(ex, lambda c, w, t: c / (c + w))
    assert "'wrong' convention's value" in _msg(ex, lambda c, w, t: c / (c + w + t))
    assert "expected number of good picks" in _msg(ex, lambda c, w, t: c + t / 2)
    assert "percentage" in _msg(ex, lambda c, w, t: 100 * (c + t / 2) / (c + w + t))
    assert "one number" in _msg(ex, lambda c, w, t: "high")



@pytest.mark.parametrize("number", ["01", "02", "03", "04", "07"])
def test_notebooks_use_every_exercise_of_their_module(number):
    """Each exercise of rmteach.exercises.nbNN is checked in notebook NN, with a starter."""
    import re
    from pathlib import Path

    import nbformat

    path = next((Path(__file__).resolve().parents[1] / "notebooks").glob(f"{number}_*.ipynb"))
    nb = nbformat.read(path, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    module = {"01": nb01, "02": nb02, "03": nb03, "04": nb04, "07": nb07}[number]
    checked = set(re.findall(r"ex\.(\w+)\.check\(", source))
    assert checked == set(module.__all__)
    for cell in nb.cells:
        if cell.cell_type == "code" and ".check(" in cell.source:
            out = "".join(o.get("text", "") for o in cell.outputs)
            assert out.startswith("Not yet"), f"{path.name}: stored check output {out[:80]!r}"


def test_a_function_that_modifies_its_inputs_cannot_corrupt_the_checker():
    def in_place(r_chosen, r_rejected):
        r_chosen -= r_rejected                  # modifies the caller's array
        return np.logaddexp(0.0, -r_chosen)

    assert nb02.stable_pairwise_loss.evaluate(in_place).ok
    assert nb02.stable_pairwise_loss.evaluate(_solution(nb02.stable_pairwise_loss)).ok
    assert nb02.stable_pairwise_loss.evaluate(in_place).ok      # cases unchanged
