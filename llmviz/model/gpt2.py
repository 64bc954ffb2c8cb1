"""Read a Hugging Face GPT-2 folder into llmviz's own modules, LayerNorm folded.

A teacher who downloaded GPT-2 (``config.json`` with ``"model_type": "gpt2"``,
``model.safetensors``, and ``tokenizer.json`` or ``vocab.json`` + ``merges.txt``) points
``llmviz.load_model`` at the folder; :func:`read_gpt2` turns it into a :class:`ModelConfig`, a
:class:`Tokenizer` and a state dict for :class:`llmviz.model.transformer.Transformer`, so the trace
has the same hook names and the scenes the same matrices as with the embedded model.

The mapping, in llmviz's row-vector convention (``x @ W``; GPT-2's ``Conv1D`` weights are already
stored ``[in, out]``):

- ``attn.c_attn`` ``[d_model, 3 d_model]`` is split into query, key and value columns, and each
  into heads: ``W_Q``, ``W_K``, ``W_V`` ``[head, d_model, d_head]``; ``attn.c_proj``'s rows split
  by head give ``W_O`` ``[head, d_head, d_model]`` and its bias is ``b_O``.
- ``mlp.c_fc`` and ``mlp.c_proj`` are ``W_up``/``b_up`` and ``W_down``/``b_down``; GPT-2's
  ``gelu_new`` is GELU in its tanh form (``act_fn="gelu_tanh"``).
- ``W_E`` is ``wte``, ``W_pos`` is ``wpe``, and the unembedding is tied: ``W_U = W_E.T``.

LayerNorm's gain ``g`` and bias ``b`` are folded into the weights that read its output, as
TransformerLens's ``fold_ln`` does: ``(n * g + b) @ W + c = n @ (g[:, None] * W) + (b @ W + c)``
for the normalised vector ``n``. So ``ln1`` goes into ``W_Q``, ``W_K``, ``W_V`` (and biases ``b_Q``,
``b_K``, ``b_V``), ``ln2`` into ``W_up``/``b_up``, ``ln_f`` into ``W_U`` and a bias ``b_U``.
llmviz's LayerNorm stays parameter-free, and a matrix on screen is exactly what the normalised
vector meets. (Unlike TransformerLens, the folded weights are not also centred.)

Weights are read from safetensors only; a folder with only ``pytorch_model.bin`` gets a
:class:`ModelFileError` telling how to convert it, and the pickle is never opened.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open

from llmviz.errors import ModelFileError
from llmviz.model.config import ModelConfig
from llmviz.model.tokenizer import Tokenizer

__all__ = [
    "hf_model_type",
    "read_gpt2",
    "gpt2_config",
    "gpt2_tensor_shapes",
    "fold_gpt2",
    "load_gpt2_tokenizer",
    "GPT2_ACTIVATIONS",
    "SUPPORTED_MODEL_TYPES",
]

#: Hugging Face ``model_type`` values that llmviz reads.
SUPPORTED_MODEL_TYPES = ("gpt2",)

#: GPT-2's ``activation_function`` names and llmviz's ``act_fn`` for each.
GPT2_ACTIVATIONS = {
    "gelu_new": "gelu_tanh",
    "gelu_pytorch_tanh": "gelu_tanh",
    "gelu": "gelu",
    "relu": "relu",
}

# GPT2Config's defaults, used (as transformers does) for keys a config.json leaves out.
_DEFAULTS: dict[str, Any] = {
    "vocab_size": 50257,
    "n_positions": 1024,
    "n_embd": 768,
    "n_layer": 12,
    "n_head": 12,
    "n_inner": None,
    "activation_function": "gelu_new",
    "layer_norm_epsilon": 1e-5,
    "scale_attn_weights": True,
    "scale_attn_by_inverse_layer_idx": False,
    "add_cross_attention": False,
    "tie_word_embeddings": True,
}

_FLOAT_DTYPES = ("F32", "F16", "BF16", "F64")  # safetensors' names

_CONVERT = (
    "convert it once to safetensors on a machine with transformers installed:\n"
    "    from transformers import GPT2LMHeadModel\n"
    '    GPT2LMHeadModel.from_pretrained("{dir}").save_pretrained("{dir}", safe_serialization=True)'
)


def hf_model_type(path: Path) -> str | None:
    """The ``model_type`` in ``path/config.json`` (a Hugging Face folder), or ``None`` when the
    file is missing or has no such key (llmviz's own format).

    Examples
    --------
    >>> from llmviz.model.loader import DEFAULT_MODEL_DIR
    >>> hf_model_type(DEFAULT_MODEL_DIR) is None
    True
    """
    data = _read_config(Path(path)) if (Path(path) / "config.json").is_file() else {}
    kind = data.get("model_type")
    if kind is not None and not isinstance(kind, str):
        raise ModelFileError(
            f"model config {Path(path) / 'config.json'} has model_type {kind!r}; it must be a "
            f"string, one of {', '.join(SUPPORTED_MODEL_TYPES)}"
        )
    return kind


def _read_config(path: Path) -> dict[str, Any]:
    file = path / "config.json"
    try:
        data = json.loads(file.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"model config {file} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ModelFileError(
            f"model config {file} must be a JSON object of settings, not {type(data).__name__}"
        )
    return data


def gpt2_config(hf: Mapping[str, Any], where: str = "config.json") -> ModelConfig:
    """llmviz's :class:`ModelConfig` for a Hugging Face GPT-2 ``config.json`` (as a dict).

    ``n_positions`` becomes ``n_ctx``, ``n_inner`` (``None``: 4 x ``n_embd``) ``d_mlp``; keys left
    out take GPT2Config's defaults. Settings llmviz does not implement (cross-attention, scores
    not divided by sqrt(d_head), an unknown activation) are refused with a
    :class:`ModelFileError`.

    Examples
    --------
    >>> cfg = gpt2_config({"model_type": "gpt2", "n_embd": 48, "n_head": 3, "n_layer": 2})
    >>> cfg.d_model, cfg.d_head, cfg.d_mlp, cfg.n_ctx, cfg.act_fn, cfg.biases
    (48, 16, 192, 1024, 'gelu_tanh', True)
    """
    get = {**_DEFAULTS, **hf}.__getitem__

    def positive_int(key: str) -> int:
        value = get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ModelFileError(f"{where}: {key} must be a whole number >= 1, not {value!r}")
        return value

    act = get("activation_function")
    if act not in GPT2_ACTIVATIONS:
        raise ModelFileError(
            f"{where}: activation_function {act!r} is not supported; allowed: "
            f"{', '.join(GPT2_ACTIVATIONS)}"
        )
    for key, allowed in (
        ("scale_attn_weights", True),
        ("scale_attn_by_inverse_layer_idx", False),
        ("add_cross_attention", False),
    ):
        if get(key) is not allowed:
            raise ModelFileError(
                f"{where}: {key}={get(key)!r} is not supported; llmviz runs GPT-2 with "
                f"{key}={allowed}"
            )
    eps = get("layer_norm_epsilon")
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0 < eps < 1:
        raise ModelFileError(f"{where}: layer_norm_epsilon must be a number in (0, 1), not {eps!r}")
    d_model, n_heads = positive_int("n_embd"), positive_int("n_head")
    if d_model % n_heads:
        raise ModelFileError(f"{where}: n_embd ({d_model}) must be divisible by n_head ({n_heads})")
    d_mlp = 4 * d_model if get("n_inner") is None else positive_int("n_inner")
    return ModelConfig(
        vocab_size=positive_int("vocab_size"),
        d_model=d_model,
        n_heads=n_heads,
        n_layers=positive_int("n_layer"),
        d_mlp=d_mlp,
        n_ctx=positive_int("n_positions"),
        act_fn=GPT2_ACTIVATIONS[act],
        ln_eps=float(eps),
        biases=True,
    )


def gpt2_tensor_shapes(cfg: ModelConfig, tied: bool = True) -> dict[str, tuple[int, ...]]:
    """The tensors llmviz reads from a GPT-2 safetensors file (names without the
    ``transformer.`` prefix) and the shape each must have.

    Examples
    --------
    >>> shapes = gpt2_tensor_shapes(gpt2_config({"n_embd": 48, "n_head": 3, "n_layer": 2}))
    >>> shapes["h.0.attn.c_attn.weight"], len(shapes)
    ((48, 144), 28)
    """
    V, D, M = cfg.vocab_size, cfg.d_model, cfg.d_mlp
    shapes: dict[str, tuple[int, ...]] = {"wte.weight": (V, D), "wpe.weight": (cfg.n_ctx, D)}
    for i in range(cfg.n_layers):
        h = f"h.{i}."
        shapes |= {
            h + "ln_1.weight": (D,),
            h + "ln_1.bias": (D,),
            h + "attn.c_attn.weight": (D, 3 * D),
            h + "attn.c_attn.bias": (3 * D,),
            h + "attn.c_proj.weight": (D, D),
            h + "attn.c_proj.bias": (D,),
            h + "ln_2.weight": (D,),
            h + "ln_2.bias": (D,),
            h + "mlp.c_fc.weight": (D, M),
            h + "mlp.c_fc.bias": (M,),
            h + "mlp.c_proj.weight": (M, D),
            h + "mlp.c_proj.bias": (D,),
        }
    shapes |= {"ln_f.weight": (D,), "ln_f.bias": (D,)}
    if not tied:
        shapes["lm_head.weight"] = (V, D)
    return shapes


def _fold(
    ln_w: torch.Tensor, ln_b: torch.Tensor, W: torch.Tensor, b: torch.Tensor | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(n * ln_w + ln_b) @ W + b`` as ``n @ W' + b'``: the LayerNorm's affine moved into W."""
    bias = ln_b @ W if b is None else ln_b @ W + b
    return ln_w[:, None] * W, bias


def fold_gpt2(hf: Mapping[str, torch.Tensor], cfg: ModelConfig) -> dict[str, torch.Tensor]:
    """llmviz's state dict from GPT-2's tensors (names as in :func:`gpt2_tensor_shapes`, float32).

    Tensors that need no folding (``W_E``, ``W_pos``, ``W_O``, ``W_down`` and their biases) are
    the given tensors themselves or views of them, not copies. ``lm_head.weight``, when given, is
    the (untied) unembedding; otherwise ``W_U`` is ``wte`` transposed.
    """
    H, D, d = cfg.n_heads, cfg.d_model, cfg.d_head
    state = {"embed.W_E": hf["wte.weight"], "pos_embed.W_pos": hf["wpe.weight"]}
    for i in range(cfg.n_layers):
        h, b = f"h.{i}.", f"blocks.{i}."
        W, bias = _fold(
            hf[h + "ln_1.weight"],
            hf[h + "ln_1.bias"],
            hf[h + "attn.c_attn.weight"],
            hf[h + "attn.c_attn.bias"],
        )  # [d_model, 3 d_model], [3 d_model]: query, key, value columns side by side
        for j, name in enumerate("QKV"):
            cols = slice(j * D, (j + 1) * D)  # head h's columns are h*d_head .. (h+1)*d_head
            state[b + f"attn.W_{name}"] = W[:, cols].reshape(D, H, d).permute(1, 0, 2).contiguous()
            state[b + f"attn.b_{name}"] = bias[cols].reshape(H, d)
        state[b + "attn.W_O"] = hf[h + "attn.c_proj.weight"].reshape(H, d, D)  # rows by head
        state[b + "attn.b_O"] = hf[h + "attn.c_proj.bias"]
        state[b + "mlp.W_up"], state[b + "mlp.b_up"] = _fold(
            hf[h + "ln_2.weight"],
            hf[h + "ln_2.bias"],
            hf[h + "mlp.c_fc.weight"],
            hf[h + "mlp.c_fc.bias"],
        )
        state[b + "mlp.W_down"] = hf[h + "mlp.c_proj.weight"]
        state[b + "mlp.b_down"] = hf[h + "mlp.c_proj.bias"]
    W_U = hf.get("lm_head.weight", hf["wte.weight"]).T  # [d_model, vocab], a view
    state["unembed.W_U"], state["unembed.b_U"] = _fold(
        hf["ln_f.weight"], hf["ln_f.bias"], W_U, None
    )
    return state


def load_gpt2_tokenizer(path: Path) -> Tokenizer:
    """The folder's tokenizer: ``tokenizer.json``, else a byte-level BPE from ``vocab.json`` and
    ``merges.txt`` (GPT-2's own files)."""
    path = Path(path)
    if (path / "tokenizer.json").is_file():
        return Tokenizer.load(path / "tokenizer.json")
    if (path / "vocab.json").is_file() and (path / "merges.txt").is_file():
        return Tokenizer.load_bpe(path / "vocab.json", path / "merges.txt")
    raise ModelFileError(
        f"GPT-2 folder {path} has no tokenizer; it must hold tokenizer.json, or vocab.json and "
        "merges.txt (both come with the model, e.g. from openai-community/gpt2)"
    )


def _weights_file(path: Path) -> Path:
    file = path / "model.safetensors"
    if file.is_file():
        return file
    if (path / "model.safetensors.index.json").is_file():
        raise ModelFileError(
            f"GPT-2 folder {path} holds sharded weights (model.safetensors.index.json); llmviz "
            "reads one model.safetensors. Merge the shards with save_pretrained(DIR, "
            'safe_serialization=True, max_shard_size="100GB")'
        )
    bins = sorted(p.name for p in path.glob("*.bin")) + sorted(p.name for p in path.glob("*.pt*"))
    if bins:
        raise ModelFileError(
            f"GPT-2 folder {path} has weights only as {', '.join(bins)} (a pickle, which llmviz "
            "never opens: it can run code); llmviz reads model.safetensors. "
            + _CONVERT.format(dir=path)
        )
    raise ModelFileError(f"GPT-2 folder {path} lacks model.safetensors (the weights)")


def _read_tensors(file: Path, shapes: Mapping[str, tuple[int, ...]]) -> dict[str, torch.Tensor]:
    """The named tensors from a safetensors file, as float32 copies, checked for shape and NaN.

    A file written by ``GPT2LMHeadModel.save_pretrained`` names them ``transformer.h.0...``; the
    original GPT-2 files ``h.0...``; ``lm_head.weight`` never has the prefix. Each tensor is read
    under its own ``safe_open``, so the file's pages are let go at once: reading 500 MB of weights
    holds them once in memory, not once mapped and once copied.
    """
    try:
        with safe_open(str(file), framework="pt") as f:
            keys = set(f.keys())
            prefix = "transformer." if "transformer.wte.weight" in keys else ""
            names = {k: k if k.startswith("lm_head.") else prefix + k for k in shapes}
            found = {k: f.get_slice(n) for k, n in names.items() if n in keys}
            meta = {k: (tuple(sl.get_shape()), sl.get_dtype()) for k, sl in found.items()}
    except (SafetensorError, OSError, RuntimeError, ValueError) as exc:
        raise ModelFileError(f"weights file {file} is corrupt: {exc}") from None
    missing = [names[k] for k in shapes if k not in meta]
    if missing:
        raise ModelFileError(
            f"weights file {file} lacks {len(missing)} of the GPT-2 tensors llmviz needs: "
            f"{', '.join(missing[:4])}{', ...' if len(missing) > 4 else ''}"
        )
    problems = [
        f"{names[k]} has shape {shape}, expected {shapes[k]}"
        for k, (shape, _) in meta.items()
        if shape != shapes[k]
    ]
    problems += [
        f"{names[k]} is {dtype}, not one of {', '.join(_FLOAT_DTYPES)}"
        for k, (_, dtype) in meta.items()
        if dtype not in _FLOAT_DTYPES
    ]
    if problems:
        raise ModelFileError(
            f"weights file {file} does not match config.json: " + "; ".join(problems[:5])
        )
    tensors, bad = {}, []
    for k, n in names.items():
        try:
            with safe_open(str(file), framework="pt") as f:
                tensors[k] = f.get_tensor(n).to(torch.float32, copy=True)
        except (SafetensorError, OSError, RuntimeError, ValueError) as exc:
            raise ModelFileError(f"weights file {file} is corrupt ({n}): {exc}") from None
        lo, hi = torch.aminmax(tensors[k])  # one pass; NaN propagates into both
        if not (torch.isfinite(lo) and torch.isfinite(hi)):
            bad.append(n)
    if bad:
        raise ModelFileError(f"weights file {file} has NaN or infinite values in {bad[:5]}")
    return tensors


def read_gpt2(path: Path) -> tuple[ModelConfig, Tokenizer, dict[str, torch.Tensor]]:
    """Config, tokenizer and llmviz state dict (LayerNorm folded) of a Hugging Face GPT-2 folder.

    Raises :class:`ModelFileError`, naming the problem, for a folder that is not a GPT-2 one, has
    weights only as a pickle (``pytorch_model.bin``), or has missing, misshapen or NaN tensors.
    """
    path = Path(path)
    hf = _read_config(path)
    kind = hf.get("model_type")
    if kind not in SUPPORTED_MODEL_TYPES:
        raise ModelFileError(
            f"{path / 'config.json'} has model_type {kind!r}, which llmviz cannot read; allowed: "
            f"{', '.join(SUPPORTED_MODEL_TYPES)} (a Hugging Face folder), or llmviz's own format "
            "(a config.json without model_type, as written by llmviz train)"
        )
    cfg = gpt2_config(hf, where=str(path / "config.json"))
    file = _weights_file(path)
    tokenizer = load_gpt2_tokenizer(path)
    if tokenizer.vocab_size > cfg.vocab_size:
        raise ModelFileError(
            f"the tokenizer of {path} has {tokenizer.vocab_size} tokens but config.json's "
            f"vocab_size is {cfg.vocab_size}; the embedding must have a row for every token"
        )
    tied = hf.get("tie_word_embeddings", True)
    return cfg, tokenizer, fold_gpt2(_read_tensors(file, gpt2_tensor_shapes(cfg, tied)), cfg)
