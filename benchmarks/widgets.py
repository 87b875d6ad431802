"""Part 5: widget latency, in the kernel, against the naive ``interact`` baseline.

**Live** (what the suite does): set the widget's main control's ``.value`` and wait
until its :class:`rmteach.widgets.LiveFigure` has re-rendered the PNG bytes of its
``Image`` (the ``observe`` callbacks run synchronously, so the set returns after the
redraw; the benchmark checks that the bytes really changed).  This includes the
widget's own math, its readout and the PNG encoding.

**Naive** (what ``ipywidgets.interact`` code usually does): on every change build
the same plot from scratch with ``plt.subplots``, draw it to PNG the way the inline
backend shows a figure (``savefig(..., format="png", bbox_inches="tight")``), and
``plt.close`` it.  The plot is rebuilt from the data of the live figure at that same
value (every line, marker, bar, patch, image, text, label, limit and legend), at the
same size and resolution, with the axes placed where the live figure has them (no
``tight_layout`` call).  The baseline's math is therefore not timed, which favours
it.  The PNG is written before the close (after ``plt.close`` a canvas draws
nothing, and a benchmark that closed first would time nothing).

Both are measured over the same sequence of control values, interleaved: a
ping-pong over 9 values of the control (3 in --quick) (a slider's middle 60 %, or ±1 around a
number box's start), so a widget that caches results per value (the diagnosis
widget retrains a model on a new value) is reported with its first-visit and its
revisit medians too.  A redraw is counted when the LiveFigure rendered (its PNG may
be byte-identical when the plot did not change).
"""

from __future__ import annotations

import io
import time

import numpy as np

from .timing import CpuMeter, percentile

# ---------------------------------------------------------------------------
# The naive baseline: rebuild the same figure with pyplot and draw it inline-style
# ---------------------------------------------------------------------------


def _copy_line(src_ax, ax, line) -> None:
    tr = line.get_transform()
    if tr is src_ax.get_yaxis_transform():
        transform = ax.get_yaxis_transform()
    elif tr is src_ax.get_xaxis_transform():
        transform = ax.get_xaxis_transform()
    elif tr is src_ax.transAxes:
        transform = ax.transAxes
    else:
        transform = ax.transData
    ax.plot(line.get_xdata(), line.get_ydata(), transform=transform,
            color=line.get_color(), lw=line.get_linewidth(), ls=line.get_linestyle(),
            marker=line.get_marker(), ms=line.get_markersize(), mfc=line.get_markerfacecolor(),
            mec=line.get_markeredgecolor(), alpha=line.get_alpha(), label=line.get_label(),
            zorder=line.get_zorder(), visible=line.get_visible())


def _copy_text(src_ax, ax, text) -> None:
    tr = text.get_transform()
    transform = ax.transAxes if tr is src_ax.transAxes else ax.transData
    x, y = text.get_position()
    ax.text(x, y, text.get_text(), transform=transform, ha=text.get_horizontalalignment(),
            va=text.get_verticalalignment(), fontsize=text.get_fontsize(),
            color=text.get_color(), rotation=text.get_rotation(), visible=text.get_visible())


def _copy_patch(ax, patch) -> None:
    from matplotlib.patches import Polygon, Rectangle

    common = {"facecolor": patch.get_facecolor(), "edgecolor": patch.get_edgecolor(),
              "lw": patch.get_linewidth(), "alpha": patch.get_alpha(),
              "visible": patch.get_visible()}
    if isinstance(patch, Rectangle):
        ax.add_patch(Rectangle(patch.get_xy(), patch.get_width(), patch.get_height(), **common))
    else:
        path = patch.get_path().transformed(patch.get_patch_transform())
        ax.add_patch(Polygon(path.vertices, closed=True, **common))


def _copy_collection(ax, coll) -> None:
    from matplotlib.collections import LineCollection, PathCollection, PolyCollection

    if isinstance(coll, PathCollection):
        offsets = np.asarray(coll.get_offsets())
        if offsets.size:
            ax.scatter(offsets[:, 0], offsets[:, 1], s=coll.get_sizes(),
                       c=coll.get_facecolors(), edgecolors=coll.get_edgecolors(),
                       alpha=coll.get_alpha(), zorder=coll.get_zorder())
    elif isinstance(coll, LineCollection):
        ax.add_collection(LineCollection(coll.get_segments(), colors=coll.get_colors(),
                                         linewidths=coll.get_linewidths()))
    elif isinstance(coll, PolyCollection):
        ax.add_collection(PolyCollection([p.vertices for p in coll.get_paths()],
                                         facecolors=coll.get_facecolors(),
                                         edgecolors=coll.get_edgecolors(),
                                         alpha=coll.get_alpha()))


def _fontsize(texts, default=None):
    texts = [t for t in texts if t.get_text()]
    return texts[0].get_fontsize() if texts else default


def _copy_axes(src, ax, images: dict) -> None:
    """Re-create ``src``'s artists and decorations on the fresh axes ``ax``.

    ``images`` maps the source's images to their copies, for colorbars.
    """
    cb = getattr(src, "_colorbar", None)
    if cb is not None and cb.mappable in images:
        new = ax.figure.colorbar(images[cb.mappable], cax=ax)
        new.set_label(src.get_ylabel(), fontsize=src.yaxis.label.get_fontsize())
        ax.tick_params(labelsize=_fontsize(src.get_yticklabels(), 8))
        return
    for line in src.get_lines():
        _copy_line(src, ax, line)
    for patch in src.patches:
        _copy_patch(ax, patch)
    for coll in src.collections:
        _copy_collection(ax, coll)
    for im in src.get_images():
        images[im] = ax.imshow(im.get_array(), cmap=im.get_cmap(), norm=im.norm,
                               extent=im.get_extent(), aspect=src.get_aspect(),
                               origin=getattr(im, "origin", "upper"),
                               interpolation=im.get_interpolation())
    for text in src.texts:
        _copy_text(src, ax, text)
    ax.set_xscale(src.get_xscale())
    ax.set_yscale(src.get_yscale())
    ax.set_xlim(src.get_xlim())
    ax.set_ylim(src.get_ylim())
    ax.set_xlabel(src.get_xlabel(), fontsize=src.xaxis.label.get_fontsize())
    ax.set_ylabel(src.get_ylabel(), fontsize=src.yaxis.label.get_fontsize())
    ax.set_title(src.get_title(), fontsize=src.title.get_fontsize())
    labels = [t.get_text() for t in src.get_xticklabels()]
    if any(lbl and not _numeric(lbl) for lbl in labels):
        ax.set_xticks(src.get_xticks(), labels)
    labels = [t.get_text() for t in src.get_yticklabels()]
    if any(lbl and not _numeric(lbl) for lbl in labels):
        ax.set_yticks(src.get_yticks(), labels)
    ax.tick_params(axis="x", labelsize=_fontsize(src.get_xticklabels(), 8))
    ax.tick_params(axis="y", labelsize=_fontsize(src.get_yticklabels(), 8))
    for side, spine in src.spines.items():
        ax.spines[side].set_visible(spine.get_visible())
    legend = src.get_legend()
    if legend is not None:
        ax.legend(loc=legend._loc, frameon=legend.get_frame_on(),
                  fontsize=_fontsize(legend.get_texts(), 8))
    ax.set_visible(src.get_visible())


def _numeric(label: str) -> bool:
    try:
        float(label.replace("−", "-"))
    except ValueError:
        return False
    return True


def naive_redraw(src_fig) -> bytes:
    """Build ``src_fig``'s plot from scratch with pyplot, render it as the inline backend
    does, close it, and return the PNG bytes."""
    import matplotlib.pyplot as plt

    src_axes = src_fig.axes
    fig = plt.figure(figsize=src_fig.get_size_inches(), dpi=src_fig.dpi)
    images: dict = {}
    for src in src_axes:
        ax = fig.add_axes(src.get_position())
        _copy_axes(src, ax, images)
    if src_fig._suptitle is not None:
        fig.suptitle(src_fig._suptitle.get_text())
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def naive_redraw_subplots(src_fig) -> bytes:
    """The same, with ``plt.subplots`` for the usual grid of axes (as interact code does)."""
    import matplotlib.pyplot as plt

    grid = [a for a in src_fig.axes if a.get_subplotspec() is not None
            and getattr(a, "_colorbar", None) is None]
    others = [a for a in src_fig.axes if a not in grid]
    if not grid:
        return naive_redraw(src_fig)
    gs = grid[0].get_subplotspec().get_gridspec()
    if len(grid) != gs.nrows * gs.ncols:
        return naive_redraw(src_fig)
    fig, axes = plt.subplots(gs.nrows, gs.ncols, squeeze=False,
                             figsize=src_fig.get_size_inches(), dpi=src_fig.dpi,
                             gridspec_kw={"width_ratios": gs.get_width_ratios(),
                                          "height_ratios": gs.get_height_ratios()})
    images: dict = {}
    for src, ax in zip(grid, axes.flat):
        ax.set_position(src.get_position())   # the live figure's layout, for free
        _copy_axes(src, ax, images)
    for src in others:                        # colorbars and inset axes
        _copy_axes(src, fig.add_axes(src.get_position()), images)
    if src_fig._suptitle is not None:
        fig.suptitle(src_fig._suptitle.get_text())
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


# ---------------------------------------------------------------------------
# Driving the widgets
# ---------------------------------------------------------------------------


def _sweep(control, count: int, distinct: int = 9) -> list:
    """``count`` control values that differ from one step to the next (a ping-pong over
    the middle of a slider's range, or a cycle through a dropdown's options)."""
    if hasattr(control, "options") and len(getattr(control, "options", ())) > 1:
        opts = list(control.options)
        values = [o[1] if isinstance(o, tuple) and len(o) == 2 else o for o in opts]
        return [values[k % len(values)] for k in range(1, count + 1)]
    value = getattr(control, "value", None)
    numeric = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, bool)
    if numeric and not (hasattr(control, "min") and hasattr(control, "max")):
        # an unbounded FloatText / IntText: move around its starting value
        grid = float(value) + np.linspace(-1.0, 1.0, distinct)
        if isinstance(value, (int, np.integer)):
            grid = np.round(float(value) + np.linspace(-4, 4, distinct)).astype(int)
        cycle = list(dict.fromkeys(grid.tolist()))
        cycle = cycle + cycle[-2:0:-1]
        vals = [cycle[(k + distinct // 2 + 1) % len(cycle)] for k in range(count)]
        return vals
    if hasattr(control, "min") and hasattr(control, "max"):
        lo, hi = float(control.min), float(control.max)
        grid = np.linspace(lo + 0.2 * (hi - lo), hi - 0.2 * (hi - lo), distinct)
        step = getattr(control, "step", None)
        integer = isinstance(control.value, (int, np.integer)) and not isinstance(
            control.value, bool)
        if step:
            grid = np.round(lo + np.round((grid - lo) / step) * step, 10)
        if integer:
            grid = np.round(grid).astype(int)
        cycle = list(dict.fromkeys(grid.tolist()))
        cycle = cycle + cycle[-2:0:-1]                     # ping-pong
        vals = [cycle[k % len(cycle)] for k in range(count + 1)]
        if vals and vals[0] == control.value:
            vals = [*vals[1:], vals[0]]
        return vals[:count]
    raise TypeError(f"cannot sweep a {type(control).__name__}")


def _pick_control(w):
    """The main control if it can be swept, else the first control that can."""
    names = [w.main_control] + [n for n in w.controls if n != w.main_control]
    for name in names:
        ctrl = w.controls[name]
        try:
            if len(_sweep(ctrl, 3)) == 3:
                return name, ctrl
        except TypeError:
            continue
    return None, None


def _confidence_explorer_args() -> tuple[tuple, dict]:
    """Two small trained models for ``confidence_explorer`` (as notebook 06 passes them)."""
    from rmteach.data.generate import make_preference_data
    from rmteach.model.training import train

    data = make_preference_data(60, min_n=4, max_n=4, seed=0)
    a = train(data, loss="pairwise", mode="exploded", epochs=2, progress=False,
              eval_train=False).model
    b = train(data, loss="listwise", mode="grouped", epochs=2, progress=False,
              eval_train=False).model
    return (a, b, data), {"names": ("exploded", "grouped")}


#: how to build the widgets whose factories need arguments
RECIPES = {"confidence_explorer": _confidence_explorer_args}


def _returns_widget(fn) -> bool:
    """True when ``fn``'s return annotation is an :class:`rmteach.widgets.RMWidget`."""
    import inspect

    import rmteach.widgets as rw

    try:
        ann = inspect.signature(fn).return_annotation
    except (TypeError, ValueError):
        return False
    if isinstance(ann, str):
        ann = getattr(rw, ann, None) or getattr(inspect.getmodule(fn), ann, None)
    return isinstance(ann, type) and issubclass(ann, rw.RMWidget)


def _required(fn) -> list[str]:
    import inspect

    return [p.name for p in inspect.signature(fn).parameters.values()
            if p.default is inspect.Parameter.empty
            and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def factories() -> dict:
    """name -> zero-argument builder, for every function ``rmteach.widgets`` exports that
    returns an interactive widget (an ``RMWidget``); ``None`` for one that needs arguments
    this benchmark has no recipe for."""
    import rmteach.widgets as rw

    out = {}
    for name in getattr(rw, "__all__", []):
        fn = getattr(rw, name, None)
        if not callable(fn) or isinstance(fn, type) or not _returns_widget(fn):
            continue
        if not _required(fn):
            out[name] = fn
        elif name in RECIPES:
            def build(fn=fn, recipe=RECIPES[name]):
                args, kwargs = recipe()
                return fn(*args, **kwargs)
            out[name] = build
        else:
            out[name] = None
    return out


def measure_widget(build, updates: int, warmup: int, distinct: int = 9) -> dict | None:
    """Latency of one widget (None when ``build()`` returns no RMWidget)."""
    from rmteach.widgets import RMWidget

    w = build()
    if not isinstance(w, RMWidget):
        return None
    live = getattr(w, "live_figure", None)
    if live is None:
        return {"skipped": "no LiveFigure"}
    name, ctrl = _pick_control(w)
    if ctrl is None:
        return {"skipped": "no control a benchmark can sweep (sliders or dropdowns)"}
    values = _sweep(ctrl, warmup + updates, distinct)
    live_t, naive_t, first_visit = [], [], []
    seen = {ctrl.value}
    not_redrawn = unchanged_png = errors = 0
    for k, v in enumerate(values):
        before, renders = live.image.value, live.renders
        new_value = v not in seen
        seen.add(v)
        t0 = time.perf_counter()
        ctrl.value = v
        t1 = time.perf_counter()
        redrawn = live.renders > renders
        if getattr(w, "last_error", None) is not None:
            errors += 1
        t2 = time.perf_counter()
        png = naive_redraw_subplots(live.figure)
        t3 = time.perf_counter()
        if not png:
            raise RuntimeError("the naive baseline produced no PNG")
        if k >= warmup:
            not_redrawn += not redrawn
            unchanged_png += live.image.value == before
            live_t.append(t1 - t0)
            naive_t.append(t3 - t2)
            first_visit.append(new_value)
    med_live, med_naive = float(np.median(live_t)), float(np.median(naive_t))
    new_t = [t for t, f in zip(live_t, first_visit) if f]
    old_t = [t for t, f in zip(live_t, first_visit) if not f]
    return {
        "control": name,
        "control_type": type(ctrl).__name__,
        "updates": len(live_t),
        "live_median_s": med_live,
        "live_p95_s": percentile(live_t, 95),
        "naive_median_s": med_naive,
        "naive_p95_s": percentile(naive_t, 95),
        "speedup": med_naive / med_live,
        "distinct_values": len(seen),
        "live_first_visit_median_s": float(np.median(new_t)) if new_t else None,
        "live_revisit_median_s": float(np.median(old_t)) if old_t else None,
        "not_redrawn": not_redrawn,
        "unchanged_png": unchanged_png,
        "friendly_errors": errors,
        "figure_px": [int(x) for x in live.figure.get_size_inches() * live.figure.dpi],
    }


def run(cfg) -> dict:
    import matplotlib

    matplotlib.use("Agg")   # the benchmark runs headless; pyplot figures are never shown
    try:
        found = factories()
    except ImportError as exc:
        return {"skipped": f"rmteach.widgets cannot be imported ({exc})"}
    if not found:
        return {"skipped": "rmteach.widgets exports no widget factories yet"}
    results = {}
    for name, build in found.items():
        if build is None:
            results[name] = {"skipped": "its factory needs arguments the benchmark cannot make"}
            continue
        cfg.extra.get("before_measure", lambda: None)()
        meter = CpuMeter()
        try:
            r = measure_widget(build, cfg.widget_updates, cfg.widget_warmup, cfg.widget_values)
        except Exception as exc:  # one broken widget must not hide the others' figures
            r = {"error": f"{type(exc).__name__}: {exc}"}
        if r is not None:
            r["other_load_cores"] = meter.other_cores()
            results[name] = r
    return {
        "method": "kernel time from control.value = v to the PNG bytes of the LiveFigure "
                  "updated; naive = plt.subplots + the same artists + savefig(png, "
                  "bbox_inches='tight') + plt.close, interleaved over the same values",
        "widgets": results,
    }
