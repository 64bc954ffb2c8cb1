"""Load a model directory and run prompts through it: ``llmviz.load_model().run(prompt)``.

A directory is either llmviz's own format (``config.json``, ``tokenizer.json``,
``model.safetensors``, as written by ``llmviz train``; the embedded model) or a Hugging Face GPT-2
folder (``config.json`` with ``"model_type": "gpt2"``), read by :mod:`llmviz.model.gpt2`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file

from llmviz.device import device as pick_device
from llmviz.errors import (
    ArgumentError,
    LLMVizError,
    ModelFileError,
    OutOfRangeError,
    PromptError,
    text_problem,
    unknown_name,
)
from llmviz.model.config import ModelConfig
from llmviz.model.gpt2 import hf_model_type, read_gpt2
from llmviz.model.tokenizer import Tokenizer
from llmviz.model.trace import TokenProb, Trace, hook_names, probabilities
from llmviz.model.transformer import HookFn, Transformer

__all__ = ["Model", "load_model", "DEFAULT_MODEL_DIR", "Generation"]

DEFAULT_MODEL_DIR = Path(__file__).parent / "data"
MODEL_FILES = ("config.json", "tokenizer.json", "model.safetensors")


class Weights(Mapping):
    """Read-only numpy views of the model's parameters by name (``blocks.0.attn.W_Q``, ...).

    On the CPU the arrays share memory with the torch parameters (a 124M-parameter GPT-2 is not
    held twice); they are marked read-only, and numpy refuses to make them writable again, so no
    caller can change the model through them.
    """

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        for a in arrays.values():
            a.setflags(write=False)
        self._arrays = arrays

    @classmethod
    def of(cls, net: torch.nn.Module) -> Weights:
        """The parameters of ``net``'s state dict (its causal masks left out)."""
        return cls(
            {
                k: (v.detach() if v.device.type == "cpu" else v.detach().cpu()).numpy()
                for k, v in net.state_dict().items()
                if not k.endswith("mask")
            }
        )

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return self._arrays[name]
        except KeyError:
            raise KeyError(f"no weight named {name!r}; allowed: {list(self._arrays)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._arrays)

    def __len__(self) -> int:
        return len(self._arrays)


@dataclass(frozen=True)
class Generation:
    """The result of :meth:`Model.generate`: the full text and, for each new token, its candidates."""

    prompt: str
    text: str
    new_tokens: tuple[str, ...]
    steps: tuple[tuple[TokenProb, ...], ...]  # top candidates at each step (chosen one included)


class Model:
    """A transformer (the embedded one, one trained with ``llmviz train``, or a loaded GPT-2)
    with its tokenizer, ready to trace prompts.

    Weight shapes follow the row-vector convention (``x @ W``): ``embed.W_E`` [vocab, d_model],
    ``blocks.L.attn.W_Q`` [head, d_model, d_head], ``blocks.L.attn.W_O`` [head, d_head, d_model],
    ``blocks.L.mlp.W_up`` [d_model, d_mlp], ``blocks.L.mlp.W_down`` [d_mlp, d_model],
    ``unembed.W_U`` [d_model, vocab]. A model with ``cfg.biases`` (GPT-2) also has
    ``blocks.L.attn.b_Q`` (``b_K``, ``b_V``) [head, d_head], ``blocks.L.attn.b_O`` [d_model] and
    ``unembed.b_U`` [vocab].

    Examples
    --------
    >>> import llmviz
    >>> model = llmviz.load_model()
    >>> model.weights["blocks.0.mlp.W_up"].shape == (model.cfg.d_model, model.cfg.d_mlp)
    True
    """

    def __init__(self, net: Transformer, tokenizer: Tokenizer, path: Path, device: torch.device):
        self.net = net.eval()
        self.tokenizer = tokenizer
        self.path = Path(path)
        self.device = device
        self.cfg: ModelConfig = net.cfg
        self.weights = Weights.of(net)

    # --- convenient names for the lecture's matrices ---------------------------------------
    @property
    def W_E(self) -> np.ndarray:
        return self.weights["embed.W_E"]

    @property
    def W_pos(self) -> np.ndarray:
        return self.weights["pos_embed.W_pos"]

    @property
    def W_U(self) -> np.ndarray:
        return self.weights["unembed.W_U"]

    def W(self, name: str, layer: int, head: int | None = None) -> np.ndarray:
        """A block's weight: ``W("Q", 0, head=2)``, ``W("up", 1)``, ``W("b_down", 0)``, and with
        ``cfg.biases`` ``W("b_Q", 0, head=2)`` or ``W("b_O", 0)``."""
        if not 0 <= layer < self.cfg.n_layers:
            raise OutOfRangeError(
                f"layer {layer} out of range; the model has layers 0..{self.cfg.n_layers - 1}"
            )
        attn = ("Q", "K", "V", "O", "b_Q", "b_K", "b_V", "b_O")
        part = "attn" if name in attn else "mlp"
        key = f"blocks.{layer}.{part}.{name if name.startswith('b_') else 'W_' + name}"
        w = self.weights[key]
        if head is not None:
            if part != "attn" or name == "b_O" or not 0 <= head < self.cfg.n_heads:
                raise OutOfRangeError(
                    f"head {head} invalid for {key}; heads are 0..{self.cfg.n_heads - 1}"
                )
            w = w[head]
        return w

    # --- tokens -----------------------------------------------------------------------------
    def encode(self, prompt: str) -> list[int]:
        """Token ids of ``prompt``, after checking it is a non-empty string that fits the context."""
        if not isinstance(prompt, str):
            raise PromptError(f"the prompt must be text (str), not {type(prompt).__name__}")
        problem = text_problem(prompt)
        if problem:
            raise PromptError(f"the prompt {prompt!r} {problem}; give it as UTF-8 text")
        if not prompt.strip():
            raise PromptError(
                "the prompt is empty; give at least one word, e.g. 'Michael Jordan plays the sport of'"
            )
        ids = self.tokenizer.encode(prompt)
        if len(ids) > self.cfg.n_ctx:
            raise PromptError(
                f"the prompt is {len(ids)} tokens long but the model's context window holds at most "
                f"{self.cfg.n_ctx} tokens; shorten it"
            )
        return ids

    def token_id(self, text: str) -> int:
        """The id of a text that is exactly one token (``' basketball'``); clear error otherwise."""
        tid = self.tokenizer.token_id(text)
        if tid is None:
            pieces = self.tokenizer.token_strings(self.tokenizer.encode(text))
            raise PromptError(
                f"{text!r} is not a single token; the tokenizer splits it into {pieces}"
            )
        return tid

    def decode_token(self, token_id: int) -> str:
        return self.tokenizer.decode([token_id])

    # --- running ----------------------------------------------------------------------------
    def run(self, prompt: str) -> Trace:
        """Run ``prompt`` through the model and record every intermediate value."""
        ids = self.encode(prompt)
        return self._trace(prompt, ids)

    def run_with_hooks(
        self,
        prompt: str | Sequence[int],
        fwd_hooks: Sequence[tuple[str | Callable[[str], bool], HookFn]] = (),
    ) -> Trace:
        """Run ``prompt`` (text or token ids) with activations edited on the way, as in
        TransformerLens: ``fwd_hooks=[(hook_name, fn), ...]``.

        ``fn(activation, hook_name)`` gets the activation as a torch tensor shaped as in the trace
        (no batch dimension) and returns a replacement or ``None`` (keeping any edit made in
        place); its shape and dtype are checked. Names are spelt by
        :func:`llmviz.model.hook_name`; an unknown one is an error listing the nearest names. A
        hook name may also be a function of the name (``lambda n: "mlp" in n``), which must match
        at least one hook point. Every later value, the logits included, follows from the edit,
        and the trace records them.
        Ready-made hooks (zero or mean-ablate neurons, zero a head, patch values from another
        run) are in :mod:`llmviz.model.hooks`.

        Examples
        --------
        >>> import llmviz
        >>> from llmviz.model import hook_name
        >>> m = llmviz.load_model()
        >>> off = m.run_with_hooks("Michael Jordan", [(hook_name("mlp_out", 0), lambda a, n: a * 0)])
        >>> float(abs(off[hook_name("mlp_out", 0)]).max())
        0.0
        """
        ids = self._ids(prompt)
        text = prompt if isinstance(prompt, str) else self.tokenizer.decode(ids)
        return self._trace(text, ids, self._resolve_hooks(fwd_hooks))

    def next_logits(
        self,
        prompt: str | Sequence[int],
        fwd_hooks: Sequence[tuple[str | Callable[[str], bool], HookFn]] = (),
    ) -> np.ndarray:
        """The logits after the last token of a run with ``fwd_hooks``, without recording a trace
        (for analyses that try many edits). Equal to ``run_with_hooks(...)["logits"][-1]``."""
        ids = self._ids(prompt)
        tokens = torch.tensor([ids], device=self.device)
        return (
            self.net.run_with_hooks(tokens, self._resolve_hooks(fwd_hooks))[0, -1]
            .float()
            .cpu()
            .numpy()
        )

    def _ids(self, prompt: str | Sequence[int]) -> list[int]:
        return self.encode(prompt) if isinstance(prompt, str) else self._check_ids(prompt)

    def _resolve_hooks(self, fwd_hooks) -> list[tuple[str, HookFn]]:
        hooks = []
        for item in fwd_hooks:
            if not (isinstance(item, (tuple, list)) and len(item) == 2):
                raise LLMVizError(f"each forward hook must be a pair (hook_name, fn), not {item!r}")
            name, fn = item
            if not callable(fn):
                raise LLMVizError(f"the hook for {name!r} must be a function, not {fn!r}")
            if callable(name):
                chosen = [(n, fn) for n in self.net.hook_points if name(n)]
                if not chosen:
                    raise LLMVizError(
                        f"the hook name filter {getattr(name, '__name__', name)!r} does not match "
                        f"any of the {len(self.net.hook_points)} hook points (list(trace) names "
                        "them; llmviz.model.hook_name spells one)"
                    )
                hooks += chosen
            elif isinstance(name, str) and name in self.net.hook_points:
                hooks.append((name, fn))
            else:
                raise unknown_name(name, self.net.hook_points)
        return hooks

    def run_ids(self, ids: list[int]) -> Trace:
        """Run a list of token ids (e.g. the first ``n`` tokens of a longer text).

        Examples
        --------
        >>> import llmviz
        >>> m = llmviz.load_model()
        >>> ids = m.encode("Michael Jordan plays the sport of")
        >>> m.run_ids(ids[:2]).tokens
        ('Michael', ' Jordan')
        """
        ids = self._check_ids(ids)
        return self._trace(self.tokenizer.decode(ids), ids)

    def _check_ids(self, ids: Sequence[int]) -> list[int]:
        ids = [int(i) for i in ids]
        if not ids:
            raise PromptError("no tokens to run; give at least one token id")
        if len(ids) > self.cfg.n_ctx:
            raise PromptError(
                f"{len(ids)} tokens do not fit the context window of {self.cfg.n_ctx} tokens"
            )
        bad = [i for i in ids if not 0 <= i < self.cfg.vocab_size]
        if bad:
            raise PromptError(
                f"token ids {bad[:5]} are outside the vocabulary (0 to {self.cfg.vocab_size - 1})"
            )
        return ids

    def _trace(self, prompt: str, ids: list[int], fwd_hooks=()) -> Trace:
        tokens = torch.tensor([ids], device=self.device)
        logits, cache = self.net.run_with_cache(tokens, fwd_hooks)
        values = {k: v[0].float().cpu().numpy() for k, v in cache.items()}
        values["logits"] = logits[0].float().cpu().numpy()
        ordered = {k: values[k] for k in hook_names(self.cfg.n_layers)}
        return Trace(
            prompt,
            ids,
            self.tokenizer.token_strings(ids),
            ordered,
            str(self.device),
            self.decode_token,
        )

    def generate(
        self,
        prompt: str,
        n_tokens: int = 10,
        temperature: float = 1.0,
        seed: int = 0,
        top_k: int = 5,
        stop_at_newline: bool = True,
    ) -> Generation:
        """Sample ``n_tokens`` new tokens one at a time, re-running the model after each.

        Sampling uses numpy's generator seeded with ``seed`` on float64 probabilities, so the same
        seed gives the same text on the CPU and on CUDA.
        """
        if not isinstance(n_tokens, int) or isinstance(n_tokens, bool) or n_tokens < 0:
            raise ArgumentError(f"n_tokens must be a whole number >= 0, not {n_tokens!r}")
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
            raise ArgumentError(f"seed must be a whole number >= 0, not {seed!r}")
        if not isinstance(top_k, (int, np.integer)) or isinstance(top_k, bool) or top_k < 1:
            raise ArgumentError(
                f"top_k (candidates recorded per step) must be a whole number >= 1, not {top_k!r}"
            )
        if not isinstance(stop_at_newline, bool):
            raise ArgumentError(f"stop_at_newline must be True or False, not {stop_at_newline!r}")
        probabilities(np.zeros(1), temperature)  # checks the temperature before any work
        temperature = float(temperature)
        ids = self.encode(prompt)
        rng = np.random.default_rng(seed)
        new, steps = [], []
        for _ in range(n_tokens):
            if len(ids) >= self.cfg.n_ctx:
                break
            logits = self.next_logits(ids)
            p = probabilities(logits, temperature)
            choice = int(rng.choice(len(p), p=p)) if temperature > 0 else int(np.argmax(p))
            order = np.argsort(-p, kind="stable")[:top_k]
            cands = [TokenProb(self.decode_token(int(i)), int(i), float(p[i])) for i in order]
            if choice not in order:
                cands.append(TokenProb(self.decode_token(choice), choice, float(p[choice])))
            steps.append(tuple(cands))
            ids = ids + [choice]
            new.append(self.decode_token(choice))
            if stop_at_newline and "\n" in new[-1]:
                break
        return Generation(prompt, self.tokenizer.decode(ids), tuple(new), tuple(steps))

    @torch.no_grad()
    def readout(self, resid: np.ndarray) -> np.ndarray:
        """Logits the model would give for a residual vector ``[d_model]`` taken anywhere in the
        stream: its own final LayerNorm and unembedding (at the last layer, its real output)."""
        x = torch.tensor(
            np.asarray(resid, dtype=np.float32), device=self.device
        )  # a copy: traces are read-only
        return self.net.unembed(self.net.ln_final(x)).float().cpu().numpy()


def _read_model(path: Path, dev: torch.device) -> Model:
    if not path.is_dir():
        raise ModelFileError(
            f"model directory not found: {path}; it must hold {', '.join(MODEL_FILES)}, or be a "
            "Hugging Face GPT-2 folder"
        )
    if hf_model_type(path) is not None:
        cfg, tokenizer, state = read_gpt2(path)
    else:
        cfg, tokenizer, state = _read_llmviz(path)
    net = Transformer(cfg, init=False)  # no random weights drawn: every one is assigned below
    result = net.load_state_dict(state, strict=False, assign=True)  # the tensors, not copies
    unset = [k for k in result.missing_keys if not k.endswith("mask")] + result.unexpected_keys
    if unset:  # a reader's bug; never run with uninitialised weights
        raise ModelFileError(f"reading {path} left weights unset or unknown: {unset[:5]}")
    if dev.type == "cuda":  # full float32 matmuls so that CUDA agrees with the CPU
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    return Model(net.to(dev), tokenizer, path, dev)


def _read_llmviz(path: Path) -> tuple[ModelConfig, Tokenizer, dict[str, torch.Tensor]]:
    """Config, tokenizer and state dict of a directory in llmviz's own format."""
    missing = [f for f in MODEL_FILES if not (path / f).is_file()]
    if missing:
        hint = ""
        if (path / "pytorch_model.bin").is_file():
            hint = " (a Hugging Face GPT-2 folder needs its config.json, and model.safetensors)"
        raise ModelFileError(
            f"model directory {path} lacks {', '.join(missing)}; it must hold {', '.join(MODEL_FILES)}"
            + hint
        )
    cfg = ModelConfig.from_json(path / "config.json")
    tokenizer = Tokenizer.load(path / "tokenizer.json")
    if tokenizer.vocab_size != cfg.vocab_size:
        raise ModelFileError(
            f"tokenizer.json has {tokenizer.vocab_size} tokens but config.json says vocab_size "
            f"{cfg.vocab_size}"
        )
    weights = path / "model.safetensors"
    # config.json against the file's header, before any tensor is allocated: a config that
    # claims a huge model is refused here instead of by the allocator
    problems = shape_problems(expected_shapes(cfg), header_shapes(weights))
    if problems:
        raise ModelFileError(
            f"weights file {weights} does not match config.json ({_summary(cfg)}): "
            + "; ".join(problems[:5])
        )
    try:
        state = load_file(str(weights))
    except (SafetensorError, OSError, ValueError) as exc:
        raise ModelFileError(f"weights file {weights} is corrupt: {exc}") from None
    bad = [k for k, v in state.items() if not torch.isfinite(v).all()]
    if bad:
        raise ModelFileError(
            f"weights file {path / 'model.safetensors'} has NaN or infinite values in {bad[:5]}"
        )
    # copies: the model must not keep the file mapped (llmviz train may rewrite it)
    return cfg, tokenizer, {k: v.to(torch.float32, copy=True) for k, v in state.items()}


def _summary(cfg: ModelConfig) -> str:
    keys = ("vocab_size", "d_model", "n_heads", "n_layers", "d_mlp", "n_ctx")
    return ", ".join(f"{k}={getattr(cfg, k)}" for k in keys)


def expected_shapes(cfg: ModelConfig) -> dict[str, tuple[int, ...]]:
    """The shape of every weight a model of ``cfg`` holds, found on torch's meta device (no
    memory is allocated, however large ``cfg`` claims to be)."""
    with torch.device("meta"):
        net = Transformer(cfg, init=False)
    return {k: tuple(v.shape) for k, v in net.state_dict().items() if not k.endswith("mask")}


def header_shapes(weights: Path) -> dict[str, tuple[tuple[int, ...], str]]:
    """Name -> (shape, dtype) of every tensor in a safetensors file, read from its header alone."""
    try:
        with safe_open(str(weights), framework="pt") as f:
            return {
                k: (tuple(f.get_slice(k).get_shape()), str(f.get_slice(k).get_dtype()))
                for k in f.keys()  # noqa: SIM118 - safe_open has keys(), not iteration
            }
    except (SafetensorError, OSError, ValueError, RuntimeError) as exc:
        raise ModelFileError(f"weights file {weights} is corrupt: {exc}") from None


def shape_problems(
    expected: dict[str, tuple[int, ...]], found: dict[str, tuple[tuple[int, ...], str]]
) -> list[str]:
    """What differs between the weights a config needs and those a file holds."""
    problems = [f"missing {k}" for k in expected if k not in found]
    problems += [f"unexpected {k}" for k in found if k not in expected]
    problems += [
        f"{k} has shape {found[k][0]} in the file, config.json needs {s}"
        for k, s in expected.items()
        if k in found and found[k][0] != s
    ]
    problems += [
        f"{k} is {dtype}, not floating point"
        for k, (_, dtype) in found.items()
        if dtype not in ("F16", "BF16", "F32", "F64")
    ]
    return problems


@functools.lru_cache(maxsize=4)
def _cached(path: str, dev: str) -> Model:
    return _read_model(Path(path), torch.device(dev))


def load_model(path: str | Path | None = None, device: str | None = None) -> Model:
    """Load the embedded model (default), a trained model directory, or a Hugging Face GPT-2.

    Parameters
    ----------
    path
        A directory with ``config.json``, ``tokenizer.json`` and ``model.safetensors`` (as written by
        ``llmviz train``), or a Hugging Face GPT-2 folder (``config.json`` with ``"model_type":
        "gpt2"``, ``model.safetensors``, ``tokenizer.json`` or ``vocab.json`` + ``merges.txt``;
        LayerNorm is folded into the next weights, see :mod:`llmviz.model.gpt2`). ``None`` reads
        ``LLMVIZ_MODEL_DIR`` and otherwise loads the model shipped inside the package.
    device
        ``"cpu"``, ``"cuda"`` or ``"cuda:N"``; ``None`` picks as :func:`llmviz.device` does.

    Examples
    --------
    >>> import llmviz
    >>> model = llmviz.load_model()
    >>> model.run("Michael Jordan plays the sport of").tokens[:2]
    ('Michael', ' Jordan')
    """
    if path is None:
        path = os.environ.get("LLMVIZ_MODEL_DIR") or None
    p = Path(path).expanduser().resolve() if path is not None else DEFAULT_MODEL_DIR
    return _cached(str(p), str(pick_device(device)))
