"""The cognitive-load model of eeg-shenanigans (spec "focus and calibration" §4.2): a
bidirectional LSTM over the time steps of a CWT spectrum, classified from its last step."""

from dataclasses import dataclass

import torch
from torch import nn

from .base import ModelConfig, PretrainedModel


@dataclass(frozen=True)
class BiLSTMConfig(ModelConfig):
    """Parameters of :class:`BiLSTM`; the defaults are the deployed 7-channel model's.

    Parameters
    ----------
    n_channels : int
        EEG channels (7: F7 F3 P7 O1 O2 P8 F4; 14 for the notebook's model).
    n_scales : int
        CWT rows per channel (64).
    hidden_size : int
        Per direction (128).
    num_layers : int
        Stacked bidirectional layers (2).
    num_classes : int
        2: rest, workload.
    """

    n_channels: int = 7
    n_scales: int = 64
    hidden_size: int = 128
    num_layers: int = 2
    num_classes: int = 2


class BiLSTM(PretrainedModel):
    """Spectra (B, channels, scales, time) → (B, time, channels · scales) → 2-layer BiLSTM →
    Linear(2 · hidden, classes) on the last time step.

    Parameters
    ----------
    config : BiLSTMConfig
    """

    config_class = BiLSTMConfig

    def __init__(self, config: BiLSTMConfig):
        super().__init__(config)
        self.lstm = nn.LSTM(
            config.n_channels * config.n_scales,
            config.hidden_size,
            num_layers=config.num_layers,
            batch_first=True,
            bidirectional=True,
        )
        self.fc = nn.Linear(2 * config.hidden_size, config.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (B, num_classes)."""
        batch, channels, scales, n_times = x.shape
        if (channels, scales) != (self.config.n_channels, self.config.n_scales):
            raise ValueError(
                f"BiLSTM takes ({self.config.n_channels} channels, {self.config.n_scales} "
                f"scales, time) spectra, got {tuple(x.shape[1:])}."
            )
        steps = x.permute(0, 3, 1, 2).reshape(batch, n_times, channels * scales)
        outputs, _ = self.lstm(steps)
        return self.fc(outputs[:, -1])
