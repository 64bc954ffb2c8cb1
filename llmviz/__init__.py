"""llmviz: ManimCE scenes about how LLMs work, every value from a real forward pass."""

from llmviz.device import device
from llmviz.errors import DeviceError, LLMVizError, ModelFileError, PromptError
from llmviz.model.config import GPT3_CONFIG, ModelConfig

__all__ = [
    "device",
    "load_model",
    "Model",
    "ModelConfig",
    "GPT3_CONFIG",
    "Trace",
    "TokenProb",
    "LLMVizError",
    "PromptError",
    "ModelFileError",
    "DeviceError",
]
__version__ = "0.1.0"

# Mobjects and animations are exported lazily, so that tracing a prompt does not import manim.
_MOBJECTS = (
    "FastNumber",
    "FastText",
    "NumericVector",
    "NumericMatrix",
    "WeightMatrix",
    "MatrixShape",
    "TokenStrip",
    "AttentionGrid",
    "NeuronColumn",
    "ProbabilityBars",
    "ValueTable",
    "Column",
    "VectorPlane",
)
_ANIMATIONS = (
    "MatrixVectorProduct",
    "Softmax",
    "CausalMask",
    "ReLUGate",
    "ResidualAdd",
    "WeightedSum",
    "Unembed",
)
__all__ += [*_MOBJECTS, *_ANIMATIONS]


#: Imported on first use, so that commands that need no model (``llmviz list``) skip torch.
_MODEL = {"Model": "loader", "load_model": "loader", "Trace": "trace", "TokenProb": "trace"}


def __getattr__(name: str):
    if name in _MODEL:
        import importlib

        value = getattr(importlib.import_module(f"llmviz.model.{_MODEL[name]}"), name)
        globals()[name] = value
        return value
    if name in _MOBJECTS:
        from llmviz import mobjects

        return getattr(mobjects, name)
    if name in _ANIMATIONS:
        from llmviz import animations

        return getattr(animations, name)
    raise AttributeError(f"module 'llmviz' has no attribute {name!r}")
