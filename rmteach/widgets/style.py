"""The suite's one figure and page style: size, fonts, the colour-blind-safe palette, the
CSS that lets quizzes and widgets wrap, and a check that no figure text collides.

* :data:`PALETTE` / :data:`PALETTE_CYCLE` – Okabe & Ito (2008), by name and in order.
* :data:`DPI`, :data:`RC` and :func:`style` – every figure is drawn at ``DPI`` pixels per
  inch with ``RC``'s font sizes: 11 pt at 90 dpi is 13.75 px, above 10 CSS pt (13.3 px)
  when the PNG is shown at its own size.  :data:`MAX_WIDTH_IN` keeps a figure narrow
  enough (855 px) for the output area of a 1280 px window with the file browser open,
  so it is never scaled down.
* :func:`new_figure` – an Agg-backed figure in that style (never attached to pyplot);
  every figure made by it is remembered (weakly) so :func:`check_all_figures` can walk
  them after a notebook has run.
* :func:`text_collisions` – the boxes of a figure's texts, tick labels and legends, in
  display pixels, that overlap each other or fall outside the figure.
* :data:`PAGE_CSS`, :func:`page_style` and :func:`run_all_note` – the browser's CSS and
  the "Run All first" note, in :mod:`.page` (re-exported here).
"""

from __future__ import annotations

import itertools
import weakref

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..math._checks import check_int, check_real, validated

__all__ = ["DPI", "MAX_WIDTH_IN", "PAGE_CSS", "PALETTE", "PALETTE_CYCLE", "RC",
           "check_all_figures", "data_under_text", "new_figure", "page_style",
           "place_legends", "run_all_note", "style", "text_collisions"]

#: Okabe & Ito (2008) colour-blind-safe palette.
PALETTE: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "skyblue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
#: The palette in the order to use for a series of lines or items (black and yellow last).
PALETTE_CYCLE: list[str] = [PALETTE[k] for k in
                            ("blue", "orange", "green", "vermillion", "purple", "skyblue",
                             "black", "yellow")]

#: pixels per inch of every figure (the PNG is shown at this size)
DPI = 90
#: the widest figure, in inches (855 px at DPI): fits a 1280 px window's output area
MAX_WIDTH_IN = 9.5
#: the smallest font, in points at DPI; 11 pt × 90/72 = 13.75 px ≥ 10 CSS pt
FONT_PT = 11

RC = {
    "font.size": FONT_PT,
    "axes.titlesize": FONT_PT,
    "axes.labelsize": FONT_PT,
    "legend.fontsize": FONT_PT,
    "xtick.labelsize": FONT_PT,
    "ytick.labelsize": FONT_PT,
    "figure.titlesize": FONT_PT + 1,
    "legend.framealpha": 0.9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}

_FIGURES: weakref.WeakSet = weakref.WeakSet()


def check_figsize(figsize, name: str = "figsize") -> tuple[float, float]:
    """``(width, height)`` in inches, each in (0, 100], or a ``ValueError`` naming it."""
    if isinstance(figsize, (str, bytes)) or not hasattr(figsize, "__len__") \
            or len(figsize) != 2:
        raise ValueError(f"{name} must be (width, height) in inches, e.g. (6.4, 3.0); got "
                         f"{figsize!r:.40}.")
    return tuple(check_real(v, f"{name}[{k}]", lo=0.0, hi=100.0, lo_open=True)
                 for k, v in enumerate(figsize))


def style():
    """``with style():`` – the suite's font sizes for the artists built inside."""
    import matplotlib

    return matplotlib.rc_context(RC)


def new_figure(figsize=(6.4, 3.0), *, dpi: int = DPI) -> Figure:
    """An Agg-backed figure in the suite's style, at most :data:`MAX_WIDTH_IN` wide."""
    width, height = check_figsize(figsize)
    dpi = check_int(dpi, "dpi", lo=10, hi=600)
    if width > MAX_WIDTH_IN:
        height, width = height * MAX_WIDTH_IN / width, MAX_WIDTH_IN
    with style():
        fig = Figure(figsize=(width, height), dpi=dpi)
        FigureCanvasAgg(fig)
    _FIGURES.add(fig)
    return fig


def _boxes(fig: Figure, renderer) -> list[tuple[str, object]]:
    """(name, display-pixel bbox) of every visible, non-empty text-like artist."""
    found = []

    def add(name, artist):
        if artist is None or not artist.get_visible():
            return
        if hasattr(artist, "get_text") and not str(artist.get_text()).strip():
            return
        box = artist.get_window_extent(renderer)
        if box.width > 0 and box.height > 0:
            found.append((name, box))

    for t in fig.texts:
        add(f"figure text {t.get_text()!r}", t)
    for i, ax in enumerate(fig.axes):
        if not ax.get_visible():
            continue
        where = f"axes {i}"
        for title in (ax.title, ax._left_title, ax._right_title):
            add(f"{where} title {title.get_text()!r}", title)
        add(f"{where} x-label {ax.xaxis.label.get_text()!r}", ax.xaxis.label)
        add(f"{where} y-label {ax.yaxis.label.get_text()!r}", ax.yaxis.label)
        for axis, name in ((ax.xaxis, "x"), (ax.yaxis, "y")):
            lo, hi = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks():
                if lo - 1e-9 * (hi - lo + 1) <= tick.get_loc() <= hi + 1e-9 * (hi - lo + 1):
                    for label in (tick.label1, tick.label2):
                        add(f"{where} {name}-tick {label.get_text()!r}", label)
        for t in ax.texts:
            add(f"{where} text {t.get_text()!r}", t)
        legend = ax.get_legend()
        if legend is not None:
            add(f"{where} legend", legend)
    for legend in fig.legends:
        add("figure legend", legend)
    return found


@validated(fig="figure", tolerance="real[0,1000]")
def text_collisions(fig: Figure, *, tolerance: float = 1.0) -> list[str]:
    """Every pair of text boxes (texts, titles, axis and tick labels, legends) that overlap
    by more than ``tolerance`` pixels, and every box that leaves the figure.

    Texts inside a legend belong to the legend's own box; a text placed inside a legend's
    box counts as a collision.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = _boxes(fig, renderer)
    problems = []
    W, H = fig.bbox.width, fig.bbox.height
    for name, b in boxes:
        if b.x0 < -tolerance or b.y0 < -tolerance or b.x1 > W + tolerance \
                or b.y1 > H + tolerance:
            problems.append(f"{name} leaves the figure ({b.x0:.0f}, {b.y0:.0f}, "
                            f"{b.x1:.0f}, {b.y1:.0f} in a {W:.0f}×{H:.0f} figure)")
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            (n1, b1), (n2, b2) = boxes[i], boxes[j]
            dx = min(b1.x1, b2.x1) - max(b1.x0, b2.x0)
            dy = min(b1.y1, b2.y1) - max(b1.y0, b2.y0)
            if dx > tolerance and dy > tolerance:
                problems.append(f"{n1} overlaps {n2}")
    return problems


def _data_points(ax):
    """Display-pixel points of an axes' lines (densified every ~3 px), scatter offsets
    and bar rectangles (corners and centre)."""
    import numpy as np

    pts = []
    for line in ax.lines:
        # static reference lines (axhline, axvline: blended transforms) span the whole
        # axes; a moving one (an animated mean line) is data the learner reads
        if not line.get_visible() or (line.get_transform() != ax.transData
                                      and not line.get_animated()):
            continue
        xy = np.column_stack([np.asarray(line.get_xdata(), float),
                              np.asarray(line.get_ydata(), float)])
        if len(xy) == 0:
            continue
        d = line.get_transform().transform(xy)
        d = d[np.all(np.isfinite(d), axis=1)]
        drawn = line.get_linestyle() not in ("None", "", " ")     # else markers only
        for a, b in itertools.pairwise(d if drawn else d[:0]):
            n = int(min(200, max(2, np.hypot(*(b - a)) / 3)))
            pts.append(a + (b - a) * np.linspace(0, 1, n)[:, None])
        if len(d):
            pts.append(d)
    from matplotlib.collections import PathCollection

    for coll in ax.collections:
        if isinstance(coll, PathCollection) and coll.get_visible() and len(coll.get_offsets()):
            d = coll.get_offset_transform().transform(coll.get_offsets())
            pts.append(d[np.all(np.isfinite(d), axis=1)])
    for patch in ax.patches:      # bars; not bands (axvspan: a blended transform)
        if patch.get_visible() and patch.get_data_transform() == ax.transData:
            b = patch.get_window_extent()
            if b.width > 0 and b.height > 0:
                xs = np.linspace(b.x0, b.x1, 5)
                ys = np.linspace(b.y0, b.y1, 5)
                pts.append(np.array([(x, y) for x in xs for y in ys]))
    return np.concatenate(pts) if pts else np.zeros((0, 2))


def _on_own_marker(text, ax) -> bool:
    """A letter drawn inside its own marker (a labelled point) is not "over data"."""
    import numpy as np

    anchor = text.get_transform().transform(text.get_position())
    box = text.get_window_extent()
    for line in ax.lines:
        if line.get_marker() in (None, "None", "", " ") or not line.get_visible():
            continue
        size = line.get_markersize() * ax.figure.dpi / 72
        if box.width > size or box.height > size:
            continue
        xy = np.column_stack([np.asarray(line.get_xdata(), float),
                              np.asarray(line.get_ydata(), float)])
        if len(xy) and (np.hypot(*(line.get_transform().transform(xy) - anchor).T)
                        < 1.5).any():
            return True
    return False


@validated(fig="figure", margin="real[0,1000]")
def data_under_text(fig: Figure, *, margin: float = 2.0) -> list[str]:
    """Legends and texts inside axes (annotations, value labels) drawn over that axes'
    data: a line (densified), a scatter point or a bar.  Call after a draw."""
    problems = []
    renderer = fig.canvas.get_renderer()
    for i, ax in enumerate(fig.axes):
        pts = _data_points(ax)
        if not len(pts):
            continue
        boxes = [(f"axes {i} text {t.get_text()!r}", t) for t in ax.texts
                 if t.get_visible() and t.get_text().strip() and not _on_own_marker(t, ax)]
        if ax.get_legend() is not None and ax.get_legend().get_visible():
            boxes.append((f"axes {i} legend", ax.get_legend()))
        for name, artist in boxes:
            b = artist.get_window_extent(renderer).expanded(1.0, 1.0)
            inside = ((pts[:, 0] > b.x0 + margin) & (pts[:, 0] < b.x1 - margin)
                      & (pts[:, 1] > b.y0 + margin) & (pts[:, 1] < b.y1 - margin))
            if inside.any():
                problems.append(f"{name} lies over data ({int(inside.sum())} points)")
    return problems


_LEGEND_SPOTS = ("upper left", "upper right", "lower left", "lower right", "upper center",
                 "lower center", "center left", "center right")


@validated(fig="figure", moving="items")
def place_legends(fig: Figure, relayout=None, *, moving=()) -> None:
    """Move every axes legend to the first spot where it covers no data and no text of
    its axes.  When there is none, the legend goes below its axes (under the x-label, in
    one row when that fits), the figure grows by its height and ``relayout()`` (e.g. a
    tight layout) runs again.  Call once the artists hold their data (a widget calls it
    after its first update).  Legends of the axes in ``moving`` (whose data move with a
    control) always go below their axes: no spot inside stays free for every value."""
    if relayout is not None and not callable(relayout):
        raise ValueError(f"relayout must be None or a function to call; got "
                         f"{type(relayout).__name__}.")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    below = []
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None or not legend.get_visible():
            continue
        if ax in moving:
            below.append((ax, legend))
            continue
        pts = _data_points(ax)
        texts = [t.get_window_extent(renderer) for t in ax.texts
                 if t.get_visible() and t.get_text().strip()]
        for loc in _LEGEND_SPOTS:
            legend.set_loc(loc)
            b = legend.get_window_extent(renderer)
            covered = len(pts) and ((pts[:, 0] > b.x0) & (pts[:, 0] < b.x1)
                                    & (pts[:, 1] > b.y0) & (pts[:, 1] < b.y1)).any()
            if not covered and not any(b.overlaps(t) for t in texts):
                break
        else:
            below.append((ax, legend))
    if not below:
        return
    grow = 0.0
    for ax, legend in below:
        legend.set_visible(False)
        under = ax.bbox.y0 - ax.get_tightbbox(renderer).y0 + 4     # ticks and x-label
        legend.set_visible(True)
        font_px = legend.get_texts()[0].get_fontsize() * fig.dpi / 72
        legend.set_loc("upper center")
        legend.set_bbox_to_anchor((0.5, 0.0), transform=ax.transAxes)
        legend.borderaxespad = under / font_px
        legend.set_ncols(len(legend.get_texts()))
        if legend.get_window_extent(renderer).width > fig.bbox.width / len(fig.axes) * 1.1:
            legend.set_ncols(1)
        grow = max(grow, legend.get_window_extent(renderer).height / fig.dpi)
    w, h = fig.get_size_inches()
    fig.set_size_inches(w, h + grow)
    if relayout is not None:
        relayout()


def check_all_figures() -> list[str]:
    """:func:`text_collisions` of every live figure made by :func:`new_figure`, each
    problem prefixed by the figure's first axes' title or label."""
    problems = []
    for fig in list(_FIGURES):
        name = "figure"
        if fig.axes:
            ax = fig.axes[0]
            name = ax.get_title() or ax.get_xlabel() or ax.get_ylabel() or name
        problems.extend(f"[{name}] {p}" for p in text_collisions(fig) + data_under_text(fig))
    return problems


# the page CSS and the Run-All note live in .page (re-exported here)
from .page import PAGE_CSS, RUN_ALL_NOTE, page_style, run_all_note  # noqa: E402,F401
