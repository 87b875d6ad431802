"""Property tests: the widgets' numbers are the library's numbers for any input."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rmteach import listwise_loss, plackett_luce_loss, preference_probability
from rmteach.widgets import bradley_terry_explorer, listwise_explorer

reward = st.floats(-6, 6, allow_nan=False).map(lambda v: round(v, 1))

BT = bradley_terry_explorer()
LW = listwise_explorer()


@settings(max_examples=40, deadline=None)
@given(reward, reward, st.floats(-5, 5).map(lambda v: round(v, 1)),
       st.floats(-3, 3).map(lambda v: round(v, 1)))
def test_bradley_terry_widget_matches_library(r_a, r_b, c, s):
    for name, v in (("r_a", r_a), ("r_b", r_b), ("shift", c), ("scale", s)):
        BT.controls[name].value = v
    v = BT.values
    assert BT.message.value == ""
    want = float(preference_probability(s * r_a + c, s * r_b + c))
    assert np.isclose(v["p_sigmoid"], want, rtol=1e-12, atol=1e-300)
    assert np.isclose(v["p_softmax"], v["p_sigmoid"], rtol=1e-9, atol=1e-300)
    assert np.isclose(v["delta"], s * (r_a - r_b), atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.permutations(["A", "B", "C", "D"]).flatmap(
           lambda perm: st.integers(2, 4).map(lambda k: perm[:k])),
       st.lists(st.floats(-4, 4).map(lambda v: round(v, 1)), min_size=4, max_size=4))
def test_listwise_widget_matches_library(ranking, scores):
    for label, value in zip("ABCD", scores):
        LW.controls[f"score_{label}"].value = value
    LW.controls["ranking"].value = " > ".join(ranking)
    assert LW.message.value == ""
    s = [dict(zip("ABCD", scores))[k] for k in ranking]
    n = len(ranking)
    assert LW.values["ranking"] == ranking
    assert len(LW.values["pairs"]) == n * (n - 1) // 2
    assert np.isclose(LW.values["listwise_loss"], float(listwise_loss(s)))
    assert np.isclose(LW.values["plackett_luce_loss"], float(plackett_luce_loss(s)))
    assert LW._im.get_array().shape == (n, n)
