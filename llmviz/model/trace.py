"""A read-only record of one forward pass: every hook's value as a numpy array, plus the tokens."""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterator, Mapping
from typing import NamedTuple

import numpy as np

from llmviz.errors import ArgumentError, LLMVizError, OutOfRangeError, unknown_name

__all__ = ["Trace", "TokenProb", "hook_name", "hook_names", "probabilities"]


class TokenProb(NamedTuple):
    """One candidate next token: its text (leading space kept), vocabulary id and probability."""

    token: str
    id: int
    prob: float


# Short kind -> the hook name's pattern; ``{L}`` is the layer. Global kinds have no ``{L}``.
HOOK_KINDS: dict[str, str] = {
    "embed": "hook_embed",
    "pos_embed": "hook_pos_embed",
    "resid_pre": "blocks.{L}.hook_resid_pre",
    "ln1": "blocks.{L}.ln1.hook_normalized",
    "q": "blocks.{L}.attn.hook_q",
    "k": "blocks.{L}.attn.hook_k",
    "v": "blocks.{L}.attn.hook_v",
    "attn_scores": "blocks.{L}.attn.hook_attn_scores",
    "pattern": "blocks.{L}.attn.hook_pattern",
    "z": "blocks.{L}.attn.hook_z",
    "attn_out": "blocks.{L}.hook_attn_out",
    "resid_mid": "blocks.{L}.hook_resid_mid",
    "ln2": "blocks.{L}.ln2.hook_normalized",
    "pre": "blocks.{L}.mlp.hook_pre",
    "post": "blocks.{L}.mlp.hook_post",
    "mlp_out": "blocks.{L}.hook_mlp_out",
    "resid_post": "blocks.{L}.hook_resid_post",
    "ln_final": "ln_final.hook_normalized",
    "logits": "logits",
}


def hook_name(kind: str, layer: int | None = None) -> str:
    """The trace key (hook point name) of ``kind`` at ``layer``, like TransformerLens's
    ``get_act_name``.

    ``kind`` is a short name (``"pattern"``, ``"post"``, ``"resid_post"``, ``"embed"``, ...; see
    ``HOOK_KINDS``) or the name's last part (``"hook_pattern"``). Per-layer kinds need a
    ``layer`` >= 0; ``embed``, ``pos_embed``, ``ln_final`` and ``logits`` take none.

    Examples
    --------
    >>> hook_name("pattern", 0)
    'blocks.0.attn.hook_pattern'
    >>> hook_name("hook_post", 1)
    'blocks.1.mlp.hook_post'
    >>> hook_name("embed")
    'hook_embed'
    """
    if not isinstance(kind, str):
        raise ArgumentError(
            f"kind must be a hook kind (str), not {type(kind).__name__}; allowed: "
            + ", ".join(HOOK_KINDS)
        )
    short = kind[5:] if kind.startswith("hook_") and kind[5:] in HOOK_KINDS else kind
    if short not in HOOK_KINDS:
        close = difflib.get_close_matches(short, list(HOOK_KINDS), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ArgumentError(f"unknown hook kind {kind!r}{hint} (allowed: {', '.join(HOOK_KINDS)})")
    pattern = HOOK_KINDS[short]
    per_layer = "{L}" in pattern
    if not per_layer:
        if layer is not None:
            raise ArgumentError(
                f"hook kind {kind!r} is not per layer; give no layer (layer=None), not {layer!r}"
            )
        return pattern
    if layer is None:
        raise ArgumentError(f"hook kind {kind!r} needs a layer (a whole number >= 0)")
    if not isinstance(layer, (int, np.integer)) or isinstance(layer, bool) or layer < 0:
        raise ArgumentError(
            f"layer must be a whole number >= 0 for hook kind {kind!r}, not {layer!r}"
        )
    return pattern.replace("{L}", str(int(layer)))


def hook_names(n_layers: int) -> list[str]:
    """The fixed, ordered list of trace keys for a model with ``n_layers`` blocks.

    Examples
    --------
    >>> hook_names(1)[:3]
    ['hook_embed', 'hook_pos_embed', 'blocks.0.hook_resid_pre']
    >>> hook_names(1)[-2:]
    ['ln_final.hook_normalized', 'logits']
    """
    kinds = list(HOOK_KINDS)
    per_layer = [k for k in kinds if "{L}" in HOOK_KINDS[k]]
    names = [hook_name("embed"), hook_name("pos_embed")]
    for layer in range(n_layers):
        names += [hook_name(k, layer) for k in per_layer]
    return names + [hook_name("ln_final"), hook_name("logits")]


def probabilities(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Softmax of ``logits / temperature`` in float64; ``temperature == 0`` puts all mass on the argmax.

    Examples
    --------
    >>> probabilities(np.array([1.0, 2.0, 8.0])).round(3).tolist()
    [0.001, 0.002, 0.997]
    """
    t = _check_temperature(temperature)
    x = np.asarray(logits, dtype=np.float64)
    if not np.all(np.isfinite(x)):
        raise LLMVizError("logits contain NaN or infinite values; cannot compute probabilities")
    if t == 0:
        out = np.zeros_like(x)
        out[..., :] = x == x.max(-1, keepdims=True)
        return out / out.sum(-1, keepdims=True)
    with np.errstate(over="ignore", divide="ignore"):  # a tiny t: the argmax takes it all
        z = (x - x.max(-1, keepdims=True)) / t
        e = np.exp(z)
    return e / e.sum(-1, keepdims=True)


def _check_temperature(temperature: float) -> float:
    if isinstance(temperature, (bool, str)):
        raise ArgumentError(f"temperature must be a number >= 0, not {temperature!r}")
    try:
        t = float(temperature)
    except (TypeError, ValueError):
        raise ArgumentError(f"temperature must be a number >= 0, not {temperature!r}") from None
    if math.isnan(t) or t < 0 or math.isinf(t):
        raise ArgumentError(f"temperature must be a finite number >= 0, not {temperature!r}")
    return t


class Trace(Mapping):
    """Every intermediate value of one forward pass, under TransformerLens hook names.

    Arrays drop the batch dimension: ``trace["blocks.0.attn.hook_pattern"]`` has shape
    ``[head, query_pos, key_pos]``, ``trace["blocks.0.mlp.hook_post"]`` ``[pos, d_mlp]``,
    ``trace["logits"]`` ``[pos, vocab]``. Arrays are read-only.

    Examples
    --------
    >>> import llmviz
    >>> trace = llmviz.load_model().run("Michael Jordan plays the sport of")
    >>> trace.top_k(1)[0].token
    ' basketball'
    """

    def __init__(
        self,
        prompt: str,
        token_ids: list[int],
        tokens: list[str],
        values: dict[str, np.ndarray],
        device: str,
        decode: Callable[[int], str],
    ) -> None:
        self.prompt = prompt
        self._decode = decode
        self.token_ids = tuple(token_ids)
        self.tokens = tuple(tokens)
        self.device = device
        for v in values.values():
            v.setflags(write=False)
        self._values = values

    def __getitem__(self, key: str) -> np.ndarray:
        try:
            return self._values[key]
        except (KeyError, TypeError):
            raise unknown_name(key, self._values, "trace value") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Trace({self.prompt!r}, {len(self.tokens)} tokens, {len(self)} values)"

    @property
    def n_tokens(self) -> int:
        return len(self.tokens)

    def probs(self, temperature: float = 1.0, position: int = -1) -> np.ndarray:
        """Next-token probabilities at ``position`` (default: after the last token)."""
        return probabilities(self["logits"][self._position(position)], temperature)

    def _position(self, position: int) -> int:
        """``position`` checked against the tokens (negative counts from the end)."""
        n = self.n_tokens
        if not isinstance(position, (int, np.integer)) or isinstance(position, bool):
            raise ArgumentError(f"position must be a whole number, not {position!r}")
        if not -n <= position < n:
            raise OutOfRangeError(
                f"position {position} is outside the prompt's {n} tokens; allowed: 0 to {n - 1} "
                f"(or -{n} to -1 from the end)"
            )
        return int(position)

    def top_k(self, k: int = 5, temperature: float = 1.0, position: int = -1) -> list[TokenProb]:
        """The ``k`` most likely next tokens with their probabilities, most likely first."""
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
            raise ArgumentError(f"k must be a positive whole number, not {k!r}")
        p = self.probs(temperature, position)
        order = np.argsort(-p, kind="stable")[:k]
        return [TokenProb(self._decode(int(i)), int(i), float(p[i])) for i in order]
