"""VAE latents of the ground-truth frames (spec §3.6), and their decoding back to pixels."""

from collections.abc import Sequence

import numpy as np
import torch

from .._logging import logger, verbose
from .._validation import ensure_positive_int


def _vae_downsampling(vae) -> int:
    return 2 ** (len(vae.config.block_out_channels) - 1)


def _noise(seed: Sequence[int], clip: int, shape: tuple[int, ...]) -> torch.Tensor:
    # One generator per clip, seeded by (seed..., clip): the draw does not depend on the batch
    # size or the device, so latents are reproducible anywhere.
    state = np.random.SeedSequence([*seed, clip]).generate_state(1)[0]
    return torch.randn(shape, generator=torch.Generator().manual_seed(int(state)))


@verbose
def encode_frames(
    frames: np.ndarray,
    vae,
    *,
    seed: int | Sequence[int] = 0,
    batch_size: int = 8,
    progress: bool = False,
    verbose=None,
) -> np.ndarray:
    """Encode RGB frames into scaled VAE latents, as Stable Diffusion's training does.

    Pixels go to ``[-1, 1]`` as ``x / 127.5 - 1``; each frame is encoded, a sample is drawn from
    the latent distribution (``mean + std · noise`` with seeded noise, i.e.
    ``latent_dist.sample()``), and multiplied by the VAE's ``scaling_factor`` (0.18215 for
    SD 1.4) exactly once.

    Parameters
    ----------
    frames : ndarray of uint8, shape (n_clips, n_frames, height, width, 3)
        RGB frames; height and width divisible by the VAE's downsampling (8).
    vae : diffusers.AutoencoderKL
        On the device and in the precision to compute with.
    seed : int | sequence of int
        Seed of the sampling noise (with the clip index appended per clip).
    batch_size : int
        Clips encoded at once.
    progress : bool
        Show a progress bar.
    verbose : bool | str | int | None
        Log level for this call.

    Returns
    -------
    latents : ndarray of float32, shape (n_clips, n_frames, latent_channels, height / 8, width / 8)
        Frame-major, as stored on disk (the diffusion side transposes at its boundary).
    """
    from tqdm.auto import tqdm

    batch_size = ensure_positive_int(batch_size, "batch_size")
    if frames.ndim != 5 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise ValueError(
            "frames must be uint8 (clip, frame, height, width, 3), "
            f"got {frames.dtype} {frames.shape}."
        )
    n_clips, n_frames, height, width, _ = frames.shape
    factor = _vae_downsampling(vae)
    if height % factor or width % factor:
        raise ValueError(
            f"Frame size {width} × {height} must be divisible by the VAE's downsampling "
            f"factor {factor}."
        )
    seed = [seed] if isinstance(seed, int) else list(seed)
    scaling = float(vae.config.scaling_factor)
    device, dtype = vae.device, vae.dtype
    latent_shape = (n_frames, vae.config.latent_channels, height // factor, width // factor)
    latents = np.empty((n_clips, *latent_shape), np.float32)
    logger.info(
        "encoding %d clips × %d frames of %d × %d on %s (%s), %d clips per batch, scaling %g",
        n_clips, n_frames, width, height, device, dtype, batch_size, scaling,
    )  # fmt: skip
    with torch.inference_mode():
        for start in tqdm(
            range(0, n_clips, batch_size), disable=not progress, desc="vae_latents", unit="batch"
        ):
            batch = torch.from_numpy(frames[start : start + batch_size]).to(device)
            pixels = batch.flatten(0, 1).permute(0, 3, 1, 2).to(dtype) / 127.5 - 1.0
            distribution = vae.encode(pixels).latent_dist
            noise = torch.cat(
                [_noise(seed, clip, latent_shape) for clip in range(start, start + len(batch))]
            )
            sample = distribution.mean + distribution.std * noise.to(device, dtype)
            latents[start : start + len(batch)] = (
                (sample * scaling).float().cpu().numpy().reshape(len(batch), *latent_shape)
            )
    return latents


def decode_latents(latents: np.ndarray, vae, *, batch_size: int = 8) -> np.ndarray:
    """Undo :func:`encode_frames`: divide by ``scaling_factor`` once, decode, map to uint8 RGB.

    Parameters
    ----------
    latents : ndarray, shape (n_clips, n_frames, latent_channels, h, w)
        Scaled latents.
    vae : diffusers.AutoencoderKL
    batch_size : int
        Clips decoded at once.

    Returns
    -------
    frames : ndarray of uint8, shape (n_clips, n_frames, 8·h, 8·w, 3)
    """
    batch_size = ensure_positive_int(batch_size, "batch_size")
    scaling = float(vae.config.scaling_factor)
    clips = []
    with torch.inference_mode():
        for start in range(0, latents.shape[0], batch_size):
            batch = torch.from_numpy(np.ascontiguousarray(latents[start : start + batch_size]))
            flat = batch.flatten(0, 1).to(vae.device, vae.dtype) / scaling
            pixels = vae.decode(flat).sample.float().clamp(-1, 1)
            images = (
                ((pixels + 1) * 127.5).round().to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()
            )
            clips.append(images.reshape(len(batch), latents.shape[1], *images.shape[1:]))
    return np.concatenate(clips)


@verbose
def fit_vae(
    vae,
    frames: np.ndarray,
    *,
    steps: int = 500,
    batch_size: int = 32,
    lr: float = 1e-3,
    kl_weight: float = 1e-6,
    seed: int = 0,
    verbose=None,
) -> np.ndarray:
    """Train an ``AutoencoderKL`` in place to reconstruct frames (mean squared error plus a
    weighted KL term, as the Stable Diffusion VAE's objective without its GAN and LPIPS terms).

    The demo uses it to give its tiny VAE what the real one has: latents from which frames can be
    decoded. A random VAE decodes every frame to nearly the same image.

    Parameters
    ----------
    vae : diffusers.AutoencoderKL
        Trained in place, on its device.
    frames : ndarray of uint8, shape (n_images, height, width, 3)
        Training images, as frames of any clips.
    steps : int
        Optimiser steps (Adam).
    batch_size : int
        Images per step, drawn with a seeded generator.
    lr : float
        Learning rate.
    kl_weight : float
        Weight of the KL divergence from the unit Gaussian (SD's VAE: 1e-6).
    seed : int
        Seeds the batches and the posterior samples.
    verbose : bool | str | int | None
        Log level for this call.

    Returns
    -------
    losses : ndarray, shape (steps,)
        The reconstruction loss of each step.
    """
    steps = ensure_positive_int(steps, "steps")
    batch_size = ensure_positive_int(batch_size, "batch_size")
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise ValueError(
            f"frames must be uint8 (image, height, width, 3), got {frames.dtype} {frames.shape}."
        )
    generator = torch.Generator().manual_seed(seed)
    pixels = torch.from_numpy(frames).permute(0, 3, 1, 2).float() / 127.5 - 1.0
    optimizer = torch.optim.Adam(vae.parameters(), lr=lr)
    vae.train()
    losses = np.empty(steps)
    for step in range(steps):
        batch = pixels[torch.randint(len(pixels), (batch_size,), generator=generator)]
        batch = batch.to(vae.device, vae.dtype)
        posterior = vae.encode(batch).latent_dist
        noise = torch.randn(posterior.mean.shape, generator=generator).to(batch)
        reconstruction = vae.decode(posterior.mean + posterior.std * noise).sample
        mse = torch.nn.functional.mse_loss(reconstruction, batch)
        loss = mse + kl_weight * posterior.kl().mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses[step] = mse.item()
        if step % max(1, steps // 10) == 0 or step == steps - 1:
            logger.info("fit_vae step %d/%d: reconstruction mse %.4f", step + 1, steps, mse.item())
    vae.eval()
    return losses
