"""LiveFigure and RMWidget: in-place updates, blitting, friendly errors, static fallback."""

import base64

import ipywidgets as widgets
import numpy as np
import pytest

from rmteach.widgets import PALETTE, PALETTE_CYCLE, LiveFigure, RMWidget

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class _Toy(RMWidget):
    """A minimal widget: one slider, one animated point; values > 4 are rejected."""

    def __init__(self):
        self.live_figure = LiveFigure(figsize=(3, 2))
        ax = self.live_figure.axes[0]
        with self.live_figure.style():
            self.point, = ax.plot([], [], "o")
            ax.set_xlim(-5, 5)
            ax.set_ylim(-5, 5)
        self.live_figure.animate(self.point)
        slider = widgets.FloatSlider(min=-5, max=5, value=1.0)
        self.boom = False
        super().__init__(controls={"x": slider}, main="x", live_figure=self.live_figure)

    def update(self):
        x = self.controls["x"].value
        if self.boom:
            raise RuntimeError("internal bug")
        if x > 4:
            raise ValueError("x must be at most 4")
        self.values = {"x": x}
        self.point.set_data([x], [x])
        self.readout.value = f"x = {x}"


def test_palette_is_okabe_ito():
    assert PALETTE["orange"] == "#E69F00"
    assert PALETTE["blue"] == "#0072B2"
    assert PALETTE["vermillion"] == "#D55E00"
    assert len(set(PALETTE_CYCLE)) == 8 and set(PALETTE_CYCLE) == set(PALETTE.values())


def test_update_in_place_and_blitting():
    w = _Toy()
    fig = w.live_figure.figure
    first_png = bytes(w.live_figure.image.value)
    assert first_png.startswith(PNG_MAGIC)
    full = w.live_figure.full_draws
    renders = w.live_figure.renders
    w.controls["x"].value = -2.0
    assert w.live_figure.figure is fig                       # never rebuilt
    assert w.values == {"x": -2.0}
    assert list(w.point.get_xdata()) == [-2.0]
    assert w.live_figure.renders == renders + 1              # one render per change
    assert w.live_figure.full_draws == full                  # background reused (blit)
    assert bytes(w.live_figure.image.value) != first_png            # the pixels did change


def test_friendly_message_then_recovery():
    w = _Toy()
    w.controls["x"].value = 4.5
    assert "x must be at most 4" in w.message.value
    assert isinstance(w.last_error, ValueError)
    assert w.values == {"x": 1.0}                             # last good numbers kept
    w.controls["x"].value = 3.0
    assert w.message.value == "" and w.last_error is None and w.values == {"x": 3.0}


def test_unexpected_error_is_caught_and_named():
    w = _Toy()
    w.boom = True
    w.controls["x"].value = 2.0
    assert "RuntimeError" in w.message.value and "keeps working" in w.message.value
    w.boom = False
    w.controls["x"].value = 1.5
    assert w.message.value == ""


def test_dom_classes_and_static_fallback():
    w = _Toy()
    assert "rmteach-widget" in w._dom_classes
    assert "rmteach-figure" in w.live_figure.image._dom_classes
    assert "rmteach-readout" in w.readout._dom_classes
    assert "rmteach-message" in w.message._dom_classes
    bundle = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_MAGIC)
    assert "x = 1" in bundle["text/plain"]
    assert "0x" not in bundle["text/plain"]                  # no memory addresses


def test_hold_defers_to_one_render():
    lf = LiveFigure(figsize=(2, 2))
    with lf.hold():
        lf.refresh()
        lf.refresh()
        assert lf.renders == 0
    assert lf.renders == 1


def test_static_png_includes_animated_artists():
    lf = LiveFigure(figsize=(2, 2), dpi=50)
    ax = lf.axes[0]
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    blank = lf.png()
    dot, = ax.plot([0.5], [0.5], "s", ms=30, color="black")
    lf.animate(dot)
    with_dot = lf.png()
    assert with_dot != blank
    from io import BytesIO

    from PIL import Image

    pixels = np.asarray(Image.open(BytesIO(base64.b64decode(lf.static_png_base64()))))
    assert pixels[..., :3].min() < 30                          # the black square is there


@pytest.mark.parametrize("factory", ["bradley_terry_explorer", "pairwise_loss_explorer",
                                     "empirical_loss_explorer", "sampling_weight_explorer",
                                     "listwise_explorer", "list_length_explorer",
                                     "literal_trap_explorer"])
def test_every_widget_exposes_the_benchmark_interface(factory):
    import rmteach.widgets as rw

    w = getattr(rw, factory)()
    assert isinstance(w, RMWidget)
    assert w.main_control in w.controls
    assert isinstance(w.live_figure, LiveFigure)
    assert w.message.value == "" and w.last_error is None
    assert w.values
    before = w.live_figure.renders
    control = w.controls[w.main_control]
    if hasattr(control, "max"):                                 # extreme slider values
        control.value = control.max
        control.value = control.min
    else:                                                        # a FloatText
        control.value = control.value + 1.0
    assert w.live_figure.renders > before
    assert w.last_error is None
