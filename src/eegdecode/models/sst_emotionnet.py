"""SST-EmotionNet (Jia et al. 2020): two attention 3D dense networks, one over the
spatial-spectral volume of a grid of band features and one over the spatial-temporal volume of
a grid of downsampled samples, joined by a two-layer classifier.

The layer layout follows torcheeg's ``SSTEmotionNet``, which the emotion model of
eeg-shenanigans trains (spec "focus and calibration" §4.1): input [B, spectral + temporal,
H, W] with the spectral maps first; each stream sees its maps as a one-channel volume
(H, W, depth).
"""

from dataclasses import dataclass

import torch
from torch import nn

from .base import ModelConfig, PretrainedModel

# torcheeg (after the Keras original) uses this BatchNorm epsilon throughout.
_BN_EPS = 1.1e-5


@dataclass(frozen=True)
class SSTEmotionNetConfig(ModelConfig):
    """Parameters of :class:`SSTEmotionNet`; the defaults are the DREAMER model's.

    Parameters
    ----------
    grid_size : (int, int)
        Height and width of the electrode grid (at least 16 × 16).
    spectral_in_channels : int
        Band maps, first in the input (4: θ, α, β, γ).
    temporal_in_channels : int
        Sample maps after them (32).
    spectral_depth, temporal_depth : int
        DenseNet depths (3N + 4): 16 and 22.
    spectral_growth_rate, temporal_growth_rate : int
        Channels each convolution block adds: 12 and 24.
    num_dense_block : int
        Attention dense blocks per stream (3).
    hid_channels : int
        Width of the hidden classifier layer (50).
    densenet_dropout, task_dropout : float
        Dropout in the dense blocks and before the output layer (0).
    num_classes : int
    """

    grid_size: tuple[int, int] = (16, 16)
    spectral_in_channels: int = 4
    temporal_in_channels: int = 32
    spectral_depth: int = 16
    temporal_depth: int = 22
    spectral_growth_rate: int = 12
    temporal_growth_rate: int = 24
    num_dense_block: int = 3
    hid_channels: int = 50
    densenet_dropout: float = 0.0
    task_dropout: float = 0.0
    num_classes: int = 4

    def __post_init__(self):
        if min(self.grid_size) < 16:
            raise ValueError(
                f"SST-EmotionNet needs a grid of at least 16 × 16, got {self.grid_size}."
            )
        for name in ("spectral_depth", "temporal_depth"):
            if (getattr(self, name) - 4) % 3:
                raise ValueError(f"{name} must be 3N + 4, got {getattr(self, name)}.")


class _Attention(nn.Module):
    """Spatial, then spectral/temporal attention: sigmoid gates from the channel-mean volume,
    averaged over depth (one gate per grid cell) and over the grid (one per depth slice)."""

    def __init__(self, height: int, width: int, depth: int):
        super().__init__()
        self.spatial = nn.Linear(height * width, height * width)
        self.along_depth = nn.Linear(depth, depth)

    def forward(self, x):
        batch, _, height, width, depth = x.shape
        mean = x.mean(dim=1)
        spatial = torch.sigmoid(self.spatial(mean.mean(dim=3).reshape(batch, -1)))
        x = x * spatial.view(batch, 1, height, width, 1)
        along_depth = torch.sigmoid(self.along_depth(mean.mean(dim=(1, 2))))
        return x * along_depth.view(batch, 1, 1, 1, depth)


class _ConvBlock(nn.Sequential):
    """BN-ReLU-1×1×1 bottleneck (4 × growth), BN-ReLU, 3×3×1 spatial, 1×1×1, 1×1×3 along depth."""

    def __init__(self, in_channels: int, growth: int, dropout: float):
        layers = [
            nn.BatchNorm3d(in_channels, eps=_BN_EPS),
            nn.ReLU(),
            nn.Conv3d(in_channels, 4 * growth, 1, bias=False),
            nn.BatchNorm3d(4 * growth, eps=_BN_EPS),
            nn.ReLU(),
            nn.Conv3d(4 * growth, growth, (3, 3, 1), padding=(1, 1, 0), bias=False),
            nn.Conv3d(growth, growth, 1, bias=False),
            nn.Conv3d(growth, growth, (1, 1, 3), padding=(0, 0, 1), bias=False),
        ]
        if dropout:
            layers.append(nn.Dropout(dropout))
        super().__init__(*layers)


class _DenseBlock(nn.Module):
    def __init__(self, n_layers: int, in_channels: int, growth: int, dropout: float):
        super().__init__()
        self.blocks = nn.ModuleList(
            _ConvBlock(in_channels + k * growth, growth, dropout) for k in range(n_layers)
        )

    def forward(self, x):
        for block in self.blocks:
            x = torch.cat([x, block(x)], dim=1)
        return x


class _DenseNet3D(nn.Module):
    """One stream: a stem, then (attention, dense block, transition) × (n − 1), attention and
    a last dense block, BN-ReLU and a global average pool."""

    def __init__(
        self,
        grid_size,
        depth_in: int,
        *,
        depth: int,
        n_blocks: int,
        growth: int,
        reduction: float,
        subsample: bool,
        dropout: float,
    ):
        super().__init__()
        # Layers per dense block: (depth − 4) / 3, halved for the bottleneck blocks.
        n_layers = (depth - 4) // 3 // 2
        channels = 2 * growth
        if subsample:
            self.stem = nn.Sequential(
                nn.Conv3d(1, channels, (5, 5, 3), stride=(2, 2, 1), padding=(2, 2, 1), bias=False),
                nn.BatchNorm3d(channels, eps=_BN_EPS),
                nn.ReLU(),
                nn.MaxPool3d(2, stride=2, padding=(0, 0, 1)),
            )
        else:
            self.stem = nn.Conv3d(1, channels, (3, 3, 1), padding=(1, 1, 0), bias=False)
        with torch.no_grad():
            _, _, height, width, depth_out = self.stem(
                torch.zeros(1, 1, *grid_size, depth_in)
            ).shape
        layers = []
        for block in range(n_blocks):
            layers += [
                _Attention(height, width, depth_out),
                _DenseBlock(n_layers, channels, growth, dropout),
            ]
            channels += growth * n_layers
            if block < n_blocks - 1:
                reduced = int(channels * (1 - reduction))
                layers.append(
                    nn.Sequential(
                        nn.BatchNorm3d(channels, eps=_BN_EPS),
                        nn.ReLU(),
                        nn.Conv3d(channels, reduced, 1, bias=False),
                        nn.AvgPool3d(2, stride=2),
                    )
                )
                channels, height, width, depth_out = (
                    reduced,
                    height // 2,
                    width // 2,
                    depth_out // 2,
                )
        self.layers = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.BatchNorm3d(channels, eps=_BN_EPS), nn.ReLU())
        self.out_features = channels

    def forward(self, x):
        x = self.head(self.layers(self.stem(x.unsqueeze(1))))
        return x.mean(dim=(2, 3, 4))


class SSTEmotionNet(PretrainedModel):
    """Spatial-spectral-temporal attention 3D dense network.

    Parameters
    ----------
    config : SSTEmotionNetConfig

    References
    ----------
    Jia, Z. et al. SST-EmotionNet: spatial-spectral-temporal based attention 3D dense network
    for EEG emotion recognition. ACM Multimedia 2020, 2909–2917.
    https://doi.org/10.1145/3394171.3413724
    """

    config_class = SSTEmotionNetConfig

    def __init__(self, config: SSTEmotionNetConfig):
        super().__init__(config)
        common = {"n_blocks": config.num_dense_block, "dropout": config.densenet_dropout}
        self.spectral = _DenseNet3D(
            config.grid_size,
            config.spectral_in_channels,
            depth=config.spectral_depth,
            growth=config.spectral_growth_rate,
            reduction=0.5,
            subsample=False,
            **common,
        )
        self.temporal = _DenseNet3D(
            config.grid_size,
            config.temporal_in_channels,
            depth=config.temporal_depth,
            growth=config.temporal_growth_rate,
            reduction=0.0,
            subsample=True,
            **common,
        )
        self.classifier = nn.Sequential(
            nn.Linear(self.spectral.out_features + self.temporal.out_features, config.hid_channels),
            nn.Dropout(config.task_dropout),
            nn.Linear(config.hid_channels, config.num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (B, num_classes) of grids (B, spectral + temporal, H, W)."""
        n_spectral = self.config.spectral_in_channels
        expected = n_spectral + self.config.temporal_in_channels
        if x.shape[1] != expected:
            raise ValueError(
                f"SST-EmotionNet takes {n_spectral} spectral + {self.config.temporal_in_channels} "
                f"temporal maps ({expected}), got {x.shape[1]}."
            )
        spectral = self.spectral(x[:, :n_spectral].permute(0, 2, 3, 1))
        temporal = self.temporal(x[:, n_spectral:].permute(0, 2, 3, 1))
        return self.classifier(torch.cat([spectral, temporal], dim=1))
