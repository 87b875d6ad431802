"""Notebook 05 figures and tables: examples with the true reward, φ's composition,
training curves from a TrainResult history, and learned-versus-true reward."""

import base64
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="training figures need torch (pip install torch)")

from rmteach.data.generate import RankedList, make_preference_data, true_reward  # noqa: E402
from rmteach.model.evaluate import kendall_tau  # noqa: E402
from rmteach.model.network import TinyRewardModel  # noqa: E402
from rmteach.model.training import train  # noqa: E402
from rmteach.widgets import PALETTE, PALETTE_CYCLE  # noqa: E402
from rmteach.widgets.training import (  # noqa: E402
    FigureView,
    describe_list,
    phi_breakdown,
    phi_table,
    reward_agreement,
    reward_scatter,
    show_examples,
    training_curves,
)

TINY = {"d_model": 16, "n_layers": 1, "n_heads": 2, "d_ff": 32}
LN2 = math.log(2)


@pytest.fixture(scope="module")
def data():
    return make_preference_data(60, max_n=4, seed=0)


@pytest.fixture(scope="module")
def runs(data):
    return {loss: train(data, loss=loss, epochs=3, model_kwargs=TINY, progress=False)
            for loss in ("listwise", "pairwise")}


class TrueRewardModel:
    """A stand-in 'model' whose reward is the true reward times ``scale`` plus a
    per-prompt offset: what a perfect reward model may learn."""

    def __init__(self, scale=1.0, offset=0.0):
        self.scale, self.offset = scale, offset
        self.training = False
        self.device = torch.device("cpu")
        self._rows = []

    def encode(self, prompts, responses):
        self._rows = [(p, y) for p, y in zip(prompts, responses)]
        ids = torch.arange(len(self._rows))[:, None]
        return ids, torch.ones(len(self._rows), dtype=torch.long)

    def eval(self):
        return self

    def train(self, mode=True):
        return self

    def __call__(self, ids, lengths):
        vals = [self.scale * true_reward(*self._rows[i]) + self.offset * len(self._rows[i][0])
                for i in ids[:, 0].tolist()]
        return torch.tensor(vals, dtype=torch.float64)


# --- the data -----------------------------------------------------------------------------

def test_describe_list_shows_true_rewards_best_first(data):
    lst = data.train[0]
    text = describe_list(lst)
    assert lst.prompt in text.splitlines()[0]
    for rank, y in enumerate(lst.best_first(), start=1):
        line = text.splitlines()[rank]
        assert line.strip().startswith(f"{rank}.")
        assert f"r* = {true_reward(lst.prompt, y):+.2f}" in line
    assert "*  (" not in text            # beta = inf: no noisy label is flagged


def test_describe_list_flags_a_label_against_the_truth():
    prompt = "tell me about rain"
    # annotator put the rude response (r* = -1.5) above the on-topic one (r* = +1)
    lst = RankedList(prompt, ("sunny", "ugh"), (1, 0))
    first = describe_list(lst).splitlines()[1]
    assert "r* = -1.50 *" in first
    with pytest.raises(ValueError, match="RankedList"):
        describe_list("not a list")


def test_show_examples_filters_by_length(data):
    text = show_examples(data, k=3, max_n=2)
    blocks = text.split("\n\n")
    assert len(blocks) == 3
    assert all(len(b.splitlines()) == 1 + 2 for b in blocks)    # prompt line + 2 responses
    with pytest.raises(ValueError, match="k must be"):
        show_examples(data, k=0)


# --- phi = backbone + head ------------------------------------------------------------

@pytest.mark.parametrize("sizes", [{}, TINY, {"d_model": 24, "n_layers": 3, "n_heads": 4}])
def test_phi_breakdown_adds_up_to_param_counts(sizes):
    model = TinyRewardModel(**sizes, seed=0)
    parts = phi_breakdown(model)
    counts = model.param_counts()
    assert parts["head W_r"] == counts["head"] == model.head.in_features
    assert sum(v for k, v in parts.items() if k != "head W_r") == counts["backbone"]
    n_layers = sum(1 for k in parts if k.startswith("transformer layer"))
    assert n_layers == len(model.transformer.layers)
    table = phi_table(model)
    assert f"{counts['total']:,d}" in table.splitlines()[-1]
    assert f"{counts['backbone']:,d}" in table
    assert table.splitlines()[-2].startswith("head W_r")


# --- curves ----------------------------------------------------------------------------------

def test_training_curves_plot_the_history(runs):
    view = training_curves(runs)
    assert isinstance(view, FigureView)
    lx, ax = view.figure.axes[:2]
    assert lx.get_xlabel() == "epoch" and "loss" in lx.get_ylabel()
    assert "accuracy" in ax.get_ylabel()
    for i, (name, r) in enumerate(runs.items()):
        col = r.curves()
        colour = PALETTE_CYCLE[i]
        lines = [ln for ln in lx.get_lines() if ln.get_color() == colour and
                 len(ln.get_xdata()) == len(col["epoch"])]
        ys = [list(ln.get_ydata()) for ln in lines]
        assert col["train_loss"] in ys and col["heldout_loss"] in ys
        acc = [list(ln.get_ydata()) for ln in ax.get_lines() if ln.get_color() == colour]
        assert col["heldout_accuracy"] in acc
        assert view.values[name]["heldout_accuracy"] == col["heldout_accuracy"]
        final = next(ln for ln in ax.get_lines() if ln.get_marker() == "D" and
                 ln.get_color() == colour)
        assert final.get_ydata()[0] == pytest.approx(col["heldout_accuracy"][-1])
    assert any(np.allclose(ln.get_ydata(), LN2) for ln in lx.get_lines())
    assert view.summary == "Figure: loss and accuracy per epoch (listwise, pairwise)"


def test_training_curves_display_bundle(runs):
    bundle = training_curves(runs["listwise"])._repr_mimebundle_()
    assert set(bundle) == {"image/png", "text/plain"}
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "0x" not in bundle["text/plain"]


def test_training_curves_bad_input():
    with pytest.raises(ValueError, match="TrainResult"):
        training_curves([1, 2])
    with pytest.raises(ValueError, match="at least one"):
        training_curves({})


# --- learned versus true ---------------------------------------------------------------

def test_reward_agreement_is_centred_per_prompt(runs, data):
    info = reward_agreement(runs["listwise"].model, data)
    assert info["lists"] == len(data.heldout)
    assert info["responses"] == sum(x.n for x in data.heldout)
    for k in range(info["lists"]):
        m = info["list_index"] == k
        assert abs(info["true"][m].sum()) < 1e-9 and abs(info["learned"][m].sum()) < 1e-9
    assert info["pearson"] == pytest.approx(np.corrcoef(info["true"], info["learned"])[0, 1])
    assert -1 <= info["kendall_tau"] <= 1


def test_a_perfect_model_agrees_up_to_scale_and_offset(data):
    info = reward_agreement(TrueRewardModel(scale=2.5, offset=0.7), data)
    assert info["pearson"] == pytest.approx(1.0)
    assert info["slope"] == pytest.approx(2.5)
    assert info["kendall_tau"] == pytest.approx(1.0)
    taus = [kendall_tau([true_reward(x.prompt, y) for y in x.responses],
                        [true_reward(x.prompt, y) for y in x.responses]) for x in data.heldout]
    assert np.mean(taus) == pytest.approx(1.0)


def test_reward_scatter_data_labels_and_highlight(runs, data):
    view = reward_scatter(runs["listwise"].model, data, highlight=1)
    ax = view.figure.axes[0]
    assert "true reward" in ax.get_xlabel() and "learned reward" in ax.get_ylabel()
    pts = np.concatenate([c.get_offsets() for c in ax.collections[:-1]])
    assert len(pts) == view.values["responses"]
    assert sorted(pts[:, 0]) == pytest.approx(sorted(view.values["true"]))
    ring = ax.collections[-1].get_offsets()
    m = view.values["list_index"] == 1
    assert len(ring) == int(m.sum())
    assert sorted(ring[:, 1]) == pytest.approx(sorted(view.values["learned"][m]))
    colours = {tuple(np.round(c.get_facecolor()[0][:3], 3)) for c in ax.collections[:-1]}
    allowed = {tuple(np.round(np.array([int(h[i:i + 2], 16) for i in (1, 3, 5)]) / 255, 3))
               for h in PALETTE.values()}
    assert colours <= allowed
    with pytest.raises(ValueError, match="highlight"):
        reward_scatter(runs["listwise"].model, data, highlight=10_000)
