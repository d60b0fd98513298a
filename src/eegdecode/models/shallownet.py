"""ShallowNet (ShallowConvNet) with an adaptive pool, so any window length works."""

from dataclasses import dataclass

import torch
from torch import nn

from .base import ModelConfig, PretrainedModel


@dataclass(frozen=True)
class ShallowNetConfig(ModelConfig):
    """Parameters of :class:`ShallowNet`.

    Parameters
    ----------
    n_chans : int
        EEG channels.
    n_outputs : int
        Output width.
    n_times : int
        Samples per input window (at least ``temporal_kernel``).
    n_filters : int
        Temporal and spatial filters (40).
    temporal_kernel : int
        Length of the temporal convolution in samples (25).
    pooled_times : int
        Time steps after the adaptive average pool (26, which the original's pool of 51 every
        5 samples gives for 200-sample windows).
    dropout : float
        Before the output layer (0.5).
    """

    n_chans: int
    n_outputs: int
    n_times: int
    n_filters: int = 40
    temporal_kernel: int = 25
    pooled_times: int = 26
    dropout: float = 0.5

    def __post_init__(self):
        if self.n_times < self.temporal_kernel:
            raise ValueError(
                f"n_times={self.n_times} is shorter than temporal_kernel={self.temporal_kernel}; "
                f"ShallowNet needs windows of at least {self.temporal_kernel} samples."
            )


class ShallowNet(PretrainedModel):
    """Temporal conv, spatial conv, BatchNorm, ELU, average pool, dropout, linear.

    Schirrmeister et al. 2017 as used by EEG2Video; the fixed pool of 51 samples every 5 is
    replaced by an adaptive pool to ``pooled_times`` steps (as in the public GLMNet fork), so
    the same network takes 0.5 s and 1 s windows.

    Parameters
    ----------
    config : ShallowNetConfig

    References
    ----------
    Schirrmeister, R. T. et al. Deep learning with convolutional neural networks for EEG
    decoding and visualization. Human Brain Mapping 38, 5391–5420 (2017).
    https://doi.org/10.1002/hbm.23730
    """

    config_class = ShallowNetConfig

    def __init__(self, config: ShallowNetConfig):
        super().__init__(config)
        filters = config.n_filters
        self.features = nn.Sequential(
            nn.Conv2d(1, filters, (1, config.temporal_kernel)),
            nn.Conv2d(filters, filters, (config.n_chans, 1)),
            nn.BatchNorm2d(filters),
            nn.ELU(),
            nn.AdaptiveAvgPool2d((1, config.pooled_times)),
            nn.Dropout(config.dropout),
            nn.Flatten(),
        )
        self.output = nn.Linear(filters * config.pooled_times, config.n_outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(batch, n_chans, n_times) → (batch, n_outputs)."""
        return self.output(self.features(x.unsqueeze(1)))
