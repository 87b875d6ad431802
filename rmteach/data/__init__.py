"""Layer 2, synthetic preference data with a known true reward r*.

* :mod:`.language` – the synthetic language and its hidden true reward r*(x, y);
* :mod:`.items` – :class:`PreferencePair`, :class:`RankedList`, :class:`PreferenceData`
  and the split by prompt;
* :mod:`.generate` – prompts, responses, annotators and the ready-made data sets;
* :mod:`.formats`, :mod:`.jsonl` – every TRL preference layout, as JSON Lines;
* :mod:`.degenerate` – pairs whose two sides the model cannot tell apart;
* :mod:`._io` – files that never half-load, and writes that never lose the old file.

``rmteach.data`` re-exports the generator's names (``rmteach.data.make_preference_data``).
"""

from .generate import *  # noqa: F403  (the generator's __all__ is this package's face)
from .generate import __all__  # noqa: F401  (re-exported: the same names)
