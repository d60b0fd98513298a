"""CCNN (Yang et al. 2018): four same-size convolutions over a grid of band features, then
two linear layers; eeg-shenanigans' alternative DREAMER model on the band DE of a 9 × 9 grid
(spec "focus and calibration" §4.1). The layout follows torcheeg's ``CCNN``."""

import itertools
from dataclasses import dataclass

import torch
from torch import nn

from .base import ModelConfig, PretrainedModel


@dataclass(frozen=True)
class CCNNConfig(ModelConfig):
    """Parameters of :class:`CCNN`.

    Parameters
    ----------
    in_channels : int
        Band maps (4).
    grid_size : (int, int)
        The electrode grid (9 × 9).
    num_classes : int
    dropout : float
        After the hidden linear layer (torcheeg's code: 0.5).
    """

    in_channels: int = 4
    grid_size: tuple[int, int] = (9, 9)
    num_classes: int = 4
    dropout: float = 0.5


class CCNN(PretrainedModel):
    """Continuous convolutional neural network.

    Each convolution is 4 × 4, stride 1, on a grid zero-padded by one row and column before
    and two after (so the grid keeps its size), with 64, 128, 256 and 64 filters and ReLU;
    then Linear(64·H·W, 1024), SELU, dropout and Linear(1024, num_classes).

    Parameters
    ----------
    config : CCNNConfig

    References
    ----------
    Yang, Y. et al. Continuous convolutional neural network with 3D input for EEG-based
    emotion recognition. ICONIP 2018, 433–443. https://doi.org/10.1007/978-3-030-04239-4_39
    """

    config_class = CCNNConfig

    def __init__(self, config: CCNNConfig):
        super().__init__(config)
        widths = (config.in_channels, 64, 128, 256, 64)
        layers = []
        for in_width, out_width in itertools.pairwise(widths):
            layers += [nn.ZeroPad2d((1, 2, 1, 2)), nn.Conv2d(in_width, out_width, 4), nn.ReLU()]
        height, width = config.grid_size
        self.features = nn.Sequential(*layers, nn.Flatten())
        self.classifier = nn.Sequential(
            nn.Linear(widths[-1] * height * width, 1024),
            nn.SELU(),
            nn.Dropout(config.dropout),
            nn.Linear(1024, config.num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (B, num_classes) of band grids (B, in_channels, H, W)."""
        return self.classifier(self.features(x))
