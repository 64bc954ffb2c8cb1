"""Every cache llmviz writes lands under LLMVIZ_CACHE_DIR when it is set (llmviz.paths)."""

from __future__ import annotations

from pathlib import Path

from llmviz import paths, voice
from llmviz.model.experiments import superposition
from llmviz.workflow import listing


def test_every_cache_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LLMVIZ_CACHE_DIR", str(tmp_path))
    assert paths.cache_dir() == tmp_path
    assert voice.cache_dir() == tmp_path / "voice"
    assert listing._listing_cache() == tmp_path / "scenes"


def test_without_the_variable_the_cache_is_under_xdg_or_home(monkeypatch, tmp_path):
    monkeypatch.delenv("LLMVIZ_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert paths.cache_dir("voice") == tmp_path / "llmviz" / "voice"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert paths.cache_dir() == Path.home() / ".cache" / "llmviz"


def test_a_rerun_experiment_is_cached_under_llmviz_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("LLMVIZ_CACHE_DIR", str(tmp_path))
    small = superposition.SuperpositionConfig(n_vectors=20, dim=5, steps=3, batch=20)
    result = superposition.load_or_run(small, device="cpu")
    written = list(tmp_path.glob("superposition_*.json"))
    assert len(written) == 1 and result.config == small
    assert superposition.load_or_run(small, device="cpu") == result  # read back, not rerun


def test_shipped_data_lives_in_the_package():
    assert (paths.PACKAGE_DATA / "model.safetensors").is_file()
    assert superposition.SHIPPED_RESULT.parent == paths.PACKAGE_DATA
