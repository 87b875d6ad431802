"""Learners' own data: the benchmark's rule generators, validation-split model choice, the
vocabulary cap, and the CLI defaults that use them (the library defaults stay as they are)."""

from __future__ import annotations

import inspect
import json
import math

import numpy as np
import pytest
import torch

from benchmarks import own_data
from rmteach.cli.commands import CLI_DEFAULTS, main
from rmteach.data.generate import VOCABULARY, make_preference_data, split_by_prompt, tokenize
from rmteach.model.evaluate import metrics_from_scores
from rmteach.model.network import Vocabulary
from rmteach.model.training import DEFAULTS, _Encoded, train


@pytest.mark.parametrize("name", sorted(own_data.RULES))
def test_rules_are_noiseless_unseen_and_tie_free(name):
    rule = own_data.RULES[name]
    lists = own_data.make_lists(rule, 200, seed=3)
    assert len({x["prompt"] for x in lists}) == 200
    words = set()
    for x in lists:
        r = [rule.reward(x["prompt"], y) for y in x["responses"]]
        best_first = [r[i] for i in x["ranking"]]
        assert best_first == sorted(r, reverse=True)                  # noiseless labels
        assert min(np.diff(sorted(r))) >= own_data.MIN_GAP - 1e-9       # no near-ties
        for y in x["responses"]:
            words |= set(tokenize(y))
    assert not words & set(VOCABULARY), "responses must not reuse the built-in language"
    assert own_data.make_lists(rule, 20, seed=3) == lists[:20]         # deterministic


def test_match_rule_needs_the_prompt():
    rule = own_data.RULES["match"]
    p = "please bring the fox and the cup and the owl"
    assert rule.reward(p, "fox cup") == 2.0
    assert rule.reward(p.replace("fox", "yak"), "fox cup") == 0.5


def test_validation_split_chooses_the_epoch_and_never_sees_heldout():
    d = make_preference_data(120, max_n=4, seed=0)
    res = train(d, epochs=5, validation_fraction=0.2, progress=False, seed=0)
    assert res.config["validation_lists"] == 19 and res.config["train_lists"] == 77
    keys = [(r.validation_accuracy, -r.validation_loss) for r in res.history]
    assert res.best_epoch == max(range(len(keys)), key=lambda i: (keys[i], -i)) + 1
    kept = res.history[res.best_epoch - 1]
    assert res.heldout_accuracy == kept.heldout_accuracy
    # the kept weights are the best epoch's: its validation loss comes out again
    held = {x.prompt for x in d.heldout}
    tr_lists, val = split_by_prompt(d.train, heldout_fraction=0.2, seed=0)
    assert not ({x.prompt for x in val} & held) and not ({x.prompt for x in val}
                                                          & {x.prompt for x in tr_lists})
    enc = _Encoded(res.model, val)
    again = metrics_from_scores(val, enc.scores_by_list(res.model), against=None)
    assert again.listwise_loss == pytest.approx(kept.validation_loss, abs=1e-6)
    assert again.accuracy == pytest.approx(max(k[0] for k in keys))
    assert res.final.accuracy == pytest.approx(res.heldout_accuracy)


def test_patience_stops_early():
    d = make_preference_data(60, max_n=3, seed=1)
    res = train(d, epochs=40, lr=0.05, validation_fraction=0.3, patience=2, progress=False)
    assert len(res.history) < 40
    assert len(res.history) - res.best_epoch == 2
    with pytest.raises(ValueError, match="patience"):
        train(d, epochs=2, patience=2, progress=False)


def test_library_defaults_are_unchanged():
    """The notebooks' defaults: no validation split, no early stopping, 12 epochs."""
    sig = inspect.signature(train).parameters
    assert sig["validation_fraction"].default == 0.0 and sig["patience"].default is None
    assert sig["ema"].default == 0.0
    assert DEFAULTS == {"epochs": 12, "lr": 1e-2, "batch_size": 16, "weight_decay": 0.0}
    d = make_preference_data(40, max_n=3, seed=0)
    res = train(d, epochs=2, progress=False)
    assert res.best_epoch is None and len(res.history) == 2
    assert math.isnan(res.history[0].validation_loss)
    assert math.isnan(res.history[0].validation_accuracy)


def test_ema_returns_the_moving_average_of_the_weights():
    """ema = d: after each step φ̄ ← d·φ̄ + (1 − d)·φ, and φ̄ is what is measured and returned.
    One batch per epoch, so the trajectory φ0 → φ1 → φ2 is that of ema=0 (no extra random
    numbers): φ̄ = d²·φ0 + d(1 − d)·φ1 + (1 − d)·φ2."""
    from rmteach.model.network import TinyRewardModel

    d = make_preference_data(24, max_n=3, seed=2)
    kw = dict(batch_size=64, lr=0.05, progress=False, eval_train=False, seed=4)
    vocab = Vocabulary.from_items(d.train)
    phi0 = TinyRewardModel(vocab, seed=4).state_dict()
    phi1 = train(d, epochs=1, **kw).model.state_dict()
    phi2 = train(d, epochs=2, **kw).model.state_dict()
    decay = 0.7
    res = train(d, epochs=2, ema=decay, **kw)
    assert res.config["ema"] == decay
    avg = res.model.state_dict()
    moved = 0
    for k, v in avg.items():
        want = decay**2 * phi0[k] + decay * (1 - decay) * phi1[k] + (1 - decay) * phi2[k]
        assert torch.allclose(v, want, atol=1e-5), k
        moved += not torch.allclose(v, phi2[k], atol=1e-4)
    assert moved, "the average must differ from the last weights"
    # the history measures the average: its last epoch is the returned model's
    assert res.history[-1].heldout_accuracy == pytest.approx(res.heldout_accuracy)
    assert "ema" not in train(d, epochs=1, **kw).config           # off: nothing recorded


@pytest.mark.parametrize("bad", [1.0, -0.1, "0.9", float("nan")])
def test_ema_rejects_bad_decays(bad):
    d = make_preference_data(10, max_n=3, seed=0)
    with pytest.raises(ValueError, match="ema"):
        train(d, epochs=1, ema=bad, progress=False)


def test_vocabulary_cap_and_min_count():
    from rmteach.data.generate import PreferencePair

    items = [PreferencePair("zz yy", "aa aa aa bb", "cc"), PreferencePair("zz", "aa", "bb")]
    full = Vocabulary.from_items(items)
    assert full.words[-5:] == ("zz", "yy", "aa", "bb", "cc") and full.n_unknown == 0
    capped = Vocabulary.from_items(items, max_words=2)
    assert capped.words[-2:] == ("zz", "aa") and capped.n_unknown == 3
    assert capped.encode("yy", "cc", 10)[0] == 1                  # <unk>
    assert Vocabulary.from_items(items, min_count=3).words[-1:] == ("aa",)
    # the cap never changes the built-in language's vocabulary
    d = make_preference_data(50, seed=0)
    assert Vocabulary.from_items(d.train, max_words=0, min_count=99) == Vocabulary()
    with pytest.raises(ValueError, match="min_count"):
        Vocabulary.from_items(items, min_count=0)


def test_cli_defaults_use_validation_and_say_so(tmp_path, capsys):
    assert CLI_DEFAULTS["validation_fraction"] > 0 and CLI_DEFAULTS["patience"] >= 0
    path = own_data.write_file(own_data.RULES["counts"], tmp_path / "c.jsonl", seed=0,
                               n_prompts=60)
    assert main(["train", "--data", str(path), "--epochs", "3", "--no-progress",
                 "--max-vocab", "10"]) == 0
    out = capsys.readouterr().out
    assert "read as <unk> (--max-vocab 10, --min-count 1)" in out
    assert "the best on 5 validation lists" in out
    assert main(["train", "--data", str(path), "--epochs", "2", "--no-progress", "--json",
                 "--validation-fraction", "0"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["best_epoch"] is None and summary["epochs_run"] == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--data", str(path), "--ema", "1", "--no-progress"])
    assert exit_info.value.code == 2 and "--ema" in capsys.readouterr().err


def test_cli_on_builtin_data_keeps_the_vocabulary():
    torch.manual_seed(0)
    d = make_preference_data(30, seed=0)
    assert Vocabulary.from_items(d.train, max_words=CLI_DEFAULTS["max_vocab"]) == Vocabulary()


# -- the CLI's model options (off in the library) ------------------------------------------

def test_model_options_are_off_by_default_and_draw_the_same_weights():
    from rmteach.model.network import TinyRewardModel

    book = TinyRewardModel()
    assert set(book.config()) == {"d_model", "n_layers", "n_heads", "d_ff", "max_len", "dropout",
                                  "vocab"}
    rich = TinyRewardModel(pooling="sum")
    shared = rich.state_dict()
    assert set(shared) == set(book.state_dict())      # pooling changes the reading, no weights
    for k, v in book.state_dict().items():
        assert torch.equal(v, shared[k]), k
    with pytest.raises(ValueError, match="unknown pooling 'mean'"):
        TinyRewardModel(pooling="mean")
    with pytest.raises(TypeError):                     # the hand-made input feature is gone
        TinyRewardModel(match_feature=True)


def test_sum_pooling_is_a_sum_of_token_rewards():
    from rmteach.model.network import TinyRewardModel

    m = TinyRewardModel(pooling="sum", seed=3)
    ids, lengths = m.encode(["explain rain sky", "cook dinner"], ["rain sunny sky", "um dinner"])
    with torch.no_grad():
        h = m.hidden_states(ids, lengths)
        per_token = m.head(h).squeeze(-1)
        real = torch.arange(ids.shape[1])[None, :] < lengths[:, None]
        assert torch.allclose(m(ids, lengths), (per_token * real).sum(1), atol=1e-5)


def test_the_prompt_is_read_by_attention_only():
    """No input feature compares the response with the prompt: the embedding of a response
    word is the same whether or not the prompt contains it (only attention can tell)."""
    from rmteach.model.network import TinyRewardModel

    m = TinyRewardModel(pooling="sum", seed=0)
    a, _ = m.encode(["explain rain"], ["rain"])
    b, _ = m.encode(["explain sky"], ["rain"])
    pos = torch.arange(a.shape[1])
    emb_a = m.token_embedding(a) + m.position_embedding(pos)
    emb_b = m.token_embedding(b) + m.position_embedding(pos)
    assert torch.equal(emb_a[0, 3:], emb_b[0, 3:])       # <sep> rain <end>: same inputs


def test_checkpoint_keeps_the_options(tmp_path):
    from rmteach.model.checkpoint import load, save
    from rmteach.model.network import TinyRewardModel

    m = TinyRewardModel(pooling="sum", seed=1)
    save(m, tmp_path / "m.pt")
    back = load(tmp_path / "m.pt")
    assert back.config() == m.config()
    assert back.score("explain rain", "rain sunny") == pytest.approx(
        m.score("explain rain", "rain sunny"))


def test_old_checkpoints_load_or_name_their_version(tmp_path):
    from rmteach.model.checkpoint import load
    from rmteach.model.network import TinyRewardModel

    m = TinyRewardModel(pooling="sum", seed=1)
    old = {"format": "rmteach.TinyRewardModel", "version": 1, "config": m.config(),
           "state_dict": m.state_dict()}
    torch.save(old, tmp_path / "v1.pt")
    assert load(tmp_path / "v1.pt").score("explain rain", "rain") == pytest.approx(
        m.score("explain rain", "rain"))
    state = {**m.state_dict(), "match_embedding.weight": torch.zeros(2, 32)}
    torch.save({**old, "config": {**m.config(), "match_feature": True}, "state_dict": state},
               tmp_path / "v1_match.pt")
    with pytest.raises(ValueError, match=r"version 1.*match_feature.*version 2.*Retrain"):
        load(tmp_path / "v1_match.pt")


def test_benchmark_script_writes_its_tables(tmp_path):
    assert own_data.main(["--rules", "counts", "--layouts", "pairs", "--seeds", "0", "1",
                          "--prompts", "16", "--out", str(tmp_path), "--work",
                          str(tmp_path)]) == 0
    result = json.loads((tmp_path / "own_data.json").read_text())
    assert [r["seed"] for r in result["rows"]] == [0, 1]
    assert all(0.0 <= r["heldout_accuracy"] <= 1.0 and r["cpu_seconds"] > 0
               for r in result["rows"])
    assert "| counts: word counts" in (tmp_path / "own_data.md").read_text()


def test_wants_rule_depends_on_what_the_prompt_asks():
    rule = own_data.RULES["wants"]
    p = "include amber and basil but avoid cedar and denim"
    q = "include cedar and denim but avoid amber and basil"
    assert rule.reward(p, "amber basil jade") == 2.0 and rule.reward(q, "amber basil jade") == -2.0
    assert rule.reward(p, "cedar amber") == 0.0


def test_order_rule_scores_the_same_words_differently_by_order():
    rule = own_data.RULES["order"]
    p = "write ada bo cy a note about the harbor"
    assert rule.reward(p, "graciously warmly harbor cheers") == 4.5     # 2 polite + topic + closing
    assert rule.reward(p, "harbor graciously warmly cheers") == 2.5     # polite after the topic: 0
    assert rule.reward(p, "graciously warmly cheers harbor") == 3.0     # no closing word at the end
    assert rule.reward(p, "graciously graciously harbor") == 2.0    # 2 polite + topic - 1 repeat


def test_cli_pretrain_runs_first_and_bad_values_exit_2(tmp_path, capsys):
    path = own_data.write_file(own_data.RULES["wants"], tmp_path / "w.jsonl", seed=0,
                               n_prompts=40, pairs=True)
    assert main(["train", "--data", str(path), "--epochs", "1", "--no-progress", "--pretrain",
                 "--pretrain-epochs", "2"]) == 0
    out = capsys.readouterr().out
    assert "pre-trained the backbone on" in out and "nats per token" in out
    for bad in (["--pretrain-epochs", "0", "--pretrain"], ["--pretrain-epochs", "x"],
                ["--pretrain-epochs", "3"]):
        try:
            code = main(["train", "--data", str(path), "--no-progress", *bad])
        except SystemExit as exc:
            code = exc.code
        err = capsys.readouterr().err
        assert code == 2 and err.startswith("error:") and len(err.strip().splitlines()) == 1, bad
        assert "--pretrain" in err


def test_pretrain_lowers_the_next_token_loss_and_leaves_the_head():
    from rmteach.model.network import TinyRewardModel
    from rmteach.model.pretrain import lm_loss, pretrain, texts_of

    lists = own_data.make_lists(own_data.RULES["order"], 60, seed=5)
    texts = texts_of([own_data_list(x) for x in lists])
    m = TinyRewardModel(Vocabulary.from_items([own_data_list(x) for x in lists]), seed=0)
    head = m.head.weight.detach().clone()
    ids, lengths = m.encode([p for p, _ in texts], [y for _, y in texts])
    with torch.no_grad():
        before = float(lm_loss(m.eval(), ids, lengths))
    res = pretrain(m, texts, epochs=4, progress=False)
    with torch.no_grad():
        after = float(lm_loss(m.eval(), ids, lengths))
    assert after < before - 0.5, (before, after)
    assert res.losses[-1] < res.losses[0] and res.texts == len(texts)
    assert torch.equal(m.head.weight, head)                 # W_r is the reward step's
    again = pretrain(TinyRewardModel(m.vocab, seed=0), texts, epochs=4, progress=False)
    assert again.losses == res.losses                       # deterministic on CPU
    with pytest.raises(ValueError, match=r"texts\[0\]"):
        pretrain(m, ["just one string"], progress=False)


def own_data_list(x):
    from rmteach.data.generate import RankedList

    return RankedList(x["prompt"], tuple(x["responses"]), tuple(x["ranking"]))
