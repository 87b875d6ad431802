"""JSONL in TRL's layouts: round trips, and a clear error for every malformed line."""

from __future__ import annotations

import json

import pytest

from rmteach.data.generate import PreferencePair, RankedList, make_preference_data
from rmteach.data.jsonl import dumps_jsonl, loads_jsonl, read_jsonl, write_jsonl


def test_round_trip_pairs_and_lists(tmp_path):
    d = make_preference_data(20, seed=0)
    for items in ([*d.train], d.pairs("heldout")):
        path = tmp_path / "prefs.jsonl"
        write_jsonl(items, path)
        assert read_jsonl(path) == items
        assert loads_jsonl(dumps_jsonl(items)) == items


def test_trl_pair_layout_and_extra_keys(tmp_path):
    path = tmp_path / "mine.jsonl"
    path.write_text(
        '{"prompt": "explain rain", "chosen": "sunny", "rejected": "ugh", "id": 7}\n'
        "\n"
        '{"prompt": "explain sky", "chosen": "sunny thanks", "rejected": "ugh"}\n',
        encoding="utf-8")
    items = read_jsonl(path)
    assert items == [PreferencePair("explain rain", "sunny", "ugh"),
                     PreferencePair("explain sky", "sunny thanks", "ugh")]
    line = json.loads(dumps_jsonl(items[:1]))
    assert set(line) == {"prompt", "chosen", "rejected"}
    ranked = loads_jsonl('{"prompt": "explain rain", "responses": ["ugh", "sunny thanks"], '
                         '"ranking": [1, 0], "id": 3}')
    assert ranked == [RankedList("explain rain", ("ugh", "sunny thanks"), (1, 0))]


GOOD = '{"prompt": "p", "chosen": "a", "rejected": "b"}'
GOOD_LIST = '{"prompt": "p", "responses": ["a", "b"], "ranking": [1, 0]}'


@pytest.mark.parametrize(("bad", "match"), [
    ("{not json", r"line 2: not valid JSON"),
    ("[1, 2]", r"line 2: expected a JSON object"),
    ('{"prompt": "p"}', r"line 2: fields 'chosen' and 'rejected'"),
    ('{"prompt": "p", "chosen": "a"}', r"line 2: field 'rejected' is missing"),
    ('{"prompt": "p", "rejected": "b"}', r"line 2: field 'chosen' is missing"),
    ('{"prompt": 3, "chosen": "a", "rejected": "b"}', r"line 2: field 'prompt' must be a str"),
    ('{"prompt": "p", "chosen": "  ", "rejected": "b"}', r"line 2: field 'chosen' is empty"),
    ('{"prompt": "p", "chosen": "a", "rejected": "b", "ranking": [0]}', r"line 2: .*not both"),
    ('{"prompt": "p", "chosen": "a", "rejected": "b", "margin": "big"}',
     r"line 2: field 'margin' must be a finite number"),
])
def test_malformed_line_names_line_and_field(tmp_path, bad, match):
    path = tmp_path / "bad.jsonl"
    path.write_text(GOOD + "\n" + bad + "\n" + GOOD + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=match) as info:
        read_jsonl(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(("bad", "match"), [
    ('{"prompt": "p", "ranking": [0, 1]}', r"line 2: field 'responses' is missing"),
    ('{"prompt": "p", "responses": ["a", "b"]}', r"line 2: field 'ranking' is missing"),
    ('{"responses": ["a", "b"], "ranking": [0, 1]}', r"line 2: field 'prompt' is missing"),
    ('{"prompt": "p", "responses": ["a"], "ranking": [0]}',
     r"line 2: field 'responses' must be a list of at least 2"),
    ('{"prompt": "p", "responses": "ab", "ranking": [0, 1]}',
     r"line 2: field 'responses' must be a list"),
    ('{"prompt": "p", "responses": ["a", 5], "ranking": [0, 1]}',
     r"line 2: field 'responses' item 1"),
    ('{"prompt": "p", "responses": ["a", "b"], "ranking": [0, 0]}',
     r"line 2: field 'ranking' must list each index 0..1"),
    ('{"prompt": "p", "responses": ["a", "b"], "ranking": [0, 2]}',
     r"line 2: field 'ranking'"),
    ('{"prompt": "p", "responses": ["a", "b"], "ranking": [true, false]}',
     r"line 2: field 'ranking'"),
    ('{"prompt": "p", "responses": ["a", "b"], "ranking": [0, 1], "margin": 1}',
     r"line 2: field 'margin' belongs to pairs"),
])
def test_malformed_ranked_line_names_line_and_field(tmp_path, bad, match):
    path = tmp_path / "bad.jsonl"
    path.write_text(GOOD_LIST + "\n" + bad + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=match):
        read_jsonl(path)


def test_nothing_is_half_loaded():
    text = GOOD + "\n" + GOOD + "\n" + '{"prompt": "p"}' + "\n"
    result = None
    with pytest.raises(ValueError, match="line 3"):
        result = loads_jsonl(text)
    assert result is None


def test_empty_and_binary_files(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no preference items"):
        read_jsonl(empty)
    binary = tmp_path / "weights.bin"
    binary.write_bytes(b"\x80\x04\x95\xff\xfe")
    with pytest.raises(ValueError, match="not a UTF-8 text file"):
        read_jsonl(binary)


def test_write_rejects_unknown_items_without_touching_the_file(tmp_path):
    path = tmp_path / "out.jsonl"
    with pytest.raises(ValueError, match="PreferencePair or RankedList"):
        write_jsonl([PreferencePair("p", "a", "b"), {"prompt": "p"}], path)
    with pytest.raises(ValueError, match="unknown format 'trl'"):
        write_jsonl([PreferencePair("p", "a", "b")], path, format="trl")
    assert not path.exists()
