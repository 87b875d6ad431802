"""The project's performance targets, judged from one run's results.

Each verdict carries the measured number; a miss is reported as a miss.
"""

from __future__ import annotations


def _ms(s: float) -> str:
    return f"{s * 1e3:.3g} ms"


def _num(v) -> str:
    return "—" if v is None else f"{v:.4f}"


def _row(target: str, measured: str, met: bool | None, note: str = "") -> dict:
    status = "not measured" if met is None else ("met" if met else "MISSED")
    return {"target": target, "measured": measured, "met": met, "status": status, "note": note}


def _loss_rows(section: dict) -> list[dict]:
    if "skipped" in section:
        return [_row("listwise ≥ 100× faster than the Python loop at 1024 × 8, and faster than "
                     "pair-exploding at every N ≥ 4", section["skipped"], None)]
    out = []
    rows = section.get("rows", [])
    batch = section.get("batch")
    for backend in ("numpy", "torch"):
        hit = [r for r in rows if r["backend"] == backend and r["loss"] == "listwise"
               and r["n"] == 8]
        target = f"listwise ≥ 100× faster than the Python loop at 1024 × 8 ({backend})"
        if not hit or batch != 1024:
            out.append(_row(target, f"not run at 1024 × 8 (batch {batch})", None))
        else:
            r = hit[0]
            floor = (f"; the bare arithmetic of this formulation (floor) reaches "
                     f"{r['floor_speedup_vs_loop']:.0f}×"
                     if r.get("floor_speedup_vs_loop") else "")
            out.append(_row(target, f"{r['speedup_vs_loop']:.0f}× ({_ms(r['vectorised_s'])} vs "
                                    f"{_ms(r['loop_s'])}){floor}", r["speedup_vs_loop"] >= 100))
    backends = sorted({r["backend"] for r in rows}, key=lambda b: (b.startswith("cuda"), b))
    for backend in backends:
        sel = [r for r in rows if r["backend"] == backend and r["loss"] == "listwise"
               and r["n"] >= 4]
        if not sel:
            continue
        worst = min(sel, key=lambda r: r["speedup_vs_exploded"])
        slower = [r["n"] for r in sel if r["speedup_vs_exploded"] <= 1.0]
        per_n = ", ".join(f"N={r['n']}: {r['speedup_vs_exploded']:.2f}×" for r in sel)
        note = (f"slower or equal at N = {', '.join(map(str, slower))}" if slower else "")
        out.append(_row(f"listwise faster than pair-exploding at every N ≥ 4 ({backend})",
                        per_n, not slower and worst["speedup_vs_exploded"] > 1.0, note))
    return out


def _training_rows(section: dict) -> list[dict]:
    if not section or "skipped" in section or "runs" not in section:
        why = (section or {}).get("skipped", "not run")
        return [_row("grouped training ≥ 4× faster per epoch than pair-exploded at N = 8, "
                     "equal or better held-out accuracy", why, None)]
    out = []
    for cmp in section.get("comparisons", []):
        if cmp["n"] != 8:
            continue
        vs = f"vs {cmp['baseline']}"
        out.append(_row(f"grouped training ≥ 4× faster per epoch than pair-exploded at N = 8 "
                        f"({vs})",
                        f"{cmp['epoch_speedup']:.2f}× ({cmp['grouped_epoch_s']:.2f} s vs "
                        f"{cmp['exploded_epoch_s']:.2f} s per epoch)", cmp["epoch_speedup"] >= 4))
        if cmp["baseline"] == "exploded":
            out.append(_row("≥ 5× fewer forward passes per epoch at N = 8",
                            f"{cmp['forward_pass_ratio']:.2f}× ({cmp['grouped_forward']} vs "
                            f"{cmp['exploded_forward']})", cmp["forward_pass_ratio"] >= 5))
        ok = (cmp["grouped_accuracy"] is not None and cmp["exploded_accuracy"] is not None
              and cmp["grouped_accuracy"] >= cmp["exploded_accuracy"]
              and cmp["grouped_logloss"] <= cmp["exploded_logloss"])
        out.append(_row(f"grouped held-out accuracy and log-loss equal or better at N = 8 ({vs})",
                        f"accuracy {_num(cmp['grouped_accuracy'])} vs "
                        f"{_num(cmp['exploded_accuracy'])}; log-loss "
                        f"{_num(cmp['grouped_logloss'])} vs {_num(cmp['exploded_logloss'])}", ok))
    if not out:
        out.append(_row("grouped training ≥ 4× faster per epoch than pair-exploded at N = 8",
                        "N = 8 not run in this mode", None))
    return out


def _tta_rows(section: dict) -> list[dict]:
    target = "listwise training reaches 0.90 held-out accuracy in ≤ 30 s"
    if not section or "skipped" in section:
        return [_row(target, (section or {}).get("skipped", "not run"), None)]
    r = section.get("losses", {}).get("listwise")
    if r is None:
        return [_row(target, "listwise not run", None)]
    if r.get("seconds_to_target") is None:
        return [_row(target, f"not reached in {r['epochs_run']} epochs ({r['train_seconds']:.1f} s"
                             f", best accuracy {r['best_accuracy']:.4f})", False)]
    return [_row(target, f"{r['seconds_to_target']:.1f} s (epoch {r['epoch_reached']})",
                 r["seconds_to_target"] <= 30)]


def _widget_rows(section: dict) -> list[dict]:
    if not section or "skipped" in section:
        return [_row("widget updates ≥ 2× faster than naive interact, < 50 ms median",
                     (section or {}).get("skipped", "not run"), None)]
    out = []
    for name, r in section.get("widgets", {}).items():
        if "live_median_s" not in r:
            out.append(_row(f"{name}: ≥ 2× faster than naive, < 50 ms median",
                            r.get("error") or r.get("skipped", "?"), None))
            continue
        ok = r["speedup"] >= 2 and r["live_median_s"] < 0.050 and r["not_redrawn"] == 0
        notes = []
        if r["not_redrawn"]:
            notes.append(f"{r['not_redrawn']} updates did not redraw")
        first, again = r.get("live_first_visit_median_s"), r.get("live_revisit_median_s")
        if first and again and first > 5 * again:
            notes.append(f"a new value costs {_ms(first)} (the widget recomputes, e.g. retrains), "
                         f"a revisited one {_ms(again)} (cached)")
        note = "; ".join(notes)
        out.append(_row(f"{name}: ≥ 2× faster than naive, < 50 ms median",
                        f"{_ms(r['live_median_s'])} median (p95 {_ms(r['live_p95_s'])}) vs naive "
                        f"{_ms(r['naive_median_s'])}: {r['speedup']:.1f}×", ok, note))
    return out


def _suite_rows(section: dict) -> list[dict]:
    target = "the notebook suite executes in ≤ 90 s"
    if not section or "skipped" in section:
        return [_row(target, (section or {}).get("skipped", "not run"), None)]
    measured = f"{section['total_wall_s']:.1f} s for {len(section['notebooks'])} notebook(s)"
    if not section.get("complete_suite"):
        return [_row(target, measured + " (not the whole suite)", None)]
    if section.get("errors"):
        return [_row(target, measured, None, f"{section['errors']} notebook(s) failed")]
    return [_row(target, measured, section["total_wall_s"] <= 90)]


def evaluate(results: dict) -> list[dict]:
    out = []
    if "loss_kernels" in results:
        out += _loss_rows(results["loss_kernels"])
    if "training" in results:
        out += _training_rows(results["training"])
    if "time_to_accuracy" in results:
        out += _tta_rows(results["time_to_accuracy"])
    if "widgets" in results:
        out += _widget_rows(results["widgets"])
    if "notebooks" in results:
        out += _suite_rows(results["notebooks"])
    return out
