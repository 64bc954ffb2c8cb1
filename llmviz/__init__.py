"""llmviz: ManimCE scenes about how LLMs work, every value from a real forward pass."""

from llmviz.device import device
from llmviz.errors import DeviceError, LLMVizError, ModelFileError, PromptError
from llmviz.model.config import GPT3_CONFIG, ModelConfig
from llmviz.model.loader import Model, load_model
from llmviz.model.trace import TokenProb, Trace

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
