"""VAE latents of the ground-truth frames (spec §3.6), their decoding back to pixels, and the
fit of a (tiny) VAE to the frames."""

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import torch

from .._logging import logger, verbose
from .._validation import ensure_positive_int
from ..artifacts import (
    FRAME_AXES,
    LATENT_AXES,
    AxisArray,
    inherit_attrs,
    read_array,
    read_attrs,
    write_artifact,
)
from ..devices import inference_dtype, resolve_device
from ..training.infrastructure import TrainingRun
from .pretrained import load_vae, save_vae


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
    workdir: str | Path | None = None,
    checkpoint_every: int = 100,
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
    workdir : str | Path | None
        Where a resumable checkpoint (``last/``) and ``metrics.csv`` (``step``, ``loss``) go,
        every ``checkpoint_every`` steps and at the end; one made with the same settings and
        frames is resumed (see :class:`~eegdecode.training.infrastructure.TrainingRun`). None
        writes nothing.
    checkpoint_every : int
        Steps between checkpoints.
    verbose : bool | str | int | None
        Log level for this call.

    Returns
    -------
    losses : ndarray, shape (steps,)
        The reconstruction loss of each step.
    """
    steps = ensure_positive_int(steps, "steps")
    batch_size = ensure_positive_int(batch_size, "batch_size")
    checkpoint_every = ensure_positive_int(checkpoint_every, "checkpoint_every")
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise ValueError(
            f"frames must be uint8 (image, height, width, 3), got {frames.dtype} {frames.shape}."
        )
    settings = {"steps": steps, "batch_size": batch_size, "lr": lr, "kl_weight": kl_weight,
                "seed": seed}  # fmt: skip
    run = TrainingRun(settings, (torch.from_numpy(frames),), workdir=workdir, device=vae.device,
                      mixed_precision=False, seed=seed, config_key="vae_config")  # fmt: skip
    pixels = torch.from_numpy(frames).permute(0, 3, 1, 2).float() / 127.5 - 1.0
    optimizer = torch.optim.Adam(vae.parameters(), lr=lr)
    vae.train()
    losses, first = np.empty(steps), 0
    if (resumed := run.resume(vae, optimizer, unit="step")) is not None:
        first = resumed["epoch"]
        losses[:first] = [row["loss"] for row in resumed["history"]]
    for step in range(first, steps):
        batch = pixels[torch.randint(len(pixels), (batch_size,), generator=run.generator)]
        batch = batch.to(vae.device, vae.dtype)
        posterior = vae.encode(batch).latent_dist
        noise = torch.randn(posterior.mean.shape, generator=run.generator).to(batch)
        reconstruction = vae.decode(posterior.mean + posterior.std * noise).sample
        mse = torch.nn.functional.mse_loss(reconstruction, batch)
        run.step(mse + kl_weight * posterior.kl().mean(), optimizer)
        losses[step] = mse.item()
        if step % max(1, steps // 10) == 0 or step == steps - 1:
            logger.info("fit_vae step %d/%d: reconstruction mse %.4f", step + 1, steps, mse.item())
        if run.due(step + 1, steps, checkpoint_every):
            history = [{"step": i + 1, "loss": float(v)} for i, v in enumerate(losses[: step + 1])]
            run.save(vae, optimizer, position=step + 1, history=history)
    vae.eval()
    return losses


def unit_variance_scaling(vae, frames: np.ndarray, *, seed: int = 0) -> float:
    """The ``scaling_factor`` that gives a VAE's latents of ``frames`` unit variance.

    Stable Diffusion's 0.18215 is this number for its VAE on its training images (Rombach et
    al. 2022, section 4.3.2): the diffusion model's noise schedule assumes unit-variance
    latents, and latents with a smaller spread are drowned by its noise in fewer steps.

    Parameters
    ----------
    vae : diffusers.AutoencoderKL
    frames : ndarray of uint8, shape (n_clips, n_frames, height, width, 3)
    seed : int
        Seeds the latent samples.

    Returns
    -------
    scaling_factor : float
        1 / the standard deviation of the unscaled latent samples.
    """
    unscaled = encode_frames(frames, vae, seed=seed, batch_size=8) / vae.config.scaling_factor
    return float(1.0 / unscaled.std())


def write_block_latents(
    frames: str | Path,
    model: str | Path,
    output: str | Path,
    *,
    settings: Mapping,
    progress: bool = False,
) -> Path:
    """Encode one block's ground-truth frames into scaled VAE latents and write them.

    Parameters
    ----------
    frames : str | Path
        The block's frames artifact (``frames``, axes :data:`~eegdecode.artifacts.FRAME_AXES`,
        and ``concept_labels``; attribute ``block``).
    model : str | Path
        A Stable Diffusion folder with ``vae/``; recorded in the output.
    output : str | Path
        The latents artifact: ``latents`` (axes :data:`~eegdecode.artifacts.LATENT_AXES`,
        presentation order) and ``concept_labels``.
    settings : dict
        ``seed`` (with the block number appended, see :func:`encode_frames`), ``batch_size``
        and ``device``, in half precision on CUDA (``stimulus.latents``); stored as the
        output's parameters.
    progress : bool
        Show a progress bar.

    Returns
    -------
    output : Path
    """
    device = resolve_device(settings["device"])
    vae = load_vae(model, device=device, dtype=inference_dtype(device))
    attrs = read_attrs(frames)
    latents = encode_frames(
        read_array(frames, "frames", axes=FRAME_AXES).data,
        vae,
        seed=[settings["seed"], attrs["block"]],
        batch_size=settings["batch_size"],
        progress=progress,
    )
    scaling = float(vae.config.scaling_factor)
    return write_artifact(
        output,
        {
            "latents": AxisArray(
                latents, LATENT_AXES, {"scaling_factor": scaling, "order": "presentation"}
            ),
            "concept_labels": read_array(frames, "concept_labels"),
        },
        producer="vae_latents",
        attrs=inherit_attrs(
            attrs,
            scaling_factor=scaling,
            pixel_range="x / 127.5 - 1",
            model=str(model),
            device=f"{device} ({vae.dtype})",
        ),
        parameters=settings,
    )


def fit_vae_to_blocks(
    model: str | Path,
    frames: Sequence[str | Path],
    output: str | Path,
    *,
    settings: Mapping,
    workdir: str | Path | None = None,
) -> list[dict]:
    """Fit the VAE of a Stable Diffusion folder to the frames of some blocks; save it.

    Parameters
    ----------
    model : str | Path
        A Stable Diffusion folder with ``vae/`` (the tiny one of the demo).
    frames : sequence of path
        Frames artifacts (``frames``, axes :data:`~eegdecode.artifacts.FRAME_AXES`); every
        frame of every clip is a training image.
    output : str | Path
        Where the fitted VAE goes, as the ``vae/`` part of a Stable Diffusion folder
        (:func:`~eegdecode.stimulus.save_vae`).
    settings : dict
        ``steps``, ``batch_size``, ``lr``, ``kl_weight``, ``seed`` of :func:`fit_vae`
        (``pretrained.tiny.vae_fit``).
    workdir : str | Path | None
        Checkpoints to resume from (see :func:`fit_vae`).

    Returns
    -------
    history : list of dict
        ``step`` and reconstruction ``loss`` of each step.
    """
    images = np.concatenate([read_array(path, "frames", axes=FRAME_AXES).data for path in frames])
    return fit_vae_to_frames(model, images, output, settings=settings, workdir=workdir)


def fit_vae_to_frames(
    model: str | Path,
    frames: np.ndarray,
    output: str | Path,
    *,
    settings: Mapping,
    workdir: str | Path | None = None,
) -> list[dict]:
    """:func:`fit_vae_to_blocks` on frames (n_clips, n_frames, height, width, 3) uint8 in
    memory (images: one-frame clips)."""
    vae = load_vae(model)
    losses = fit_vae(
        vae, frames.reshape(-1, *frames.shape[2:]), steps=settings["steps"],
        batch_size=settings["batch_size"], lr=settings["lr"], kl_weight=settings["kl_weight"],
        seed=settings["seed"], workdir=workdir,
    )  # fmt: skip
    scaling = unit_variance_scaling(vae, frames, seed=settings["seed"])
    logger.info("fitted VAE: scaling_factor %.5f gives its latents unit variance", scaling)
    vae.register_to_config(scaling_factor=scaling)
    save_vae(vae, output)
    return [{"step": step + 1, "loss": loss} for step, loss in enumerate(losses)]
