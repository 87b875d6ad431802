"""Drive every interactive widget with extreme values, as a careless learner would.

    python tools/probe_widgets.py

Builds each widget of ``rmteach.widgets`` that needs no trained model, then sets every
number control to −1e20, ±1e308, NaN, ±inf, 0, −5 and 1e6 and every text box to odd
rankings, one at a time.  The promise: a result, or a friendly message in the widget
that names the control's label (never "something unexpected went wrong", never a
traceback), and the widget keeps working.  Prints each message and a count; exit code 1
when a widget failed.  Takes about a minute (every change re-renders a figure).
"""

from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path

NUMBERS = [-1e20, 1e308, -1e308, float("nan"), float("inf"), -float("inf"), 0, -5, 1e6]
TEXTS = ["", "A, B", "A > B = C", "x" * 5000, "\ud800", "A > > B", "C ＞ A", "A < B"]


def _builders():
    import numpy as np

    from rmteach import widgets as w

    out = {name: getattr(w, name) for name in (
        "bradley_terry_explorer", "pairwise_loss_explorer", "empirical_loss_explorer",
        "sampling_weight_explorer", "listwise_explorer", "list_length_explorer",
        "literal_trap_explorer", "loss_diagnosis_explorer", "gradient_stepper",
        "scale_explorer", "tiered_ranking_explorer", "offset_explorer", "margin_explorer",
        "best_of_n_explorer", "kl_penalty_explorer", "dpo_target_explorer",
        "ensemble_explorer")
        if hasattr(w, name)}
    if hasattr(w, "reliability_explorer"):
        out["reliability_explorer"] = lambda: w.reliability_explorer(
            np.array([0.5, -1.0, 2.0, 0.3]), np.array([1.0, -0.5, 0.2]))
    return out


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    warnings.simplefilter("ignore")
    import ipywidgets as ipw

    failures = tried = 0
    for name, build in _builders().items():
        widget = build()
        for control_name, control in widget.controls.items():
            if isinstance(control, ipw.Text):
                values = TEXTS
            elif isinstance(control.value, (int, float)) and not isinstance(control.value, bool):
                values = NUMBERS
            else:
                continue
            for value in values:
                old = control.value
                try:
                    control.value = value
                except Exception:  # the control itself refuses it (a trait check): fine
                    continue
                tried += 1
                message = re.sub("<[^>]+>", "", widget.message.value)
                error = widget.last_error
                if (error is not None and not isinstance(error, ValueError)) or \
                        "unexpected" in message:
                    failures += 1
                    print(f"FAIL {name}.{control_name} = {value!r:.20}: {message[:200]}")
                elif message:
                    print(f"ok   {name}.{control_name} = {value!r:.20}: {message[:120]}")
                control.value = old
    print(f"\n{tried} extreme values tried on {len(_builders())} widgets; {failures} failed.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
