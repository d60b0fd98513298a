"""NeuroImagen's pixel-level conditional GAN (Lan et al. 2023, spec Part B.3): a generator from
an EEG embedding and noise to a coarse "saliency" image of the stimulus, and the conditional
discriminator it is trained against.

The paper gives neither network; both are small DCGAN stacks (Radford et al. 2016), the
discriminator conditioned by projection (Miyato & Koyama 2018), so that they train on a CPU.
"""

import math
from dataclasses import dataclass

import torch
from torch import nn

from .base import ModelConfig, PretrainedModel


def _check_sizes(config, names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(
                f"{type(config).__name__}.{name} must be a positive int, got {value!r}."
            )
    size = config.image_size
    if size < 8 or size & (size - 1):
        raise ValueError(
            f"{type(config).__name__}.image_size must be a power of two of at least 8 (each "
            f"layer doubles or halves a 4×4 map), got {size!r}."
        )


def _widths(config) -> list[int]:
    """Channels of the feature maps from 4×4 up to image_size/2, DCGAN's doubling per halving:
    (128, 64, 32) for 32×32 images and 32 base channels."""
    levels = int(math.log2(config.image_size)) - 2
    return [config.base_channels * 2 ** (levels - 1 - level) for level in range(levels)]


@dataclass(frozen=True)
class SaliencyGeneratorConfig(ModelConfig):
    """Parameters of :class:`SaliencyGenerator`.

    Parameters
    ----------
    embedding_dim : int
        Size of the EEG embedding ``f_θ(x)`` (128, the triplet-trained LSTM encoder's).
    noise_dim : int
        Size of the noise ``z`` (16).
    base_channels : int
        Channels of the last hidden map (image_size/2 square); each map nearer the 4×4 seed has
        twice those of the next (32).
    image_size : int
        Side S of the square output, a power of two of at least 8 (32).
    """

    embedding_dim: int = 128
    noise_dim: int = 16
    base_channels: int = 32
    image_size: int = 32

    def __post_init__(self):
        _check_sizes(self, ("embedding_dim", "noise_dim", "base_channels", "image_size"))


class SaliencyGenerator(PretrainedModel):
    """``G(f_θ(x), z)``: an EEG embedding and noise → an RGB image in [0, 1].

    The concatenated (embedding, noise) vector is mapped linearly to a 4×4 seed, which
    transposed convolutions (kernel 4, stride 2) double in size up to ``image_size``, with ReLU
    between them and a sigmoid at the end. Unlike DCGAN the generator has no batch
    normalisation, so an image depends on its own embedding and noise only, never on the rest
    of the batch: it is the same in training and in
    :func:`~eegdecode.training.saliency.generate_saliency`.

    Parameters
    ----------
    config : SaliencyGeneratorConfig

    References
    ----------
    Lan, Y.-T. et al. Seeing through the Brain: Image Reconstruction of Visual Perception from
    Human Brain Signals. arXiv:2308.02510 (2023). https://doi.org/10.48550/arXiv.2308.02510

    Radford, A., Metz, L. & Chintala, S. Unsupervised Representation Learning with Deep
    Convolutional Generative Adversarial Networks. ICLR 2016.
    https://doi.org/10.48550/arXiv.1511.06434
    """

    config_class = SaliencyGeneratorConfig

    def __init__(self, config: SaliencyGeneratorConfig):
        super().__init__(config)
        widths = _widths(config)
        self.seed = nn.Linear(config.embedding_dim + config.noise_dim, widths[0] * 16)
        layers: list[nn.Module] = [nn.ReLU()]
        for width_in, width_out in zip(widths, [*widths[1:], 3], strict=True):
            layers.append(nn.ConvTranspose2d(width_in, width_out, 4, stride=2, padding=1))
            layers.append(nn.ReLU() if width_out != 3 else nn.Sigmoid())
        self.layers = nn.Sequential(*layers)

    def forward(self, embedding: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """Images (B, 3, S, S) in [0, 1] from embeddings (B, embedding_dim) and noise
        (B, noise_dim)."""
        config = self.config
        if embedding.ndim != 2 or embedding.shape[1] != config.embedding_dim:
            raise ValueError(
                f"SaliencyGenerator takes embeddings of shape (batch, {config.embedding_dim}), "
                f"got {tuple(embedding.shape)}."
            )
        if noise.shape != (len(embedding), config.noise_dim):
            raise ValueError(
                f"SaliencyGenerator takes noise of shape ({len(embedding)}, {config.noise_dim}) "
                f"for {len(embedding)} embeddings, got {tuple(noise.shape)}."
            )
        seed = self.seed(torch.cat([embedding, noise], dim=1))
        return self.layers(seed.unflatten(1, (-1, 4, 4)))


@dataclass(frozen=True)
class SaliencyDiscriminatorConfig(ModelConfig):
    """Parameters of :class:`SaliencyDiscriminator`.

    Parameters
    ----------
    embedding_dim : int
        Size of the EEG embedding it is conditioned on (128).
    base_channels : int
        Channels of the first map (image_size/2 square); each later map has twice those of the
        one before (32).
    image_size : int
        Side S of the square input images, a power of two of at least 8 (32).
    """

    embedding_dim: int = 128
    base_channels: int = 32
    image_size: int = 32

    def __post_init__(self):
        _check_sizes(self, ("embedding_dim", "base_channels", "image_size"))


class SaliencyDiscriminator(PretrainedModel):
    """``D(image, f_θ(x))``: a logit for "this is the stimulus of this EEG embedding".

    Convolutions (kernel 4, stride 2, LeakyReLU 0.2, no normalisation) halve the image down to
    4×4; the mean over those 16 positions is the feature vector ``h``. The projection
    discriminator's logit is ``linear(h) + ⟨h, W·embedding⟩`` (Miyato & Koyama 2018, eq. 3, with
    a linear map of the embedding in place of a class embedding), so the condition enters as an
    inner product rather than as extra input channels.

    Parameters
    ----------
    config : SaliencyDiscriminatorConfig

    References
    ----------
    Miyato, T. & Koyama, M. cGANs with Projection Discriminator. ICLR 2018.
    https://doi.org/10.48550/arXiv.1802.05637
    """

    config_class = SaliencyDiscriminatorConfig

    def __init__(self, config: SaliencyDiscriminatorConfig):
        super().__init__(config)
        widths = _widths(config)[::-1]
        layers: list[nn.Module] = []
        for width_in, width_out in zip([3, *widths[:-1]], widths, strict=True):
            layers += [nn.Conv2d(width_in, width_out, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
        self.layers = nn.Sequential(*layers)
        self.output = nn.Linear(widths[-1], 1)
        self.projection = nn.Linear(config.embedding_dim, widths[-1], bias=False)

    def forward(self, images: torch.Tensor, embedding: torch.Tensor) -> torch.Tensor:
        """Logits (B,) for images (B, 3, S, S) and embeddings (B, embedding_dim)."""
        config = self.config
        size = config.image_size
        if images.ndim != 4 or tuple(images.shape[1:]) != (3, size, size):
            raise ValueError(
                f"SaliencyDiscriminator takes images of shape (batch, 3, {size}, {size}), got "
                f"{tuple(images.shape)}."
            )
        if embedding.shape != (len(images), config.embedding_dim):
            raise ValueError(
                f"SaliencyDiscriminator takes embeddings of shape ({len(images)}, "
                f"{config.embedding_dim}) for {len(images)} images, got {tuple(embedding.shape)}."
            )
        h = self.layers(images).mean(dim=(2, 3))
        return self.output(h)[:, 0] + (h * self.projection(embedding)).sum(dim=1)
