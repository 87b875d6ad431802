"""Probe every public function of ``rmteach`` with careless arguments.

    python tools/probe_api.py [MODULE ...]       (default: every module with __all__)

For each function in a module's ``__all__`` (classes too), each required positional
argument in turn gets each of a few bad values (None, a string, -1, 1.5, NaN, inf, [],
{}, a set, bytes, an object, 10**30) while the others get a plausible good value.  A
``ValueError`` is the promised answer; anything else (TypeError, AttributeError,
IndexError, ...) is printed, and the run ends with a count per function.  Functions that
train a model or take long are skipped.  Exit code 1 when anything escaped.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
import warnings
from collections import Counter
from pathlib import Path

import numpy as np

SKIP = {"train", "grouping_comparison", "data_mix_experiment", "make_pair_data",
        "run_diagnosis", "main", "build_parser", "fit_davidson"}
BAD = [None, "x", -1, 1.5, float("nan"), float("inf"), [], {}, {1}, b"x", object(), 10**30]
GOOD = {"prompt": "explain rain", "response": "sunny", "text": "a b", "n": 3,
        "rewards": [1.0, 2.0], "ranking": "A > B"}


def _modules(names):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import rmteach

    if names:
        return [importlib.import_module(n) for n in names]
    out = []
    for info in pkgutil.walk_packages(rmteach.__path__, "rmteach."):
        if info.name.endswith("__main__") or ".quizbank" in info.name or any(
                part.startswith("_") for part in info.name.split(".")):
            continue            # private helpers (rmteach.data._io, widgets._base, ...)
        mod = importlib.import_module(info.name)
        if hasattr(mod, "__all__"):
            out.append(mod)
    return out


def main(argv: list[str]) -> int:
    """Probe in a temporary folder, so that a string argument taken as a path writes there."""
    import os
    import tempfile

    here = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        try:
            return _probe(argv)
        finally:
            os.chdir(here)


def _probe(argv: list[str]) -> int:
    warnings.simplefilter("ignore")
    escaped: Counter = Counter()
    seen: set = set()
    tried = 0
    for mod in _modules(argv):
        for name in getattr(mod, "__all__", ()):
            fn = getattr(mod, name, None)
            if not callable(fn) or name in SKIP or id(fn) in seen or (
                    inspect.isclass(fn) and issubclass(fn, BaseException)):
                continue
            seen.add(id(fn))
            try:
                sig = inspect.signature(fn)
            except (TypeError, ValueError):
                continue
            params = [p for p in sig.parameters.values() if p.default is inspect._empty
                      and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            for k, param in enumerate(params):
                for bad in BAD:
                    args = [bad if i == k else GOOD.get(p.name, [1.0, 2.0])
                            for i, p in enumerate(params)]
                    tried += 1
                    try:
                        fn(*args)
                    except ValueError:
                        pass
                    except Exception as exc:  # the point: anything but ValueError
                        if type(exc).__name__ in ("Wrong", "NotYet"):
                            continue          # an exercise checker's feedback, by design
                        escaped[f"{mod.__name__}.{name}"] += 1
                        print(f"{mod.__name__}.{name}({param.name}={bad!r:.20}): "
                              f"{type(exc).__name__}: {' '.join(str(exc).split())[:100]}")
    print(f"\n{tried} bad calls to {len(seen)} public functions; {sum(escaped.values())} "
          f"escaped as something other than ValueError, in {len(escaped)} functions")
    for name, count in escaped.most_common():
        print(f"  {count:4d}  {name}")
    return 1 if escaped else 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main(sys.argv[1:]))
