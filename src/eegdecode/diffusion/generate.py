"""EEG-conditioned video generation: the sampler loop of EEG2Video's inference, and the
generation of a subject's test-block clips from its predictions."""

import inspect
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import torch

from .._logging import logger
from .._validation import check_option
from ..artifacts import (
    LATENT_AXES,
    AxisArray,
    array_names,
    inherit_attrs,
    read_array,
    read_attrs,
    write_artifact,
)
from ..devices import inference_dtype, resolve_device
from ..stimulus.latents import decode_latents
from ..stimulus.pretrained import load_vae
from ..stimulus.video import write_gifs
from .finetune import load_video_diffusion
from .video_unet import VideoUNet

#: The initial latents of each generation mode (spec §4.10).
MODES = {
    "full": "DANA-noised Seq2Seq latents",
    "no_dana": "raw Seq2Seq latents",
    "no_seq2seq": "Gaussian noise",
}


@torch.inference_mode()
def generate_clips(
    unet: VideoUNet,
    vae,
    scheduler,
    embeddings: np.ndarray,
    negative_embedding: np.ndarray,
    *,
    initial_latents: np.ndarray | None = None,
    noise: np.ndarray | None = None,
    latent_shape: tuple[int, int, int, int] | None = None,
    steps: int = 100,
    guidance: float = 12.5,
    strength: float = 1.0,
    seed: int = 114514,
    batch_size: int = 4,
) -> np.ndarray:
    """Sample clips conditioned on (predicted) caption embeddings.

    Parameters
    ----------
    unet : VideoUNet
        On the device and in the precision to sample with.
    vae : diffusers.AutoencoderKL
        Decodes the final latents, on the UNet's device.
    scheduler : diffusers scheduler
        The sampler (SD 1.4's PNDM); a fresh copy is made per batch, as PNDM keeps state.
    embeddings : ndarray, shape (n_clips, n_tokens, features)
        Conditioning, one per clip (the semantic predictor's output; the text encoder is
        bypassed).
    negative_embedding : ndarray, shape (1, n_tokens, features)
        The unconditional branch of classifier-free guidance.
    initial_latents : ndarray, shape (n_clips, n_frames, channels, height, width) | None
        The sampler's starting point x_T (Seq2Seq latents, with or without DANA); None starts
        from Gaussian noise of ``latent_shape`` (frames, channels, height, width).
    noise : ndarray, same shape as ``initial_latents`` | None
        The noise that image-to-image sampling (``strength`` below 1) adds to the initial
        latents, such as DANA's (``dana.timestep: sampler``); None draws Gaussian noise.
    steps : int
        Sampler steps (100 in EEG2Video).
    guidance : float
        Classifier-free guidance scale (12.5); 1 turns guidance off.
    strength : float
        Share of the sampler's steps that run, the last ones. 1 (EEG2Video) runs them all and
        takes the initial latents as the sampler's x_T. Below 1, the initial latents are a
        starting point to denoise from, as in image-to-image sampling (SDEdit): they are noised
        to the timestep the sampler starts at (``scheduler.add_noise``) and the steps before it
        are skipped. Without initial latents every step runs.
    seed : int
        Seeds the starting noise when there are no initial latents, and stochastic samplers.
    batch_size : int
        Clips sampled at once.

    Returns
    -------
    frames : ndarray of uint8, shape (n_clips, n_frames, height · 8, width · 8, 3)
    """
    device, dtype = next(unet.parameters()).device, unet.dtype
    n_clips = len(embeddings)
    if negative_embedding.shape[1:] != embeddings.shape[1:]:
        raise ValueError(
            f"The negative embedding {negative_embedding.shape} does not match the conditioning "
            f"{embeddings.shape} in tokens and features."
        )
    if not 0 < strength <= 1:
        raise ValueError(f"strength must lie in (0, 1], got {strength!r}.")
    generator = torch.Generator().manual_seed(seed)
    if initial_latents is None:
        strength = 1.0
        if latent_shape is None:
            raise ValueError("Give initial_latents or the latent_shape of Gaussian noise.")
        initial = torch.randn((n_clips, *latent_shape), generator=generator)
    else:
        if len(initial_latents) != n_clips:
            raise ValueError(
                f"{len(initial_latents)} initial latents for {n_clips} conditioning embeddings."
            )
        initial = torch.as_tensor(np.asarray(initial_latents, dtype=np.float32))
    if noise is not None:
        if initial_latents is None or strength == 1:
            raise ValueError(
                "noise is what image-to-image sampling adds to the initial latents: it needs "
                f"initial latents and a strength below 1, got strength {strength!r}."
            )
        if np.shape(noise) != tuple(initial.shape):
            raise ValueError(
                f"noise {np.shape(noise)} must have the initial latents' shape "
                f"{tuple(initial.shape)}."
            )
        noise = torch.as_tensor(np.asarray(noise, dtype=np.float32))
    # Stochastic samplers (DDPM, DDIM with eta > 0) take the generator; PNDM takes none.
    step_options = (
        {"generator": generator}
        if "generator" in inspect.signature(scheduler.step).parameters
        else {}
    )
    negative = torch.as_tensor(np.asarray(negative_embedding), dtype=dtype, device=device)
    clips = []
    for start in range(0, n_clips, batch_size):
        sampler = type(scheduler).from_config(scheduler.config)
        sampler.set_timesteps(steps, device=device)
        # (batch, frame, channel, h, w) → the UNet's (batch, channel, frame, h, w)
        latents = initial[start : start + batch_size].transpose(1, 2).to(device, dtype)
        timesteps = sampler.timesteps
        if strength < 1:
            # As diffusers' image-to-image pipelines: skip the first steps (of the scheduler's
            # order each), noise the latents to the first remaining timestep.
            skipped = (steps - max(round(steps * strength), 1)) * sampler.order
            timesteps = timesteps[skipped:]
            if hasattr(sampler, "set_begin_index"):
                sampler.set_begin_index(skipped)
            added = (
                torch.randn(latents.shape, generator=generator)
                if noise is None
                else noise[start : start + batch_size].transpose(1, 2)
            )
            latents = sampler.add_noise(latents, added.to(device, dtype), timesteps[:1])
        else:
            latents = latents * sampler.init_noise_sigma
        condition = torch.as_tensor(
            np.asarray(embeddings[start : start + batch_size]), dtype=dtype, device=device
        )
        if guidance != 1:
            condition = torch.cat([negative.expand_as(condition), condition])
        for timestep in timesteps:
            model_input = torch.cat([latents] * 2) if guidance != 1 else latents
            model_input = sampler.scale_model_input(model_input, timestep)
            predicted = unet(model_input, timestep, condition)
            if guidance != 1:
                unconditional, conditional = predicted.chunk(2)
                predicted = unconditional + guidance * (conditional - unconditional)
            latents = sampler.step(predicted, timestep, latents, **step_options).prev_sample
        final = latents.transpose(1, 2).float().cpu().numpy()  # (batch, frame, channel, h, w)
        clips.append(decode_latents(final, vae, batch_size=len(final)))
        logger.info("generated clips %d–%d of %d", start + 1, start + len(latents), n_clips)
    return np.concatenate(clips)


def read_negative_embedding(path: str | Path, *, like: torch.Tensor) -> torch.Tensor:
    """Read a negative embedding ``.npy`` (EEG2Video's ``negative.npy``) without unpickling.

    Parameters
    ----------
    path : str | Path
        An array of shape (1, n_tokens, features) or (n_tokens, features), any float dtype
        (the official file is float16).
    like : torch.Tensor, shape (1, n_tokens, features)
        The model's own negative embedding, whose shape the file must have.

    Returns
    -------
    negative : torch.Tensor of float32, shape (1, n_tokens, features)
    """
    try:
        values = np.load(path, allow_pickle=False)
    except ValueError as error:
        raise ValueError(
            f"{str(path)!r} holds Python objects, which are not read (no unpickling); save "
            f"the embedding as a plain float array with np.save."
        ) from error
    if values.ndim == 2:
        values = values[None]
    if values.shape != tuple(like.shape) or not np.issubdtype(values.dtype, np.floating):
        raise ValueError(
            f"The negative embedding {str(path)!r} has shape {values.shape} and dtype "
            f"{values.dtype}; expected floats of shape {tuple(like.shape)} or "
            f"{tuple(like.shape[1:])}, the conditioning of the fine-tuned UNet."
        )
    if not np.isfinite(values).all():
        raise ValueError(f"The negative embedding {str(path)!r} holds NaN or infinite values.")
    return torch.from_numpy(values.astype(np.float32))


#: The axes of generated clips as stored: class order, then the repetitions of each class.
GENERATED_AXES = ("class", "rep", "frame", "height", "width", "rgb")


def generate_from_predictions(
    model: str | Path,
    vae: str | Path,
    embeddings: str | Path,
    reference_latents: str | Path,
    output: str | Path,
    files: str | Path,
    *,
    mode: str,
    settings: Mapping,
    frames_per_s: float,
    initial_latents: str | Path | None = None,
    negative_embedding: str | Path | None = None,
) -> Path:
    """Generate one subject's test-block clips from its EEG predictions, in one mode.

    Parameters
    ----------
    model : str | Path
        The fine-tuned video diffusion folder (:func:`~eegdecode.diffusion.save_video_diffusion`).
    vae : str | Path
        A Stable Diffusion folder whose ``vae/`` decodes the latents.
    embeddings : str | Path
        The semantic predictor's artifact: ``embeddings`` (class, rep, token, feature) and
        ``concept_ids``; its attributes (subject, ``test_block``…) pass on to the output.
    reference_latents : str | Path
        A latents artifact (axes :data:`~eegdecode.artifacts.LATENT_AXES`) whose clips give the
        shape of the Gaussian starting noise when there are no initial latents.
    output : str | Path
        The clips artifact: ``frames`` (:data:`GENERATED_AXES`, uint8) and ``concept_ids``.
    files : str | Path
        Folder of one GIF and one MP4 per clip, ``{i}.gif`` with
        ``i = n_reps · (concept id − 1) + rep``.
    mode : str
        A key of :data:`MODES`, recorded in the output.
    settings : dict
        ``steps``, ``guidance``, ``strength``, ``seed``, ``batch_size`` (see
        :func:`generate_clips`) and ``device`` (``video_diffusion.generate``); stored as the
        output's parameters.
    frames_per_s : float
        Frame rate of the GIFs and MP4s.
    initial_latents : str | Path | None
        The predicted (class, rep, frame, …) latents the sampler starts from (mode ``full``:
        DANA's, ``no_dana``: Seq2Seq's); None starts from Gaussian noise. Its ``noise``
        (DANA's with ``dana.timestep: sampler``), where it has one, is the noise that
        image-to-image sampling adds.
    negative_embedding : str | Path | None
        An ``.npy`` embedding for the unconditional branch of guidance, such as EEG2Video's
        ``negative.npy``: (1, n_tokens, features) or (n_tokens, features). None uses the one
        saved with the fine-tuned model (the empty prompt's).

    Returns
    -------
    output : Path
    """
    check_option("mode", mode, tuple(MODES))
    device = resolve_device(settings["device"])
    dtype = inference_dtype(device)
    unet, negative, scheduler = load_video_diffusion(model)
    if negative_embedding is not None:
        negative = read_negative_embedding(negative_embedding, like=negative)
    unet = unet.to(device, dtype).eval()
    vae = load_vae(vae, device=device, dtype=dtype)
    predicted = read_array(embeddings, "embeddings", axes=("class", "rep", "token", "feature")).data
    n_classes, n_reps = predicted.shape[:2]
    initial = noise = None
    if initial_latents is not None:
        initial = read_array(
            initial_latents, "latents", axes=("class", "rep", *LATENT_AXES[1:])
        ).data
        if initial.shape[:2] != (n_classes, n_reps):
            raise ValueError(
                f"{initial_latents} has latents for {initial.shape[:2]} (class, rep) but "
                f"{embeddings} has embeddings for {(n_classes, n_reps)}."
            )
        initial = initial.reshape(-1, *initial.shape[2:])
        if "noise" in array_names(initial_latents):  # DANA's, with dana.timestep: sampler
            noise = read_array(
                initial_latents, "noise", axes=("class", "rep", *LATENT_AXES[1:])
            ).data.reshape(initial.shape)
    latent_shape = read_array(reference_latents, "latents", axes=LATENT_AXES).data.shape[1:]
    clips = generate_clips(
        unet, vae, scheduler, predicted.reshape(-1, *predicted.shape[2:]), negative.numpy(),
        initial_latents=initial, noise=noise, latent_shape=latent_shape, steps=settings["steps"],
        guidance=settings["guidance"], strength=settings["strength"], seed=settings["seed"],
        batch_size=settings["batch_size"],
    )  # fmt: skip
    write_gifs(clips, files, frames_per_s=frames_per_s, mp4=True)
    attrs = read_attrs(embeddings)
    return write_artifact(
        output,
        {
            "frames": AxisArray(
                clips.reshape(n_classes, n_reps, *clips.shape[1:]), GENERATED_AXES,
                {"order": "class"},
            ),
            "concept_ids": read_array(embeddings, "concept_ids"),
        },
        producer="generate",
        attrs=inherit_attrs(
            attrs, test_block=int(attrs["test_block"]), mode=mode, initial_latents=MODES[mode],
            files="{i}.gif and {i}.mp4 with i = n_reps · (concept id − 1) + rep",
        ),
        parameters=settings,
    )  # fmt: skip
