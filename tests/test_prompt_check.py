"""A prompt's length is checked with the model folder's tokenizer and config alone: the CLI's
settings check never imports torch or loads the weights."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from llmviz.errors import ConfigError
from llmviz.model.prompt import check_prompts, prompt_tokens

CHECK = textwrap.dedent(
    """
    import sys
    from llmviz.config import resolve_settings
    from llmviz.errors import ConfigError
    ok = resolve_settings(overrides={"prompt": "Michael Jordan plays the sport of"})
    try:
        resolve_settings(overrides={"prompt": "word " * 80})
        refused = None
    except ConfigError as exc:
        refused = str(exc)
    print(repr(("torch" in sys.modules, ok.prompt, refused)))
    """
)


def test_checking_a_prompt_imports_no_torch():
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True)
    torch_loaded, prompt, refused = eval(out.stdout.strip())
    assert not torch_loaded
    assert prompt == "Michael Jordan plays the sport of"
    assert refused.endswith("tokens long; the model's context holds 64 tokens")


def test_the_count_is_the_models_own(model):
    n, n_ctx = prompt_tokens("Michael Jordan plays the sport of")
    assert (n, n_ctx) == (
        len(model.tokenizer.encode("Michael Jordan plays the sport of")),
        model.cfg.n_ctx,
    )


def test_a_gpt2_folder_uses_n_positions_and_its_own_tokenizer(tmp_path, model):
    model.tokenizer._hf.save(str(tmp_path / "tokenizer.json"))
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "gpt2", "n_positions": 5}))
    assert prompt_tokens("a fluffy blue", tmp_path)[1] == 5
    with pytest.raises(ConfigError, match="context holds 5 tokens"):
        check_prompts(["a fluffy blue creature roamed the verdant forest"], tmp_path)


@pytest.mark.parametrize("bad", [None, 3, b"bytes"])
def test_a_prompt_must_be_text(bad):
    with pytest.raises(ConfigError, match="must be text"):
        prompt_tokens(bad)
