"""Probe every public function of ``rmteach`` with careless arguments.

    python tools/probe_api.py [--all] [--times] [MODULE ...]   (default: every public module)

Every public module (not only those with ``__all__``: every module whose name has no part
starting with ``_``), every public function or class defined there.  Each required
positional argument in turn gets each of a few bad values (None, a string, -1, 1.5, NaN,
inf, [], a set, 10**30; with ``--all`` also {}, bytes and an object, which have so far never
found anything the set did not) while the others get a plausible good value (required
keyword-only arguments too); then each keyword argument with a default gets a shorter
list of bad values (a number as a string, NaN, 10**11, 10**400).  A path argument (its name
says path, file, out or save) also gets special files: a FIFO, a character device (a
copy of /dev/null, when the probe may create one), a symbolic link to /proc/self/fd/1 and
a 300-byte name.  Every call runs under a time limit (``TIMEOUT_S``) and a memory limit
(``MEMORY_BYTES`` more than the process already holds): a hang or an allocation bomb is a
failure like any exception other than ``ValueError``, and so is a ``ValueError`` whose
text is a library's (``_LIBRARY_TEXT``: "cannot reshape array", "math domain error", ...).
Functions that train a model or take long are skipped.  ``--times`` prints the CPU time of
the slowest functions.  Exit code 1 when anything escaped.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import os
import pkgutil
import re
import resource
import signal
import stat
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

import numpy as np

# functions that train a model or take long (reward_config imports TRL: several seconds;
# tests/test_trl_bridge.py checks it)
SKIP = {"reward_config", "train", "grouping_comparison", "data_mix_experiment", "make_pair_data",
        "run_diagnosis", "main", "build_parser", "run_best_of_n", "run_ensemble", "train_policy",
        "build", "build_lab", "policy_curves", "cached_runs", "cached_policy_runs",
        "calibration_setup", "frozen_head_table", "seed_table", "diagnose_runs",
        "build_backbone", "curve", "run_rating_seed", "one_list_arm", "run_dpo_seed",
        "grouping_doc", "data_mix_doc",
        # constructed only by rmteach.exercises' own modules, with keyword-only texts
        "Exercise"}
#: modules not probed: the course lab drives nbgrader (its own probe is tests/test_lab.py)
SKIP_MODULES = ("rmteach.course.lab",)
BAD = [None, "x", -1, 1.5, float("nan"), float("inf"), [], {1}, 10**30]
#: what ``--all`` adds for required arguments
BAD_MORE = [{}, b"x", object()]
#: what keyword arguments get (fewer: every keyword of every function is varied)
BAD_KEYWORD = ["5", float("nan"), 10**11, 10**400]
GOOD = {"prompt": "explain rain", "response": "sunny", "text": "a b", "n": 3,
        "rewards": [1.0, 2.0], "ranking": "A > B"}
PATH_WORDS = ("path", "file", "out", "save")
TIMEOUT_S = 10.0
MEMORY_BYTES = 2 * 2**30
#: texts of NumPy, Python, LAPACK or torch that must not reach the user as the message of a
#: ValueError (they name no argument): a ValueError whose text matches is an escape too
_LIBRARY_TEXT = re.compile(
    r"cannot reshape array|invalid literal for|math domain error|Maximum allowed size|"
    r"could not convert string to float|operands could not be broadcast|setting an array "
    r"element with a sequence|too many values to unpack|not enough values to unpack|"
    r"zero-size array to reduction|The truth value of an array|inhomogeneous shape|"
    r"Expected \d+ arguments|shape mismatch|only integer scalar arrays|"
    r"array must not contain infs or NaNs|is not in list|Out of bounds nanosecond|"
    r"negative dimensions are not allowed|must be real number, not|Unknown format code|"
    r"object is not iterable|has no attribute|object is not subscriptable|"
    r"unsupported operand type|int too large to convert|cannot fit 'int' into")


class Hang(Exception):
    """A call ran past TIMEOUT_S."""


def _modules(names):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import rmteach

    if names:
        return [importlib.import_module(n) for n in names]
    out = []
    for info in pkgutil.walk_packages(rmteach.__path__, "rmteach."):
        if info.name.endswith("__main__") or info.name in SKIP_MODULES or any(
                part.startswith("_") for part in info.name.split(".")):
            continue            # private helpers (rmteach.data._io, widgets._base, ...)
        out.append(importlib.import_module(info.name))
    return out


def _public(mod):
    """(name, object) for every public callable the module defines or lists in __all__."""
    names = set(getattr(mod, "__all__", ()))
    names |= {n for n, obj in vars(mod).items() if not n.startswith("_") and callable(obj)
              and getattr(obj, "__module__", None) == mod.__name__}
    return [(n, getattr(mod, n, None)) for n in sorted(names)]


def _built_by_a_builder(modules) -> set[int]:
    """ids of the public classes that a public function of the same module builds and
    returns (``def scale_explorer(...) -> ScaleExplorer``): without ``--all`` such a class
    is probed through its builder only, which passes its arguments on (a widget class
    renders its figure on every accepted call: the probe's main cost)."""
    out = set()
    for mod in modules:
        for _, fn in _public(mod):
            ret = getattr(fn, "__annotations__", {}).get("return") if inspect.isfunction(
                fn) else None
            cls = vars(mod).get(ret) if isinstance(ret, str) else ret
            if inspect.isclass(cls):
                out.add(id(cls))
    return out


def _special_files(folder: str) -> list[str]:
    """A FIFO, a character device (as root), a link to /proc/self/fd/1, a 300-byte name."""
    out = []
    fifo = os.path.join(folder, "fifo.jsonl")
    os.mkfifo(fifo)
    out.append(fifo)
    dev = os.path.join(folder, "null.jsonl")
    with contextlib.suppress(OSError):          # only root may make a device
        os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        out.append(dev)
    link = os.path.join(folder, "stdout.jsonl")
    os.symlink("/proc/self/fd/1", link)
    out.append(link)
    out.append(os.path.join(folder, "n" * 300 + ".jsonl"))
    return out


@contextlib.contextmanager
def _limits():
    """SIGALRM after TIMEOUT_S and an address-space limit MEMORY_BYTES above today's."""
    def ring(signum, frame):
        raise Hang(f"still running after {TIMEOUT_S:g} s")

    with open("/proc/self/statm") as f:
        in_use = int(f.read().split()[0]) * resource.getpagesize()
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = in_use + MEMORY_BYTES
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    old = signal.signal(signal.SIGALRM, ring)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    signal.setitimer(signal.ITIMER_REAL, TIMEOUT_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        signal.signal(signal.SIGALRM, old)


def main(argv: list[str]) -> int:
    """Probe in a temporary folder, so that a string argument taken as a path writes there."""
    import tempfile

    flags = {a for a in argv if a.startswith("--")}
    unknown = flags - {"--all", "--times"}
    if unknown:
        print(f"error: unknown option {sorted(unknown)[0]}; expected --all or --times")
        return 2
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        try:
            return _probe([a for a in argv if a not in flags], _special_files(folder),
                          exhaustive="--all" in flags, times="--times" in flags)
        finally:
            os.chdir(here)


def _calls(fn, specials, bad_required):
    """(what, args, kwargs) for every bad call of ``fn``."""
    sig = inspect.signature(fn)
    params = [p for p in sig.parameters.values() if p.default is inspect._empty
              and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required_kw = {p.name: GOOD.get(p.name, [1.0, 2.0]) for p in sig.parameters.values()
                   if p.default is inspect._empty and p.kind == p.KEYWORD_ONLY}
    good = [GOOD.get(p.name, [1.0, 2.0]) for p in params]
    for k, param in enumerate(params):
        bad_values = bad_required + (specials if any(w in param.name for w in PATH_WORDS)
                                     else [])
        for bad in bad_values:
            yield (param.name, bad, [bad if i == k else g for i, g in enumerate(good)],
                   dict(required_kw))
    keywords = [p for p in sig.parameters.values()
                if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
                and (p.default is not inspect._empty or p.name in required_kw)]
    for param in keywords:
        bad_values = BAD_KEYWORD + (specials if any(w in param.name for w in PATH_WORDS)
                                    else [])
        for bad in bad_values:
            yield param.name, bad, list(good), {**required_kw, param.name: bad}


def _probe(argv: list[str], specials: list[str], exhaustive: bool = False,
           times: bool = False) -> int:
    warnings.simplefilter("ignore")
    bad_required = BAD + (BAD_MORE if exhaustive else [])
    escaped: Counter = Counter()
    cpu: Counter = Counter()
    seen: set = set()             # ids of the functions probed (or left to their builder)
    tried = 0
    modules = _modules(argv)
    if not exhaustive:
        seen |= _built_by_a_builder(modules)
    for mod in modules:
        for name, fn in _public(mod):
            if not callable(fn) or name in SKIP or id(fn) in seen or (
                    inspect.isclass(fn) and issubclass(fn, BaseException)):
                continue
            seen.add(id(fn))
            try:
                calls = list(_calls(fn, specials, bad_required))
            except (TypeError, ValueError):
                continue
            where = f"{mod.__name__}.{name}"
            started = time.process_time()
            for pname, bad, args, kwargs in calls:
                tried += 1
                try:
                    with _limits():
                        fn(*args, **kwargs)
                except ValueError as exc:
                    if _LIBRARY_TEXT.search(str(exc)):
                        escaped[where] += 1
                        print(f"{where}({pname}={bad!r:.20}): a library's text passed on: "
                              f"{' '.join(str(exc).split())[:100]}")
                except Exception as exc:  # the point: anything but ValueError
                    if type(exc).__name__ in ("Wrong", "NotYet"):
                        continue          # an exercise checker's feedback, by design
                    escaped[where] += 1
                    print(f"{where}({pname}={bad!r:.20}): "
                          f"{type(exc).__name__}: {' '.join(str(exc).split())[:100]}")
            cpu[where] += time.process_time() - started
    print(f"\n{tried} bad calls to {len(cpu)} public functions; {sum(escaped.values())} "
          f"escaped as something other than ValueError or with a library's text, in "
          f"{len(escaped)} functions")
    for name, count in escaped.most_common():
        print(f"  {count:4d}  {name}")
    if times:
        print(f"CPU time of the calls: {sum(cpu.values()):.1f} s; the slowest functions:")
        for name, sec in cpu.most_common(15):
            print(f"  {sec:6.2f} s  {name}")
    return 1 if escaped else 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main(sys.argv[1:]))
