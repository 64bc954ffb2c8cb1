"""Settings a teacher can change without editing code, with one precedence order.

From lowest to highest priority:

1. llmviz's defaults;
2. class attributes of the scene (``class MyScene(MLPChapter): prompt = "..."``);
3. ``llmviz.toml`` in the working directory;
4. ``LLMVIZ_*`` environment variables (``LLMVIZ_PROMPT``, ``LLMVIZ_TEMPERATURE``, ...), which a
   plain ``manim render`` picks up;
5. flags of ``llmviz render`` (passed on to each render as environment variables).

Every value is checked; a bad one raises :class:`~llmviz.errors.ConfigError` naming the key, where
it came from and what is allowed.
"""

from __future__ import annotations

import json
import math
import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from llmviz.errors import ConfigError, text_problem

#: The files of a model trained by llmviz (llmviz.model.loader.MODEL_FILES, without importing torch).
MODEL_FILES = ("config.json", "tokenizer.json", "model.safetensors")

__all__ = [
    "Settings",
    "resolve_settings",
    "check_setting",
    "KEYS",
    "CONFIG_FILE",
    "describe_keys",
    "NOT_SETTINGS",
    "Setting",
    "SETTINGS",
    "setting",
    "settings_markdown",
    "toml_template",
    "THEMES",
]

CONFIG_FILE = "llmviz.toml"
THEMES = ("dark", "light", "projector")


@dataclass(frozen=True)
class Settings:
    """The customisable settings; ``None`` for prompts means "the scene's own default"."""

    prompt: str | None = None
    contrasts: tuple[str, ...] | None = None
    temperature: float = 1.0
    seed: int = 0
    model_dir: str | None = None
    theme: str = "dark"
    font: str | None = None  # None: CMU Serif when installed, else DejaVu Serif
    decimals: int = 2
    voice: str = "none"
    voice_fallback: str = "none"


@dataclass(frozen=True)
class Setting:
    """One entry of the settings registry: everything the CLI flags, ``llmviz.toml``, the
    ``LLMVIZ_*`` variables, the help texts and the README table say about a setting."""

    name: str
    kind: str  # what a value is, in words: text, number, whole number, folder, ...
    help: str  # one line, without the allowed values (see ``allowed``)
    allowed: str  # the allowed values, in words (for a choice, built from the choices)
    used_in: str  # where llmviz uses it
    example: Any  # a value for the commented llmviz.toml line
    aliases: tuple[str, ...] = ()  # further CLI flags
    choices: tuple[str, ...] = ()

    @property
    def default(self) -> Any:
        return next(f.default for f in fields(Settings) if f.name == self.name)

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def toml_key(self) -> str:
        return self.name

    @property
    def env(self) -> str:
        return "LLMVIZ_" + self.name.upper()

    @property
    def full_help(self) -> str:
        """The help text with its allowed values, as the CLI, the toml file and the README say it."""
        return f"{self.help} ({self.allowed})"


#: The one settings registry, in the order the CLI, llmviz.toml and the README list them.
SETTINGS: tuple[Setting, ...] = (
    Setting(
        "prompt",
        "text",
        "the scene's main prompt",
        "text of at most the model's context length in tokens",
        "every chapter and the demo",
        "Michael Jordan plays the sport of",
    ),
    Setting(
        "contrasts",
        "list of texts",
        "contrast prompts for the MLP chapter",
        "a list of non-empty texts; on the command line and in LLMVIZ_CONTRASTS separated by '|' or a JSON list",
        "the MLP chapter",
        ["Michael Woods plays the sport of", "Alexis Jordan plays the sport of"],
    ),
    Setting(
        "temperature",
        "number",
        "softmax temperature for sampling and probabilities",
        "a finite number >= 0",
        "next-token distributions in every chapter and the demo",
        1.0,
    ),
    Setting(
        "seed",
        "whole number",
        "random seed for sampling",
        "a whole number from 0 to 4294967295",
        "sampled tokens",
        0,
    ),
    Setting(
        "model_dir",
        "folder",
        "the model the scenes run",
        "a model trained by llmviz (" + ", ".join(MODEL_FILES) + ") or a Hugging Face GPT-2 "
        "folder; default: the embedded model",
        "every forward pass of the scenes",
        "my_model",
        aliases=("--model",),
    ),
    Setting(
        "theme",
        "choice",
        "colour theme",
        "one of " + ", ".join(THEMES),
        "every colour on screen",
        "dark",
        choices=THEMES,
    ),
    Setting(
        "font",
        "font family",
        "font for prose and titles; tokens stay monospace",
        "an installed font family; default: CMU Serif when installed, else DejaVu Serif",
        "every text on screen",
        "DejaVu Serif",
    ),
    Setting(
        "decimals",
        "whole number",
        "digits after the decimal point for numbers on screen",
        "a whole number from 0 to 6",
        "every number on screen",
        2,
    ),
    Setting(
        "voice",
        "choice or file",
        "narration voice",
        "none (subtitles and reading time), espeak, flite, festival, the path of a Piper .onnx "
        "voice file, or a folder of recorded clips (llmviz script / llmviz record)",
        "the narration of every lecture scene",
        "none",
    ),
    Setting(
        "voice_fallback",
        "choice or file",
        "voice for the beats a folder of recordings has no clip for",
        "none (reading time, silent), espeak, flite, festival, or the path of a Piper .onnx "
        "voice file",
        "beats without a recorded clip, when voice is a folder",
        "none",
    ),
)

_REGISTRY = {s.name: s for s in SETTINGS}

#: Each setting's help text with its allowed values, from :data:`SETTINGS`.
KEYS = {s.name: s.full_help for s in SETTINGS}


def setting(name: str) -> Setting:
    """The registry entry of a setting; an unknown name raises a ConfigError listing them all.

    Examples
    --------
    >>> setting("theme").env
    'LLMVIZ_THEME'
    """
    if name not in _REGISTRY:
        raise ConfigError(f"unknown setting {name!r}; allowed keys:\n{describe_keys()}")
    return _REGISTRY[name]


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def toml_template() -> str:
    """An ``llmviz.toml`` with every setting of the registry commented out: its help, its
    allowed values and an example line to uncomment.

    Examples
    --------
    >>> print(toml_template().splitlines()[0])
    # llmviz settings for the scenes rendered from this folder; uncomment a line to use it.
    """
    lines = [
        "# llmviz settings for the scenes rendered from this folder; uncomment a line to use it.",
        "# Priority, lowest first: llmviz's defaults, the scene class's attributes, this file,",
        "# LLMVIZ_* environment variables, then the flags of llmviz render and llmviz slides.",
    ]
    for s in SETTINGS:
        default = "none" if s.default is None else _toml_value(s.default)
        lines += [
            "",
            f"# {s.name}: {s.help}.",
            f"#   allowed: {s.allowed}.",
            f"#   default: {default}; also {s.env} or {s.flag}.",
            f"# {s.toml_key} = {_toml_value(s.example)}",
        ]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def settings_markdown() -> str:
    """The settings registry as a Markdown table (the README's, between
    ``<!-- settings:begin -->`` and ``<!-- settings:end -->``).

    Examples
    --------
    >>> settings_markdown().splitlines()[0].startswith("| Setting |")
    True
    """
    rows = [
        "| Setting | Type | Default | Allowed | CLI flag | Environment variable | Used in |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in SETTINGS:
        default = "(scene's own)" if s.default is None else _toml_value(s.default)
        flags = ", ".join(f"`{f}`" for f in (s.flag, *s.aliases))
        rows.append(
            "| "
            + " | ".join(
                _cell(c)
                for c in (
                    f"`{s.toml_key}`: {s.help}",
                    s.kind,
                    f"`{default}`",
                    s.allowed,
                    flags,
                    f"`{s.env}`",
                    s.used_in,
                )
            )
            + " |"
        )
    return "\n".join(rows) + "\n"


def describe_keys() -> str:
    return "\n".join(f"  {k:<12} {v}" for k, v in KEYS.items())


def _check(key: str, value: Any, source: str) -> Any:
    """Convert ``value`` (from ``source``) to the key's type, or raise a ConfigError."""
    where = f"{key} (from {source})"
    if key not in KEYS:
        raise ConfigError(
            f"unknown setting {key!r} (from {source}); allowed keys:\n{describe_keys()}"
        )
    if key in ("prompt", "model_dir", "font", "theme", "voice", "voice_fallback"):
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be text, not {type(value).__name__}")
        problem = text_problem(value)
        if problem:
            raise ConfigError(f"{where} {value!r} {problem}; give it as UTF-8 text")
    if key == "prompt":
        if not value.strip():
            raise ConfigError(f"{where} is empty; give the words the model should continue")
        return value
    if key == "contrasts":
        if isinstance(value, str):
            try:
                value = json.loads(value) if value.strip().startswith("[") else value.split("|")
            except json.JSONDecodeError:
                raise ConfigError(
                    f"{where} must be a list of texts, e.g. '[\"a\", \"b\"]' or 'a|b'"
                ) from None
        if (
            not isinstance(value, (list, tuple))
            or not value
            or not all(isinstance(v, str) and v.strip() for v in value)
        ):
            raise ConfigError(f"{where} must be a non-empty list of non-empty texts, not {value!r}")
        for v in value:
            problem = text_problem(v)
            if problem:
                raise ConfigError(f"{where}: the contrast {v!r} {problem}; give it as UTF-8 text")
        return tuple(value)
    if key == "temperature":
        try:
            t = float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where} must be a number >= 0, not {value!r}") from None
        if math.isnan(t) or math.isinf(t) or t < 0:
            raise ConfigError(f"{where} must be a finite number >= 0, not {value!r}")
        return t + 0.0  # -0 is zero
    if key in ("seed", "decimals"):
        try:
            n = int(value)
            if isinstance(value, float) and n != value or isinstance(value, bool):
                raise ValueError
        except (TypeError, ValueError):
            raise ConfigError(f"{where} must be a whole number, not {value!r}") from None
        lo, hi = (0, 2**32 - 1) if key == "seed" else (0, 6)
        if not lo <= n <= hi:
            raise ConfigError(f"{where} must be between {lo} and {hi}, not {n}")
        return n
    if key == "theme":
        if value not in THEMES:
            raise ConfigError(f"{where} must be one of {', '.join(THEMES)}, not {value!r}")
        return value
    if key in ("voice", "voice_fallback"):
        if value in ("none", "espeak", "flite", "festival"):
            return value
        path = Path(value).expanduser()
        if path.is_dir() and key == "voice_fallback":
            raise ConfigError(
                f"{where} must be 'none', 'espeak', 'flite', 'festival' or the path of a Piper "
                f".onnx voice; a folder of recordings cannot stand in for missing clips, not "
                f"{value!r}"
            )
        if path.is_dir():  # a folder of recorded clips (llmviz script / llmviz record)
            return str(path.resolve())
        if path.suffix != ".onnx":
            raise ConfigError(
                f"{where} must be 'none', 'espeak', 'flite', 'festival', the path of a Piper "
                f".onnx voice or a folder of recordings, not {value!r}"
            )
        if not path.is_file():
            raise ConfigError(f"{where}: the Piper voice file {str(path)!r} does not exist")
        return str(path.resolve())
    if key == "model_dir":
        path = Path(value).expanduser()
        if not value.strip():
            raise ConfigError(f"{where} is empty; give a model folder")
        if path.exists() and not path.is_dir():
            raise ConfigError(f"{where}: {str(path)!r} is a file, not a model folder")
        if not path.is_dir():
            raise ConfigError(
                f"{where}: no such directory {str(path)!r}; it must hold a model trained by "
                f"llmviz ({', '.join(MODEL_FILES)}) or a Hugging Face GPT-2 folder"
            )
        if not (path / "config.json").is_file():
            raise ConfigError(
                f"{where}: {str(path)!r} has no config.json; it must hold a model trained by "
                f"llmviz ({', '.join(MODEL_FILES)}) or a Hugging Face GPT-2 folder"
            )
        return str(path.resolve())  # the loader checks the rest, naming what is wrong
    if key == "font":
        import manimpango

        if value not in manimpango.list_fonts():
            some = ", ".join(sorted(f for f in manimpango.list_fonts() if "DejaVu" in f)[:4])
            raise ConfigError(f"{where}: font {value!r} is not installed; for example: {some}")
        return value
    return value


def check_setting(key: str, value: Any, source: str) -> Any:
    """One setting's value checked and converted, as :func:`resolve_settings` does it; a bad one
    raises a :class:`~llmviz.errors.ConfigError` naming ``key``, ``source`` and what is allowed.

    Examples
    --------
    >>> check_setting("decimals", "3", "--decimals")
    3
    """
    return _check(key, value, source)


def _from_file(directory: Path) -> dict[str, Any]:
    path = directory / CONFIG_FILE
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    table = data
    if "llmviz" in data:
        table = data["llmviz"]
        if not isinstance(table, dict):
            raise ConfigError(
                f"{path}: llmviz must be a table ([llmviz] with settings under it), not "
                f"{type(table).__name__}"
            )
        also = sorted(set(data) - {"llmviz"})
        if also:
            raise ConfigError(
                f"{path} sets {', '.join(also)} at the top level and has an [llmviz] table too: "
                "put every setting in one place (the top level or under [llmviz]), so that "
                "none is set twice"
            )
    return {k: _check(k, v, str(path)) for k, v in table.items()}


#: LLMVIZ_* variables that are not scene settings: the torch device, the pip index that
#: scripts/setup.sh installs torch from, and the folder where spoken sentences are cached
#: (any ``LLMVIZ_TORCH_*`` is an install option too).
NOT_SETTINGS = ("LLMVIZ_DEVICE", "LLMVIZ_TORCH_INDEX", "LLMVIZ_CACHE_DIR")


def _from_env(environ: dict[str, str]) -> dict[str, Any]:
    out = {}
    for name, value in environ.items():
        if not name.startswith("LLMVIZ_") or name in NOT_SETTINGS:
            continue
        if name.startswith("LLMVIZ_TORCH_"):
            continue  # install options, never a scene setting
        key = name[len("LLMVIZ_") :].lower()
        out[key] = _check(key, value, name)
    return out


def resolve_settings(
    scene_cls: type | None = None,
    directory: str | Path | None = None,
    environ: dict[str, str] | None = None,
    overrides: dict[str, Any] | None = None,
) -> Settings:
    """The settings for a scene class, applying the precedence order above.

    Examples
    --------
    >>> resolve_settings(environ={"LLMVIZ_TEMPERATURE": "0.5"}).temperature
    0.5
    """
    values: dict[str, Any] = {}
    if scene_cls is not None:
        for f in fields(Settings):
            # None on a class means "derive it" (the MLP chapter's contrasts), not a value
            if f.name in vars_of(scene_cls) and getattr(scene_cls, f.name) is not None:
                values[f.name] = _check(
                    f.name, getattr(scene_cls, f.name), f"class {scene_cls.__name__}"
                )
    values.update(_from_file(Path(directory or os.getcwd())))
    values.update(_from_env(dict(os.environ) if environ is None else environ))
    for k, v in (overrides or {}).items():
        values[k] = _check(k, v, "command line")
    settings = replace(Settings(), **values)
    if settings.prompt is not None:
        _check_prompt_length(settings)
    return settings


def vars_of(cls: type) -> set[str]:
    """Attribute names defined on ``cls`` or its bases, below ``object``."""
    names: set[str] = set()
    for klass in cls.__mro__[:-1]:
        names |= set(vars(klass))
    return names


def prompt_reader(model_dir: str | Path | None = None) -> tuple[Any, int] | None:
    """The tokenizer and context length (``n_ctx``) of a model folder, read from its
    ``tokenizer.json`` (or GPT-2's ``vocab.json`` + ``merges.txt``) and ``config.json`` alone,
    without importing torch or loading weights. ``None`` when the folder is not readable this
    way (then the full loader gives its own precise error).

    Examples
    --------
    >>> tokenizer, n_ctx = prompt_reader()
    >>> n_ctx > len(tokenizer.encode("Michael Jordan plays the sport of")) > 0
    True
    """
    import llmviz.model
    from llmviz.model.tokenizer import Tokenizer

    if model_dir is None:
        model_dir = os.environ.get("LLMVIZ_MODEL_DIR") or None
    folder = (
        Path(model_dir).expanduser().resolve()
        if model_dir is not None
        else Path(llmviz.model.__file__).parent / "data"  # loader.DEFAULT_MODEL_DIR
    )
    try:
        cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        if "model_type" in cfg:  # a Hugging Face GPT-2 folder; 1024 is GPT2Config's default
            n_ctx = cfg.get("n_positions", 1024)
        else:
            n_ctx = cfg["n_ctx"]
        if (folder / "tokenizer.json").is_file():
            tokenizer = Tokenizer.load(folder / "tokenizer.json")
        elif "model_type" in cfg:
            tokenizer = Tokenizer.load_bpe(folder / "vocab.json", folder / "merges.txt")
        else:
            return None
    except (OSError, ValueError, KeyError, TypeError):  # ModelFileError is a ValueError
        return None
    if not isinstance(n_ctx, int) or isinstance(n_ctx, bool) or n_ctx <= 0:
        return None
    return tokenizer, n_ctx


def _check_prompt_length(settings: Settings) -> None:
    reader = prompt_reader(settings.model_dir)
    if reader is None:  # not a readable folder: the loader says exactly what is wrong
        import llmviz

        model = llmviz.load_model(settings.model_dir)
        reader = (model.tokenizer, model.cfg.n_ctx)
    tokenizer, n_ctx = reader
    for text in (settings.prompt, *(settings.contrasts or ())):
        n = len(tokenizer.encode(text))
        if n > n_ctx:
            raise ConfigError(
                f"prompt {text[:40]!r}... is {n} tokens long; the model's context holds "
                f"{n_ctx} tokens"
            )


if __name__ == "__main__":  # python -m llmviz.config: the settings table in Markdown
    print(settings_markdown(), end="")
