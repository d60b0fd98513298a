"""The semantic predictor: an MLP from EEG features to a caption's CLIP embedding."""

import itertools
from dataclasses import dataclass

import torch
from torch import nn

from .base import ModelConfig, PretrainedModel


@dataclass(frozen=True)
class SemanticPredictorConfig(ModelConfig):
    """Parameters of :class:`SemanticPredictor`.

    Parameters
    ----------
    n_inputs : int
        EEG features per clip (310 = 62 channels × 5 DE bands of the 2 s clip).
    n_tokens : int
        Tokens per caption embedding (77).
    embedding_dim : int
        Width of the text encoder (768 for SD 1.4's CLIP ViT-L/14).
    hidden : tuple of int
        Hidden widths (four of 10000 in EEG2Video: about 895 M parameters).
    """

    n_inputs: int
    n_tokens: int = 77
    embedding_dim: int = 768
    hidden: tuple[int, ...] = (10000, 10000, 10000, 10000)


class SemanticPredictor(PretrainedModel):
    """Linear layers with ReLU between them, read out as a (77, 768) text embedding.

    The network of EEG2Video's semantic predictor (official ``eeg_text.py``); the hidden width
    is configurable because the original's 10000 needs about 14 GB to train with Adam.

    Parameters
    ----------
    config : SemanticPredictorConfig

    References
    ----------
    Liu, X. et al. EEG2Video: Towards Decoding Dynamic Visual Perception from EEG Signals.
    NeurIPS 2024. https://openreview.net/forum?id=RfsfRn9OFd
    """

    config_class = SemanticPredictorConfig

    def __init__(self, config: SemanticPredictorConfig):
        super().__init__(config)
        widths = (config.n_inputs, *config.hidden)
        layers: list[nn.Module] = [nn.Flatten()]
        for width_in, width_out in itertools.pairwise(widths):
            layers += [nn.Linear(width_in, width_out), nn.ReLU()]
        layers.append(nn.Linear(widths[-1], config.n_tokens * config.embedding_dim))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(batch, ...) with ``n_inputs`` values → (batch, n_tokens, embedding_dim)."""
        return self.layers(x).unflatten(1, (self.config.n_tokens, self.config.embedding_dim))
