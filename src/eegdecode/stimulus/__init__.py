"""The stimulus side: ground-truth frames and GIFs, pretrained models from local folders, VAE
latents and caption embeddings."""

from .latents import decode_latents, encode_frames, fit_vae
from .pretrained import (
    STABLE_DIFFUSION_PARTS,
    build_tiny_stable_diffusion,
    check_stable_diffusion_folder,
    load_scheduler,
    load_text_encoder,
    load_unet,
    load_vae,
    save_vae,
)
from .text import embed_captions, read_captions
from .video import clip_frame_indices, concept_strips, read_clip_frames, read_gif, write_gifs

__all__ = [
    "STABLE_DIFFUSION_PARTS",
    "build_tiny_stable_diffusion",
    "check_stable_diffusion_folder",
    "clip_frame_indices",
    "concept_strips",
    "decode_latents",
    "embed_captions",
    "encode_frames",
    "fit_vae",
    "load_scheduler",
    "load_text_encoder",
    "load_unet",
    "load_vae",
    "read_captions",
    "read_clip_frames",
    "read_gif",
    "save_vae",
    "write_gifs",
]
