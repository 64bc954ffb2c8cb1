"""A GPT-style decoder-only transformer in plain torch, written to be read beside the lecture.

Conventions (the reviewer's remark in the lecture notes): code multiplies *row* vectors, so a
position's vector ``x`` of shape ``[d_model]`` is transformed as ``x @ W`` with ``W`` of shape
``[d_in, d_out]``. The lecture draws the same maps as ``W x`` with column vectors; the numbers are
the same, the matrix is transposed.

Every intermediate value passes through a :class:`HookPoint` named as in TransformerLens
(``blocks.0.attn.hook_pattern``, ...), so :meth:`Transformer.run_with_cache` can record all of them.

LayerNorm here has no learnable gain or bias (a "folded" LayerNorm): its output is exactly the
normalised vector, and the next matrix absorbs any per-channel scale. This keeps the numbers on
screen honest: ``logits = ln_final(x) @ W_U``. A loaded GPT-2 has its gains and biases folded in
this way (:mod:`llmviz.model.gpt2`), which is why ``ModelConfig.biases`` adds ``b_Q``, ``b_K``,
``b_V``, ``b_O`` and ``b_U``; without it they are zeros that the state dict leaves out.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from llmviz.errors import LLMVizError
from llmviz.model.config import ModelConfig

__all__ = ["HookPoint", "HookFn", "Transformer"]


HookFn = Callable[[torch.Tensor, str], "torch.Tensor | None"]


class HookPoint(nn.Module):
    """Identity module with a name; it can edit the value passing through and record it.

    Each function in ``self.fwd_hooks`` is called as ``fn(activation, name)`` with a copy of the
    value of the first batch entry (the trace's shape: no batch dimension). It may edit that copy
    in place or return a replacement of the same shape, a tensor or numpy array of real numbers
    (a bool, complex, text or any other return is an llmviz error naming the hook); ``None``
    keeps the (edited) copy. The value that flows on is then recorded into ``self.cache`` when a
    cache is set.
    """

    def __init__(self) -> None:
        super().__init__()
        self.name = ""
        self.cache: dict[str, torch.Tensor] | None = None
        self.fwd_hooks: list[HookFn] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for fn in self.fwd_hooks:
            x = self._edit(fn, x)
        if self.cache is not None:
            self.cache[self.name] = x.detach()
        return x

    def _edit(self, fn: HookFn, x: torch.Tensor) -> torch.Tensor:
        value = x[0].clone()  # a copy: an edit in place never reaches the weights
        out = fn(value, self.name)
        out = value if out is None else self._checked(out, value)
        if out.shape != value.shape:
            raise LLMVizError(
                f"the hook on {self.name} returned shape {tuple(out.shape)}; "
                f"it must keep the activation's shape {tuple(value.shape)}"
            )
        return torch.cat([out.unsqueeze(0), x[1:]]) if x.shape[0] > 1 else out.unsqueeze(0)

    def _checked(self, out: object, value: torch.Tensor) -> torch.Tensor:
        """A hook's return value as a tensor like ``value``: a tensor or numpy array of real
        numbers (not bool, complex or text), of the activation's shape."""
        if isinstance(out, torch.Tensor):
            bad = out.dtype == torch.bool or out.is_complex()
            kind = str(out.dtype).replace("torch.", "")
        elif isinstance(out, np.ndarray):
            bad = out.dtype.kind not in "iuf"
            kind = str(out.dtype)
        else:
            raise LLMVizError(
                f"the hook on {self.name} returned {type(out).__name__}; it must return None "
                f"(keep the value) or a tensor of shape {tuple(value.shape)}"
            )
        if bad:
            raise LLMVizError(
                f"the hook on {self.name} returned a {kind} {type(out).__name__}; it must hold "
                f"real numbers (float), shaped {tuple(value.shape)}"
            )
        if tuple(out.shape) != tuple(value.shape):
            raise LLMVizError(
                f"the hook on {self.name} returned shape {tuple(out.shape)}; "
                f"it must keep the activation's shape {tuple(value.shape)}"
            )
        return torch.as_tensor(out, device=value.device).to(value.dtype)


def _bias(module: nn.Module, name: str, shape: tuple[int, ...], cfg: ModelConfig) -> None:
    """Give ``module`` a bias: a parameter when ``cfg.biases``, else a zero outside the state dict."""
    if cfg.biases:
        module.register_parameter(name, nn.Parameter(torch.zeros(shape)))
    else:
        module.register_buffer(name, torch.zeros(shape), persistent=False)


ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "relu": F.relu,
    "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),  # GPT-2's "gelu_new"
}


class LayerNorm(nn.Module):
    """Subtract the mean, divide by the standard deviation (no learnable affine)."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.eps = cfg.ln_eps
        self.hook_normalized = HookPoint()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x - x.mean(-1, keepdim=True)  # [batch, pos, d_model]
        scale = (x.pow(2).mean(-1, keepdim=True) + self.eps).sqrt()  # [batch, pos, 1]
        return self.hook_normalized(x / scale)


class Attention(nn.Module):
    """Causal multi-head self-attention with explicit per-head W_Q, W_K, W_V, W_O."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        H, D, d = cfg.n_heads, cfg.d_model, cfg.d_head
        self.W_Q = nn.Parameter(torch.empty(H, D, d))  # per head: d_model -> d_head (query)
        self.W_K = nn.Parameter(torch.empty(H, D, d))  # per head: d_model -> d_head (key)
        self.W_V = nn.Parameter(torch.empty(H, D, d))  # per head: d_model -> d_head ("value down")
        self.W_O = nn.Parameter(torch.empty(H, d, D))  # per head: d_head -> d_model ("value up")
        for name in ("b_Q", "b_K", "b_V"):
            _bias(self, name, (H, d), cfg)  # per head, added to each query, key and value
        _bias(self, "b_O", (D,), cfg)  # added once to the heads' summed output
        self.register_buffer("mask", torch.tril(torch.ones(cfg.n_ctx, cfg.n_ctx, dtype=torch.bool)))
        self.d_head = d
        for name in ("q", "k", "v", "attn_scores", "pattern", "z"):
            setattr(self, f"hook_{name}", HookPoint())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        T = x.shape[1]
        q = self.hook_q(torch.einsum("bpd,hde->bphe", x, self.W_Q) + self.b_Q)  # [b, pos, head, e]
        k = self.hook_k(torch.einsum("bpd,hde->bphe", x, self.W_K) + self.b_K)  # [b, pos, head, e]
        v = self.hook_v(torch.einsum("bpd,hde->bphe", x, self.W_V) + self.b_V)  # [b, pos, head, e]
        scores = torch.einsum("bqhe,bkhe->bhqk", q, k) / math.sqrt(self.d_head)  # [b, head, q, k]
        scores = scores.masked_fill(~self.mask[:T, :T], float("-inf"))  # keys after the query
        scores = self.hook_attn_scores(scores)
        pattern = self.hook_pattern(
            scores.softmax(dim=-1)
        )  # [batch, head, query, key], rows sum to 1
        z = self.hook_z(torch.einsum("bhqk,bkhe->bqhe", pattern, v))  # [batch, pos, head, d_head]
        out = torch.einsum("bqhe,hed->bqd", z, self.W_O)  # heads' outputs summed: [b, pos, d_model]
        return out + self.b_O


class MLP(nn.Module):
    """Up-projection, ReLU (or GELU), down-projection, applied to each position on its own."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.W_up = nn.Parameter(torch.empty(cfg.d_model, cfg.d_mlp))
        self.b_up = nn.Parameter(torch.zeros(cfg.d_mlp))
        self.W_down = nn.Parameter(torch.empty(cfg.d_mlp, cfg.d_model))
        self.b_down = nn.Parameter(torch.zeros(cfg.d_model))
        self.act = ACTIVATIONS[cfg.act_fn]
        self.hook_pre = HookPoint()
        self.hook_post = HookPoint()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pre = self.hook_pre(x @ self.W_up + self.b_up)  # [batch, pos, d_mlp]: one "question" each
        post = self.hook_post(self.act(pre))  # [batch, pos, d_mlp]: neuron activations
        return post @ self.W_down + self.b_down  # [batch, pos, d_model]


class Block(nn.Module):
    """Pre-LayerNorm transformer block: attention then MLP, each added to the residual stream."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.ln1, self.attn = LayerNorm(cfg), Attention(cfg)
        self.ln2, self.mlp = LayerNorm(cfg), MLP(cfg)
        for name in ("resid_pre", "attn_out", "resid_mid", "mlp_out", "resid_post"):
            setattr(self, f"hook_{name}", HookPoint())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.hook_resid_pre(x)
        x = self.hook_resid_mid(x + self.hook_attn_out(self.attn(self.ln1(x))))
        x = self.hook_resid_post(x + self.hook_mlp_out(self.mlp(self.ln2(x))))
        return x


class Embed(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.W_E = nn.Parameter(torch.empty(cfg.vocab_size, cfg.d_model))  # one row per token

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.W_E[tokens]  # [batch, pos, d_model]


class PosEmbed(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.W_pos = nn.Parameter(torch.empty(cfg.n_ctx, cfg.d_model))  # one row per position

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.W_pos[: tokens.shape[1]].unsqueeze(0)  # [1, pos, d_model]


class Unembed(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.W_U = nn.Parameter(torch.empty(cfg.d_model, cfg.vocab_size))  # untied from W_E
        _bias(self, "b_U", (cfg.vocab_size,), cfg)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.W_U + self.b_U  # [batch, pos, vocab]: one logit per token


class Transformer(nn.Module):
    """The whole model: embed, blocks, final LayerNorm, unembed.

    ``init=False`` skips the random initialisation, for a loader that assigns every weight
    (``load_state_dict(state, assign=True)``): a 124M-parameter model then loads without
    first drawing, and holding, 124M random numbers.

    Examples
    --------
    >>> import torch
    >>> from llmviz.model.config import ModelConfig
    >>> m = Transformer(ModelConfig(vocab_size=50, d_model=16, n_heads=2, n_layers=1, n_ctx=8))
    >>> logits, cache = m.run_with_cache(torch.tensor([[1, 2, 3]]))
    >>> tuple(logits.shape), tuple(cache["blocks.0.attn.hook_pattern"].shape)
    ((1, 3, 50), (1, 2, 3, 3))
    """

    def __init__(self, cfg: ModelConfig, init: bool = True) -> None:
        super().__init__()
        self.cfg = cfg
        self.embed, self.hook_embed = Embed(cfg), HookPoint()
        self.pos_embed, self.hook_pos_embed = PosEmbed(cfg), HookPoint()
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layers))
        self.ln_final = LayerNorm(cfg)
        self.unembed, self.hook_logits = Unembed(cfg), HookPoint()
        self.hook_points: dict[str, HookPoint] = {}
        for name, module in self.named_modules():
            if isinstance(module, HookPoint):
                module.name = "logits" if name == "hook_logits" else name  # the trace's key
                self.hook_points[module.name] = module
        if init:  # init=False leaves the weights unset (torch.empty) for a loader to assign them
            self.reset_parameters()

    def reset_parameters(self) -> None:
        for name, p in self.named_parameters():
            if name.rpartition(".")[2].startswith("b_"):  # biases start at zero
                nn.init.zeros_(p)
            else:
                nn.init.normal_(p, std=0.02)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        x = self.hook_embed(self.embed(tokens)) + self.hook_pos_embed(self.pos_embed(tokens))
        for block in self.blocks:
            x = block(x)  # the residual stream: [batch, pos, d_model]
        return self.hook_logits(self.unembed(self.ln_final(x)))  # [batch, pos, vocab]

    def run_with_cache(
        self, tokens: torch.Tensor, fwd_hooks: Sequence[tuple[str, HookFn]] = ()
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Run the model and return its logits and every hook point's value, in forward order.

        ``fwd_hooks`` is a list of ``(hook_name, fn)`` pairs, as in TransformerLens's
        ``run_with_hooks``; see :class:`HookPoint` for what ``fn`` receives and may return. The
        cache holds the values after the hooks' edits.
        """
        cache: dict[str, torch.Tensor] = {}
        with self.hooks(fwd_hooks, cache), torch.no_grad():
            logits = self(tokens)
        return logits, cache

    def run_with_hooks(
        self, tokens: torch.Tensor, fwd_hooks: Sequence[tuple[str, HookFn]] = ()
    ) -> torch.Tensor:
        """The logits of a run with ``fwd_hooks`` applied, recording nothing (for searches that
        try many edits)."""
        with self.hooks(fwd_hooks), torch.no_grad():
            return self(tokens)

    @contextlib.contextmanager
    def hooks(
        self,
        fwd_hooks: Sequence[tuple[str, HookFn]] = (),
        cache: dict[str, torch.Tensor] | None = None,
    ) -> Iterator[None]:
        """Install ``fwd_hooks`` (and a cache to record into) for the duration of a ``with``."""
        for name, _ in fwd_hooks:
            if name not in self.hook_points:
                raise LLMVizError(
                    f"no hook point named {name!r}; allowed: {', '.join(self.hook_points)}"
                )
        for hp in self.hook_points.values():
            hp.cache = cache
        for name, fn in fwd_hooks:
            self.hook_points[name].fwd_hooks.append(fn)
        try:
            yield
        finally:
            for hp in self.hook_points.values():
                hp.cache = None
                hp.fwd_hooks.clear()
