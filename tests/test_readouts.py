"""One idea per widget (issue 19): each widget of notebooks 00–05 shows at most
:data:`rmteach.widgets.readout.MAX_NUMBERS` numbers in its readout, the rest behind a
"details" toggle, and a sentence saying what to try; checked at the start and after a move."""

from __future__ import annotations

import pytest

import rmteach.widgets as rw
from rmteach.widgets.readout import MAX_NUMBERS, details, visible_numbers

#: name -> (how notebooks 00–05 build it, one control to move and a value for it)
WIDGETS = {
    "bradley_terry_explorer": (lambda: rw.bradley_terry_explorer(r_a=1.0, r_b=0.0),
                               "scale", 3.0),
    "pairwise_loss_explorer": (lambda: rw.pairwise_loss_explorer(delta=0.0), "delta", -4.0),
    "gradient_stepper": (rw.gradient_stepper, "lr", 0.5),
    "scale_explorer": (rw.scale_explorer, "beta", 4.0),
    "offset_explorer": (rw.offset_explorer, "coef", 0.001),
    "margin_explorer": (rw.margin_explorer, "top_margin", 3.0),
    "empirical_loss_explorer": (rw.empirical_loss_explorer, "copies_0", 3),
    "sampling_weight_explorer": (lambda: rw.sampling_weight_explorer(copies_long=3,
                                                                     copies_short=3),
                                 "copies_long", 9),
    "listwise_explorer": (lambda: rw.listwise_explorer(
        "C > A > D > B", scores={"A": 0.5, "B": -1.0, "C": 2.0, "D": 0.0}), "score_A", 2.5),
    "list_length_explorer": (lambda: rw.list_length_explorer(n=4), "n", 10),
    "literal_trap_explorer": (lambda: rw.literal_trap_explorer(steps=200, lr=0.5), "step", 20),
    "ensemble_explorer": (rw.ensemble_explorer, "k", 2.0),            # notebook 12
}

@pytest.mark.parametrize("name", sorted(WIDGETS))
def test_readout_shows_at_most_four_numbers(name):
    build, control, value = WIDGETS[name]
    w = build()
    for _ in range(2):
        shown = visible_numbers(w.readout.value)
        assert len(shown) <= MAX_NUMBERS, f"{name} shows {len(shown)} numbers: {shown}"
        if control is None:
            break
        w.controls[control].value = value


@pytest.mark.parametrize("name", sorted(WIDGETS))
def test_readout_says_what_to_try(name):
    text = WIDGETS[name][0]().readout.value
    assert "Try" in text or name == "pairwise_loss_explorer", name   # nb02 says it in prose


def test_details_hide_numbers_from_the_count():
    assert visible_numbers("a 1.5 b 2 " + details("3 4 5 6 7")) == ["1.5", "2"]
    assert visible_numbers("y_1 and x2 are names; r = −0.25") == ["−0.25"]


#: the widgets of notebooks 06-12 (built as the notebooks build them, or with their
#: defaults); the same limit holds there ("from notebook 04 on, widgets became dashboards")
LATER = ["loss_diagnosis_explorer", "tiered_ranking_explorer", "reliability_explorer",
         "best_of_n_explorer", "kl_penalty_explorer", "dpo_target_explorer"]


@pytest.mark.parametrize("name", LATER)
def test_later_widgets_show_at_most_four_numbers(name):
    w = getattr(rw, name)()
    shown = visible_numbers(w.readout.value)
    assert len(shown) <= MAX_NUMBERS, f"{name} shows {len(shown)} numbers: {shown}"


def test_confidence_explorer_shows_at_most_four_numbers():
    g = rw.cached_grouping_comparison()                    # notebook 06's stored models
    models = g.seed_results(1)
    w = rw.confidence_explorer(models["exploded pairs"].model,
                               models["grouped listwise (InstructGPT)"].model, g.datas[1],
                               validation=g.validations[1], names=("exploded", "grouped"))
    shown = visible_numbers(w.readout.value)
    assert len(shown) <= MAX_NUMBERS, f"confidence_explorer shows {len(shown)}: {shown}"
