"""Building blocks shared by every widget of the suite.

* :data:`PALETTE` – the Okabe–Ito colour-blind-safe palette (by name and in order).
* :class:`LiveFigure` – one Agg-backed matplotlib figure, created once, whose artists
  are updated in place and re-rendered to PNG into an ``ipywidgets.Image``.
* :class:`RMWidget` – the outer ``VBox`` of every interactive widget: it keeps its
  controls in ``.controls`` (name -> control), its figure in ``.live_figure``, its
  numbers in ``.values``, shows them in ``.readout`` and friendly errors in
  ``.message``, and adds a static fallback (``image/png`` of the figure, the numbers
  as text) to its display bundle so viewers without widgets still show something.

Writing a new widget::

    class MyWidget(RMWidget):
        def __init__(self):
            self.live_figure = LiveFigure(figsize=(6, 3))
            ax = self.live_figure.axes[0]
            self._line, = ax.plot([], [])
            slider = FloatSlider(description="Δ", min=-5, max=5)
            super().__init__(controls={"delta": slider}, main="delta",
                             live_figure=self.live_figure)

        def update(self):              # called once at build and on every change
            d = self.controls["delta"].value
            if d > 4:
                raise ValueError("friendly text shown in the message area")
            self.values = {"delta": d}
            self._line.set_data([d], [d])
            self.readout.value = f"Δ = {d:.2f}"

``update`` may raise ``ValueError``: the message is shown in ``.message``, the rest of
the widget stays as it was, and the next change is handled normally.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import math
import re
from collections.abc import Mapping
from contextlib import contextmanager

import ipywidgets as widgets
import traitlets

from ._args import check_controls, check_panels
from .style import DPI, PALETTE, PALETTE_CYCLE, new_figure, page_style, place_legends
from .style import style as _style

__all__ = ["PALETTE", "PALETTE_CYCLE", "LiveFigure", "RMWidget", "check_arg",
           "format_probability", "friendly_error_html"]

#: the largest magnitude a number typed into a widget may have (beyond it, nothing the
#: suite draws is meaningful, and sums of such numbers overflow)
MAX_TYPED = 1e6


def check_arg(value, name: str, lo: float | None = None, hi: float | None = None, *,
              integer: bool = False):
    """A widget builder's numeric argument, checked (a slider would silently clamp it)."""
    from ..math._checks import check_int, check_real

    if integer:
        return check_int(value, name, lo=None if lo is None else int(lo),
                         hi=None if hi is None else int(hi))
    return check_real(value, name, lo=lo, hi=hi)

class LiveFigure:
    """A matplotlib figure drawn once and updated in place.

    ``LiveFigure(nrows, ncols, figsize=(w, h), dpi=90)`` creates the figure and its
    axes (``.axes``, a flat list).  Build the artists once (inside ``with
    live.style():`` for the suite's font sizes) and register the ones that change
    with :meth:`animate`.  On each change update them (``line.set_data``,
    ``text.set_text``, ``image.set_data``) and call :meth:`refresh`: it renders the
    figure to PNG into ``.image`` (an ``ipywidgets.Image`` with the DOM class
    ``rmteach-figure``).

    Fast path (blitting): the static part (axes, ticks, fixed curves) is drawn once and
    cached; a refresh only restores that background and draws the animated artists
    over it.  When something static changes (axis limits, tick labels), call
    :meth:`invalidate` and the next refresh draws everything again.

    Inside ``with live.hold():`` refreshes are deferred and done once at the end.
    The figure is never attached to pyplot, so nothing is displayed twice.
    """

    def __init__(self, nrows: int = 1, ncols: int = 1, *, figsize=(6.4, 3.0), dpi: int = DPI,
                 gridspec_kw: Mapping | None = None):
        nrows, ncols = check_panels(nrows, ncols, gridspec_kw)
        self.figure = new_figure(figsize, dpi=dpi)
        with self.style():
            axes = self.figure.subplots(nrows, ncols, squeeze=False,
                                        gridspec_kw=dict(gridspec_kw or {}))
        self.axes = list(axes.flat)
        self.dpi = dpi
        self.image = widgets.Image(format="png")
        self.image.add_class("rmteach-figure")
        self.renders = 0          # refreshes done (a test can check that a change redrew)
        self.full_draws = 0       # how many of them had to draw the static background
        self._animated: list = []
        self._background = None
        self._held = 0
        self._dirty = False

    @staticmethod
    def style():
        """``with live.style():`` – the suite's font sizes (:mod:`.style`) for artists
        built inside."""
        return _style()

    def animate(self, *artists):
        """Register artists that change on updates; returns them (one artist: itself)."""
        for artist in artists:
            artist.set_animated(True)
            self._animated.append(artist)
        self.invalidate()
        return artists[0] if len(artists) == 1 else artists

    def moving_axes(self) -> set:
        """The axes whose data (animated lines, points, bars) move with the controls."""
        from matplotlib.text import Text

        return {a.axes for a in self._animated if a.axes is not None
                and not isinstance(a, Text)}

    def invalidate(self) -> None:
        """Something static changed (limits, ticks): draw everything on the next refresh."""
        self._background = None

    def tight_layout(self) -> None:
        """Lay the axes out once (not on every update: layout engines cost a draw each)."""
        import warnings

        with self.style(), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)      # colorbar axes: fine here
            self.figure.tight_layout(pad=0.6)
        self.invalidate()

    def _render_rgba(self):
        canvas = self.figure.canvas
        if self._background is None:
            canvas.draw()                       # animated artists are skipped here
            self._background = canvas.copy_from_bbox(self.figure.bbox)
            self.full_draws += 1
        else:
            canvas.restore_region(self._background)
        renderer = canvas.get_renderer()
        for artist in self._animated:
            if artist.get_visible():
                artist.draw(renderer)
        return canvas.buffer_rgba(), canvas.get_width_height()

    def png(self, *, compress_level: int = 1) -> bytes:
        """The figure as PNG bytes, current artists included (low compression: faster)."""
        from PIL import Image

        buf, (width, height) = self._render_rgba()
        img = Image.frombuffer("RGBA", (width, height), buf, "raw", "RGBA", 0, 1)
        out = io.BytesIO()
        img.save(out, format="png", compress_level=compress_level)
        return out.getvalue()

    def refresh(self) -> None:
        """Re-render into ``.image`` now, or at the end of the current :meth:`hold`."""
        if self._held:
            self._dirty = True
            return
        self.image.value = self.png()
        self.renders += 1

    @contextmanager
    def hold(self):
        """Defer refreshes inside the block; refresh once at its end if anything changed."""
        self._held += 1
        try:
            yield self
        finally:
            self._held -= 1
            if not self._held and self._dirty:
                self._dirty = False
                self.refresh()

    def static_png_base64(self) -> str:
        """Base64 PNG (better compressed) for a notebook's static output."""
        return base64.b64encode(self.png(compress_level=6)).decode("ascii")


def friendly_error_html(text: str) -> str:
    """The HTML of a friendly message (shown in a widget's ``rmteach-message`` area)."""
    text = str(text)
    return ("<div style='color:#B04A00;border-left:3px solid #D55E00;padding:2px 8px'>"
            f"<b>Check the input:</b> {html.escape(text)}</div>")


class RMWidget(widgets.VBox):
    """Outer box of every interactive widget (DOM class ``rmteach-widget``).

    Attributes a test or a benchmark can use:

    ``controls``     dict name -> ipywidgets control (set ``.value`` to drive it)
    ``main_control`` the name of the control a benchmark should move
    ``live_figure``  the :class:`LiveFigure` (``None`` for widgets without a figure)
    ``values``       dict of the numbers computed by the last successful update
    ``readout``      ``HTML`` showing those numbers (``rmteach-readout``)
    ``message``      ``HTML`` showing a friendly error, empty when all is well
                     (``rmteach-message``)
    ``last_error``   the exception behind the current message, or ``None``

    Subclasses implement :meth:`update`; it runs once at construction and after every
    change of a control's value.
    """

    def __init_subclass__(cls, **kwargs):
        """Every widget constructor raises ``ValueError`` for bad arguments, never a
        ``TraitError`` or ``AttributeError`` from deep inside ipywidgets."""
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None or getattr(init, "_rm_checked", False):
            return

        @functools.wraps(init)
        def checked_init(self, *args, **kw):
            try:
                init(self, *args, **kw)
            except ValueError:
                raise
            except (traitlets.TraitError, TypeError, AttributeError, KeyError,
                    IndexError) as exc:
                raise ValueError(f"{cls.__name__}: an argument has the wrong type or value; "
                                 f"see help({cls.__name__}) for what each must be (it failed "
                                 f"with {type(exc).__name__}).") from None

        checked_init._rm_checked = True
        cls.__init__ = checked_init

    def __init__(self, *, controls: Mapping[str, widgets.Widget], main: str,
                 live_figure: LiveFigure | None = None, control_box: widgets.Widget | None = None,
                 title: str = "", extra: list | None = None,
                 labels: Mapping[str, str] | None = None,
                 limits: Mapping[str, float] | None = None):
        check_controls(controls, main)
        self.controls = dict(controls)
        #: control name -> the label the learner sees (messages use it, never the name)
        self.control_labels = {name: _plain(getattr(c, "description", "") or name)
                               for name, c in self.controls.items()}
        self.control_labels.update(labels or {})
        #: control name -> the largest magnitude a typed number may have
        self.limits = dict(limits or {})
        self.main_control = main
        self.live_figure = live_figure
        self.values: dict = {}
        self.last_error: Exception | None = None
        self.readout = widgets.HTML()
        self.readout.add_class("rmteach-readout")
        self.message = widgets.HTML()
        self.message.add_class("rmteach-message")
        self._title = title
        children = [page_style()]
        if title:
            children.append(widgets.HTML(f"<b>{html.escape(title)}</b>"))
        if control_box is None:
            control_box = widgets.VBox(list(self.controls.values()))
        children.append(control_box)
        children.append(self.message)
        if live_figure is not None:
            children.append(live_figure.image)
        children.append(self.readout)
        children.extend(extra or [])
        super().__init__(children=children)
        self.add_class("rmteach-widget")
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        if live_figure is not None:
            # lay out once with the artists filled in (empty artists confuse tight_layout)
            try:
                self.update()
            except Exception:
                pass
            live_figure.tight_layout()
            # legends where they cover no data (below the axes when nowhere inside)
            place_legends(live_figure.figure, live_figure.tight_layout,
                          moving=live_figure.moving_axes())
        self.refresh()

    # -- the update cycle ---------------------------------------------------------------
    def update(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _on_change(self, change=None) -> None:
        self.refresh()

    def refresh(self) -> bool:
        """Run :meth:`update` now; show a friendly message instead of a traceback.

        Returns True when the update succeeded.
        """
        try:
            self._check_controls()
            if self.live_figure is not None:
                with self.live_figure.hold():
                    self.update()
                    self.live_figure.refresh()
            else:
                self.update()
        except ValueError as exc:
            self._show_error(exc, self._in_labels(str(exc)))
            return False
        except Exception as exc:  # never show a traceback inside a teaching widget
            self._show_error(exc, f"something unexpected went wrong ({type(exc).__name__}: "
                                  f"{exc}). The widget keeps working; try another value.")
            return False
        self.last_error = None
        self.message.value = ""
        return True

    def _check_controls(self) -> None:
        """Every number a control holds is finite and of a sane size (named by its label)."""
        for name, control in self.controls.items():
            value = getattr(control, "value", None)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            label = self.control_labels.get(name, name)
            if not math.isfinite(value):
                raise ValueError(f"“{label}” must be a finite number; got {value}. Type an "
                                 "ordinary number like 1.5 or -0.3.")
            limit = self.limits.get(name, MAX_TYPED)
            if abs(value) > limit:
                raise ValueError(f"“{label}” is {value:g}; type a number between "
                                 f"{-limit:g} and {limit:g} (nothing on the plot means "
                                 "anything that far out).")

    def _in_labels(self, text: str) -> str:
        """Replace internal control names (``r_chosen_0``) in a message by their labels."""
        for name, label in sorted(self.control_labels.items(), key=lambda kv: -len(kv[0])):
            if "_" in name and name != label:
                text = re.sub(rf"(?<![\w“]){re.escape(name)}(?![\w”])", f"“{label}”", text)
        return text

    @contextmanager
    def busy(self, text: str = "training…"):
        """``with self.busy("training…"):`` around a slow action (over ~2 s): the note
        shows in the message area while it runs and is cleared afterwards."""
        self.message.value = (f"<div class='rmteach-busy' style='color:#0072B2'>"
                              f"<i>{html.escape(text)}</i></div>")
        try:
            yield
        finally:
            if self.message.value.startswith("<div class='rmteach-busy'"):
                self.message.value = ""

    def _show_error(self, exc: Exception, text: str) -> None:
        self.last_error = exc
        self.message.value = friendly_error_html(text)

    # -- static fallback ----------------------------------------------------------------
    def static_text(self) -> str:
        """Plain-text summary of the current numbers (the ``text/plain`` fallback)."""
        name = self._title or type(self).__name__
        numbers = ", ".join(f"{k} = {_fmt(v)}" for k, v in self.values.items()
                            if isinstance(v, (int, float)))
        return f"{name}: {numbers}" if numbers else name

    def _repr_mimebundle_(self, **kwargs):
        bundle = dict(super()._repr_mimebundle_(**kwargs) or {})
        bundle["text/plain"] = self.static_text()
        if self.live_figure is not None:
            bundle["image/png"] = self.live_figure.static_png_base64()
        return bundle


def _plain(text: str) -> str:
    """A control's description without HTML or LaTeX markup."""
    return re.sub(r"<[^>]+>|\$", "", str(text)).strip()


def format_probability(p: float) -> str:
    """A probability with 4 decimals, or in scientific notation when it is within 1e-4 of 0 or 1.

    >>> format_probability(0.731), format_probability(2.3e-16), format_probability(1 - 1e-9)
    ('0.7310', '2.3e-16', '1 − 1e-09')
    """
    if 0 < p < 1e-4:
        return f"{p:.2g}"
    if 0 < 1 - p < 1e-4:
        return f"1 − {1 - p:.2g}"
    return f"{p:.4f}"


def _fmt(v) -> str:
    if isinstance(v, int):
        return str(v)
    return f"{v:.4g}"
