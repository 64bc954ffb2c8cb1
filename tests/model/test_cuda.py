"""CPU and CUDA must show the same values (float32, TF32 off). Skipped without CUDA."""

import numpy as np
import pytest
import torch

import llmviz

TOLERANCE = 1e-4  # absolute, on every trace value


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
def test_cpu_and_cuda_traces_agree():
    cpu = llmviz.load_model(device="cpu").run("Michael Jordan plays the sport of")
    gpu = llmviz.load_model(device="cuda").run("Michael Jordan plays the sport of")
    assert list(cpu) == list(gpu) and gpu.device.startswith("cuda")
    for key in cpu:
        a, b = cpu[key], gpu[key]
        finite = np.isfinite(a)
        assert np.array_equal(finite, np.isfinite(b)), key
        np.testing.assert_allclose(a[finite], b[finite], atol=TOLERANCE, err_msg=key)
    assert cpu.top_k(5) == pytest.approx(gpu.top_k(5)) or [t.id for t in cpu.top_k(5)] == [
        t.id for t in gpu.top_k(5)
    ]
