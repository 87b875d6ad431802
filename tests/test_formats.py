"""Every TRL preference format in and out: TRL's documented examples, round trips, errors."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rmteach.data.formats import FORMATS, PAIR_FORMATS, shared_prompt, text_to_messages
from rmteach.data.generate import PreferencePair, RankedList, make_preference_data
from rmteach.data.jsonl import dumps_jsonl, loads_jsonl, loads_jsonl_with_format, read_jsonl

# TRL's documented preference examples (docs "Dataset formats and types", preference type;
# the conversational ones are also trl.extract_prompt's docstring example)
SKY_Q = {"role": "user", "content": "What color is the sky?"}
TRL_EXAMPLES = {
    "standard-explicit": {"prompt": "The sky is", "chosen": " blue.", "rejected": " green."},
    "standard-implicit": {"chosen": "The sky is blue.", "rejected": "The sky is green."},
    "conversational-explicit": {
        "prompt": [SKY_Q],
        "chosen": [{"role": "assistant", "content": "It is blue."}],
        "rejected": [{"role": "assistant", "content": "It is green."}]},
    "conversational-implicit": {
        "chosen": [SKY_Q, {"role": "assistant", "content": "It is blue."}],
        "rejected": [SKY_Q, {"role": "assistant", "content": "It is green."}]},
}
EXPECTED = {
    "standard-explicit": PreferencePair("The sky is", " blue.", " green."),
    "standard-implicit": PreferencePair("The sky is", "blue.", "green."),
    "conversational-explicit": PreferencePair("What color is the sky?", "It is blue.",
                                              "It is green."),
    "conversational-implicit": PreferencePair("What color is the sky?", "It is blue.",
                                              "It is green."),
}


def _jsonl(*objs):
    return "".join(json.dumps(o) + "\n" for o in objs)


@pytest.mark.parametrize("fmt", PAIR_FORMATS)
def test_trl_documented_examples_load_and_are_detected(fmt):
    items, found = loads_jsonl_with_format(_jsonl(TRL_EXAMPLES[fmt]))
    assert found == fmt
    assert items == [EXPECTED[fmt]]


@pytest.mark.parametrize("fmt", PAIR_FORMATS)
def test_trl_examples_write_back_unchanged(fmt):
    """Reading TRL's example and writing the same format gives TRL's example back."""
    items = loads_jsonl(_jsonl(TRL_EXAMPLES[fmt]))
    assert json.loads(dumps_jsonl(items, format=fmt)) == TRL_EXAMPLES[fmt]


def test_trl_margin_column_and_multi_turn_prompt():
    system = {"role": "system", "content": "You are kind."}
    row = {"chosen": [system, SKY_Q, {"role": "assistant", "content": "It is blue."}],
           "rejected": [system, SKY_Q, {"role": "assistant", "content": "Whatever."}],
           "margin": 1.5}
    [pair] = loads_jsonl(_jsonl(row))
    assert pair.prompt == "system: You are kind.\nuser: What color is the sky?"
    assert (pair.chosen, pair.rejected, pair.margin) == ("It is blue.", "Whatever.", 1.5)
    assert json.loads(dumps_jsonl([pair], format="conversational-implicit")) == row
    explicit = json.loads(dumps_jsonl([pair], format="conversational-explicit"))
    assert explicit["prompt"] == [system, SKY_Q] and explicit["margin"] == 1.5


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_every_format(fmt):
    d = make_preference_data(30, max_n=4, seed=1)
    items = list(d.train) if fmt == "ranked" else d.pairs("train")
    # responses of the built-in language may share their first words; the implicit layout
    # cannot tell those from the prompt, so give each response its own opening word
    if fmt.endswith("implicit"):
        items = [PreferencePair(p.prompt, "yes " + p.chosen, "no " + p.rejected) for p in items]
    text = dumps_jsonl(items, format=fmt)
    back, found = loads_jsonl_with_format(text)
    assert found == fmt and back == items
    assert dumps_jsonl(back, format=fmt) == text


@pytest.mark.parametrize("fmt", PAIR_FORMATS)
def test_round_trip_with_margins(fmt):
    items = [PreferencePair("explain rain", "yes sunny", "no ugh", 0.5),
             PreferencePair("cook dinner", "pasta salt", "ugh", -1.0)]
    assert loads_jsonl(dumps_jsonl(items, format=fmt)) == items


def test_lists_export_as_their_implied_pairs():
    lst = RankedList("explain rain", ("ugh", "sunny", "um"), (1, 2, 0))
    rows = [json.loads(x) for x in dumps_jsonl([lst], format="standard-explicit").splitlines()]
    assert [(r["chosen"], r["rejected"]) for r in rows] == [("sunny", "um"), ("sunny", "ugh"),
                                                            ("um", "ugh")]
    assert loads_jsonl(dumps_jsonl([lst])) == [lst]          # default: ranked stays ranked


def test_pairs_export_as_lists_of_two_and_margins_refuse_the_ranked_format():
    pair = PreferencePair("explain rain", "sunny", "ugh")
    assert loads_jsonl(dumps_jsonl([pair], format="ranked")) == [
        RankedList("explain rain", ("sunny", "ugh"), (0, 1))]
    with pytest.raises(ValueError, match="no margin column"):
        dumps_jsonl([PreferencePair("p", "a", "b", 1.0)], format="ranked")


def test_forced_format():
    text = _jsonl(TRL_EXAMPLES["standard-explicit"])
    assert loads_jsonl(text, format="standard-explicit") == [EXPECTED["standard-explicit"]]
    with pytest.raises(ValueError, match="line 1: field 'prompt' is present, but format "
                                         "standard-implicit"):
        loads_jsonl(text, format="standard-implicit")
    with pytest.raises(ValueError, match=r"line 1: field 'prompt' must be a non-empty list of"):
        loads_jsonl(text, format="conversational-explicit")
    with pytest.raises(ValueError, match=r"line 1: field 'prompt' must be a string; got list"):
        loads_jsonl(_jsonl(TRL_EXAMPLES["conversational-explicit"]), format="standard-explicit")
    with pytest.raises(ValueError, match="unknown format 'chatml'"):
        loads_jsonl(text, format="chatml")


@pytest.mark.parametrize(("lines", "match"), [
    # a conversational row with an unknown role
    ([TRL_EXAMPLES["conversational-explicit"],
      {"prompt": [{"role": "human", "content": "hi"}],
       "chosen": [{"role": "assistant", "content": "a"}],
       "rejected": [{"role": "assistant", "content": "b"}]}],
     r"line 2: field 'prompt' message 0 has unknown role 'human'"),
    ([TRL_EXAMPLES["conversational-implicit"],
      {"chosen": [SKY_Q, {"role": "assistant"}], "rejected": [SKY_Q]}],
     r"line 2: field 'chosen' message 1 must be an object with 'role' and 'content'"),
    ([TRL_EXAMPLES["conversational-explicit"],
      {"prompt": [SKY_Q], "chosen": [{"role": "assistant", "content": 3}],
       "rejected": [{"role": "assistant", "content": "b"}]}],
     r"line 2: field 'chosen' message 0 'content' must be non-empty text"),
    # implicit pairs with no shared prefix, or nothing after it
    ([TRL_EXAMPLES["standard-implicit"], {"chosen": "Blue it is.", "rejected": "Green."}],
     r"line 2: fields 'chosen' and 'rejected' share no prefix"),
    ([TRL_EXAMPLES["standard-implicit"], {"chosen": "Skyline", "rejected": "Skyward"}],
     r"line 2: fields 'chosen' and 'rejected' share no prefix"),
    ([TRL_EXAMPLES["standard-implicit"], {"chosen": "The sky is", "rejected": "The sky is red"}],
     r"line 2: field 'chosen' is only the shared prompt"),
    ([TRL_EXAMPLES["conversational-implicit"],
      {"chosen": [{"role": "user", "content": "a"}], "rejected": [SKY_Q]}],
     r"line 2: fields 'chosen' and 'rejected' share no prefix"),
    # a non-numeric margin, a margin on some lines only
    ([{**TRL_EXAMPLES["standard-implicit"], "margin": 1},
      {**TRL_EXAMPLES["standard-implicit"], "margin": "1.5"}],
     r"line 2: field 'margin' must be a finite number .* got '1.5'"),
    ([{**TRL_EXAMPLES["standard-explicit"], "margin": 1},
      {**TRL_EXAMPLES["standard-explicit"], "margin": True}],
     r"line 2: field 'margin' must be a finite number"),
    ([TRL_EXAMPLES["standard-explicit"], {**TRL_EXAMPLES["standard-explicit"], "margin": 2}],
     r"line 2: field 'margin' is present but the first item \(<string>, line 1\) has none"),
    # a file that mixes formats
    ([TRL_EXAMPLES["standard-explicit"], TRL_EXAMPLES["standard-implicit"]],
     r"line 2: this line is standard-implicit but the file started as standard-explicit"),
    ([TRL_EXAMPLES["conversational-implicit"], TRL_EXAMPLES["standard-implicit"]],
     r"line 2: this line is standard-implicit but the file started as conversational-implicit"),
    ([TRL_EXAMPLES["standard-explicit"],
      {"prompt": "p", "responses": ["a", "b"], "ranking": [0, 1]}],
     r"line 2: this line is ranked but the file started as standard-explicit"),
])
def test_bad_rows_name_the_line_and_the_field(lines, match):
    with pytest.raises(ValueError, match=match):
        loads_jsonl(_jsonl(*lines))


def test_mixed_file_errors_at_the_first_differing_line_and_loads_nothing(tmp_path):
    path = tmp_path / "mixed.jsonl"
    ok = TRL_EXAMPLES["standard-implicit"]
    path.write_text(_jsonl(ok, ok, ok, TRL_EXAMPLES["standard-explicit"], {"junk": 1}),
                    encoding="utf-8")
    result = None
    with pytest.raises(ValueError, match=r"line 4: this line is standard-explicit") as info:
        result = read_jsonl(path)
    assert str(path) in str(info.value) and result is None


def test_shared_prompt_cuts_at_words_like_trl():
    assert shared_prompt("The sky is blue.", "The sky is bright.") == (
        "The sky is", "blue.", "bright.")
    assert shared_prompt("explain rain sunny", "explain rain ugh") == (
        "explain rain", "sunny", "ugh")
    assert shared_prompt("a b", "a  c") == ("a", "b", "c")


def test_messages_template_inverse():
    text = "system: be brief\nuser: line one\nline two"
    assert text_to_messages(text, "user") == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "line one\nline two"}]


words = st.text(alphabet="abcxyz", min_size=1, max_size=4)
texts = st.lists(words, min_size=1, max_size=4).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(prompt=texts, chosen=texts, rejected=texts, fmt=st.sampled_from(PAIR_FORMATS),
       margin=st.one_of(st.none(), st.floats(-5, 5)))
def test_round_trip_property(prompt, chosen, rejected, fmt, margin):
    pair = PreferencePair(prompt, "c " + chosen, "r " + rejected, margin)
    assert loads_jsonl(dumps_jsonl([pair], format=fmt)) == [pair]


def test_tiered_rankings_read_as_their_pairs_across_tiers():
    from rmteach.math.ranking import tiers_to_pairs

    row = {"prompt": "explain rain", "responses": ["ugh", "sunny", "um", "thanks"],
           "tiers": "1 > 0 = 3 > 2"}
    items, fmt = loads_jsonl_with_format(_jsonl(row, {**row, "tiers": [[1], [0, 3], [2]]}))
    assert fmt == "tiered"
    want = [PreferencePair("explain rain", row["responses"][a], row["responses"][b])
            for a, b in tiers_to_pairs([[1], [0, 3], [2]])]
    assert items == want + want and len(want) == 5          # (16 - 1 - 4 - 1) / 2 pairs
    # written from ranked lists (one response per tier), read back as the same pairs
    lst = RankedList("explain rain", ("ugh", "sunny", "um"), (1, 2, 0))
    assert loads_jsonl(dumps_jsonl([lst], format="tiered")) == lst.pairs()


@pytest.mark.parametrize(("tiers", "match"), [
    ("1 > 0 = 0", r"line 1: field 'tiers': the ranking lists '0' more than once"),
    ("1 > 0", r"line 1: field 'tiers' must place each index 0..2"),
    ("1 > A = 2", r"line 1: field 'tiers' must place each index"),
    ([[1], [], [0, 2]], r"line 1: field 'tiers' must place each index"),
    ("2 < 1 < 0", r"line 1: field 'tiers': write the ranking best first"),
    (7, r"line 1: field 'tiers': expected a string"),
])
def test_bad_tiers_name_the_line_and_the_field(tiers, match):
    row = {"prompt": "p", "responses": ["a", "b", "c"], "tiers": tiers}
    with pytest.raises(ValueError, match=match):
        loads_jsonl(_jsonl(row))
