"""GLFNet-MLP: global and occipital ("local") MLPs on band features (EEG2Video's EEG-VP model)."""

from dataclasses import dataclass

import torch
from torch import nn

from .base import ModelConfig, PretrainedModel
from .mlpnet import MLPNet, MLPNetConfig

# SEED-DV channel indices 50–61: PO7 PO5 PO3 POz PO4 PO6 PO8 CB1 O1 Oz O2 CB2.
SEED_DV_OCCIPITAL = tuple(range(50, 62))


@dataclass(frozen=True)
class GLFNetMLPConfig(ModelConfig):
    """Parameters of :class:`GLFNetMLP`.

    Parameters
    ----------
    n_chans : int
        EEG channels (62).
    n_outputs : int
        Classes (40 for concepts).
    n_bands : int
        Features per channel (5 DE or PSD bands).
    local_channels : tuple of int
        Indices of the local branch's channels (the occipital set).
    emb_dim : int
        Width of each branch's embedding (64 in EEG-VP).
    """

    n_chans: int
    n_outputs: int
    n_bands: int = 5
    local_channels: tuple[int, ...] = SEED_DV_OCCIPITAL
    emb_dim: int = 64

    def __post_init__(self):
        outside = [c for c in self.local_channels if not 0 <= c < self.n_chans]
        if not self.local_channels or outside:
            raise ValueError(
                f"local_channels must index 0..{self.n_chans - 1}, got {list(self.local_channels)}."
            )


class GLFNetMLP(PretrainedModel):
    """Global MLPNet on all channels' band features plus a local MLPNet on the occipital ones.

    The two ``emb_dim`` embeddings are concatenated and mapped to ``n_outputs``. Weights start
    Xavier-uniform, as in the EEG-VP code.

    Parameters
    ----------
    config : GLFNetMLPConfig

    References
    ----------
    Liu, X. et al. EEG2Video: Towards Decoding Dynamic Visual Perception from EEG Signals.
    NeurIPS 2024. https://openreview.net/forum?id=RfsfRn9OFd
    """

    config_class = GLFNetMLPConfig

    def __init__(self, config: GLFNetMLPConfig):
        super().__init__(config)
        n_local = len(config.local_channels)
        self.global_branch = MLPNet(MLPNetConfig(config.n_chans * config.n_bands, config.emb_dim))
        self.local_branch = MLPNet(MLPNetConfig(n_local * config.n_bands, config.emb_dim))
        self.head = nn.Linear(2 * config.emb_dim, config.n_outputs)
        self.register_buffer("local_index", torch.tensor(config.local_channels), persistent=False)
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.xavier_uniform_(module.weight)
                nn.init.zeros_(module.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(batch, n_chans, n_bands) → (batch, n_outputs) logits."""
        local = x.index_select(1, self.local_index)
        return self.head(torch.cat([self.global_branch(x), self.local_branch(local)], dim=1))
