"""Timing helpers and the machine description that heads every results file.

Every figure is a median over repeated samples, after a warm-up, measured with
``time.perf_counter``.  Fast calls are batched (``inner`` calls per sample, so one
sample lasts at least about a millisecond and the clock's resolution does not
matter).  Variants that are compared with each other are measured *interleaved*:
each round takes one sample of every variant, so a slow drift of the machine
(another process, thermal state) hits all of them alike.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Timing:
    """Per-call seconds of one measured variant."""

    median_s: float
    p95_s: float
    min_s: float
    samples: int           # how many samples the median is taken over
    calls_per_sample: int  # how many calls each sample times (batched for fast calls)

    def as_dict(self) -> dict:
        return asdict(self)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation, like ``numpy.percentile``."""
    xs = sorted(values)
    if not xs:
        raise ValueError("percentile of no values")
    pos = (len(xs) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def summarize(samples: list[float], calls_per_sample: int = 1) -> Timing:
    return Timing(median_s=statistics.median(samples), p95_s=percentile(samples, 95),
                  min_s=min(samples), samples=len(samples), calls_per_sample=calls_per_sample)


def _noop() -> None:
    return None


def measure_interleaved(fns: dict[str, Callable[[], object]], *, warmup: int = 2,
                        min_rounds: int = 3, max_rounds: int = 50, budget_s: float = 2.0,
                        sample_s: float = 5e-5, round_s: float = 0.003,
                        sync: Callable[[], None] = _noop) -> dict[str, Timing]:
    """Median per-call time of each function, measured side by side.

    Each function is warmed up ``warmup`` times, then calibrated: a sample times
    ``inner`` back-to-back calls, enough to last ``sample_s`` (1 for anything slower
    than 50 µs, so a sample is one call and a rare stall of the machine lands in the
    tail, not in every sample).  Each round takes, for every function in turn, as
    many samples as fit in ``round_s`` (at least one).  Rounds follow until
    ``max_rounds``, or until ``budget_s`` has passed and at least ``min_rounds`` were
    taken.  ``sync`` is called before each clock reading (``torch.cuda.synchronize``
    on a GPU).
    """
    inner: dict[str, int] = {}
    per_round: dict[str, int] = {}
    for name, fn in fns.items():
        for _ in range(warmup):
            fn()
        sync()
        t0 = time.perf_counter()
        fn()
        sync()
        one = max(time.perf_counter() - t0, 1e-7)
        inner[name] = max(1, min(10_000, int(sample_s / one)))
        per_round[name] = max(1, min(1000, int(round_s / (one * inner[name]))))
    samples: dict[str, list[float]] = {name: [] for name in fns}
    start = time.perf_counter()
    rounds = 0
    while rounds < max_rounds and (rounds < min_rounds or time.perf_counter() - start < budget_s):
        for name, fn in fns.items():
            k = inner[name]
            for _ in range(per_round[name]):
                sync()
                t0 = time.perf_counter()
                for _ in range(k):
                    fn()
                sync()
                samples[name].append((time.perf_counter() - t0) / k)
        rounds += 1
    return {name: summarize(samples[name], inner[name]) for name in fns}


class CpuMeter:
    """How busy the machine was with *other* work while a part ran.

    Reads the machine's busy CPU time (``/proc/stat``) and this process's own CPU
    time plus that of its finished children (``os.times``) before and after; the
    difference is what other processes used, in cores (0 = the benchmark had the
    machine to itself, 1 = another process kept one core busy throughout).
    Approximate: a kernel process still running is counted as "other".
    """

    def __init__(self):
        self._start = self._read()

    @staticmethod
    def _read():
        try:
            with open("/proc/stat") as fh:
                fields = [int(x) for x in fh.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        hz = os.sysconf("SC_CLK_TCK")
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)    # idle + iowait
        busy = (sum(fields[:8]) - idle) / hz                          # user..steal
        t = os.times()
        own = t.user + t.system + t.children_user + t.children_system
        return busy, own, time.perf_counter()

    def other_cores(self) -> float | None:
        end = self._read()
        if self._start is None or end is None:
            return None
        busy = end[0] - self._start[0]
        own = end[1] - self._start[1]
        wall = end[2] - self._start[2]
        if wall <= 0:
            return None
        return round(max(0.0, (busy - own) / wall), 2)


def wait_until_idle(max_wait_s: float, *, threshold_cores: float = 0.2,
                    log=lambda msg: None) -> float | None:
    """Wait (at most ``max_wait_s``) until other processes use under ``threshold_cores``.

    Returns the last measured other-process load in cores.
    """
    deadline = time.perf_counter() + max_wait_s
    while True:
        meter = CpuMeter()
        time.sleep(1.0)
        load = meter.other_cores()
        if load is None or load < threshold_cores or time.perf_counter() >= deadline:
            return load
        log(f"other processes are using {load:.2f} cores; waiting for a quieter moment")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def load_average() -> list[float] | None:
    """1-, 5- and 15-minute load averages: other work on the machine shows up here."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def machine_info(device: str) -> dict:
    """What the header of the results says about where they were measured."""
    import numpy as np

    info = {
        "date_utc": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "torch": None,
        "torch_threads": None,
        "device": device,
        "device_name": "CPU",
        "git_commit": _git_commit(),
        "load_average_at_start": load_average(),
    }
    try:
        import torch
    except ImportError:
        return info
    info["torch"] = torch.__version__
    info["torch_threads"] = torch.get_num_threads()   # left at torch's default, only recorded
    if device.startswith("cuda") and torch.cuda.is_available():
        info["device_name"] = torch.cuda.get_device_name(torch.device(device))
    return info
