"""Write one run's results: JSON, a markdown report, and the plots."""

from __future__ import annotations

import json
import math
from pathlib import Path

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000"]


def _ms(s) -> str:
    if s is None:
        return "—"
    ms = s * 1e3
    return f"{ms:.3g}" if ms < 100 else f"{ms:.0f}"


def _x(v) -> str:
    if v is None:
        return "—"
    return f"{v:.0f}×" if v >= 100 else f"{v:.2f}×" if v < 10 else f"{v:.1f}×"


def _f(v, digits=4) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


def header_lines(results: dict) -> list[str]:
    m = results["machine"]
    return [
        "| machine (CPU) | cores | torch | torch threads | NumPy | Python | device | date | "
        "commit | mode |",
        "|---|---|---|---|---|---|---|---|---|---|",
        f"| {m['cpu']} | {m['cores']} | {m['torch']} | {m['torch_threads']} | {m['numpy']} | "
        f"{m['python']} | {m['device']} ({m['device_name']}) | {m['date_utc']} | "
        f"{m['git_commit']} | {results['mode']} |",
        "",
        f"Load average (1, 5, 15 min) at the start: {m.get('load_average_at_start')}, at the "
        f"end: {m.get('load_average_at_end')} (at the start, before the benchmark ran, it "
        f"is other work sharing the {m['cores']} cores; at the end it includes the benchmark).",
    ]


def _skipped(section: dict | None) -> str | None:
    if section is None:
        return "not run (not selected with --parts)"
    if "skipped" in section:
        return f"not measured: {section['skipped']}"
    return None


def _loss_md(sec: dict) -> list[str]:
    lines = [f"B × N = {sec['batch']} × {{{', '.join(map(str, sec['ns']))}}}; NumPy "
             f"{sec['dtypes']['numpy']}, torch {sec['dtypes']['torch']}. {sec['timing']}. "
             f"(a) loop: {sec['loop_input']}. (b) exploded: {sec['exploded']}. "
             "'+ranking': a per-row ranking is passed (gathered and validated by the kernel); "
             "'fwd+bwd': loss and its gradient. 'floor': the bare arithmetic of Eq. 4.57 the "
             "way the library computes it (precomputed pair positions, one gather per side, "
             "log-sigmoid, mean; no validation, no dispatch), so 'floor × vs loop' bounds what "
             "this formulation can reach; a different formulation (e.g. all gaps as one matrix "
             "product with a ±1 difference matrix) is not bounded by it. 'other load': cores "
             "used by other processes while that list size was measured (0 = the machine was "
             "ours; above ~0.3 the ratios are unreliable: torch's two threads and the long "
             "loop calls suffer most). Times in ms per call.", ""]
    for loss in ("listwise", "plackett-luce"):
        lines += [f"**{loss}**", "",
                  "| backend | N | vectorised | (a) loop | (b) exploded | × vs loop | "
                  "× vs exploded | floor | floor × vs loop | other load |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for r in sec["rows"]:
            if r["loss"] != loss:
                continue
            gb = f" ({r['gb_per_s']:.2f} GB/s)" if "gb_per_s" in r else ""
            lines.append(f"| {r['backend']} | {r['n']} | {_ms(r['vectorised_s'])}{gb} | "
                         f"{_ms(r['loop_s'])} | {_ms(r['exploded_s'])} | "
                         f"{_x(r['speedup_vs_loop'])} | {_x(r['speedup_vs_exploded'])} | "
                         f"{_ms(r.get('floor_s'))} | {_x(r.get('floor_speedup_vs_loop'))} | "
                         f"{_f(r.get('other_load_cores'), 2)} |")
        lines.append("")
    lines += ["Plackett–Luce against (b): a different objective on the same lists; only the "
              "cost is compared.", ""]
    cuda = sec.get("cuda", {})
    if "skipped" in cuda:
        lines += [f"CUDA: skipped: {cuda['skipped']}.", ""]
    else:
        lines += [f"CUDA: {cuda.get('device_name')}, measured copy bandwidth "
                  f"{cuda.get('copy_bandwidth_gb_per_s', 0):.0f} GB/s"
                  + (f" (theoretical {cuda['theoretical_bandwidth_gb_per_s']:.0f} GB/s)"
                     if "theoretical_bandwidth_gb_per_s" in cuda else "")
                  + "; the GB/s in the table count the (B, N) float32 scores read once.", ""]
    return lines


def _training_md(sec: dict) -> list[str]:
    lines = [sec.get("method", ""), "",
             "| N | mode | forward passes / epoch | s / epoch | peak memory (MiB) | "
             "held-out accuracy | held-out log-loss | train accuracy | train − held-out |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in sec["runs"]:
        gap = (None if r.get("train_accuracy") is None or r["heldout_accuracy"] is None
               else r["train_accuracy"] - r["heldout_accuracy"])
        peak = "—" if r["peak_mib"] is None else f"{r['peak_mib']:.1f}"
        lines.append(f"| {r['n']} | {r['mode']} | {r['forward_per_epoch']} | "
                     f"{r['epoch_s']:.2f} | {peak} | {_f(r['heldout_accuracy'])} | "
                     f"{_f(r['heldout_logloss'])} | {_f(r.get('train_accuracy'))} | "
                     f"{_f(gap)} |")
    lines += ["", "| N | baseline | forward passes: baseline / grouped | time per epoch: "
                  "baseline / grouped |", "|---|---|---|---|"]
    for c in sec.get("comparisons", []):
        lines.append(f"| {c['n']} | {c['baseline']} | {_x(c['forward_pass_ratio'])} | "
                     f"{_x(c['epoch_speedup'])} |")
    lines.append("")
    return lines


def _tta_md(sec: dict) -> list[str]:
    lines = [sec.get("method", ""), "",
             "| loss | seconds to target | epoch | forward passes | best held-out accuracy | "
             "epochs run |", "|---|---|---|---|---|---|"]
    for loss, r in sec["losses"].items():
        s = "not reached" if r["seconds_to_target"] is None else f"{r['seconds_to_target']:.1f}"
        lines.append(f"| {loss} | {s} | {r.get('epoch_reached') or '—'} | "
                     f"{r.get('forward_to_target') or '—'} | {_f(r['best_accuracy'])} | "
                     f"{r['epochs_run']} |")
    lines.append("")
    return lines


def _notebooks_md(sec: dict) -> list[str]:
    lines = [f"{sec['kernel_path']}; {sec['selection']}.", "",
             "| notebook | wall s (kernel start to shutdown) | cells s | code cells | error |",
             "|---|---|---|---|---|"]
    for r in sec["notebooks"]:
        lines.append(f"| {r['notebook']} | {r['wall_s']:.1f} | {r['cells_s']:.1f} | "
                     f"{r['code_cells']} | {r['error'] or ''} |")
    lines += [f"| **total** | **{sec['total_wall_s']:.1f}** | {sec['total_cells_s']:.1f} | | |",
              ""]
    return lines


def _widgets_md(sec: dict) -> list[str]:
    lines = [sec["method"] + ".", "",
             "| widget | control | updates | live median ms | live p95 ms | first visit / "
             "revisit median ms | naive median ms | naive p95 ms | speed-up | other load |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, r in sec["widgets"].items():
        if "live_median_s" not in r:
            lines.append(f"| {name} | {r.get('error') or r.get('skipped')} | | | | | | | | |")
            continue
        lines.append(f"| {name} | {r['control']} ({r['control_type']}) | {r['updates']} | "
                     f"{_ms(r['live_median_s'])} | {_ms(r['live_p95_s'])} | "
                     f"{_ms(r['live_first_visit_median_s'])} / "
                     f"{_ms(r['live_revisit_median_s'])} | {_ms(r['naive_median_s'])} | "
                     f"{_ms(r['naive_p95_s'])} | {_x(r['speedup'])} | "
                     f"{_f(r.get('other_load_cores'), 2)} |")
    lines += ["", "Live: the widget's whole update (its math, readout and the PNG of its "
              "LiveFigure). Naive: only rebuilding and drawing the same figure (its math is not "
              "timed). A widget that retrains a model on a new value is slow on a first visit "
              "and fast on a revisit (cached).", ""]
    return lines


SECTIONS = [
    ("loss_kernels", "1. Loss kernels", _loss_md),
    ("training", "2. Training cost: grouped listwise vs pair-exploded", _training_md),
    ("time_to_accuracy", "3. Time to 0.90 held-out accuracy", _tta_md),
    ("notebooks", "4. Notebook suite", _notebooks_md),
    ("widgets", "5. Widget latency (kernel side)", _widgets_md),
]


def markdown(results: dict, plots: list[str]) -> str:
    lines = ["# rmteach benchmarks", "",
             f"`{results['command']}` — total {results['total_seconds']:.0f} s.", ""]
    lines += [*header_lines(results), ""]
    lines += ["## Targets", "", "| target | measured | status |", "|---|---|---|"]
    for t in results["targets"]:
        note = f" ({t['note']})" if t["note"] else ""
        lines.append(f"| {t['target']} | {t['measured']}{note} | {t['status']} |")
    lines.append("")
    for key, title, fn in SECTIONS:
        lines += [f"## {title}", ""]
        sec = results.get(key)
        why = _skipped(sec)
        if why:
            lines += [why, ""]
            continue
        lines += fn(sec)
        other = results.get("other_load_cores", {}).get(key)
        if other is not None:
            extra = (" This counts the notebook kernels too: they are separate processes."
                     if key == "notebooks" else "")
            lines += [f"Other processes used about {other:.2f} cores of the machine while this "
                      f"part ran (0 = it had the machine to itself).{extra}", ""]
        for p in plots:
            if p.startswith(key.split("_")[0]) and key != "time_to_accuracy":
                lines += [f"![{title}]({p})", ""]
    return "\n".join(lines).rstrip() + "\n"


def plot_loss(sec: dict, path: Path) -> bool:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, LogLocator

    rows = sec.get("rows", [])
    if not rows:
        return False
    fig = Figure(figsize=(9, 3.6), dpi=110)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 2, sharey=False)
    for ax, baseline, title in ((axes[0], "speedup_vs_loop", "vs (a) the Python loop"),
                                (axes[1], "speedup_vs_exploded", "vs (b) pair-exploding")):
        k = 0
        for backend in ("numpy", "torch", "torch fwd+bwd", "cuda"):
            for loss, ls in (("listwise", "-"), ("plackett-luce", "--")):
                sel = [r for r in rows if r["backend"] == backend and r["loss"] == loss
                       and r[baseline] is not None]
                if not sel:
                    continue
                ax.plot([r["n"] for r in sel], [r[baseline] for r in sel], ls=ls, marker="o",
                        color=OKABE_ITO[k // 2 % len(OKABE_ITO)], label=f"{loss}, {backend}")
                k += 1
            k += (k % 2)
        ax.axhline(100 if baseline == "speedup_vs_loop" else 1, color="0.4", lw=0.8, ls=":")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xticks(sec["ns"], [str(n) for n in sec["ns"]])
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}×"))
        ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _pos: ""))
        ax.legend(fontsize=7, frameon=False)
        ax.set_xlabel(f"list size N (batch B = {sec['batch']})")
        ax.set_ylabel("speed-up (×, median time ratio)")
        ax.set_title(f"Vectorised loss {title}")
        ax.grid(True, which="major", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    return True


def plot_training(sec: dict, tta: dict | None, path: Path) -> bool:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    runs = sec.get("runs", []) if sec else []
    curves = (tta or {}).get("losses", {})
    if not runs and not curves:
        return False
    fig = Figure(figsize=(12, 3.2), dpi=110)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 4)
    ns = sorted({r["n"] for r in runs})
    modes = sorted({r["mode"] for r in runs}, key=lambda m: (m != "grouped", m))
    width = 0.8 / max(1, len(modes))
    for ax, key, label in ((axes[0], "epoch_s", "training seconds per epoch"),
                           (axes[1], "forward_per_epoch", "forward passes per epoch"),
                           (axes[2], "heldout_accuracy", "final held-out pairwise accuracy")):
        for m, mode in enumerate(modes):
            vals = []
            for n in ns:
                hit = [r for r in runs if r["n"] == n and r["mode"] == mode]
                vals.append(hit[0][key] if hit and hit[0][key] is not None else math.nan)
            xs = [i + (m - (len(modes) - 1) / 2) * width for i in range(len(ns))]
            ax.bar(xs, vals, width=width, color=OKABE_ITO[m % len(OKABE_ITO)], label=mode)
        ax.set_xticks(range(len(ns)), [f"N = {n}" for n in ns])
        ax.set_title(label, fontsize=9)
    if runs:
        axes[2].set_ylim(0.5, 1.0)
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False,
                   fontsize=8, bbox_to_anchor=(0.37, 0.0))
    ax = axes[3]
    for k, (loss, r) in enumerate(curves.items()):
        t, acc = 0.0, []
        xs = []
        for sec_s, a in zip(r.get("seconds_per_epoch", []), r.get("accuracy_per_epoch", [])):
            t += sec_s
            xs.append(t)
            acc.append(a)
        ax.plot(xs, acc, marker="o", ms=3, color=OKABE_ITO[k % len(OKABE_ITO)], label=loss)
    if curves:
        ax.axhline((tta or {}).get("target", 0.9), color="0.4", lw=0.8, ls=":")
        ax.set_xlabel("training s (evaluation excluded)")
        ax.set_ylabel("held-out pairwise accuracy")
        ax.set_title("time to accuracy (default data)", fontsize=9)
        ax.legend(frameon=False, fontsize=7)
    else:
        ax.set_visible(False)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    fig.savefig(path)
    return True


def write(results: dict, out: Path, stem: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    plots = []
    suffix = stem[len("results"):]   # "" or "-cuda-..." or "-quick"
    sec = results.get("loss_kernels")
    if sec and "rows" in sec and plot_loss(sec, out / f"loss_speedup{suffix}.png"):
        plots.append(f"loss_speedup{suffix}.png")
    sec = results.get("training")
    tta = results.get("time_to_accuracy")
    sec = sec if sec and "runs" in sec else None
    tta = tta if tta and "losses" in tta else None
    if (sec or tta) and plot_training(sec, tta, out / f"training{suffix}.png"):
        plots.append(f"training{suffix}.png")
    results["plots"] = plots
    json_path = out / f"{stem}.json"
    json_path.write_text(json.dumps(results, indent=2, allow_nan=False) + "\n")
    md_path = out / f"{stem}.md"
    md_path.write_text(markdown(results, plots))
    return [json_path, md_path] + [out / p for p in plots]
