import shutil

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

import llmviz
from llmviz.errors import DeviceError, LLMVizError, ModelFileError, PromptError
from llmviz.model.loader import DEFAULT_MODEL_DIR


@pytest.mark.parametrize("prompt", ["", "   ", "\n\t"])
def test_empty_prompt(model, prompt):
    with pytest.raises(PromptError, match="empty"):
        model.run(prompt)


def test_non_text_prompt(model):
    with pytest.raises(PromptError, match="must be text"):
        model.run(42)


def test_too_long_prompt_names_limit_and_count(model):
    prompt = " ".join(["basketball"] * 100)
    n = len(model.tokenizer.encode(prompt))
    with pytest.raises(PromptError, match=rf"{n} tokens long .* at most {model.cfg.n_ctx} tokens"):
        model.run(prompt)


@pytest.mark.parametrize(
    "text", ["🏀 Michael Jordan 🏀", "Zürich – naïve café", "日本語のテキスト", "a\u0000b"]
)
def test_any_unicode_tokenizes(model, text):
    t = model.run(text)
    assert model.tokenizer.decode(t.token_ids) == text
    assert np.isfinite(t["logits"]).all()


@pytest.mark.parametrize("name", ["gpu", "cuda:x", "cpu:0", "tpu", ""])
def test_unknown_device(name, monkeypatch):
    if name == "":
        monkeypatch.setenv("LLMVIZ_DEVICE", "metal")
        with pytest.raises(DeviceError, match="LLMVIZ_DEVICE.*allowed: cpu, cuda, cuda:N"):
            llmviz.device()
        return
    with pytest.raises(DeviceError, match="allowed: cpu, cuda, cuda:N"):
        llmviz.load_model(device=name)


def test_env_device_override(monkeypatch):
    monkeypatch.setenv("LLMVIZ_DEVICE", "cpu")
    assert llmviz.device().type == "cpu"


@pytest.mark.skipif(
    torch.cuda.is_available(), reason="checks the message on a machine without CUDA"
)
def test_cuda_requested_without_cuda():
    with pytest.raises(DeviceError, match="none is available"):
        llmviz.device("cuda")


def _copy(tmp_path):
    d = tmp_path / "m"
    shutil.copytree(DEFAULT_MODEL_DIR, d)
    return d


def test_missing_directory(tmp_path):
    with pytest.raises(ModelFileError, match="model directory not found"):
        llmviz.load_model(tmp_path / "nope")


def test_missing_weights_file(tmp_path):
    d = _copy(tmp_path)
    (d / "model.safetensors").unlink()
    with pytest.raises(ModelFileError, match="lacks model.safetensors"):
        llmviz.load_model(d)


def test_corrupt_weights_file(tmp_path):
    d = _copy(tmp_path)
    (d / "model.safetensors").write_bytes(b"\x00garbage" * 10)
    with pytest.raises(ModelFileError, match="corrupt"):
        llmviz.load_model(d)


def test_truncated_weights_file(tmp_path):
    d = _copy(tmp_path)
    data = (d / "model.safetensors").read_bytes()
    (d / "model.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="corrupt"):
        llmviz.load_model(d)


def test_nan_weights(tmp_path):
    d = _copy(tmp_path)
    state = load_file(str(d / "model.safetensors"))
    state["blocks.0.mlp.W_up"][0, 0] = float("nan")
    save_file(state, str(d / "model.safetensors"))
    with pytest.raises(ModelFileError, match="NaN or infinite values in \\['blocks.0.mlp.W_up'\\]"):
        llmviz.load_model(d)


def test_wrong_shape_weights(tmp_path):
    d = _copy(tmp_path)
    state = load_file(str(d / "model.safetensors"))
    state["unembed.W_U"] = state["unembed.W_U"][:, :10].contiguous()
    save_file(state, str(d / "model.safetensors"))
    with pytest.raises(ModelFileError, match="unembed.W_U has shape"):
        llmviz.load_model(d)


def test_corrupt_config_and_tokenizer(tmp_path):
    d = _copy(tmp_path)
    (d / "config.json").write_text("{not json")
    with pytest.raises(ModelFileError, match="config.json is not valid JSON"):
        llmviz.load_model(d)
    d2 = _copy(tmp_path / "b")
    (d2 / "config.json").write_text('{"d_model": 64, "colour": "red"}')
    with pytest.raises(ModelFileError, match="unknown keys \\['colour'\\]"):
        llmviz.load_model(d2)
    d3 = _copy(tmp_path / "c")
    (d3 / "tokenizer.json").write_text("[]")
    with pytest.raises(ModelFileError, match="tokenizer file .* is corrupt"):
        llmviz.load_model(d3)


@pytest.mark.parametrize("t", [-1, float("nan"), float("inf"), "hot"])
def test_bad_temperature(mj_trace, t):
    with pytest.raises(LLMVizError, match="temperature must be"):
        mj_trace.top_k(3, temperature=t)


def test_not_a_single_token(model):
    with pytest.raises(PromptError, match="not a single token; the tokenizer splits it into"):
        model.token_id(" photosynthesis lecture")


def test_errors_are_value_errors():
    assert issubclass(LLMVizError, ValueError)
