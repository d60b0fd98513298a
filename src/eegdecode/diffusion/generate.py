"""EEG-conditioned video generation: the sampler loop of EEG2Video's inference."""

import inspect

import numpy as np
import torch

from .._logging import logger
from ..stimulus.latents import decode_latents
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
    latent_shape: tuple[int, int, int, int] | None = None,
    steps: int = 100,
    guidance: float = 12.5,
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
    steps : int
        Sampler steps (100 in EEG2Video).
    guidance : float
        Classifier-free guidance scale (12.5); 1 turns guidance off.
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
    generator = torch.Generator().manual_seed(seed)
    if initial_latents is None:
        if latent_shape is None:
            raise ValueError("Give initial_latents or the latent_shape of Gaussian noise.")
        initial = torch.randn((n_clips, *latent_shape), generator=generator)
    else:
        if len(initial_latents) != n_clips:
            raise ValueError(
                f"{len(initial_latents)} initial latents for {n_clips} conditioning embeddings."
            )
        initial = torch.as_tensor(np.asarray(initial_latents, dtype=np.float32))
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
        latents = latents * sampler.init_noise_sigma
        condition = torch.as_tensor(
            np.asarray(embeddings[start : start + batch_size]), dtype=dtype, device=device
        )
        if guidance != 1:
            condition = torch.cat([negative.expand_as(condition), condition])
        for timestep in sampler.timesteps:
            model_input = torch.cat([latents] * 2) if guidance != 1 else latents
            model_input = sampler.scale_model_input(model_input, timestep)
            noise = unet(model_input, timestep, condition)
            if guidance != 1:
                unconditional, conditional = noise.chunk(2)
                noise = unconditional + guidance * (conditional - unconditional)
            latents = sampler.step(noise, timestep, latents, **step_options).prev_sample
        final = latents.transpose(1, 2).float().cpu().numpy()  # (batch, frame, channel, h, w)
        clips.append(decode_latents(final, vae, batch_size=len(final)))
        logger.info("generated clips %d–%d of %d", start + 1, start + len(latents), n_clips)
    return np.concatenate(clips)
