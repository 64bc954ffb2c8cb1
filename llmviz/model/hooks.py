"""Ready-made forward hooks for :meth:`Model.run_with_hooks`, in TransformerLens's shape.

Each function returns one ``(hook_name, fn)`` pair to put in ``fwd_hooks``; ``fn(activation,
hook_name)`` edits the activation (shaped as in the trace, no batch dimension) and returns it.

Examples
--------
>>> import llmviz
>>> from llmviz.model.hooks import hook_name, zero_neurons
>>> m = llmviz.load_model()
>>> t = m.run_with_hooks("Michael Jordan", fwd_hooks=[zero_neurons(0, [3, 5])])
>>> float(abs(t[hook_name("post", 0)][:, [3, 5]]).max())
0.0
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import torch

from llmviz.errors import LLMVizError
from llmviz.model.trace import hook_name
from llmviz.model.transformer import HookFn

__all__ = [
    "hook_name",
    "zero_neurons",
    "mean_ablate_neurons",
    "zero_head",
    "zero_hook",
    "patch",
    "mean_activation",
]

Hook = tuple[str, HookFn]


def _positions(positions: int | Iterable[int] | None) -> slice | int | list[int]:
    if positions is None:
        return slice(None)
    if isinstance(positions, (int, np.integer)):
        return int(positions)
    return [int(p) for p in positions]


def _check_positions(where: slice | int | list[int], n: int, name: str) -> None:
    listed = [where] if isinstance(where, int) else where
    if isinstance(listed, list) and any(not -n <= p < n for p in listed):
        raise LLMVizError(f"positions {where} are outside the prompt's {n} tokens (hook {name})")


def zero_neurons(
    layer: int, neurons: int | Sequence[int], positions: int | Iterable[int] | None = None
) -> Hook:
    """Set MLP neurons of ``blocks.{layer}.mlp.hook_post`` to zero (at ``positions``, default
    all), so that their columns of ``W_down`` add nothing."""
    return mean_ablate_neurons(layer, neurons, None, positions)


def mean_ablate_neurons(
    layer: int,
    neurons: int | Sequence[int],
    mean: np.ndarray | None,
    positions: int | Iterable[int] | None = None,
) -> Hook:
    """Replace MLP neurons' activations by ``mean[neuron]`` (``[d_mlp]``, e.g. from
    :func:`mean_activation`); ``mean=None`` zeroes them."""
    idx = [int(neurons)] if isinstance(neurons, (int, np.integer)) else [int(n) for n in neurons]
    where = _positions(positions)
    name = hook_name("post", layer)

    def fn(act: torch.Tensor, hook: str) -> torch.Tensor:
        _check_positions(where, act.shape[0], hook)
        bad = [n for n in idx if not 0 <= n < act.shape[-1]]
        if bad:
            raise LLMVizError(
                f"neurons {bad} do not exist; layer {layer} has 0..{act.shape[-1] - 1}"
            )
        fill = 0.0 if mean is None else torch.as_tensor(np.asarray(mean)[idx], dtype=act.dtype)
        rows = act[where]
        rows[..., idx] = fill
        act[where] = rows
        return act

    return name, fn


def zero_head(layer: int, head: int, positions: int | Iterable[int] | None = None) -> Hook:
    """Zero one head's output (its row of ``blocks.{layer}.attn.hook_z``), so that it adds
    nothing to the residual stream at ``positions`` (default all)."""
    where = _positions(positions)

    def fn(z: torch.Tensor, hook: str) -> torch.Tensor:  # [pos, head, d_head]
        _check_positions(where, z.shape[0], hook)
        if not 0 <= head < z.shape[1]:
            raise LLMVizError(f"head {head} does not exist; layer {layer} has 0..{z.shape[1] - 1}")
        rows = z[where]
        rows[:, head] = 0.0
        z[where] = rows
        return z

    return hook_name("z", layer), fn


def zero_hook(name: str, positions: int | Iterable[int] | None = None) -> Hook:
    """Zero a whole activation, e.g. ``blocks.1.hook_mlp_out`` (a layer's MLP switched off)."""
    return patch(name, None, positions)


def patch(
    name: str, values: np.ndarray | None, positions: int | Iterable[int] | None = None
) -> Hook:
    """Overwrite an activation at ``positions`` with ``values`` taken from another run (shaped as
    that trace's ``values[positions]``); ``None`` writes zeros. Causal tracing restores a clean
    run's hidden state into a corrupted run this way."""
    where = _positions(positions)

    def fn(act: torch.Tensor, hook: str) -> torch.Tensor:
        _check_positions(where, act.shape[0], hook)
        if values is None:
            act[where] = 0.0
            return act
        raw = np.asarray(values)
        if raw.dtype.kind not in "iuf":
            raise LLMVizError(
                f"patch for {hook}: values must be real numbers, not {raw.dtype}"
                + (" (complex)" if raw.dtype.kind == "c" else "")
            )
        new = torch.tensor(raw, dtype=act.dtype, device=act.device)
        if new.shape != act[where].shape:
            raise LLMVizError(
                f"patch for {hook}: values of shape {tuple(new.shape)} do not fit "
                f"{tuple(act[where].shape)}"
            )
        act[where] = new
        return act

    return name, fn


def mean_activation(model, prompts: Sequence[str], hook: str) -> np.ndarray:
    """The mean of ``trace[hook]`` over every position of every prompt (for mean-ablation)."""
    if not prompts:
        raise LLMVizError("mean_activation needs at least one prompt")
    rows = [model.run(p)[hook] for p in prompts]
    return np.concatenate(rows, axis=0).mean(0)
