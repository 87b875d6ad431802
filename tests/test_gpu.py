"""The same code on a CUDA GPU.  Without one these tests skip and say why."""

from __future__ import annotations

import pytest
import torch

from rmteach.data.generate import make_preference_data
from rmteach.model.network import TinyRewardModel, pick_device
from rmteach.model.training import train

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(),
                       reason="no CUDA device: torch.cuda.is_available() is False on this "
                              "machine, so the GPU path cannot run here"),
]


def test_auto_device_is_cuda():
    assert pick_device().type == "cuda"
    assert pick_device("cuda:0") == torch.device("cuda:0")


def test_model_on_cuda_scores_like_cpu():
    cpu = TinyRewardModel(seed=0).eval()
    gpu = TinyRewardModel(seed=0).to("cuda").eval()
    prompts, responses = ["explain rain"] * 3, ["sunny", "ugh um", "thanks so"]
    torch.testing.assert_close(gpu.score(prompts, responses), cpu.score(prompts, responses),
                               atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("mode", ["grouped", "exploded"])
def test_training_runs_on_cuda(mode):
    data = make_preference_data(60, max_n=5, seed=0)
    result = train(data, mode=mode, epochs=2, device="cuda", progress=False)
    assert result.device.startswith("cuda")
    assert result.model.device.type == "cuda"
    assert 0.0 <= result.heldout_accuracy <= 1.0
    cpu = train(data, mode=mode, epochs=2, device="cpu", progress=False)
    assert result.forward_passes == cpu.forward_passes
