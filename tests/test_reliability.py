"""Hostile input at every surface (the Python API, model folders, settings, the command line,
subtitles and the screen): each case asserts the correct result or the named llmviz error with
its message; never a traceback, never silently wrong output. Then interrupted renders: a render
signalled during its final combine leaves nothing broken or partial at the final path, a rerun
gives the frames of a clean render, and warm and cold caches give the same frame counts.

``python tests/test_reliability.py`` prints the count of each outcome (OK, clear error,
traceback, wrong) for the table, without asserting.
"""

from __future__ import annotations

import json
import math
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from outcomes import edited_model_folder, judge

import llmviz
from llmviz.errors import LLMVizError
from llmviz.model.loader import DEFAULT_MODEL_DIR

ROOT = Path(__file__).resolve().parents[1]
MJ = "Michael Jordan plays the sport of"
LONG = " ".join(["basketball"] * 100)


@dataclass
class Case:
    """``run()`` returns a value; ``ok(value)`` says it is right. With ``error`` (a class name)
    the call must raise that llmviz error with a message matching ``match``."""

    surface: str
    name: str
    run: Callable
    ok: Callable | None = None
    error: str | None = None
    match: str = ""


def _model():
    return llmviz.load_model(device="cpu")


def _tokens_shown(prompt: str) -> list[str]:
    from llmviz.style import display_token

    return [display_token(t) for t in _model().run(prompt).tokens]


def _no_controls(labels) -> bool:
    return not any(re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e]", s) for s in labels)


def _model_folder(tmp: Path, edit: Callable[[dict], object] | None = None, **files) -> Path:
    """A copy of the embedded model with config.json edited (or files replaced)."""
    return edited_model_folder(tmp / f"model{len(list(tmp.iterdir()))}", edit, **files)


def _load(tmp_factory, edit=None, **files):
    return lambda: llmviz.load_model(_model_folder(tmp_factory(), edit, **files), device="cpu")


def _settings(env: dict | None = None, toml: str | bytes | None = None, cls=None):
    def run():
        import tempfile

        from llmviz.config import resolve_settings

        with tempfile.TemporaryDirectory() as d:
            if toml is not None:
                p = Path(d) / "llmviz.toml"
                p.write_bytes(toml if isinstance(toml, bytes) else toml.encode())
            return resolve_settings(cls, d, env or {})

    return run


def _cli(*args: str, env: dict | None = None):
    def run():
        from click.testing import CliRunner

        from llmviz.cli import main

        res = CliRunner().invoke(main, list(args), env=env)
        if res.exception is not None and not isinstance(res.exception, SystemExit):
            raise res.exception  # a traceback
        if res.exit_code != 0:
            raise LLMVizError(res.output)  # the command's message to the user
        return res.output

    return run


def _setattr(**kw):
    return type("FromClass", (), kw)


def _tmp_factory():
    import tempfile

    return lambda: Path(tempfile.mkdtemp(prefix="llmviz-hostile-"))


TMP = _tmp_factory()
M = _model


def _top_is_argmax(t):
    top = t.top_k(3, temperature=1e-310)
    return (
        top[0].id == int(np.argmax(t["logits"][-1]))
        and all(math.isfinite(c.prob) for c in top)
        and abs(sum(c.prob for c in top) - 1) < 1e-9
    )


def _cues(srt: str) -> list[str]:
    return re.findall(r"^\d+\n[\d:,]+ --> [\d:,]+\n(.+)$", srt, flags=re.M)


CASES = [
    # --- the Python API: prompts ---------------------------------------------------------------
    Case(
        "api",
        "lone surrogate",
        lambda: M().run("abc\ud800"),
        error="PromptError",
        match=r"lone surrogate U\+D800 at character 3",
    ),
    Case(
        "api",
        "invalid UTF-8 bytes",
        lambda: M().run("Michael \udcff\udcfe Jordan"),
        error="PromptError",
        match=r"byte 0xFF at character 8.*not valid UTF-8",
    ),
    Case("api", "empty prompt", lambda: M().run(""), error="PromptError", match="empty"),
    Case("api", "whitespace prompt", lambda: M().run(" \n\t"), error="PromptError", match="empty"),
    Case("api", "number as prompt", lambda: M().run(42), error="PromptError", match="must be text"),
    Case("api", "None as prompt", lambda: M().run(None), error="PromptError", match="must be text"),
    Case(
        "api",
        "prompt over 64 tokens",
        lambda: M().run(LONG),
        error="PromptError",
        match=r"\d+ tokens long .* at most 64",
    ),
    Case(
        "api",
        "64 tokens exactly",
        lambda: M().run_ids(M().tokenizer.encode(LONG)[:64]),
        ok=lambda t: t.n_tokens == 64,
    ),
    Case(
        "api",
        "emoji",
        lambda: M().run("🏀 Michael Jordan"),
        ok=lambda t: "<byte 0xF0>" in t.tokens and not any("\ufffd" in s for s in t.tokens),
    ),
    Case(
        "api",
        "Hebrew",
        lambda: M().run("שלום עולם"),
        ok=lambda t: (
            M().tokenizer.decode(t.token_ids) == "שלום עולם"
            and not any("\ufffd" in s for s in t.tokens)
        ),
    ),
    Case(
        "api",
        "CJK",
        lambda: M().run("日本語のテキスト"),
        ok=lambda t: all("<byte 0x" in s for s in t.tokens),
    ),
    Case(
        "api",
        "combining mark",
        lambda: M().run("cafe\u0301"),
        ok=lambda t: M().tokenizer.decode(t.token_ids) == "cafe\u0301",
    ),
    Case(
        "api",
        "joined emoji (ZWJ)",
        lambda: M().run("👩\u200d💻 codes"),
        ok=lambda t: np.isfinite(t["logits"]).all(),
    ),
    Case("api", "NUL byte", lambda: M().run("a\x00b"), ok=lambda t: np.isfinite(t["logits"]).all()),
    Case(
        "api",
        "ESC and BEL shown escaped",
        lambda: _tokens_shown("\x1b[2J\x07Michael"),
        ok=lambda labels: (
            _no_controls(labels) and "\\x1b" in "".join(labels) and "\\x07" in "".join(labels)
        ),
    ),
    Case(
        "api",
        "right-to-left override shown escaped",
        lambda: [
            *_tokens_shown("\u202eMichael"),
            __import__("llmviz.style", fromlist=["x"]).display_token(" \u202eMichael"),
        ],
        ok=lambda labels: _no_controls(labels) and labels[-1] == "␣\\u202eMichael",
    ),
    Case(
        "api",
        "only the shared ending",
        lambda: __import__("llmviz.model.analysis", fromlist=["x"]).find_and_neuron(
            M(), " plays the sport of"
        ),
        error="PromptError",
        match=r"only the ending ' plays the sport of'",
    ),
    # --- the Python API: arguments -------------------------------------------------------------
    Case(
        "api",
        "top_k position 100",
        lambda: M().run(MJ).top_k(3, position=100),
        error="OutOfRangeError",
        match=r"position 100 is outside the prompt's 6 tokens; allowed: 0 to 5",
    ),
    Case(
        "api",
        "top_k position -100",
        lambda: M().run(MJ).top_k(3, position=-100),
        error="OutOfRangeError",
        match="position -100",
    ),
    Case(
        "api",
        "top_k position 1.5",
        lambda: M().run(MJ).top_k(3, position=1.5),
        error="ArgumentError",
        match="position must be a whole number",
    ),
    Case(
        "api",
        "top_k k 0",
        lambda: M().run(MJ).top_k(0),
        error="ArgumentError",
        match="k must be a positive whole number",
    ),
    Case(
        "api",
        "top_k k 2.5",
        lambda: M().run(MJ).top_k(2.5),
        error="ArgumentError",
        match="k must be a positive whole number",
    ),
    Case("api", "temperature 1e-310", lambda: M().run(MJ), ok=_top_is_argmax),
    Case(
        "api",
        "temperature 1e308",
        lambda: M().run(MJ).probs(1e308),
        ok=lambda p: np.isfinite(p).all() and abs(p.sum() - 1) < 1e-9,
    ),
    Case(
        "api",
        "temperature -1",
        lambda: M().run(MJ).top_k(3, temperature=-1),
        error="ArgumentError",
        match="finite number >= 0",
    ),
    Case(
        "api",
        "temperature NaN",
        lambda: M().run(MJ).probs(float("nan")),
        error="ArgumentError",
        match="finite number >= 0",
    ),
    Case(
        "api",
        "temperature inf",
        lambda: M().run(MJ).probs(float("inf")),
        error="ArgumentError",
        match="finite number >= 0",
    ),
    Case(
        "api",
        "temperature 'hot'",
        lambda: M().run(MJ).probs("hot"),
        error="ArgumentError",
        match="number >= 0, not 'hot'",
    ),
    Case(
        "api",
        "generate seed -1",
        lambda: M().generate(MJ, 2, seed=-1),
        error="ArgumentError",
        match="seed must be a whole number >= 0, not -1",
    ),
    Case(
        "api",
        "generate seed 1.5",
        lambda: M().generate(MJ, 2, seed=1.5),
        error="ArgumentError",
        match="seed .* not 1.5",
    ),
    Case(
        "api",
        "generate seed 'x'",
        lambda: M().generate(MJ, 2, seed="x"),
        error="ArgumentError",
        match="seed .* not 'x'",
    ),
    Case(
        "api",
        "generate seed True",
        lambda: M().generate(MJ, 2, seed=True),
        error="ArgumentError",
        match="seed",
    ),
    Case(
        "api",
        "generate temperature 1e-310",
        lambda: (M().generate(MJ, 3, temperature=1e-310), M().generate(MJ, 3, temperature=0)),
        ok=lambda g: g[0].text == g[1].text,
    ),
    Case(
        "api",
        "generate top_k -1",
        lambda: M().generate(MJ, 2, top_k=-1),
        error="ArgumentError",
        match="top_k .* >= 1, not -1",
    ),
    Case(
        "api",
        "generate top_k 0",
        lambda: M().generate(MJ, 2, top_k=0),
        error="ArgumentError",
        match="top_k",
    ),
    Case(
        "api",
        "generate n_tokens -1",
        lambda: M().generate(MJ, -1),
        error="ArgumentError",
        match="n_tokens",
    ),
    Case(
        "api",
        "generate n_tokens 2.5",
        lambda: M().generate(MJ, 2.5),
        error="ArgumentError",
        match="n_tokens",
    ),
    Case(
        "api",
        "generate temperature -0.5",
        lambda: M().generate(MJ, 2, temperature=-0.5),
        error="ArgumentError",
        match="temperature",
    ),
    Case("api", "no token ids", lambda: M().run_ids([]), error="PromptError", match="no tokens"),
    Case(
        "api",
        "token id past the vocabulary",
        lambda: M().run_ids([99999]),
        error="PromptError",
        match="outside the vocabulary",
    ),
    Case(
        "api",
        "negative token id",
        lambda: M().run_ids([-1]),
        error="PromptError",
        match="outside the vocabulary",
    ),
    Case(
        "api",
        "token_id of several tokens",
        lambda: M().token_id("basketball and more"),
        error="PromptError",
        match="not a single token",
    ),
    Case(
        "api",
        "weight of layer 9",
        lambda: M().W("Q", 9),
        error="OutOfRangeError",
        match="layer 9 out of range",
    ),
    Case(
        "api",
        "unknown hook point",
        lambda: M().run_with_hooks(MJ, [("blocks.0.nope", lambda a, n: a)]),
        error="LLMVizError",
        match="no hook point named",
    ),
    Case(
        "api",
        "model folder that does not exist",
        lambda: llmviz.load_model("/no/such/model"),
        error="ModelFileError",
        match="not found",
    ),
    Case(
        "api",
        "unknown device",
        lambda: llmviz.load_model(device="tpu"),
        error="DeviceError",
        match="allowed: cpu, cuda, cuda:N",
    ),
    # --- model folders -------------------------------------------------------------------------
    Case(
        "model",
        "n_heads 5",
        _load(TMP, lambda c: c.update(n_heads=5)),
        error="ModelFileError",
        match=r"d_model \(64\) must be divisible by n_heads \(5\)",
    ),
    Case(
        "model",
        "d_model as text",
        _load(TMP, lambda c: c.update(d_model="64")),
        error="ModelFileError",
        match="d_model must be a whole number, not '64'",
    ),
    Case(
        "model",
        "a list instead of an object",
        _load(TMP, lambda c: [c]),
        error="ModelFileError",
        match="must be a JSON object",
    ),
    Case(
        "model",
        "null config",
        _load(TMP, lambda c: None, config_json="null"),
        error="ModelFileError",
        match="must be a JSON object",
    ),
    Case(
        "model",
        "n_ctx -1",
        _load(TMP, lambda c: c.update(n_ctx=-1)),
        error="ModelFileError",
        match="n_ctx must be at least 1, not -1",
    ),
    Case(
        "model",
        "n_layers 0",
        _load(TMP, lambda c: c.update(n_layers=0)),
        error="ModelFileError",
        match="n_layers must be at least 1",
    ),
    Case(
        "model",
        "vocab_size 2048.0",
        _load(TMP, lambda c: c.update(vocab_size=2048.0)),
        error="ModelFileError",
        match="vocab_size must be a whole number",
    ),
    Case(
        "model",
        "d_mlp -5",
        _load(TMP, lambda c: c.update(d_mlp=-5)),
        error="ModelFileError",
        match="d_mlp must be at least 0",
    ),
    Case(
        "model",
        "act_fn tanh",
        _load(TMP, lambda c: c.update(act_fn="tanh")),
        error="ModelFileError",
        match="act_fn must be one of relu, gelu, gelu_tanh",
    ),
    Case(
        "model",
        "ln_eps as text",
        _load(TMP, lambda c: c.update(ln_eps="x")),
        error="ModelFileError",
        match="ln_eps must be a number",
    ),
    Case(
        "model",
        "biases 'yes'",
        _load(TMP, lambda c: c.update(biases="yes")),
        error="ModelFileError",
        match="biases must be true or false",
    ),
    Case(
        "model",
        "unknown key",
        _load(TMP, lambda c: c.update(colour=1)),
        error="ModelFileError",
        match="unknown keys",
    ),
    Case(
        "model",
        "invalid JSON",
        _load(TMP, config_json="{"),
        error="ModelFileError",
        match="not valid JSON",
    ),
    Case(
        "model",
        "config not UTF-8",
        _load(TMP, config_json=b"\xff\xfe{}"),
        error="ModelFileError",
        match="not valid JSON",
    ),
    Case(
        "model",
        "n_ctx 32 (weights for 64)",
        _load(TMP, lambda c: c.update(n_ctx=32)),
        error="ModelFileError",
        match="has shape",
    ),
    Case(
        "model",
        "weights cut short",
        _load(TMP, model_safetensors=b"\x00" * 64),
        error="ModelFileError",
        match="corrupt",
    ),
    Case(
        "model",
        "no tokenizer.json",
        _load(TMP, tokenizer_json=None),
        error="ModelFileError",
        match="lacks tokenizer.json",
    ),
    Case(
        "model",
        "tokenizer.json garbage",
        _load(TMP, tokenizer_json="not json"),
        error="ModelFileError",
        match="corrupt",
    ),
    Case(
        "model",
        "GPT-2 config n_head 5",
        _load(TMP, lambda c: {"model_type": "gpt2", "n_embd": 64, "n_head": 5}),
        error="ModelFileError",
        match="divisible",
    ),
    # --- settings ------------------------------------------------------------------------------
    Case(
        "settings",
        "LLMVIZ_PROMPT not UTF-8",
        _settings({"LLMVIZ_PROMPT": "Michael \udcff Jordan"}),
        error="ConfigError",
        match=r"prompt \(from LLMVIZ_PROMPT\) .* byte 0xFF",
    ),
    Case(
        "settings",
        "LLMVIZ_PROMPT lone surrogate",
        _settings({"LLMVIZ_PROMPT": "x\ud800"}),
        error="ConfigError",
        match="lone surrogate",
    ),
    Case(
        "settings",
        "LLMVIZ_PROMPT empty",
        _settings({"LLMVIZ_PROMPT": ""}),
        error="ConfigError",
        match="is empty",
    ),
    Case(
        "settings",
        "LLMVIZ_PROMPT ' plays the sport of'",
        _settings({"LLMVIZ_PROMPT": " plays the sport of"}),
        ok=lambda s: s.prompt == " plays the sport of",
    ),
    Case(
        "settings",
        "LLMVIZ_PROMPT 65 tokens",
        _settings({"LLMVIZ_PROMPT": LONG}),
        error="ConfigError",
        match="tokens long; the model's context holds 64",
    ),
    Case(
        "settings",
        "LLMVIZ_TORCH_INDEX exported",
        _settings({"LLMVIZ_TORCH_INDEX": "https://download.pytorch.org/whl/cpu"}),
        ok=lambda s: s == llmviz.config.Settings(),
    ),
    Case(
        "settings",
        "LLMVIZ_DEVICE and LLMVIZ_CACHE_DIR",
        _settings({"LLMVIZ_DEVICE": "cpu", "LLMVIZ_CACHE_DIR": "/tmp"}),
        ok=lambda s: s == llmviz.config.Settings(),
    ),
    Case(
        "settings",
        "LLMVIZ_DECIMALS 6",
        _settings({"LLMVIZ_DECIMALS": "6"}),
        ok=lambda s: s.decimals == 6,
    ),
    Case(
        "settings",
        "LLMVIZ_DECIMALS 7",
        _settings({"LLMVIZ_DECIMALS": "7"}),
        error="ConfigError",
        match="between 0 and 6, not 7",
    ),
    Case(
        "settings",
        "LLMVIZ_DECIMALS 2.5",
        _settings({"LLMVIZ_DECIMALS": "2.5"}),
        error="ConfigError",
        match="whole number",
    ),
    Case(
        "settings",
        "LLMVIZ_SEED -1",
        _settings({"LLMVIZ_SEED": "-1"}),
        error="ConfigError",
        match="between 0 and 4294967295, not -1",
    ),
    Case(
        "settings",
        "LLMVIZ_SEED x",
        _settings({"LLMVIZ_SEED": "x"}),
        error="ConfigError",
        match="whole number, not 'x'",
    ),
    Case(
        "settings",
        "LLMVIZ_TEMPERATURE 1e-310",
        _settings({"LLMVIZ_TEMPERATURE": "1e-310"}),
        ok=lambda s: 0 < s.temperature < 1e-300,
    ),
    Case(
        "settings",
        "LLMVIZ_TEMPERATURE nan",
        _settings({"LLMVIZ_TEMPERATURE": "nan"}),
        error="ConfigError",
        match="finite number >= 0",
    ),
    Case(
        "settings",
        "LLMVIZ_THEME neon",
        _settings({"LLMVIZ_THEME": "neon"}),
        error="ConfigError",
        match="one of dark, light, projector",
    ),
    Case(
        "settings",
        "LLMVIZ_CONTRASTS with an empty one",
        _settings({"LLMVIZ_CONTRASTS": "a||b"}),
        error="ConfigError",
        match="non-empty list of non-empty texts",
    ),
    Case(
        "settings",
        "LLMVIZ_CONTRASTS numbers",
        _settings({"LLMVIZ_CONTRASTS": "[1, 2]"}),
        error="ConfigError",
        match="non-empty texts",
    ),
    Case(
        "settings",
        "LLMVIZ_CONTRASTS not UTF-8",
        _settings({"LLMVIZ_CONTRASTS": "a|b\udcff"}),
        error="ConfigError",
        match="byte 0xFF",
    ),
    Case(
        "settings",
        "LLMVIZ_MODEL_DIR missing",
        _settings({"LLMVIZ_MODEL_DIR": "/no/such/dir"}),
        error="ConfigError",
        match="no such directory",
    ),
    Case(
        "settings",
        "LLMVIZ_VOICE robot",
        _settings({"LLMVIZ_VOICE": "robot"}),
        error="ConfigError",
        match="'none', 'espeak'",
    ),
    Case(
        "settings",
        "LLMVIZ_COLOUR (a typo)",
        _settings({"LLMVIZ_COLOUR": "red"}),
        error="ConfigError",
        match="unknown setting 'colour'",
    ),
    Case(
        "settings",
        "llmviz.toml prompt = 5",
        _settings(toml="prompt = 5\n"),
        error="ConfigError",
        match="must be text, not int",
    ),
    Case(
        "settings",
        "llmviz.toml not UTF-8",
        _settings(toml=b'prompt = "\xff"\n'),
        error="ConfigError",
        match="not valid TOML",
    ),
    Case(
        "settings",
        "class attribute seed True",
        _settings(cls=_setattr(seed=True)),
        error="ConfigError",
        match=r"seed \(from class FromClass\) must be a whole number",
    ),
    # --- the command line ----------------------------------------------------------------------
    Case(
        "cli",
        "trace with non-UTF-8 bytes",
        _cli("trace", "Michael \udcff\udcfe Jordan"),
        error="LLMVizError",
        match="byte 0xFF at character 8",
    ),
    Case(
        "cli",
        "trace ESC/BEL prompt",
        _cli("trace", "\x1b[2J\x07Michael Jordan"),
        ok=lambda out: "\x1b" not in out and "\x07" not in out and "\\x1b" in out,
    ),
    Case(
        "cli",
        "trace emoji",
        _cli("trace", "🏀 Michael Jordan plays"),
        ok=lambda out: "<byte 0xF0>" in out and "\ufffd" not in out,
    ),
    Case(
        "cli",
        "trace temperature 1e-310",
        _cli("trace", MJ, "-t", "1e-310"),
        ok=lambda out: "nan" not in out.lower() and "100.00%" in out,
    ),
    Case(
        "cli",
        "trace -k 0",
        _cli("trace", MJ, "-k", "0"),
        error="LLMVizError",
        match="0 is not in the range",
    ),
    Case(
        "cli",
        "trace ' plays the sport of'",
        _cli("trace", " plays the sport of"),
        ok=lambda out: "tokens (4)" in out and "empty" not in out,
    ),
    Case(
        "cli",
        "trace --model-dir missing",
        _cli("trace", MJ, "--model-dir", "/no/such/dir"),
        error="LLMVizError",
        match=r"model_dir \(from --model-dir\): no such directory",
    ),
    Case(
        "cli",
        "trace --model (alias)",
        _cli("trace", MJ, "--model", str(DEFAULT_MODEL_DIR), "-k", "1"),
        ok=lambda out: "␣basketball" in out,
    ),
    Case(
        "cli",
        "render --prompt not UTF-8",
        _cli("render", "X", "--prompt", "Michael \udcff"),
        error="LLMVizError",
        match=r"prompt \(from command line\) .* byte 0xFF",
    ),
    Case(
        "cli",
        "render --seed -1",
        _cli("render", "X", "--seed", "-1"),
        error="LLMVizError",
        match="seed .* between 0 and",
    ),
    Case(
        "cli",
        "render --decimals 7",
        _cli("render", "X", "--decimals", "7"),
        error="LLMVizError",
        match="between 0 and 6",
    ),
    Case(
        "cli",
        "render --model missing (alias)",
        _cli("render", "X", "--model", "/no/such/dir"),
        error="LLMVizError",
        match="no such directory",
    ),
    Case(
        "cli",
        "render with LLMVIZ_PROMPT not UTF-8",
        _cli("render", "X", env={"LLMVIZ_PROMPT": "a\udcff"}),
        error="LLMVizError",
        match=r"LLMVIZ_PROMPT\) .* byte 0xFF",
    ),
    Case(
        "cli",
        "render with LLMVIZ_TORCH_INDEX",
        _cli(
            "render",
            "NoSuchScene",
            "--scenes-dir",
            str(ROOT / "scenes"),
            env={"LLMVIZ_TORCH_INDEX": "https://x"},
        ),
        error="LLMVizError",
        match="unknown scene 'NoSuchScene'",
    ),
    Case(
        "cli",
        "list --scenes-dir missing",
        _cli("list", "--scenes-dir", "/no/such/dir"),
        error="LLMVizError",
        match="scenes directory not found",
    ),
    # --- subtitles and the screen ----------------------------------------------------------------
    Case(
        "screen",
        "64-token strip fits the frame",
        lambda: __import__("llmviz.mobjects", fromlist=["x"]).TokenStrip(
            M().run_ids(M().tokenizer.encode(LONG)[:64]).tokens
        ),
        ok=lambda s: s.width <= 13.0 and len(s.boxes) == 64 and s.hidden,
    ),
    Case(
        "screen",
        "emoji strip fits the frame",
        lambda: __import__("llmviz.mobjects", fromlist=["x"]).TokenStrip(
            M().run("🏀👩\u200d💻" * 3).tokens
        ),
        ok=lambda s: s.width <= 13.0 and "<byte 0xF0>" in s.labels,
    ),
    Case(
        "screen",
        "text() escapes ESC",
        lambda: __import__("llmviz.layout", fromlist=["x"]).text("a\x1b[31mb").text,
        ok=lambda t: t == "a\\x1b[31mb",
    ),
]


# --- the file system's edge, settings set twice or of the wrong kind, faults (issue 26) ----------
def _a_file() -> str:
    """A plain file, where a folder is wanted."""
    path = TMP() / "a_file"
    path.write_text("not a folder")
    return str(path)


def _in_tmp(*args_of):
    """``_cli`` with arguments made when the case runs (a fresh file or folder each time)."""

    def run():
        made = [a() if callable(a) else a for a in args_of]
        env = made[-1] if isinstance(made[-1], dict) else None
        return _cli(*[a for a in made if not isinstance(a, dict)], env=env)()

    return run


def _list_with(name: str, data: bytes):
    def run():
        folder = TMP() / "scenes"
        folder.mkdir()
        (folder / name).write_bytes(data)
        return _cli("list", "--scenes-dir", str(folder), "--no-sections")()

    return run


IS_A_FILE = r"a_file'? is a file, not a (model )?folder"
EDGE_CASES = [
    Case(
        "cli",
        "render --media-dir a file",
        _in_tmp("render", "Prediction", "--media-dir", _a_file),
        error="LLMVizError",
        match=IS_A_FILE,
    ),
    Case(
        "cli",
        "render --media-dir empty",
        _cli("render", "Prediction", "--media-dir", ""),
        error="LLMVizError",
        match="--media-dir is empty",
    ),
    Case(
        "cli",
        "render --media-dir under a file",
        _in_tmp("render", "Prediction", "--media-dir", lambda: _a_file() + "/media"),
        error="LLMVizError",
        match=IS_A_FILE,
    ),
    Case(
        "cli",
        "slides --media-dir a file",
        _in_tmp("slides", "Prediction", "--media-dir", _a_file),
        error="LLMVizError",
        match=IS_A_FILE,
    ),
    Case(
        "cli",
        "slides --media-dir empty",
        _cli("slides", "Prediction", "--media-dir", ""),
        error="LLMVizError",
        match="--media-dir is empty",
    ),
    Case(
        "cli",
        "train --out empty",
        _cli("train", "--out", ""),
        error="LLMVizError",
        match="--out is empty",
    ),
    Case(
        "cli",
        "train --out a file",
        _in_tmp("train", "--out", _a_file),
        error="LLMVizError",
        match=IS_A_FILE,
    ),
    Case(
        "cli",
        "train --out under a file",
        _in_tmp("train", "--out", lambda: _a_file() + "/m"),
        error="LLMVizError",
        match=IS_A_FILE,
    ),
    Case(
        "cli",
        "init under a file",
        _in_tmp("init", lambda: _a_file() + "/lesson"),
        error="LLMVizError",
        match=IS_A_FILE,
    ),
    Case(
        "cli",
        "init into a file",
        _in_tmp("init", _a_file),
        error="LLMVizError",
        match="already exists",
    ),
    Case(
        "cli",
        "init empty",
        _cli("init", ""),
        error="LLMVizError",
        match="the one given is empty",
    ),
    Case(
        "cli",
        "list with LLMVIZ_CACHE_DIR a file",
        _in_tmp(
            "list", "--scenes-dir", str(ROOT / "scenes"), lambda: {"LLMVIZ_CACHE_DIR": _a_file()}
        ),
        error="LLMVizError",
        match="LLMVIZ_CACHE_DIR .*" + IS_A_FILE,
    ),
    Case(
        "cli",
        "list with LLMVIZ_CACHE_DIR empty",
        _cli("list", "--scenes-dir", str(ROOT / "scenes"), env={"LLMVIZ_CACHE_DIR": ""}),
        error="LLMVizError",
        match="LLMVIZ_CACHE_DIR is empty",
    ),
    Case(
        "cli",
        "render --model-dir a file",
        _in_tmp("render", "Prediction", "--model-dir", _a_file),
        error="LLMVizError",
        match=IS_A_FILE,
    ),
    Case(
        "cli",
        "render --model-dir empty",
        _cli("render", "Prediction", "--model-dir", ""),
        error="LLMVizError",
        match="model_dir .*is empty",
    ),
    Case(
        "cli",
        "trace --model-dir a file",
        _in_tmp("trace", "x", "--model-dir", _a_file),
        error="LLMVizError",
        match=IS_A_FILE,
    ),
    Case(
        "cli",
        "list names a file with a syntax error",
        _list_with("broken.py", b"class X(:\n"),
        ok=lambda out: "broken.py" in out and "not read" in out and "SyntaxError at line 1" in out,
    ),
    Case(
        "cli",
        "list names a file that is not UTF-8",
        _list_with("latin.py", b'x = "caf\xe9"\n'),
        ok=lambda out: "latin.py" in out and "not read" in out,
    ),
    Case(
        "cli",
        "list names a file with a NUL byte",
        _list_with("nul.py", b"x = 1\0\n"),
        ok=lambda out: "nul.py" in out and "not read" in out,
    ),
    Case(
        "settings",
        "toml: top level and [llmviz] both",
        _settings(toml='theme = "light"\n[llmviz]\nseed = 3\n'),
        error="ConfigError",
        match="top level and has an \\[llmviz\\] table",
    ),
    Case(
        "settings",
        "toml: llmviz = 3",
        _settings(toml="llmviz = 3\n"),
        error="ConfigError",
        match="llmviz must be a table",
    ),
    Case(
        "settings",
        "toml: llmviz = a text",
        _settings(toml='llmviz = "dark"\n'),
        error="ConfigError",
        match="llmviz must be a table",
    ),
    Case(
        "settings",
        "toml: a key twice",
        _settings(toml="seed = 1\nseed = 2\n"),
        error="ConfigError",
        match="not valid TOML",
    ),
    Case(
        "settings",
        "toml: a key twice in [llmviz]",
        _settings(toml="[llmviz]\nseed = 1\nseed = 2\n"),
        error="ConfigError",
        match="not valid TOML",
    ),
    Case(
        "settings",
        "toml: theme a number",
        _settings(toml="[llmviz]\ntheme = 3\n"),
        error="ConfigError",
        match="theme .* must be text",
    ),
    Case(
        "settings",
        "toml: theme a table",
        _settings(toml="[llmviz.theme]\nname = 'dark'\n"),
        error="ConfigError",
        match="theme .* must be text",
    ),
    Case(
        "settings",
        "toml: contrasts a number",
        _settings(toml="contrasts = 5\n"),
        error="ConfigError",
        match="contrasts .* list",
    ),
    Case(
        "settings",
        "toml: temperature a list",
        _settings(toml="temperature = [1]\n"),
        error="ConfigError",
        match="temperature .* number",
    ),
    Case(
        "settings",
        "toml: seed 1.5",
        _settings(toml="seed = 1.5\n"),
        error="ConfigError",
        match="seed .* whole number",
    ),
    Case(
        "settings",
        "toml: decimals true",
        _settings(toml="decimals = true\n"),
        error="ConfigError",
        match="decimals .* whole number",
    ),
    Case(
        "settings",
        "toml: model_dir empty",
        _settings(toml='model_dir = ""\n'),
        error="ConfigError",
        match="model_dir .* is empty",
    ),
    Case(
        "settings",
        "LLMVIZ_MODEL_DIR empty",
        _settings({"LLMVIZ_MODEL_DIR": ""}),
        error="ConfigError",
        match="model_dir .* is empty",
    ),
    Case(
        "settings",
        "temperature -0 is zero",
        _settings({"LLMVIZ_TEMPERATURE": "-0"}),
        ok=lambda s: s.temperature == 0 and math.copysign(1, s.temperature) == 1,
    ),
    Case(
        "settings",
        "toml temperature -0.0 is zero",
        _settings(toml="temperature = -0.0\n"),
        ok=lambda s: math.copysign(1, s.temperature) == 1,
    ),
    Case(
        "settings",
        "the [llmviz] table alone is read",
        _settings(toml='[llmviz]\ntheme = "light"\n'),
        ok=lambda s: s.theme == "light",
    ),
    Case(
        "settings",
        "the top level alone is read",
        _settings(toml='theme = "light"\n'),
        ok=lambda s: s.theme == "light",
    ),
    Case(
        "settings",
        "a flag beats the environment beats the file",
        lambda: __import__("llmviz.config", fromlist=["x"]).resolve_settings(
            None, _toml_dir("seed = 1\n"), {"LLMVIZ_SEED": "2"}, {"seed": 3}
        ),
        ok=lambda s: s.seed == 3,
    ),
    Case(
        "settings",
        "the environment beats the file",
        lambda: __import__("llmviz.config", fromlist=["x"]).resolve_settings(
            None, _toml_dir("seed = 1\n"), {"LLMVIZ_SEED": "2"}
        ),
        ok=lambda s: s.seed == 2,
    ),
    Case(
        "api",
        "writable_folder(3)",
        lambda: __import__("llmviz.paths", fromlist=["x"]).writable_folder(3, "--out"),
        error="PathProblem",
        match="must be a folder's path, not int",
    ),
    Case(
        "api",
        "writable_folder with a NUL",
        lambda: __import__("llmviz.paths", fromlist=["x"]).writable_folder("a\0b", "--out"),
        error="PathProblem",
        match="NUL character",
    ),
    Case(
        "api",
        "train(out=a file)",
        lambda: __import__("llmviz.model.train", fromlist=["x"]).train(out=_a_file()),
        error="PathProblem",
        match=IS_A_FILE,
    ),
    Case(
        "api",
        "render_scenes into a file",
        lambda: __import__("llmviz.workflow", fromlist=["x"]).render_scenes(
            [], media_dir=_a_file()
        ),
        error="PathProblem",
        match=IS_A_FILE,
    ),
]


def _toml_dir(text: str) -> Path:
    folder = TMP()
    (folder / "llmviz.toml").write_text(text)
    return folder


CASES += EDGE_CASES


def classify(case: Case, strict: bool = True) -> tuple[str, str]:
    """``("ok" | "clear error" | "traceback" | "wrong", detail)``; ``strict``: a clear error must
    also be of the named class (not only an llmviz error with the right message)."""

    def clear(exc, message):
        names = {k.__name__ for k in type(exc).__mro__}
        if case.error in names or case.surface == "cli" or not strict:
            return bool(re.search(case.match, message, flags=re.S)) and "Traceback" not in message
        return False

    return judge(case.run, case.error, case.ok, clear)


def test_the_table_covers_every_surface():
    surfaces = {c.surface for c in CASES}
    assert len(CASES) >= 60 and surfaces == {"api", "model", "settings", "cli", "screen"}
    assert len(EDGE_CASES) >= 40  # the file system's edge, settings and faults (issue 26)
    assert len({(c.surface, c.name) for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.surface}: {c.name}" for c in CASES])
def test_hostile_input(case):
    outcome, detail = classify(case)
    expected = "clear error" if case.error else "ok"
    assert outcome == expected, detail


# --- subtitles of a real render, interrupts, warm and cold caches ------------------------------
SCENE = '''
from manim import FadeIn, FadeOut
from llmviz.mobjects import FastNumber
from llmviz.scene import LectureScene

HOSTILE = "<i>Michael</i>\\n\\n2\\n00:00:00,000 --> 00:59:00,000\\n{\\\\an8}\\x1b[2J"


class Hostile(LectureScene):
    """A prompt full of markup, an injected cue and control characters, in the narration."""

    reading_speed = 60

    def construct(self):
        self.section("Markup")
        self.say(f"The prompt is {HOSTILE}.", FadeIn(FastNumber(1.0)))
        self.say("A second sentence.")
        self.section("Many", "Numbers come and go. They are counted.")
        for k in range(12):
            n = FastNumber(k, decimals=0, font_size=60)
            self.play(FadeIn(n), run_time=0.2)
            self.play(FadeOut(n), run_time=0.2)
'''


def _frames(video: Path) -> int:
    import av

    with av.open(str(video)) as c:
        return sum(1 for _ in c.decode(video=0))


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    from llmviz.workflow import render_scenes, resolve_scenes

    root = tmp_path_factory.mktemp("hostile")
    (root / "scenes").mkdir()
    (root / "scenes" / "hostile.py").write_text(SCENE)
    ref = resolve_scenes(["Hostile"], root / "scenes")[0]
    cold = render_scenes([ref], "l", 1, root / "media")[0]
    assert cold.ok, cold.log
    return root, ref, cold.video


def test_subtitles_escape_markup_and_keep_one_cue_per_sentence(project):
    _, _, video = project
    srt = video.with_suffix(".srt").read_text()
    cues = _cues(srt)
    assert len(cues) == 4  # two beats and two sentences of a paragraph, nothing injected
    assert "<i>" not in srt and "{\\an8}" not in srt and "\x1b" not in srt
    assert cues[0].replace("\u200b", "").startswith("The prompt is <i>Michael</i> 2 00:00:00,000 -")
    ends = re.findall(r"--> (\d\d):(\d\d):(\d\d),(\d+)", srt)
    assert max(int(h) * 3600 + int(m) * 60 + int(s) for h, m, s, _ in ends) < 60


def test_a_render_signalled_during_its_final_combine_leaves_nothing_broken(project):
    """SIGINT or SIGTERM to llmviz render while the partial movies are being combined: it exits
    (130), the video at the final path is still the complete earlier one, nothing partial is
    left, and a rerun gives the frames of the clean render."""
    from llmviz.workflow import is_decodable

    root, ref, video = project
    clean = video.read_bytes()
    clean_frames = _frames(video)
    folder = video.parent
    for sig in (signal.SIGINT, signal.SIGTERM):
        proc = subprocess.Popen(
            [sys.executable, "-m", "llmviz.cli", "render", "Hostile", "--no-progress"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 240
        while not any(folder.glob("Hostile__llmviz_partial*.mp4")):
            assert proc.poll() is None, proc.stdout.read()
            assert time.monotonic() < deadline, "the render never reached its combine"
            time.sleep(0.002)
        proc.send_signal(sig)
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 130, out
        assert "no partial video was put in place" in out and "Traceback" not in out
        assert video.read_bytes() == clean and is_decodable(video)
        assert not [p.name for p in folder.rglob("*__llmviz_partial*")]
    rerun = subprocess.run(  # with the progress bars a terminal gets
        [sys.executable, "-m", "llmviz.cli", "render", "Hostile", "--progress"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    bars = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", rerun.stdout)
    assert "hostile:Hostile" in bars and "elapsed," in bars and "left" in bars
    assert re.search(r"last \d+s|\d+ animations", bars)  # the estimate from the clean render
    assert _frames(video) == clean_frames  # warm cache (after the interrupts) = cold render
    notes = json.loads(video.with_name("Hostile.narration.json").read_text())
    assert [s["name"] for s in notes["sections"]] == ["Markup", "Many"]


def test_list_reads_sections_without_running_anything(project, monkeypatch):
    from click.testing import CliRunner

    from llmviz.cli import main

    root, _, _ = project
    monkeypatch.chdir(root)
    res = CliRunner().invoke(main, ["list"])
    assert res.exit_code == 0, res.output
    assert re.search(r"Hostile\s+480p15 \d+\.\ds", res.output)
    assert "- Markup" in res.output and "- Many" in res.output


if __name__ == "__main__":  # the counts for the closing note
    counts: dict[str, int] = {}
    for case in CASES:
        outcome, detail = classify(case, strict=False)
        counts[outcome] = counts.get(outcome, 0) + 1
        if outcome in ("traceback", "wrong"):
            print(f"{outcome:<9} {case.surface}: {case.name}: {detail[:160]!r}")
    print(len(CASES), "cases:", counts)


def test_the_demo_keeps_a_64_token_prompt_with_emoji_and_hebrew_in_frame_and_readable(model):
    """The longest allowed prompt, with an emoji and right-to-left letters, through the demo
    scene's dry run: nothing past the frame, no text on text, no text too small to read."""
    sys.path.insert(0, str(ROOT / "tests" / "scenes"))
    from scene_loader import load, render

    head = "🏀 שלום Michael Jordan "
    ids = model.tokenizer.encode(head + "plays the sport of basketball and " * 12)[:58]
    prompt = model.tokenizer.decode(ids) + " plays the sport of"
    assert len(model.encode(prompt)) <= 64
    demo = load("demo").NextTokenDemo
    scene = render(type("LongDemo", (demo,), {"prompt": prompt}))
    assert scene.outside == [] and scene.overlaps == [] and scene.small == []
    assert any("<byte 0xF0>" in t for b in scene.beats for t in b.shown)  # the stand-in is shown


def test_the_listing_cache_follows_every_edit(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from llmviz.cli import main

    monkeypatch.setenv("LLMVIZ_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "scenes" / "steps").mkdir(parents=True)
    (tmp_path / "scenes" / "steps" / "one.py").write_text(
        "from llmviz.scene import LectureScene\nfrom llmviz.steps import step\n\n"
        "class OneStep(LectureScene):\n"
        "    @step('Before', order=1)\n    def step_one(self):\n        pass\n"
    )
    (tmp_path / "scenes" / "chapter.py").write_text(
        "from steps.one import OneStep\n\n"
        "class Chapter(OneStep):\n"
        '    """The chapter."""\n'
        "    plays = ('one',)\n"
    )
    monkeypatch.chdir(tmp_path)
    first = CliRunner().invoke(main, ["list"]).output
    assert "- Before" in first and list((tmp_path / "cache" / "scenes").glob("*.json"))
    step = tmp_path / "scenes" / "steps" / "one.py"
    step.write_text(step.read_text().replace("Before", "After"))  # a step module, same size
    again = CliRunner().invoke(main, ["list"]).output
    assert "- After" in again and "- Before" not in again
