"""The suite's CSS for the browser, and the first screen's "Run All first" note.

* :data:`PAGE_CSS` / :func:`page_style` – CSS for the browser (each quiz choice its own
  row with its text wrapping under itself; buttons and labels that wrap instead of being
  cut; wide readouts and printed tables that scroll as a whole, never breaking inside a
  word) in an invisible ``HTML`` widget.
* :func:`run_all_note` – the setup cell's "Run → Run All Cells first" note: a widget
  whose saved (static) form is the note and whose live form is only the page CSS, so
  the note disappears as soon as the kernel has run the cell.
* :func:`working` – "training … " while a slow block runs, removed when it ends; its saved
  form is empty, so stored notebooks (and nbval) see the same output on every run.
"""

from __future__ import annotations

import contextlib
import html

import ipywidgets as widgets

__all__ = ["PAGE_CSS", "RUN_ALL_NOTE", "page_style", "run_all_note", "working"]

#: CSS for quizzes and widgets in the browser (scoped to the suite's DOM classes)
PAGE_CSS = """
.rmteach-quiz, .rmteach-widget { max-width: 100%; box-sizing: border-box; }
.rmteach-quiz-choices, .rmteach-quiz-choices .widget-radio-box {
  width: 100% !important; max-width: 100%; height: auto !important; }
.rmteach-quiz-choices .widget-radio-box label {
  display: flex; align-items: flex-start; height: auto !important;
  line-height: 1.35 !important; white-space: normal; overflow-wrap: normal;
  margin: 0 0 6px 0; }
.rmteach-quiz-choices .widget-radio-box input {
  flex: 0 0 auto; order: -1; float: none; height: 1.35em !important;
  margin: 0 8px 0 1px; }
.rmteach-quiz .widget-hbox { flex-wrap: wrap; gap: 4px; }
.rmteach-widget .widget-hbox, .rmteach-widget .widget-box.widget-hbox { flex-wrap: wrap; }
.rmteach-widget .widget-button, .rmteach-widget .widget-toggle-button,
.rmteach-quiz .widget-button {
  width: auto !important; min-width: max-content; flex-shrink: 0;
  padding-left: 10px; padding-right: 10px; }
.rmteach-widget .widget-toggle-buttons { flex-wrap: wrap; height: auto; }
.rmteach-widget .widget-label, .rmteach-widget .widget-label-basic {
  text-overflow: clip; overflow: visible; }
.rmteach-widget .widget-inline-hbox .widget-label {
  width: auto !important; min-width: max-content; max-width: none; }
.rmteach-readout, .rmteach-message { max-width: 100%; overflow-x: auto; }
.rmteach-readout pre, .rmteach-message pre { white-space: pre; overflow-x: auto; }
.rmteach-readout, .rmteach-message, .rmteach-quiz-feedback, .rmteach-quiz-solution {
  overflow-wrap: normal; word-break: normal; }
.rmteach-figure { max-width: 100%; height: auto; }
.jp-Notebook:has(.rmteach-page-style) .jp-OutputArea-output pre {
  word-break: normal; overflow-wrap: normal; white-space: pre; overflow-x: auto; }
"""


class _PageStyle(widgets.HTML):
    """Live: the page CSS.  Saved: nothing (no "HTML(value=...)" text in a stored notebook)."""

    def _repr_mimebundle_(self, **kwargs):
        bundle = dict(super()._repr_mimebundle_(**kwargs) or {})
        bundle["text/plain"] = ""
        bundle["text/html"] = "<!-- rmteach page style: printed tables scroll as a whole -->"
        return bundle


def page_style() -> widgets.HTML:
    """An invisible ``HTML`` widget whose only content is :data:`PAGE_CSS`: display it once
    in a notebook without suite widgets (notebook 10) so that its printed tables scroll as
    a whole instead of wrapping."""
    box = _PageStyle(f"<style>{PAGE_CSS}</style>",
                     layout=widgets.Layout(height="0px", margin="0px", padding="0px"))
    box.add_class("rmteach-page-style")
    return box


#: the first screen's note (shown until the kernel has run the setup cell)
RUN_ALL_NOTE = "Run → Run All Cells first; the figures below come alive."


class _RunAllNote(widgets.HTML):
    """Live: the page CSS only (nothing visible).  Saved: the note, as HTML and text."""

    def _repr_mimebundle_(self, **kwargs):
        bundle = dict(super()._repr_mimebundle_(**kwargs) or {})
        bundle["text/html"] = ("<div class='rmteach-run-all-note' style='padding:6px 10px;"
                               "border-left:4px solid #0072B2;background:#EAF3FA'>"
                               f"<b>{RUN_ALL_NOTE}</b></div>")
        bundle["text/plain"] = RUN_ALL_NOTE
        return bundle


def run_all_note() -> widgets.HTML:
    """The setup cell's last line: the "Run All first" note for a notebook opened fresh,
    the page CSS once it has run."""
    note = _RunAllNote(f"<style>{PAGE_CSS}</style>",
                       layout=widgets.Layout(height="0px", margin="0px", padding="0px"))
    note.add_class("rmteach-page-style")
    return note


class _WorkingNote(widgets.HTML):
    """Live: the note.  Saved: nothing (the note is closed when the work ends)."""

    def _repr_mimebundle_(self, **kwargs):
        bundle = dict(super()._repr_mimebundle_(**kwargs) or {})
        bundle["text/plain"] = ""
        bundle["text/html"] = "<!-- rmteach: a note shown while the cell ran -->"
        return bundle


def working(what: str):
    """Show "``what`` …" under the cell while the ``with`` block runs, and remove it when
    the block ends (also on an error): the note for a cell that takes a few seconds.
    ``what`` is checked at once, before any ``with``.

    >>> with working("training the reward model"):   # doctest: +SKIP
    ...     model = train(data)
    """
    if not isinstance(what, str) or not what.strip() or len(what) > 200:
        raise ValueError(f"what must be a short text saying what runs (1 to 200 characters); "
                         f"got {what!r:.60}.")
    return _working(what)


@contextlib.contextmanager
def _working(what: str):
    from IPython.display import display

    note = _WorkingNote(f"<i>{html.escape(what)} …</i>")
    display(note)
    try:
        yield
    finally:
        note.close()
