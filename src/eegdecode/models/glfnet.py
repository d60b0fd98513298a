"""GLFNet: global and occipital ("local") ShallowNets on raw EEG (the paper's "GLMNet")."""

from dataclasses import dataclass

import torch
from torch import nn

from .base import ModelConfig, PretrainedModel
from .glfnet_mlp import SEED_DV_OCCIPITAL
from .shallownet import ShallowNet, ShallowNetConfig


@dataclass(frozen=True)
class GLFNetConfig(ModelConfig):
    """Parameters of :class:`GLFNet`.

    Parameters
    ----------
    n_chans : int
        EEG channels (62).
    n_outputs : int
        Classes.
    n_times : int
        Samples per window (200: 1 s at 200 Hz in EEG-VP).
    local_channels : tuple of int
        Occipital channel indices of the local branch (config ``dataset.channels.occipital``).
    emb_dim : int
        Output width of each ShallowNet branch.
    """

    n_chans: int
    n_outputs: int
    n_times: int
    local_channels: tuple[int, ...] = SEED_DV_OCCIPITAL
    emb_dim: int = 64


class GLFNet(PretrainedModel):
    """A ShallowNet on all channels and one on the occipital channels, concatenated, then linear.

    Parameters
    ----------
    config : GLFNetConfig

    References
    ----------
    Liu, X. et al. EEG2Video: Towards Decoding Dynamic Visual Perception from EEG Signals.
    NeurIPS 2024. https://openreview.net/forum?id=RfsfRn9OFd
    """

    config_class = GLFNetConfig

    def __init__(self, config: GLFNetConfig):
        super().__init__(config)
        n_local = len(config.local_channels)
        self.global_branch = ShallowNet(
            ShallowNetConfig(config.n_chans, config.emb_dim, config.n_times)
        )
        self.local_branch = ShallowNet(ShallowNetConfig(n_local, config.emb_dim, config.n_times))
        self.head = nn.Linear(2 * config.emb_dim, config.n_outputs)
        self.register_buffer("local_index", torch.tensor(config.local_channels), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(batch, n_chans, n_times) → (batch, n_outputs)."""
        local = x.index_select(1, self.local_index)
        return self.head(torch.cat([self.global_branch(x), self.local_branch(local)], dim=1))
