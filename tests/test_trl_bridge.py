"""The hand-over to TRL: same tokens, same loss, TRL's metrics explained, and no network.

Needs the optional TRL stack (``pip install -r requirements-trl.txt``; the README's test
command installs it): without it these tests skip and say so.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rmteach.course import trl_bridge as tb
from rmteach.data.generate import PreferencePair, make_preference_data
from rmteach.model.network import Vocabulary

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "10_from_rmteach_to_trl.ipynb"
needs_trl = pytest.mark.skipif(not tb.trl_available(),
                               reason="the optional TRL stack is not installed "
                                      "(pip install -r requirements-trl.txt)")


# -- without TRL ---------------------------------------------------------------------------

def test_trl_rows_put_the_separator_in_the_prompt_and_keep_margins():
    rows = tb.trl_rows([PreferencePair("explain rain", "sunny", "ugh", 0.5)])
    assert rows == [{"prompt": "explain rain <sep> ", "chosen": "sunny", "rejected": "ugh",
                     "margin": 0.5}]
    d = make_preference_data(5, max_n=4, seed=0)
    assert len(tb.trl_rows(d.train)) == len(d.pairs("train"))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(-3, 3), st.integers(-3, 3)), min_size=1, max_size=30))
def test_trl_accuracy_is_ours_times_the_share_of_decided_pairs(pairs):
    c = np.array([a for a, _ in pairs], float)
    r = np.array([b for _, b in pairs], float)
    trl, ours = tb.trl_metrics(c, r), tb.rmteach_metrics(c, r)
    decided = 1 - ours["ties"] / ours["pairs"]
    if ours["ties"] < ours["pairs"]:
        assert trl["accuracy"] == pytest.approx(ours["accuracy"] * decided)
    else:
        assert trl["accuracy"] == 0.0 and np.isnan(ours["accuracy"])
    assert trl["margin"] == pytest.approx(float(np.mean(c - r)))
    assert trl["loss"] == pytest.approx(ours["log_loss"])


def test_deepspeed_configs_point_at_each_other():
    import yaml

    acc = yaml.safe_load((ROOT / "tools/deepspeed/accelerate_zero2.yaml").read_text())
    assert acc["distributed_type"] == "DEEPSPEED" and acc["use_cpu"] is False
    ds_path = ROOT / acc["deepspeed_config"]["deepspeed_config_file"]
    ds = json.loads(ds_path.read_text())
    assert ds["zero_optimization"]["stage"] == 2
    assert ds["train_micro_batch_size_per_gpu"] == "auto"       # filled from RewardConfig


def test_notebook_runs_without_trl_and_says_how_to_add_it(monkeypatch):
    """As in the open command's environment and on Binder: no TRL, no error, a clear hint."""
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("RMTEACH_NO_TRL", "1")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH",
                                                                               "")]))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outs = [o.get("text", "") for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", [])]
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                if o.get("output_type") == "error"]
    assert sum("%pip install -r ../requirements-trl.txt" in t for t in outs) >= 5
    assert any("one ranked list of N" in t for t in outs)      # the export part still runs


# -- with TRL ------------------------------------------------------------------------------

@needs_trl
def test_tokenizer_gives_rmteach_token_ids():
    d = make_preference_data(30, seed=0)
    vocab = Vocabulary.from_items(d.train)
    tok = tb.word_tokenizer(vocab)
    texts = [("explain rain", "sunny thanks"), ("Tell me ABOUT rain", "Zebra  sunny um")]
    texts += [(x.prompt, y) for x in d.train[:5] for y in x.responses]
    for prompt, response in texts:
        row = tb.trl_rows([PreferencePair(prompt, response, "x")])[0]
        ids = tok(row["prompt"] + row["chosen"] + tok.eos_token)["input_ids"]
        assert ids == vocab.encode(prompt, response, 64)
    assert (tok.pad_token_id, tok.unk_token_id, tok.sep_token_id, tok.eos_token_id) == (0, 1, 2, 3)


@needs_trl
@pytest.mark.parametrize("margin", [None, 0.75])
def test_trl_loss_is_rmteach_pairwise_loss(tmp_path, margin):
    d = make_preference_data(40, max_n=3, seed=1)
    items = d.pairs("train")
    if margin is not None:
        items = [PreferencePair(p.prompt, p.chosen, p.rejected, margin) for p in items]
    run = tb.train_with_trl(items, steps=4, batch_size=8, output_dir=str(tmp_path))
    assert run.param_counts()["head"] == 32 and run.model.score.bias is None
    assert run.model.config.pad_token_id == run.tokenizer.pad_token_id
    p = tb.loss_parity(run)
    assert p["pairs"] == 8
    assert p["abs_difference"] <= 1e-6
    if margin is not None:     # the margin column reached TRL's loss: it differs from m = 0
        from rmteach.math.losses import pairwise_loss
        assert abs(float(pairwise_loss(p["r_chosen"], p["r_rejected"])) - p["trl_loss"]) > 1e-3


_GUARD = textwrap.dedent('''
    import os, socket, sys
    LOG = os.environ["RMTEACH_NET_LOG"]
    LOCAL = ("127.0.0.1", "::1", "localhost", "0.0.0.0", None, "")
    def _hook(event, args):
        host = None
        if event == "socket.connect":
            addr = args[1]
            if isinstance(addr, tuple):
                host = addr[0]
            else:
                return                      # a Unix socket
        elif event == "socket.getaddrinfo":
            host = args[0]
            host = host.decode() if isinstance(host, bytes) else host
        else:
            return
        if host not in LOCAL:
            with open(LOG, "a") as f:
                f.write(f"{event} {host!r}\\n")
            raise OSError(f"network blocked by the test: {event} {host!r}")
    sys.addaudithook(_hook)
''')


def _offline_env(tmp_path):
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(_GUARD)
    log = tmp_path / "net.log"
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_DATASETS_OFFLINE="1",
               RMTEACH_NET_LOG=str(log), HF_HOME=str(tmp_path / "hf-home"),
               PYTHONPATH=os.pathsep.join([str(guard), str(ROOT),
                                           os.environ.get("PYTHONPATH", "")]))
    return env, log


@needs_trl
def test_the_guard_catches_a_real_connection(tmp_path):
    """The audit hook below is not a no-op: a connection to the outside is caught."""
    env, log = _offline_env(tmp_path)
    code = "import socket\ntry:\n socket.create_connection(('example.org', 80), timeout=1)\n" \
           "except OSError as e:\n print('blocked', e)\n"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=60)
    assert "network blocked by the test" in out.stdout
    assert "example.org" in log.read_text()


@needs_trl
@pytest.mark.slow
def test_notebook_and_script_train_without_any_network(tmp_path):
    """Notebook 10 and tools/trl_train.py run with sockets to anything but localhost blocked
    (an audit hook in every process) and the Hugging Face offline switches set."""
    import nbformat
    from nbclient import NotebookClient

    env, log = _offline_env(tmp_path)
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)          # the kernel inherits this environment
    try:
        nb = nbformat.read(NOTEBOOK, as_version=4)
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                     for o in c.get("outputs", []))
    assert "absolute difference" in text and "steps of RewardTrainer" in text
    data = tmp_path / "prefs.jsonl"
    from rmteach.data.jsonl import write_jsonl
    write_jsonl(make_preference_data(40, max_n=3, seed=0).train, data, format="standard-implicit")
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "trl_train.py"), "--data",
                           str(data), "--steps", "3", "--output-dir", str(tmp_path / "out")],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["device"] == "cpu" and 0.0 <= summary["heldout_accuracy"] <= 1.0
    assert not log.exists(), f"network use was attempted:\n{log.read_text()}"
