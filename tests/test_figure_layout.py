"""Every figure reads well: no text over text, no text outside the figure, no legend or
label over data, fonts of at least 10 CSS pt at the displayed size, and a width that fits
the output area of a 1280 px window (so the PNG is shown at its own size).

Measured with the renderer's bounding boxes (:func:`rmteach.widgets.style.text_collisions`
and :func:`~rmteach.widgets.style.data_under_text`): headless, on every widget's figure
(as built and with its main control at both ends).  Every figure a notebook makes is
checked the same way after Run All in the browser test (``tests/test_browser.py``, in the
notebook's own kernel), so the notebooks are not executed once more here.
"""

from __future__ import annotations

import ipywidgets
import pytest

import rmteach.widgets as rw
from rmteach.widgets import style

# every widget a notebook builds with one call and no trained model
BUILDERS = ["bradley_terry_explorer", "pairwise_loss_explorer", "empirical_loss_explorer",
            "sampling_weight_explorer", "listwise_explorer", "list_length_explorer",
            "literal_trap_explorer", "gradient_stepper", "scale_explorer", "offset_explorer",
            "margin_explorer", "tiered_ranking_explorer", "reliability_explorer",
            "best_of_n_explorer", "kl_penalty_explorer", "loss_diagnosis_explorer",
            "ensemble_explorer"]
MIN_FONT_PX = 10 * 96 / 72          # 10 CSS pt


def _problems(fig) -> list[str]:
    return style.text_collisions(fig) + style.data_under_text(fig)


def test_the_checks_can_fail():
    fig = style.new_figure((4, 3))
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], label="a line")
    ax.text(0.5, 0.5, "one label")
    ax.text(0.5, 0.5, "another label")
    ax.text(1.3, 0.5, "outside")
    ax.legend(loc="upper left")
    found = style.text_collisions(fig)
    assert any("overlaps" in p for p in found) and any("leaves the figure" in p for p in found)
    assert any("lies over data" in p for p in style.data_under_text(fig))


def test_place_legends_moves_a_legend_off_the_data():
    fig = style.new_figure((4, 3))
    ax = fig.subplots()
    ax.plot([0, 1], [1, 0], label="falling")
    ax.legend(loc="upper right")          # the line runs through the top left and bottom right
    style.place_legends(fig)
    assert not style.data_under_text(fig)


@pytest.mark.parametrize("name", BUILDERS)
def test_widget_figures_read_well(name):
    widget = getattr(rw, name)()
    fig = widget.live_figure.figure
    assert fig.bbox.width <= style.MAX_WIDTH_IN * style.DPI + 0.5
    states = [_problems(fig)]
    control = widget.controls[widget.main_control]
    if isinstance(control, (ipywidgets.FloatSlider, ipywidgets.IntSlider)):
        for value in (control.min, control.max):
            control.value = value
            states.append(_problems(fig))
    bad = [p for s in states for p in s]
    assert not bad, f"{name}: " + "; ".join(bad[:10])
    fig.canvas.draw()
    small = {t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_fontsize")
                                               and hasattr(a, "get_text"))
             if t.get_text().strip() and t.get_visible()
             and t.get_fontsize() * fig.dpi / 72 < MIN_FONT_PX - 0.01}
    assert not small, f"{name}: texts under 10 CSS pt: {sorted(small)[:8]}"
