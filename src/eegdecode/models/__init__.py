"""Networks, one per file, each built from an explicit config dataclass."""

from .base import ModelConfig, PretrainedModel
from .glfnet_mlp import GLFNetMLP, GLFNetMLPConfig
from .glmnet import GLMNet, GLMNetConfig
from .mlpnet import MLPNet, MLPNetConfig
from .shallownet import ShallowNet, ShallowNetConfig

__all__ = [
    "GLFNetMLP",
    "GLFNetMLPConfig",
    "GLMNet",
    "GLMNetConfig",
    "MLPNet",
    "MLPNetConfig",
    "ModelConfig",
    "PretrainedModel",
    "ShallowNet",
    "ShallowNetConfig",
]
