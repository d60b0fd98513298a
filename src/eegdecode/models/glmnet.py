"""GLMNet: ShallowNet on raw windows plus an MLP on occipital DE, a 512-d window embedding."""

from dataclasses import dataclass

import torch
from torch import nn

from .base import ModelConfig, PretrainedModel
from .glfnet_mlp import SEED_DV_OCCIPITAL
from .mlpnet import MLPNet, MLPNetConfig
from .shallownet import ShallowNet, ShallowNetConfig


@dataclass(frozen=True)
class GLMNetConfig(ModelConfig):
    """Parameters of :class:`GLMNet`.

    Parameters
    ----------
    n_chans : int
        EEG channels (62).
    n_outputs : int
        Classes of the training task (9 coarse concept classes in the fork).
    n_times : int
        Samples per raw window (100: 0.5 s at 200 Hz).
    n_bands : int
        DE bands per channel (5).
    local_channels : tuple of int
        Occipital channel indices whose DE the local branch reads.
    branch_dim : int
        Width of each branch (256); the embedding is twice that (512).
    """

    n_chans: int
    n_outputs: int
    n_times: int
    n_bands: int = 5
    local_channels: tuple[int, ...] = SEED_DV_OCCIPITAL
    branch_dim: int = 256

    @property
    def embedding_dim(self) -> int:
        return 2 * self.branch_dim


class GLMNet(PretrainedModel):
    """Global ShallowNet on the raw window and local MLPNet on its occipital DE (the GLMNet fork).

    The concatenated branches form the embedding that the Seq2Seq model reads (512 wide); a
    head (512 → 256, GELU, → ``n_outputs``) trains it by classification.

    Parameters
    ----------
    config : GLMNetConfig

    References
    ----------
    Liu, X. et al. EEG2Video: Towards Decoding Dynamic Visual Perception from EEG Signals.
    NeurIPS 2024. https://openreview.net/forum?id=RfsfRn9OFd
    """

    config_class = GLMNetConfig

    def __init__(self, config: GLMNetConfig):
        super().__init__(config)
        self.global_branch = ShallowNet(
            ShallowNetConfig(config.n_chans, config.branch_dim, config.n_times)
        )
        n_local = len(config.local_channels) * config.n_bands
        self.local_branch = MLPNet(MLPNetConfig(n_local, config.branch_dim))
        self.head = nn.Sequential(
            nn.Linear(config.embedding_dim, 256), nn.GELU(), nn.Linear(256, config.n_outputs)
        )
        self.register_buffer("local_index", torch.tensor(config.local_channels), persistent=False)

    def embed(self, raw: torch.Tensor, de: torch.Tensor) -> torch.Tensor:
        """(batch, n_chans, n_times) and (batch, n_chans, n_bands) → (batch, embedding_dim)."""
        local = de.index_select(1, self.local_index)
        return torch.cat([self.global_branch(raw), self.local_branch(local)], dim=1)

    def forward(self, raw: torch.Tensor, de: torch.Tensor) -> torch.Tensor:
        """Class logits, (batch, n_outputs)."""
        return self.head(self.embed(raw, de))
