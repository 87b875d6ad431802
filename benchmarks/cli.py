"""``python -m benchmarks [--quick] [--device cuda]``: run every part, write the results."""

from __future__ import annotations

import argparse
import re
import sys
import time
import traceback
from pathlib import Path

from . import loss_kernels, notebooks, report, targets, training, widgets
from .config import make_config
from .timing import ROOT, CpuMeter, load_average, machine_info, wait_until_idle

RESULTS = Path(__file__).resolve().parent / "results"
PARTS = ("loss", "training", "time-to-accuracy", "notebooks", "widgets")


def _log(msg: str) -> None:
    print(f"[benchmarks {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _resolve_device(name: str) -> str:
    if name == "cpu":
        return "cpu"
    try:
        import torch
    except ImportError:
        raise SystemExit("--device cuda needs torch") from None
    if not torch.cuda.is_available():
        raise SystemExit(f"--device {name}: no CUDA device is available here")
    return name


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure rmteach side by side: loss kernels, training cost, time to "
                    "accuracy, notebook suite and widget latency. Writes results JSON, a "
                    "markdown table and plots.")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true",
                      help="under a minute: same kernel sizes, fewer samples, shorter training, "
                           "one notebook, 20 widget updates (results go to results/tmp/)")
    size.add_argument("--tiny", action="store_true",
                      help="smoke test only (tiny sizes; used by tests/test_benchmarks.py)")
    p.add_argument("--device", default="cpu",
                   help="cpu (default) or cuda / cuda:N: the torch device for the loss kernels "
                        "and training; the results file is named after the device")
    p.add_argument("--parts", default=",".join(PARTS),
                   help=f"comma-separated subset of {', '.join(PARTS)} (default: all)")
    p.add_argument("--out", type=Path, default=None,
                   help="output folder (default: benchmarks/results/, or results/tmp/ for "
                        "--quick and --tiny)")
    p.add_argument("--wait-idle", type=float, default=0.0, metavar="SECONDS",
                   help="before each part, wait up to SECONDS until other processes use less "
                        "than 0.2 cores (a shared machine makes timings noisy; default 0)")
    p.add_argument("--notebooks-dir", type=Path, default=None,
                   help="folder of notebooks to time (default: notebooks/)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    mode = "quick" if args.quick else "tiny" if args.tiny else "full"
    cfg = make_config(mode)
    parts = [s.strip() for s in args.parts.split(",") if s.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        raise SystemExit(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    device = _resolve_device(args.device)
    out = args.out or (RESULTS if mode == "full" else RESULTS / "tmp")

    import matplotlib

    matplotlib.use("Agg")
    machine = machine_info(device)
    command = "python -m benchmarks" + "".join(f" {a}" for a in (argv if argv is not None
                                                                  else sys.argv[1:]))
    results: dict = {"mode": mode, "command": command, "machine": machine,
                     "config": cfg.as_dict(), "parts": parts}
    start = time.perf_counter()
    steps = [
        ("loss", "loss_kernels", "1. loss kernels", lambda: loss_kernels.run(cfg, device)),
        ("training", "training", "2. training cost", lambda: training.run_cost(cfg, device)),
        ("time-to-accuracy", "time_to_accuracy", "3. time to accuracy",
         lambda: training.run_time_to_accuracy(cfg, device)),
        ("widgets", "widgets", "5. widget latency", lambda: widgets.run(cfg)),
        ("notebooks", "notebooks", "4. notebook suite",
         lambda: notebooks.run(cfg, args.notebooks_dir)),
    ]
    results["other_load_cores"] = {}
    failed: list[str] = []
    if args.wait_idle > 0:
        # also before each list size and each widget: the idle moments are short
        cfg.extra["before_measure"] = lambda: wait_until_idle(min(args.wait_idle, 30.0),
                                                              log=_log)
    for part, key, title, fn in steps:
        if part not in parts:
            continue
        if args.wait_idle > 0:
            wait_until_idle(args.wait_idle, log=_log)
        _log(title)
        meter = CpuMeter()
        try:
            results[key] = fn()
        except Exception as exc:  # one broken part must not lose the others' figures
            traceback.print_exc()
            failed.append(part)
            results[key] = {"skipped": f"the benchmark of this part failed: "
                                       f"{type(exc).__name__}: {exc}".splitlines()[0]}
        results["other_load_cores"][key] = meter.other_cores()
    results["total_seconds"] = time.perf_counter() - start
    results["machine"]["load_average_at_end"] = load_average()
    results["failed_parts"] = failed
    results["targets"] = targets.evaluate(results)

    stem = "results"
    if device != "cpu":
        stem += f"-{_slug(device.split(':')[0])}-{_slug(machine['device_name'])}"
    if mode != "full":
        stem += f"-{mode}"
    paths = report.write(results, out, stem)
    for t in results["targets"]:
        _log(f"{t['status']:>12}: {t['target']}: {t['measured']}")
    if failed:
        _log(f"FAILED part(s): {', '.join(failed)} (see the tracebacks above)")
    _log(f"done in {results['total_seconds']:.0f} s; wrote "
         + ", ".join(str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p)
                     for p in paths))
    return 1 if failed else 0
