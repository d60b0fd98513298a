"""MLPNet, the feature MLP of EEG2Video's EEG-VP benchmark."""

import itertools
from dataclasses import dataclass

import torch
from torch import nn

from .base import ModelConfig, PretrainedModel


@dataclass(frozen=True)
class MLPNetConfig(ModelConfig):
    """Parameters of :class:`MLPNet`.

    Parameters
    ----------
    n_inputs : int
        Input features after flattening (310 = 62 channels × 5 bands of DE).
    n_outputs : int
        Output width.
    hidden : tuple of int
        Hidden layer widths (512, 256 in the original).
    """

    n_inputs: int
    n_outputs: int
    hidden: tuple[int, ...] = (512, 256)


class MLPNet(PretrainedModel):
    """Flatten, then linear layers with GELU between them (Liu et al. 2024, EEG-VP ``MLPNet``).

    Parameters
    ----------
    config : MLPNetConfig

    References
    ----------
    Liu, X. et al. EEG2Video: Towards Decoding Dynamic Visual Perception from EEG Signals.
    NeurIPS 2024. https://openreview.net/forum?id=RfsfRn9OFd
    """

    config_class = MLPNetConfig

    def __init__(self, config: MLPNetConfig):
        super().__init__(config)
        widths = (config.n_inputs, *config.hidden)
        layers: list[nn.Module] = [nn.Flatten()]
        for width_in, width_out in itertools.pairwise(widths):
            layers += [nn.Linear(width_in, width_out), nn.GELU()]
        layers.append(nn.Linear(widths[-1], config.n_outputs))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(batch, ...) with ``n_inputs`` values per sample → (batch, n_outputs)."""
        return self.layers(x)
