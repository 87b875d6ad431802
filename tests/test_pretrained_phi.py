"""Notebook 05's 'Where φ comes from': the stored pre-trained backbone is what the script
builds (rebuilt and compared tensor by tensor), and the stored curve is well formed."""

from __future__ import annotations

import json

import pytest
import torch

from rmteach.experiments import pretrained_phi as pp
from rmteach.model.network import TinyRewardModel


def test_texts_are_prompts_followed_by_their_best_response():
    from rmteach.data.generate import make_preference_data
    from rmteach.data.language import true_reward

    texts = pp.lm_texts(40, seed=3)
    d = make_preference_data(40, min_n=4, max_n=4, heldout_fraction=0.0, seed=3)
    for (p, y), x in zip(texts, d.train):
        assert p == x.prompt
        assert true_reward(p, y) == max(true_reward(p, r) for r in x.responses)


def test_head_is_fresh_and_backbone_is_kept():
    backbone = TinyRewardModel(seed=7)
    m = pp._from_backbone(backbone, seed=3)
    fresh = TinyRewardModel(seed=3)
    assert torch.equal(m.head.weight, fresh.head.weight)
    for k, v in backbone.state_dict().items():
        if not k.startswith("head."):
            assert torch.equal(m.state_dict()[k], v), k


@pytest.mark.skipif(not pp.BACKBONE_FILE.exists(), reason="no stored backbone: run "
                    "tools/build_pretrained_cache.py")
def test_stored_backbone_is_rebuilt_exactly():
    torch.set_num_threads(1)
    stored = pp.load_backbone()
    model, res = pp.build_backbone()
    assert res.losses[-1] < res.losses[0]
    for k, v in model.state_dict().items():
        assert torch.equal(v, stored.state_dict()[k]), k


@pytest.mark.skipif(not pp.CURVE_FILE.exists(), reason="no stored curve: run "
                    "tools/build_pretrained_cache.py")
def test_stored_curve_is_well_formed():
    doc = json.loads(pp.CURVE_FILE.read_text())
    for start in ("scratch", "pretrained"):
        for key in ("accuracy", "loss"):
            rows = doc[start][key]
            assert len(rows) == len(doc["seeds"]) and all(len(r) == len(doc["sizes"])
                                                           for r in rows)
            assert all(0.0 <= v <= 1.0 for r in rows for v in r) if key == "accuracy" else True


def test_summary_lines_and_figure_read_a_curve():
    doc = {"sizes": [50, 200], "seeds": [0, 1, 2],
           "scratch": {"accuracy": [[0.5, 0.6], [0.52, 0.62], [0.48, 0.58]],
                       "loss": [[0.69, 0.6], [0.7, 0.61], [0.69, 0.62]]},
           "pretrained": {"accuracy": [[0.7, 0.8], [0.72, 0.79], [0.69, 0.81]],
                          "loss": [[0.6, 0.5], [0.61, 0.5], [0.6, 0.52]]}}
    lines = pp.summary_lines(doc)
    assert len(lines) == 3 and "n=3" in lines[0]
    assert lines[1].split()[:2] == ["50", "0.500"] and "(0.480)" in lines[1]
    assert "+0.203 ± 0.006, clears its spread" in lines[1]
    from rmteach.widgets import pretraining_curves

    fig = pretraining_curves(doc).figure
    band_means = fig.axes[0].lines[0].get_ydata()
    assert list(band_means) == pytest.approx([0.5, 0.6])
