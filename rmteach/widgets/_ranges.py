"""Widget builders refuse an argument outside its control's range, in the control's words."""

from __future__ import annotations

import functools
import inspect

from ..math._checks import check_real
from ._base import _plain


def _control_range(control):
    """(lo, hi) of a numeric slider, or of a selection slider's numeric options; else None."""
    options = getattr(control, "options", None)
    if options:
        values = [v[1] if isinstance(v, tuple) else v for v in options]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            return min(values), max(values)
        return None
    lo, hi = getattr(control, "min", None), getattr(control, "max", None)
    return (lo, hi) if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) else None


def refuses_out_of_range(builder):
    """Decorate a widget builder (or a widget class's ``__init__``): an argument that sets a
    control (same name) and lies outside that control's range raises ``ValueError`` in the
    control's own words, instead of being clamped by the slider without a word."""
    sig = inspect.signature(builder)

    @functools.wraps(builder)
    def build(*args, **kwargs):
        try:
            bound = sig.bind(*args, **kwargs)
        except TypeError as exc:
            raise ValueError(f"{builder.__name__}(): {exc}.") from None
        arguments = {k: v for k, v in bound.arguments.items() if k != "self"}
        for name, value in arguments.items():   # NaN, 10**400, "5": refused before building
            default = sig.parameters[name].default
            numeric = isinstance(default, (int, float)) and not isinstance(default, bool)
            if numeric or (isinstance(value, (int, float)) and not isinstance(value, bool)):
                check_real(value, name, allow_inf=True)
        widget = builder(*args, **kwargs)
        if widget is None:                  # a widget class's __init__: the widget is self
            widget = args[0]
        controls = getattr(widget, "controls", {})
        for name, value in arguments.items():
            span = _control_range(controls[name]) if name in controls else None
            if span is None or isinstance(value, (bool, str)) or value is None:
                continue
            value = check_real(value, name, allow_inf=True)
            if not span[0] <= value <= span[1]:
                label = _plain(widget.control_labels.get(name, name))
                raise ValueError(f"{name}={value:g} is outside the “{label}” control's range, "
                                 f"{span[0]:g} to {span[1]:g}; pass a value in that range.")
        return widget
    return build
