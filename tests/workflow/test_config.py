"""Settings: one precedence order (defaults < class attributes < llmviz.toml < LLMVIZ_* < CLI)."""

import pytest

from llmviz.config import Settings, resolve_settings
from llmviz.errors import ConfigError, LLMVizError
from llmviz.model.loader import DEFAULT_MODEL_DIR


class Base:
    prompt = "Michael Jordan plays the sport of"
    temperature = 0.7


def test_defaults_without_anything(tmp_path):
    assert resolve_settings(directory=tmp_path, environ={}) == Settings()


def test_precedence_order(tmp_path):
    assert resolve_settings(Base, tmp_path, {}).temperature == 0.7  # class attribute over default
    (tmp_path / "llmviz.toml").write_text('temperature = 1.5\ntheme = "light"\n')
    assert resolve_settings(Base, tmp_path, {}).temperature == 1.5  # file over class
    env = {"LLMVIZ_TEMPERATURE": "2.5"}
    s = resolve_settings(Base, tmp_path, env)
    assert (
        s.temperature == 2.5 and s.theme == "light"
    )  # env over file; file still applies elsewhere
    s = resolve_settings(Base, tmp_path, env, overrides={"temperature": 3})
    assert s.temperature == 3.0 and s.prompt == Base.prompt  # command line over everything


def test_toml_may_use_an_llmviz_table(tmp_path):
    (tmp_path / "llmviz.toml").write_text(
        '[llmviz]\nprompt = "Serena Woods plays the sport of"\ndecimals = 3\n'
    )
    s = resolve_settings(None, tmp_path, {})
    assert s.prompt == "Serena Woods plays the sport of" and s.decimals == 3


def test_contrasts_from_env(tmp_path):
    s = resolve_settings(
        None,
        tmp_path,
        {"LLMVIZ_CONTRASTS": "Michael Woods plays the sport of|Alexis Jordan plays the sport of"},
    )
    assert s.contrasts == ("Michael Woods plays the sport of", "Alexis Jordan plays the sport of")
    s = resolve_settings(None, tmp_path, {"LLMVIZ_CONTRASTS": '["a b", "c d"]'})
    assert s.contrasts == ("a b", "c d")


def test_model_dir_is_checked(tmp_path):
    s = resolve_settings(None, tmp_path, {"LLMVIZ_MODEL_DIR": str(DEFAULT_MODEL_DIR)})
    assert s.model_dir == str(DEFAULT_MODEL_DIR.resolve())
    with pytest.raises(
        ConfigError, match=r"model_dir \(from LLMVIZ_MODEL_DIR\): no such directory"
    ):
        resolve_settings(None, tmp_path, {"LLMVIZ_MODEL_DIR": str(tmp_path / "nope")})
    with pytest.raises(ConfigError, match="has no config.json.*or a Hugging Face GPT-2 folder"):
        resolve_settings(None, tmp_path, {"LLMVIZ_MODEL_DIR": str(tmp_path)})
    (tmp_path / "config.json").write_text("{}")  # a folder with a config: the loader explains
    with pytest.raises(LLMVizError, match="lacks tokenizer.json, model.safetensors"):
        resolve_settings(None, tmp_path, {"LLMVIZ_MODEL_DIR": str(tmp_path), "LLMVIZ_PROMPT": "hi"})


@pytest.mark.parametrize(
    "source,match",
    [
        (
            {"LLMVIZ_TEMPERATURE": "-1"},
            r"temperature \(from LLMVIZ_TEMPERATURE\) must be a finite number >= 0",
        ),
        ({"LLMVIZ_TEMPERATURE": "hot"}, "temperature .* must be a number >= 0, not 'hot'"),
        ({"LLMVIZ_THEME": "pink"}, "theme .* must be one of dark, light, projector, not 'pink'"),
        ({"LLMVIZ_DECIMALS": "9"}, "decimals .* must be between 0 and 6, not 9"),
        ({"LLMVIZ_SEED": "1.5"}, "seed .* must be a whole number"),
        ({"LLMVIZ_PROMPT": "   "}, r"prompt \(from LLMVIZ_PROMPT\) is empty"),
        (
            {"LLMVIZ_PROMPT": " ".join(["basketball"] * 80)},
            r"is \d+ tokens long; the model's context holds 64 tokens",
        ),
        (
            {"LLMVIZ_COLOUR": "red"},
            r"unknown setting 'colour' \(from LLMVIZ_COLOUR\); allowed keys:\n  prompt",
        ),
        ({"LLMVIZ_FONT": "No Such Font 123"}, "font 'No Such Font 123' is not installed"),
    ],
)
def test_bad_values_name_the_key_and_what_is_allowed(tmp_path, source, match):
    with pytest.raises(ConfigError, match=match):
        resolve_settings(None, tmp_path, source)


def test_bad_file(tmp_path):
    (tmp_path / "llmviz.toml").write_text("temperature = [")
    with pytest.raises(ConfigError, match="llmviz.toml is not valid TOML"):
        resolve_settings(None, tmp_path, {})
    (tmp_path / "llmviz.toml").write_text("tempreature = 1\n")
    with pytest.raises(ConfigError, match="unknown setting 'tempreature'"):
        resolve_settings(None, tmp_path, {})


def test_bad_class_attribute(tmp_path):
    class Bad:
        temperature = -3

    with pytest.raises(ConfigError, match="temperature \\(from class Bad\\)"):
        resolve_settings(Bad, tmp_path, {})


def test_checking_a_prompt_reads_the_tokenizer_without_torch(tmp_path):
    """The CLI checks --prompt (its length in tokens against n_ctx) before starting renders;
    that reads tokenizer.json and config.json only: torch is never imported."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from llmviz.cli import _settings_env\n"
        "from llmviz.errors import ConfigError\n"
        "env = _settings_env(prompt='Michael Jordan plays the sport of')\n"
        "assert env == {'LLMVIZ_PROMPT': 'Michael Jordan plays the sport of'}, env\n"
        "try:\n"
        "    _settings_env(prompt=' '.join(['basketball'] * 80))\n"
        "except ConfigError as exc:\n"
        "    assert 'context holds 64 tokens' in str(exc), exc\n"
        "else:\n"
        "    raise SystemExit('a prompt longer than the context was accepted')\n"
        "print('torch' in sys.modules)\n"
    )
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("LLMVIZ_")}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_a_gpt2_folder_prompt_is_checked_from_vocab_and_merges_without_torch(tmp_path):
    """A GPT-2 folder with vocab.json + merges.txt and n_positions 6: its context length and
    tokenizer come from those files; no weights are needed and torch is not imported."""
    import json
    import subprocess
    import sys

    from llmviz.model.tokenizer import Tokenizer

    folder = tmp_path / "gpt2"
    folder.mkdir()
    Tokenizer.train(["the cat sat on the mat"] * 3, vocab_size=300).save_bpe(folder)
    (folder / "config.json").write_text(json.dumps({"model_type": "gpt2", "n_positions": 6}))
    code = (
        "import sys\n"
        "from llmviz.config import resolve_settings\n"
        "from llmviz.errors import ConfigError\n"
        f"d = {str(folder)!r}\n"
        "resolve_settings(overrides={'model_dir': d, 'prompt': 'the cat'})\n"
        "try:\n"
        "    resolve_settings(overrides={'model_dir': d, 'prompt': 'the cat sat on the mat and the cat'})\n"
        "except ConfigError as exc:\n"
        "    assert 'context holds 6 tokens' in str(exc), exc\n"
        "else:\n"
        "    raise SystemExit('a prompt longer than n_positions was accepted')\n"
        "print('torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
