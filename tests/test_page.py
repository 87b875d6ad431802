"""The page helpers: the "working …" note of a slow cell is shown, then closed (also on an
error), and its stored form is empty; the page style's stored form shows nothing."""

import pytest

import rmteach.widgets as rw
from rmteach.widgets import page


def test_working_note_is_shown_then_closed(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    with rw.working("training the reward model"):
        assert len(shown) == 1 and "training the reward model" in shown[0].value
        assert shown[0].comm is not None                 # open while the block runs
    assert shown[0].comm is None                         # closed afterwards
    with pytest.raises(RuntimeError), rw.working("failing"):
        raise RuntimeError("boom")
    assert shown[1].comm is None                         # closed on an error too


def test_stored_forms_are_empty():
    for widget in (page._WorkingNote("<i>x</i>"), rw.page_style()):
        bundle = widget._repr_mimebundle_()
        assert bundle["text/plain"] == "" and bundle["text/html"].startswith("<!--")


@pytest.mark.parametrize("what", [None, "", "   ", "x" * 201, 5])
def test_working_refuses_a_bad_text_at_once(what):
    with pytest.raises(ValueError, match="what must be a short text"):
        rw.working(what)
