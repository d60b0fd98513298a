"""Networks, one per file, each built from an explicit config dataclass."""

from .base import ModelConfig, PretrainedModel
from .glfnet_mlp import GLFNetMLP, GLFNetMLPConfig
from .mlpnet import MLPNet, MLPNetConfig

__all__ = [
    "GLFNetMLP",
    "GLFNetMLPConfig",
    "MLPNet",
    "MLPNetConfig",
    "ModelConfig",
    "PretrainedModel",
]
