"""TinyRewardModel: r(x, y) = h_last · W_r, padding, the parameter split, devices."""

from __future__ import annotations

import pytest
import torch

from rmteach.model.network import END, PAD, SEP, UNK, TinyRewardModel, Vocabulary, pick_device


@pytest.fixture(scope="module")
def model():
    return TinyRewardModel(seed=0).eval()


def test_output_shape_one_reward_per_row(model):
    ids, lengths = model.encode(["explain rain"] * 3, ["sunny", "ugh um", "thanks glad so"])
    r = model(ids, lengths)
    assert r.shape == (3,)
    assert r.dtype == torch.float32
    assert model.score(["explain rain"] * 3, ["sunny", "ugh um", "thanks glad so"]).shape == (3,)
    assert isinstance(model.score("explain rain", "sunny"), float)


def test_reward_is_h_last_times_w_r(model):
    ids, lengths = model.encode(["explain rain", "tell me about rain"], ["sunny um", "ugh"])
    h = model.hidden_states(ids, lengths)
    h_last = h[torch.arange(2), lengths - 1]
    expected = h_last @ model.head.weight[0]
    torch.testing.assert_close(model(ids, lengths), expected)
    assert model.head.bias is None          # a bias would cancel in every comparison


def test_padding_does_not_change_the_reward(model):
    short = model.score("explain rain", "sunny")
    ids, lengths = model.encode(["explain rain", "explain rain"],
                                ["sunny", "sunny thanks glad um so like well"])
    assert ids.shape[1] > lengths[0]                      # the first row is padded
    assert model(ids, lengths)[0].item() == pytest.approx(short, abs=1e-5)
    # what sits in the padded positions is irrelevant
    ids2 = ids.clone()
    ids2[0, lengths[0]:] = 7
    torch.testing.assert_close(model(ids2, lengths), model(ids, lengths))


def test_last_token_sees_the_whole_input(model):
    # causal attention: only h_last has read x and y, so changing the prompt changes r
    assert model.score("explain rain", "sunny") != pytest.approx(
        model.score("explain recipe", "sunny"), abs=1e-6)


def test_encode_layout_and_truncation():
    vocab = Vocabulary()
    ids = vocab.encode("explain rain", "sunny zebra", max_len=64)
    assert ids[2] == SEP and ids[-1] == END and ids[4] == UNK
    assert len(vocab.encode("explain rain", "sunny " * 100, max_len=16)) == 16
    assert vocab.encode("explain rain", "sunny " * 100, max_len=16)[-1] == END
    assert vocab.words[PAD] == "<pad>"


def test_vocabulary_from_items_adds_new_words():
    from rmteach.data.generate import PreferencePair

    vocab = Vocabulary.from_items([PreferencePair("hello there", "kind words", "zebra")])
    assert {"hello", "there", "kind", "words", "zebra"} <= set(vocab.words)
    assert len(vocab) == len(Vocabulary()) + 5


def test_param_counts_split_backbone_and_head():
    m = TinyRewardModel(d_model=16, n_heads=2, d_ff=32)
    counts = m.param_counts()
    assert counts["head"] == 16                           # W_r: one weight per hidden unit
    assert counts["backbone"] + counts["head"] == counts["total"]
    assert counts["total"] == sum(p.numel() for p in m.parameters())
    emb = len(m.vocab) * 16 + m.max_len * 16
    assert counts["backbone"] > emb


def test_same_seed_same_weights_and_global_rng_untouched():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = TinyRewardModel(seed=4)
    after = torch.rand(1)
    b = TinyRewardModel(seed=4)
    assert before == after
    for (ka, va), (_, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert torch.equal(va, vb), ka


def test_bad_sizes():
    with pytest.raises(ValueError, match="divisible"):
        TinyRewardModel(d_model=30, n_heads=4)
    with pytest.raises(ValueError, match="d_model"):
        TinyRewardModel(d_model=0)
    with pytest.raises(ValueError, match="max_len"):
        TinyRewardModel(max_len=2)
    with pytest.raises(ValueError, match="one prompt per response"):
        TinyRewardModel().encode(["a", "b"], ["c"])


def test_pick_device_cpu_and_auto():
    assert pick_device("cpu") == torch.device("cpu")
    auto = pick_device()
    assert auto == pick_device("auto")
    if torch.cuda.is_available():
        assert auto.type == "cuda"
    elif not (hasattr(torch.backends, "mps") and torch.backends.mps.is_available()):
        assert auto.type == "cpu"


def test_pick_device_errors():
    with pytest.raises(ValueError, match="unknown device"):
        pick_device("banana")
    with pytest.raises(ValueError, match="unsupported device"):
        pick_device("meta")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA GPU"):
            pick_device("cuda")


def test_model_runs_on_the_picked_device():
    dev = pick_device()
    m = TinyRewardModel().to(dev)
    assert m.device.type == dev.type
    assert all(p.device.type == dev.type for p in m.parameters())
    r = m.score(["explain rain"], ["sunny"])
    assert r.device.type == "cpu" and r.shape == (1,)
