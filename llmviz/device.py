"""Pick the torch device: CUDA when present, else CPU; ``LLMVIZ_DEVICE`` overrides."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from llmviz.errors import DeviceError

if TYPE_CHECKING:  # torch is imported when a device is asked for, so `llmviz list` starts fast
    import torch

__all__ = ["device", "ALLOWED_DEVICES"]

ALLOWED_DEVICES = ("cpu", "cuda", "cuda:N")


def device(name: str | None = None) -> torch.device:
    """Return the device the model runs on.

    Parameters
    ----------
    name
        ``"cpu"``, ``"cuda"`` or ``"cuda:N"``. ``None`` reads ``LLMVIZ_DEVICE`` and falls back to
        CUDA when available, else the CPU.

    Examples
    --------
    >>> from llmviz import device
    >>> device("cpu").type
    'cpu'
    """
    import torch

    source = "argument"
    if name is None:
        name = os.environ.get("LLMVIZ_DEVICE") or None
        source = "LLMVIZ_DEVICE"
    if name is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    text = str(name).strip().lower()
    kind, _, index = text.partition(":")
    if kind not in ("cpu", "cuda") or (index and (kind == "cpu" or not index.isdigit())):
        raise DeviceError(
            f"unknown device {name!r} (from {source}); allowed: {', '.join(ALLOWED_DEVICES)}"
        )
    if kind == "cuda":
        if not torch.cuda.is_available():
            raise DeviceError(
                f"device {name!r} (from {source}) asked for CUDA, but none is available; use 'cpu'"
            )
        if index and int(index) >= torch.cuda.device_count():
            raise DeviceError(
                f"device {name!r} (from {source}): only {torch.cuda.device_count()} CUDA device(s)"
            )
    return torch.device(text)
