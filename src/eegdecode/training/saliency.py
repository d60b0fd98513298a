"""Training NeuroImagen's pixel-level branch: the conditional GAN from EEG embeddings to coarse
"saliency" images of the stimuli (Lan et al. 2023, spec Part B.3).

The generator ``G(f_θ(x), z)`` (:class:`~eegdecode.models.SaliencyGenerator`) is trained
against a projection discriminator (:class:`~eegdecode.models.SaliencyDiscriminator`) with

    L_G = α1·L_adv + α2·L_ms + α3·L_SSIM,

the non-saturating adversarial loss, MSGAN's mode-seeking term (:func:`mode_seeking_loss`) and
``1 − SSIM`` against the stimulus image (:func:`ssim`). The α weights are not given in the
paper; they are :class:`SaliencyGANConfig` values. Device, mixed precision, the seeded
generator, the optimiser steps and the resumable checkpoints are those of
:class:`~eegdecode.training.infrastructure.TrainingRun`.
"""

import dataclasses
import math
import numbers
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from .._logging import logger
from .._validation import check_option, dataclass_from_dict
from ..devices import DEVICES
from ..models.saliency_gan import (
    SaliencyDiscriminator,
    SaliencyDiscriminatorConfig,
    SaliencyGenerator,
    SaliencyGeneratorConfig,
)
from .infrastructure import TrainingRun

BEST = "best_generator.safetensors"
_LOSSES = ("generator", "discriminator", "adversarial", "mode_seeking", "ssim")
# SSIM as Wang et al. (2004) and skimage's ``gaussian_weights=True``: a Gaussian window of
# σ = 1.5 truncated at 3.5 σ (11 taps), K1 = 0.01, K2 = 0.03.
_SIGMA, _TRUNCATE, _K1, _K2 = 1.5, 3.5, 0.01, 0.03


def _gaussian_window(size: int, device) -> torch.Tensor:
    """A normalised 1-D Gaussian of σ = 1.5 over ``size`` taps, as ``scipy.ndimage``'s."""
    offsets = torch.arange(size, dtype=torch.float32, device=device) - (size - 1) / 2
    window = torch.exp(-0.5 * (offsets / _SIGMA) ** 2)
    return window / window.sum()


def ssim_per_image(x: torch.Tensor, y: torch.Tensor, *, data_range: float = 1.0) -> torch.Tensor:
    """Mean structural similarity (Wang et al. 2004) of each pair of images, differentiable.

    Local means, variances and the covariance are Gaussian-weighted (σ = 1.5, 11 taps) with
    population (not sample) moments, and the SSIM map is averaged over the positions whose
    window lies inside the image and over channels. This is
    ``skimage.metrics.structural_similarity(a, b, channel_axis=-1, gaussian_weights=True,
    sigma=1.5, use_sample_covariance=False, data_range=data_range)``, which crops a border of
    (11 − 1) / 2 = 5 pixels before averaging; only inside that border does its filter's padding
    not matter, so a valid convolution gives the same numbers.

    Parameters
    ----------
    x, y : Tensor, shape (batch, channels, height, width)
        Images to compare, on one device; computed in float32 whatever their precision.
    data_range : float
        The range of the pixel values (1 for images in [0, 1]); sets the stabilising constants
        ``C1 = (0.01·data_range)²`` and ``C2 = (0.03·data_range)²``.

    Returns
    -------
    ssim : Tensor, shape (batch,)

    Notes
    -----
    Images smaller than 11 pixels on a side (which skimage refuses) get the largest odd window
    that fits, with the same σ, truncated and renormalised.
    """
    if x.ndim != 4 or x.shape != y.shape:
        raise ValueError(
            f"ssim takes two image batches of one shape (batch, channels, height, width), got "
            f"{tuple(x.shape)} and {tuple(y.shape)}."
        )
    if not data_range > 0:
        raise ValueError(f"data_range must be positive, got {data_range!r}.")
    radius = int(_TRUNCATE * _SIGMA + 0.5)
    size = min(2 * radius + 1, *(side - (side + 1) % 2 for side in x.shape[2:]))
    channels = x.shape[1]
    # Autocast would run the convolutions in half precision, where 1 − SSIM loses its digits.
    with torch.autocast(x.device.type, enabled=False):
        x, y = x.float(), y.float()
        window = _gaussian_window(size, x.device)
        # The five moments of every channel, filtered together: one depthwise separable pass.
        stack = torch.cat([x, y, x * x, y * y, x * y], dim=1)
        groups = stack.shape[1]
        stack = functional.conv2d(stack, window.view(1, 1, 1, -1).expand(groups, 1, 1, -1),
                                  groups=groups)  # fmt: skip
        stack = functional.conv2d(stack, window.view(1, 1, -1, 1).expand(groups, 1, -1, 1),
                                  groups=groups)  # fmt: skip
        mu_x, mu_y, xx, yy, xy = stack.split(channels, dim=1)
        var_x, var_y, cov = xx - mu_x * mu_x, yy - mu_y * mu_y, xy - mu_x * mu_y
        c1, c2 = (_K1 * data_range) ** 2, (_K2 * data_range) ** 2
        similarity = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / (
            (mu_x * mu_x + mu_y * mu_y + c1) * (var_x + var_y + c2)
        )
        return similarity.mean(dim=(1, 2, 3))


def ssim(x: torch.Tensor, y: torch.Tensor, *, data_range: float = 1.0) -> torch.Tensor:
    """The mean over the batch of :func:`ssim_per_image`; a scalar tensor."""
    return ssim_per_image(x, y, data_range=data_range).mean()


def mode_seeking_loss(
    images_a: torch.Tensor,
    images_b: torch.Tensor,
    noise_a: torch.Tensor,
    noise_b: torch.Tensor,
    eps: float = 1e-5,
) -> torch.Tensor:
    """MSGAN's mode-seeking regulariser (Mao et al. 2019, eq. 3), as a loss to minimise.

    For each sample, the images of one condition at two noises, the ratio
    ``mean|G(c, z1) − G(c, z2)| / mean|z1 − z2|`` is larger when the generator does not
    collapse all noises onto one image; the loss is ``mean(1 / (ratio + eps))`` over the
    batch. (The MSGAN code takes the ratio of batch means instead; the ratio per pair keeps a
    collapsed condition from hiding behind the others.)

    Parameters
    ----------
    images_a, images_b : Tensor, shape (batch, ...)
        Generated images of the same conditions at ``noise_a`` and ``noise_b``.
    noise_a, noise_b : Tensor, shape (batch, noise_dim)
    eps : float
        Keeps the loss finite for identical images.

    Returns
    -------
    loss : Tensor, scalar
    """
    if images_a.shape != images_b.shape or noise_a.shape != noise_b.shape:
        raise ValueError(
            f"mode_seeking_loss takes two image batches of one shape and two noise batches of "
            f"one shape, got images {tuple(images_a.shape)} and {tuple(images_b.shape)}, noise "
            f"{tuple(noise_a.shape)} and {tuple(noise_b.shape)}."
        )
    if len(images_a) != len(noise_a):
        raise ValueError(
            f"mode_seeking_loss got {len(images_a)} image pairs but {len(noise_a)} noise pairs."
        )
    images = (images_a.float() - images_b.float()).abs().flatten(1).mean(dim=1)
    noise = (noise_a.float() - noise_b.float()).abs().flatten(1).mean(dim=1)
    return (1.0 / (images / noise + eps)).mean()


@dataclass(frozen=True)
class SaliencyGANConfig:
    """How to train the saliency GAN (``eeg2image.saliency.training``).

    Parameters
    ----------
    epochs : int
        Passes over the training split (60).
    batch_size : int
        Samples per step (64); the generator step runs each sample at two noises.
    lr_generator, lr_discriminator : float
        Adam learning rates (2e-4, DCGAN's).
    betas : tuple of float
        Adam's β1, β2 for both networks ((0.5, 0.999), DCGAN's).
    adversarial_weight, mode_seeking_weight, ssim_weight : float
        α1, α2, α3 of ``L_G`` (1, 0.01, 10; not given in the paper). 0 turns a term off.
        The saliency target is one image per stimulus, so SSIM pulls the generator towards
        ignoring its noise, and near that point ``1 / ratio`` grows without bound: at
        α2 = 1 (MSGAN's) it swamps SSIM (validation SSIM 0.11 falling to 0.01 on the unit
        test's four classes), at 0.1 it reaches 0.30 and at 0.01 0.65 after 60 epochs.
    noise_dim : int
        Size of the noise ``z``; must equal the generator's ``noise_dim`` (16).
    seed : int
        Seeds the initial weights, the batch order, the training noise and the fixed
        validation noise.
    device : 'auto' | 'cpu' | 'cuda'
    mixed_precision : bool
        bf16 (or fp16 with loss scaling) autocast on CUDA; ignored on CPU.
    """

    epochs: int = 60
    batch_size: int = 64
    lr_generator: float = 2e-4
    lr_discriminator: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    adversarial_weight: float = 1.0
    mode_seeking_weight: float = 0.01
    ssim_weight: float = 10.0
    noise_dim: int = 16
    seed: int = 0
    device: str = "auto"
    mixed_precision: bool = True

    def __post_init__(self):
        object.__setattr__(self, "betas", tuple(self.betas))
        check_option("device", self.device, DEVICES)
        for name in ("epochs", "batch_size", "noise_dim"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}.")
        for name in ("lr_generator", "lr_discriminator"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)!r}.")
        if len(self.betas) != 2 or not all(0 <= beta < 1 for beta in self.betas):
            raise ValueError(f"betas must be two numbers in [0, 1), got {self.betas!r}.")
        weights = ("adversarial_weight", "mode_seeking_weight", "ssim_weight")
        for name in weights:
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be at least 0, got {getattr(self, name)!r}.")
        if not any(getattr(self, name) > 0 for name in weights):
            raise ValueError(f"At least one of {list(weights)} must be positive; all are 0.")

    @classmethod
    def from_dict(cls, values: dict) -> "SaliencyGANConfig":
        return dataclass_from_dict(cls, values, "eeg2image.saliency.training")


@dataclass
class SaliencyGANResult:
    """What :func:`train_saliency_gan` returns.

    Attributes
    ----------
    generator : SaliencyGenerator
        The weights of ``best_epoch``, in eval mode.
    discriminator : SaliencyDiscriminator
        The weights of the last epoch.
    history : list of dict
        Per epoch: ``epoch``, the training means ``generator_loss``, ``discriminator_loss``,
        ``adversarial_loss``, ``mode_seeking_loss`` and ``ssim_loss`` (1 − SSIM), the
        validation ``val_ssim`` and ``seconds``.
    best_epoch : int
        The epoch of the highest ``val_ssim``.
    """

    generator: SaliencyGenerator
    discriminator: SaliencyDiscriminator
    history: list[dict]
    best_epoch: int


class _Optimizers:
    """Two optimisers as one for a checkpoint (:class:`TrainingRun` keeps one): their
    parameter groups and states in a row, the second's parameters numbered after the first's,
    as ``torch.optim.Optimizer.state_dict`` numbers the groups of one optimiser."""

    def __init__(self, *optimizers: torch.optim.Optimizer):
        self.optimizers = optimizers

    def state_dict(self) -> dict:
        state, groups, offset = {}, [], 0
        for optimizer in self.optimizers:
            saved = optimizer.state_dict()
            for group in saved["param_groups"]:
                groups.append({**group, "params": [offset + i for i in group["params"]]})
            state.update({offset + int(i): values for i, values in saved["state"].items()})
            offset += sum(len(group["params"]) for group in saved["param_groups"])
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, combined: dict) -> None:
        offset, first = 0, 0
        for optimizer in self.optimizers:
            groups = combined["param_groups"][first : first + len(optimizer.param_groups)]
            count = sum(len(group["params"]) for group in groups)
            state = {int(i) - offset: values for i, values in combined["state"].items()
                     if offset <= int(i) < offset + count}  # fmt: skip
            groups = [{**g, "params": [i - offset for i in g["params"]]} for g in groups]
            optimizer.load_state_dict({"state": state, "param_groups": groups})
            offset, first = offset + count, first + len(groups)


def _check_array(values, name: str, shape: tuple, expected: str) -> np.ndarray:
    """``values`` as a finite float32 array whose shape matches ``shape`` (None: any)."""
    if not isinstance(values, np.ndarray | torch.Tensor):
        raise TypeError(f"{name} must be an ndarray, got {type(values).__name__} instead.")
    values = np.asarray(values, dtype=np.float32)
    if values.ndim != len(shape) or any(
        want is not None and got != want for got, want in zip(values.shape, shape, strict=True)
    ):
        raise ValueError(f"{name} must have shape {expected}, got {values.shape}.")
    if not np.isfinite(values).all():
        raise ValueError(
            f"{name} holds {int((~np.isfinite(values)).sum())} NaN or infinite values; "
            f"expected finite numbers."
        )
    return values


def _check_index(index, name: str, n: int) -> np.ndarray:
    index = np.asarray(index)
    if index.ndim != 1 or not np.issubdtype(index.dtype, np.integer):
        raise ValueError(
            f"{name} must be a 1-D array of integer indices, got {index.dtype} {index.shape}."
        )
    if len(index) == 0:
        raise ValueError(f"{name} is empty; it must index at least one of the {n} samples.")
    outside = index[(index < 0) | (index >= n)]
    if len(outside):
        raise ValueError(f"{name} must index 0..{n - 1}, got {sorted(set(outside.tolist()))[:5]}.")
    return index.astype(np.int64)


def _check_embeddings(embeddings, config: SaliencyGeneratorConfig) -> np.ndarray:
    return _check_array(embeddings, "embeddings", (None, config.embedding_dim),
                        f"(n, {config.embedding_dim}) (the generator's embedding_dim)")  # fmt: skip


def _noise(n: int, noise_dim: int, seed: int) -> torch.Tensor:
    """The fixed noise of validation and of :func:`generate_saliency`: one draw per sample."""
    return torch.randn(n, noise_dim, generator=torch.Generator().manual_seed(seed))


def _generate(generator, embeddings: torch.Tensor, noise: torch.Tensor, batch_size: int):
    """Generated images (n, 3, S, S) on CPU, in eval mode, in batches on the model's device."""
    device = next(generator.parameters()).device
    generator.eval()
    size = generator.config.image_size
    outputs = [torch.empty(0, 3, size, size)]
    with torch.inference_mode():
        for start in range(0, len(embeddings), batch_size):
            rows = slice(start, start + batch_size)
            images = generator(embeddings[rows].to(device), noise[rows].to(device))
            outputs.append(images.float().cpu())
    return torch.cat(outputs)


def _validation_ssim(generator, embeddings, images, noise) -> float:
    return float(ssim_per_image(_generate(generator, embeddings, noise, 256), images).mean())


def _train_epoch(networks, embeddings, images, config, run, optimizers) -> dict[str, float]:
    """One pass over the training split; the mean of each loss."""
    generator, discriminator = networks["generator"], networks["discriminator"]
    networks.train()
    totals = dict.fromkeys(_LOSSES, 0.0)
    for batch in torch.randperm(len(embeddings), generator=run.generator).split(config.batch_size):
        size = len(batch)
        e = embeddings[batch].to(run.device, non_blocking=True)
        real = images[batch].to(run.device, non_blocking=True)
        noise = torch.randn(2, size, config.noise_dim, generator=run.generator).to(run.device)
        # 1. Each sample's images at two noises (MSGAN), in one pass of the generator.
        with run.autocast():
            fake = generator(e.repeat(2, 1), noise.flatten(0, 1))
        # 2. Discriminator step: the stimulus image of each embedding is real, the first
        #    generated image fake (detached: this step does not train the generator).
        with run.autocast():
            logits = discriminator(torch.cat([real, fake[:size].detach()]), e.repeat(2, 1))
            # BCE(real) + BCE(fake), each a mean over the batch: twice the mean over both.
            labels = torch.cat([torch.ones(size), torch.zeros(size)]).to(logits)
            d_loss = 2 * functional.binary_cross_entropy_with_logits(logits, labels)
        run.step(d_loss, optimizers[1])
        # 3. Generator step against the updated discriminator, whose weights get no gradient.
        discriminator.requires_grad_(False)
        with run.autocast():
            logits = discriminator(fake, e.repeat(2, 1))
            # Non-saturating: maximise log D(G(z)) rather than minimise log(1 − D(G(z))).
            adversarial = functional.binary_cross_entropy_with_logits(
                logits, torch.ones_like(logits)
            )
            mode_seeking = mode_seeking_loss(fake[:size], fake[size:], noise[0], noise[1])
            structure = 1.0 - ssim(fake, real.repeat(2, 1, 1, 1))
            g_loss = (
                config.adversarial_weight * adversarial
                + config.mode_seeking_weight * mode_seeking
                + config.ssim_weight * structure
            )
        run.step(g_loss, optimizers[0])
        discriminator.requires_grad_(True)
        for name, value in zip(totals, (g_loss, d_loss, adversarial, mode_seeking, structure),
                               strict=True):  # fmt: skip
            totals[name] += float(value.detach()) * size
    return {f"{name}_loss": total / len(embeddings) for name, total in totals.items()}


def train_saliency_gan(
    embeddings: np.ndarray,
    images: np.ndarray,
    *,
    train: np.ndarray,
    validation: np.ndarray,
    generator_config: SaliencyGeneratorConfig,
    discriminator_config: SaliencyDiscriminatorConfig | None = None,
    config: SaliencyGANConfig,
    workdir: str | Path | None = None,
    progress: bool = False,
) -> SaliencyGANResult:
    """Train the saliency generator on EEG embeddings and their stimulus images.

    Per batch, the discriminator learns to tell each embedding's stimulus image from a
    generated one (binary cross-entropy), then the generator, run at two noises per sample,
    minimises ``α1·L_adv + α2·L_ms + α3·(1 − SSIM)`` against the stimulus image. After each
    epoch the generator is scored by its mean SSIM on the validation split at a fixed noise
    (``seed``, as :func:`generate_saliency` draws it), and the best epoch's generator is kept.

    Parameters
    ----------
    embeddings : ndarray of float32, shape (n, embedding_dim)
        The EEG encoder's embedding ``f_θ(x)`` of each segment (on a unit scale: the
        generator has no input normalisation).
    images : ndarray of float32, shape (n, 3, image_size, image_size)
        Each segment's stimulus image, resized to the generator's size, in [0, 1].
    train, validation : ndarray of int
        Disjoint, non-empty indices into the n samples.
    generator_config : SaliencyGeneratorConfig
    discriminator_config : SaliencyDiscriminatorConfig | None
        None: the generator's ``embedding_dim``, ``base_channels`` and ``image_size``.
    config : SaliencyGANConfig
    workdir : str | Path | None
        Where ``metrics.csv``, the checkpoint (``last/``: both networks and both optimisers)
        and the best generator's weights go after every epoch; a checkpoint made there with the
        same configs and data is resumed (see :class:`TrainingRun`). None writes nothing.
    progress : bool
        Show a progress bar over epochs.

    Returns
    -------
    result : SaliencyGANResult
    """
    from tqdm.auto import tqdm

    # 1. Check the inputs and the configs against each other.
    if discriminator_config is None:
        discriminator_config = SaliencyDiscriminatorConfig(
            embedding_dim=generator_config.embedding_dim,
            base_channels=generator_config.base_channels,
            image_size=generator_config.image_size,
        )
    for name in ("embedding_dim", "image_size"):
        if getattr(discriminator_config, name) != getattr(generator_config, name):
            raise ValueError(
                f"The discriminator's {name} ({getattr(discriminator_config, name)}) must equal "
                f"the generator's ({getattr(generator_config, name)})."
            )
    if config.noise_dim != generator_config.noise_dim:
        raise ValueError(
            f"config.noise_dim ({config.noise_dim}) must equal the generator's noise_dim "
            f"({generator_config.noise_dim})."
        )
    embeddings = _check_embeddings(embeddings, generator_config)
    size = generator_config.image_size
    images = _check_array(images, "images", (len(embeddings), 3, size, size),
                          f"({len(embeddings)}, 3, {size}, {size}) (one stimulus image per "
                          f"embedding, at the generator's image_size)")  # fmt: skip
    if images.min() < 0 or images.max() > 1:
        raise ValueError(
            f"images must lie in [0, 1], got values in [{images.min():.4g}, {images.max():.4g}]; "
            f"divide uint8 images by 255."
        )
    train = _check_index(train, "train", len(embeddings))
    validation = _check_index(validation, "validation", len(embeddings))
    shared = np.intersect1d(train, validation)
    if len(shared):
        raise ValueError(
            f"train and validation share {len(shared)} samples (e.g. {shared[:5].tolist()}); "
            f"the validation split must be held out."
        )

    # 2. The run, the networks (seeded without touching the global generator) and optimisers.
    data = tuple(torch.from_numpy(values) for values in (embeddings, images, train, validation))
    settings = {
        "training": dataclasses.asdict(config),
        "generator": generator_config.to_dict(),
        "discriminator": discriminator_config.to_dict(),
    }
    run = TrainingRun(settings, data, workdir=workdir, device=config.device,
                      mixed_precision=config.mixed_precision, seed=config.seed,
                      config_key="saliency_config")  # fmt: skip
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        networks = nn.ModuleDict({
            "generator": SaliencyGenerator(generator_config),
            "discriminator": SaliencyDiscriminator(discriminator_config),
        })  # fmt: skip
    networks = run.prepare(networks)
    generator = networks["generator"]
    optimizers = (
        torch.optim.Adam(generator.parameters(), lr=config.lr_generator, betas=config.betas),
        torch.optim.Adam(networks["discriminator"].parameters(), lr=config.lr_discriminator,
                         betas=config.betas),
    )  # fmt: skip
    both = _Optimizers(*optimizers)
    train_data = (torch.from_numpy(embeddings[train]), torch.from_numpy(images[train]))
    val_embeddings = torch.from_numpy(embeddings[validation])
    val_images = torch.from_numpy(images[validation])
    val_noise = _noise(len(validation), config.noise_dim, config.seed)
    logger.info(
        "training the saliency GAN (%d + %d parameters) on %d samples, validating on %d, "
        "%d×%d images, on %s", sum(p.numel() for p in generator.parameters()),
        sum(p.numel() for p in networks["discriminator"].parameters()), len(train),
        len(validation), size, size, run.device,
    )  # fmt: skip

    # 3. Resume, then train epoch by epoch, keeping the generator of the best validation SSIM.
    history, best_epoch, best_ssim = [], -1, -math.inf
    best_state = {k: v.detach().clone() for k, v in generator.state_dict().items()}
    if (resumed := run.resume(networks, both)) is not None:
        history, best_epoch, best_ssim = map(resumed.get, ("history", "best_epoch", "best_ssim"))
        best_state = run.read(BEST)
    first = resumed["epoch"] + 1 if resumed is not None else 0
    epochs = tqdm(range(first, config.epochs), disable=not progress, desc="saliency GAN",
                  unit="epoch")  # fmt: skip
    for epoch in epochs:
        started = time.perf_counter()
        record = {"epoch": epoch}
        record.update(_train_epoch(networks, *train_data, config, run, optimizers))
        record["val_ssim"] = _validation_ssim(generator, val_embeddings, val_images, val_noise)
        if record["val_ssim"] > best_ssim:
            best_epoch, best_ssim = epoch, record["val_ssim"]
            best_state = {k: v.detach().clone() for k, v in generator.state_dict().items()}
        history.append({**record, "seconds": time.perf_counter() - started})
        epochs.set_postfix({"val_ssim": f"{record['val_ssim']:.4f}"})
        run.save(networks, both, position=epoch, history=history,
                 extra={"best_epoch": best_epoch, "best_ssim": best_ssim},
                 files={BEST: best_state})  # fmt: skip
    generator.load_state_dict(best_state)
    logger.info("best validation SSIM %.4f at epoch %d of %d", best_ssim, best_epoch, len(history))
    return SaliencyGANResult(
        generator.eval(), networks["discriminator"].eval(), history, best_epoch
    )


def generate_saliency(
    generator: SaliencyGenerator,
    embeddings: np.ndarray,
    *,
    seed: int = 0,
    batch_size: int = 256,
) -> np.ndarray:
    """Saliency images of EEG embeddings, at noise drawn from ``seed``.

    Parameters
    ----------
    generator : SaliencyGenerator
        Run in eval mode on its device.
    embeddings : ndarray of float32, shape (n, embedding_dim)
    seed : int
        Seeds the noise, one draw of (n, noise_dim) on the CPU: the same seed gives the same
        images, whatever ``batch_size`` and device (up to the device's arithmetic).
    batch_size : int
        Embeddings per forward pass.

    Returns
    -------
    images : ndarray of uint8, shape (n, image_size, image_size, 3)
    """
    if not isinstance(generator, SaliencyGenerator):
        raise TypeError(
            f"generator must be a SaliencyGenerator, got {type(generator).__name__} instead."
        )
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral):
        raise TypeError(f"batch_size must be an int, got {type(batch_size).__name__} instead.")
    if batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}.")
    embeddings = torch.from_numpy(_check_embeddings(embeddings, generator.config))
    noise = _noise(len(embeddings), generator.config.noise_dim, seed)
    images = _generate(generator, embeddings, noise, int(batch_size))
    return (images * 255).round().clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1).numpy()
