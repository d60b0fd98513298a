"""A small convolutional classifier of video frames: the demo's stand-in for ViT and VideoMAE."""

from dataclasses import dataclass

import torch
from torch import nn

from .base import ModelConfig, PretrainedModel


@dataclass(frozen=True)
class FrameClassifierConfig(ModelConfig):
    """Parameters of :class:`FrameClassifier`.

    Parameters
    ----------
    n_outputs : int
        Classes (the demo's concepts).
    channels : tuple of int
        Output channels of the stride-2 convolutions.
    """

    n_outputs: int
    channels: tuple[int, ...] = (16, 32, 64)


class FrameClassifier(PretrainedModel):
    """Stride-2 3 × 3 convolutions with ReLU, global average pooling and a linear layer.

    Takes (batch, height, width, 3) frames, standardised, channel last as they are stored; any
    frame size works.

    Parameters
    ----------
    config : FrameClassifierConfig
    """

    config_class = FrameClassifierConfig

    def __init__(self, config: FrameClassifierConfig):
        super().__init__(config)
        layers: list[nn.Module] = []
        width_in = 3
        for width in config.channels:
            layers += [nn.Conv2d(width_in, width, 3, stride=2, padding=1), nn.ReLU()]
            width_in = width
        self.features = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Linear(width_in, config.n_outputs)

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        """(batch, height, width, 3) → (batch, n_outputs) logits."""
        return self.head(self.features(frames.permute(0, 3, 1, 2)))
