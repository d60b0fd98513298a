"""The stimulus side: ground-truth frames and GIFs, pretrained models from local folders, VAE
latents and caption embeddings."""

import lazy_loader

# Submodules load on first use (see eegdecode/__init__.py).
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "latents": ["decode_latents", "encode_frames", "fit_vae"],
        "pretrained": [
            "STABLE_DIFFUSION_PARTS",
            "build_tiny_stable_diffusion",
            "check_stable_diffusion_folder",
            "load_scheduler",
            "load_text_encoder",
            "load_unet",
            "load_vae",
            "save_vae",
        ],
        "text": ["embed_captions", "read_captions"],
        "video": [
            "clip_frame_indices",
            "concept_strips",
            "read_clip_frames",
            "read_gif",
            "write_gifs",
        ],
    },
)
