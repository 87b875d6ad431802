"""Argument checks of the widget base classes (:mod:`rmteach.widgets._base`): each raises a
``ValueError`` that names the argument and says what was expected."""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets

from ..math._checks import check_int

#: most rows (or columns) of panels a LiveFigure may have
MAX_PANELS = 12


def check_panels(nrows, ncols, gridspec_kw) -> tuple[int, int]:
    """``(nrows, ncols)`` of a :class:`~rmteach.widgets.LiveFigure`, each 1 .. MAX_PANELS,
    and ``gridspec_kw`` None or a dict."""
    nrows = check_int(nrows, "nrows", lo=1, hi=MAX_PANELS)
    ncols = check_int(ncols, "ncols", lo=1, hi=MAX_PANELS)
    if gridspec_kw is not None and not isinstance(gridspec_kw, Mapping):
        raise ValueError(f"gridspec_kw must be None or a dict; got "
                         f"{type(gridspec_kw).__name__}.")
    return nrows, ncols


def check_controls(controls, main) -> None:
    """``controls`` maps names to ipywidgets controls and ``main`` is one of the names."""
    if not isinstance(controls, Mapping) or not all(
            isinstance(k, str) and isinstance(c, widgets.Widget) for k, c in controls.items()):
        raise ValueError(f"controls must be a dict from names to ipywidgets controls; got "
                         f"{type(controls).__name__}.")
    if not isinstance(main, str) or main not in controls:
        raise ValueError(f"main must be the name of one of the controls "
                         f"({', '.join(controls) or 'none given'}); got {main!r:.40}.")
