"""Check a prompt against a model folder with its tokenizer and config alone: no torch, no weights.

Settings are checked before a scene renders (``llmviz render --prompt ...``, ``LLMVIZ_PROMPT``);
reading two small files is enough to say that a prompt is too long for the model's context, so
the check never loads the model or imports torch.

Examples
--------
>>> prompt_tokens("Michael Jordan plays the sport of")
(6, 64)
>>> check_prompts(["x " * 100])
Traceback (most recent call last):
...
llmviz.errors.ConfigError: prompt 'x x x x x x x x x x x x x x x x x x x x '... is 200 tokens long; the model's context holds 64 tokens
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from pathlib import Path

from llmviz.errors import ConfigError, ModelFileError
from llmviz.model.config import ModelConfig
from llmviz.model.tokenizer import Tokenizer
from llmviz.paths import PACKAGE_DATA

__all__ = ["prompt_tokens", "check_prompts"]


@functools.lru_cache(maxsize=4)
def _read(folder: str) -> tuple[Tokenizer, int]:
    """The tokenizer and context length of a model folder (llmviz's own or a GPT-2 folder)."""
    path = Path(folder)
    if not path.is_dir():
        raise ModelFileError(f"model directory not found: {path}")
    config = path / "config.json"
    try:
        data = json.loads(config.read_text()) if config.is_file() else {}
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"model config {config} is not valid JSON: {exc}") from None
    if isinstance(data, dict) and "model_type" in data:  # a Hugging Face GPT-2 folder
        n_ctx = data.get("n_positions", 1024)
        if isinstance(n_ctx, bool) or not isinstance(n_ctx, int) or n_ctx < 1:
            raise ModelFileError(f"model config {config}: n_positions must be a whole number >= 1")
        if (path / "tokenizer.json").is_file():
            return Tokenizer.load(path / "tokenizer.json"), n_ctx
        if (path / "vocab.json").is_file() and (path / "merges.txt").is_file():
            return Tokenizer.load_bpe(path / "vocab.json", path / "merges.txt"), n_ctx
        raise ModelFileError(
            f"GPT-2 folder {path} has no tokenizer.json, nor vocab.json and merges.txt"
        )
    return Tokenizer.load(path / "tokenizer.json"), ModelConfig.from_json(config).n_ctx


def prompt_tokens(prompt: str, model_dir: str | Path | None = None) -> tuple[int, int]:
    """``(tokens in prompt, tokens the model's context holds)`` for the model in ``model_dir``
    (the shipped model when None)."""
    if not isinstance(prompt, str):
        raise ConfigError(f"a prompt must be text (str), not {type(prompt).__name__}")
    tokenizer, n_ctx = _read(str(Path(model_dir).expanduser() if model_dir else PACKAGE_DATA))
    return len(tokenizer.encode(prompt)), n_ctx


def check_prompts(prompts: Iterable[str], model_dir: str | Path | None = None) -> None:
    """Raise :class:`~llmviz.errors.ConfigError` for the first prompt longer than the model's
    context."""
    for text in prompts:
        n, n_ctx = prompt_tokens(text, model_dir)
        if n > n_ctx:
            raise ConfigError(
                f"prompt {text[:40]!r}... is {n} tokens long; the model's context holds "
                f"{n_ctx} tokens"
            )
