"""The EEG-ImageNet reference encoder (Spampinato et al., CVPR 2017; spec Part B.5): an LSTM
over the time steps of a segment, its last output projected to an embedding. NeuroImagen's
pixel-level branch trains it with a triplet loss as its feature extractor ``f_θ``."""

from dataclasses import dataclass

import torch
from torch import nn

from .._validation import check_option
from .base import ModelConfig, PretrainedModel

POOLINGS = ("last", "mean")


@dataclass(frozen=True)
class EEGLSTMEncoderConfig(ModelConfig):
    """Parameters of :class:`EEGLSTMEncoder`; the defaults are the reference model's.

    Parameters
    ----------
    n_channels : int
        EEG channels, the LSTM's input size (128).
    hidden_size : int
        LSTM width (128).
    num_layers : int
        Stacked LSTM layers (1).
    embedding_dim : int
        Size of the embedding (128).
    pooling : 'last' | 'mean'
        What the projection reads: the LSTM's output at the last step (the reference) or its
        mean over steps, which passes gradients to every step and learns from a few hundred
        segments (the demo's) where the last step's output overfits.
    """

    n_channels: int = 128
    hidden_size: int = 128
    num_layers: int = 1
    embedding_dim: int = 128
    pooling: str = "last"

    def __post_init__(self):
        check_option("pooling", self.pooling, POOLINGS)


class EEGLSTMEncoder(PretrainedModel):
    """Segments (B, channels, time) → LSTM over time → Linear(hidden, embedding) of the last
    step (or of the mean over steps, ``pooling='mean'``). The reference classifier adds a ReLU
    and a 40-way layer after ``output``; as a triplet-trained feature extractor the embedding
    is the linear output itself.

    Parameters
    ----------
    config : EEGLSTMEncoderConfig
    """

    config_class = EEGLSTMEncoderConfig

    def __init__(self, config: EEGLSTMEncoderConfig):
        super().__init__(config)
        self.lstm = nn.LSTM(
            config.n_channels, config.hidden_size, num_layers=config.num_layers, batch_first=True
        )
        self.output = nn.Linear(config.hidden_size, config.embedding_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Embeddings (B, embedding_dim)."""
        if x.ndim != 3 or x.shape[1] != self.config.n_channels:
            raise ValueError(
                f"EEGLSTMEncoder takes ({self.config.n_channels} channels, time) segments, got "
                f"{tuple(x.shape[1:])}."
            )
        outputs, _ = self.lstm(x.transpose(1, 2))
        pooled = outputs[:, -1] if self.config.pooling == "last" else outputs.mean(dim=1)
        return self.output(pooled)
