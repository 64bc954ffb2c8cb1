"""Errors that llmviz raises for bad input, each naming the problem and what is allowed."""

__all__ = ["LLMVizError", "PromptError", "ModelFileError", "DeviceError", "ConfigError"]


class LLMVizError(ValueError):
    """Base class: a clear, user-facing problem with the input."""


class PromptError(LLMVizError):
    """The prompt is empty, too long, or otherwise unusable."""


class ModelFileError(LLMVizError):
    """A model directory or weights file is missing or corrupt."""


class DeviceError(LLMVizError):
    """An unknown or unavailable torch device was requested."""


class ConfigError(LLMVizError):
    """A setting (llmviz.toml, LLMVIZ_* variable, class attribute or flag) has a bad value."""
