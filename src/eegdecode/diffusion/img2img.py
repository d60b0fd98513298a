"""NeuroImagen's reconstruction (spec Part B.3): latent-diffusion image-to-image from the
pixel-level branch's saliency map, conditioned on the sample-level branch's EEG-predicted
caption embedding.

Images are one-frame clips of the video path's diffusion code: the same Stable Diffusion
folder, UNet fine-tuning (:func:`~eegdecode.diffusion.finetune.finetune_video_unet`, which for
a single frame trains the image UNet with its temporal attention over one frame) and sampler
(:func:`~eegdecode.diffusion.generate.generate_clips`, whose ``strength`` below 1 is diffusers'
image-to-image: the saliency latents are noised to the first step that runs).
"""

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import torch

from .._logging import logger
from .._validation import check_option
from ..artifacts import IMAGE_AXES
from ..devices import inference_dtype, resolve_device
from ..fileio import write_json
from ..stimulus.latents import encode_frames
from ..stimulus.pretrained import load_scheduler, load_text_encoder, load_vae
from ..stimulus.text import embed_captions
from ..training.eeg2image import part_images
from .finetune import (
    FinetuneConfig,
    finetune_video_unet,
    load_video_diffusion,
    save_video_diffusion,
)
from .generate import generate_clips
from .video_unet import VideoUNet

#: What each reconstruction branch starts from and is conditioned on.
BRANCHES = {
    "both": "saliency map, noised to the strength, + EEG-predicted caption embedding",
    "pixel": "saliency map, noised to the strength, + the empty prompt's embedding",
    "sample": "Gaussian noise + EEG-predicted caption embedding",
}
TRAINING_IMAGES = "training_images.json"


def resize_images(images: np.ndarray, size: int) -> np.ndarray:
    """uint8 images (n, h, w, 3) resized to (n, size, size, 3) (area averaging, or bilinear
    when enlarging)."""
    import cv2

    if images.shape[1:3] == (size, size):
        return images
    enlarge = size > images.shape[1]
    method = cv2.INTER_LINEAR if enlarge else cv2.INTER_AREA
    return np.stack([cv2.resize(image, (size, size), interpolation=method) for image in images])


def finetune_image_diffusion(
    images: np.ndarray,
    caption_embeddings: np.ndarray,
    stable_diffusion: str | Path,
    vae_folder: str | Path,
    output: str | Path,
    *,
    training: FinetuneConfig | Mapping,
    image_names: list[str],
    workdir: str | Path | None = None,
) -> list[dict]:
    """Fine-tune the Stable Diffusion UNet on the training images and their captions.

    Parameters
    ----------
    images : ndarray of uint8, shape (n_images, size, size, 3)
        The split's training images only.
    caption_embeddings : ndarray, shape (n_images, tokens, features)
        Each image's caption embedding.
    stable_diffusion : str | Path
        The local Stable Diffusion folder (UNet, text encoder, scheduler).
    vae_folder : str | Path
        The folder whose ``vae/`` encodes the images (the demo's VAE fitted to them).
    output : str | Path
        The fine-tuned model's folder (:func:`~eegdecode.diffusion.save_video_diffusion`),
        with ``training_images.json`` naming the images that trained it.
    training : FinetuneConfig | dict
        ``eeg2image.diffusion.finetune``.
    image_names : list of str
        The names of ``images``, recorded.
    workdir : str | Path | None

    Returns
    -------
    history : list of dict
    """
    if not isinstance(training, FinetuneConfig):
        training = FinetuneConfig.from_dict(training)
    if len(images) != len(caption_embeddings) or len(images) != len(image_names):
        raise ValueError(
            f"{len(images)} images, {len(caption_embeddings)} caption embeddings and "
            f"{len(image_names)} names must match."
        )
    vae = load_vae(vae_folder)
    latents = encode_frames(images[:, None], vae, seed=training.seed)
    tokenizer, text_encoder = load_text_encoder(stable_diffusion)
    _, negative = embed_captions([""], tokenizer, text_encoder)
    unet = VideoUNet.from_stable_diffusion(stable_diffusion)
    history = finetune_video_unet(
        unet, torch.from_numpy(latents), torch.from_numpy(caption_embeddings.astype(np.float32)),
        load_scheduler(stable_diffusion, "DDPMScheduler"), training,
        negative_embedding=torch.from_numpy(negative), workdir=workdir, progress=True,
    )  # fmt: skip
    save_video_diffusion(output, unet, torch.from_numpy(negative), load_scheduler(stable_diffusion))
    write_json(Path(output) / TRAINING_IMAGES, {"images": list(image_names)})
    return history


def check_unseen(model: str | Path, image_names: list[str]) -> None:
    """Refuse to reconstruct an image that trained the diffusion model."""
    import json

    path = Path(model) / TRAINING_IMAGES
    if not path.is_file():
        logger.warning("%s does not say which images trained it", model)
        return
    seen = set(json.loads(path.read_text())["images"]) & set(image_names)
    if seen:
        raise ValueError(
            f"The diffusion model {str(model)!r} was fine-tuned on {len(seen)} of the images "
            f"to reconstruct (e.g. {sorted(seen)[0]!r}); fine-tune it on the training split only."
        )


def reconstruct_images(
    model: str | Path,
    vae_folder: str | Path,
    *,
    branch: str,
    saliency: np.ndarray | None,
    embeddings: np.ndarray | None,
    image_size: int,
    strength: float,
    steps: int,
    guidance: float,
    seed: int = 0,
    batch_size: int = 16,
    device: str = "auto",
) -> np.ndarray:
    """Reconstruct images from the two branches' predictions.

    Parameters
    ----------
    model : str | Path
        A fine-tuned diffusion folder (:func:`finetune_image_diffusion`).
    vae_folder : str | Path
    branch : 'both' | 'pixel' | 'sample'
        See :data:`BRANCHES`.
    saliency : ndarray of uint8, shape (n, s, s, 3) | None
        The pixel-level branch's saliency maps, resized to ``image_size`` (``both``, ``pixel``).
    embeddings : ndarray, shape (n, tokens, features) | None
        The sample-level branch's predicted caption embeddings (``both``, ``sample``).
    image_size : int
    strength : float
        Share of the sampler's steps that run from the noised saliency latents.
    steps, guidance, seed, batch_size, device
        The sampler's steps, classifier-free guidance, seed, images per batch and device.

    Returns
    -------
    images : ndarray of uint8, shape (n, image_size, image_size, 3)
    """
    check_option("branch", branch, tuple(BRANCHES))
    device = resolve_device(device)
    dtype = inference_dtype(device)
    unet, negative, scheduler = load_video_diffusion(model)
    unet = unet.to(device, dtype).eval()
    vae = load_vae(vae_folder, device=device, dtype=dtype)
    factor = 2 ** (len(vae.config.block_out_channels) - 1)
    if image_size % factor:
        raise ValueError(
            f"image_size {image_size} must be a multiple of the VAE's downsampling factor "
            f"{factor} ({str(vae_folder)!r})."
        )
    negative = negative.numpy()
    initial = None
    if branch in ("both", "pixel"):
        if saliency is None:
            raise ValueError(f"The {branch!r} branch needs saliency maps.")
        initial = encode_frames(resize_images(saliency, image_size)[:, None], vae, seed=seed)
    if branch == "pixel":
        embeddings, guidance = np.repeat(negative, len(initial), axis=0), 1.0
    elif embeddings is None:
        raise ValueError(f"The {branch!r} branch needs predicted caption embeddings.")
    clips = generate_clips(
        unet, vae, scheduler, embeddings.astype(np.float32), negative,
        initial_latents=initial, strength=strength if initial is not None else 1.0,
        latent_shape=(1, unet.config.in_channels, image_size // factor, image_size // factor),
        steps=steps, guidance=guidance, seed=seed, batch_size=batch_size,
    )  # fmt: skip
    return clips[:, 0]


# The workflow's stages on the artifacts of rules/eeg2image.smk: the stimuli (images, their
# classes, the classes' caption embeddings) and the per-segment artifacts of the EEG side,
# whose ``parts`` say which segments are training (0), validation (1) and test (2).


def run_vae_fit(
    stable_diffusion: str | Path, stimuli: str | Path, segments: str | Path, *,
    output: str | Path, settings: Mapping,
) -> list[dict]:  # fmt: skip
    """Rule ``fit_eeg2image_vae`` (the demo's tiny models): fit the tiny VAE to the training
    images, as ``fit_tiny_vae`` fits it to the video path's training frames."""
    from ..artifacts import read_array
    from ..stimulus.latents import fit_vae_to_frames

    images = read_array(stimuli, "images", axes=IMAGE_AXES).data[part_images(segments, "train")]
    return fit_vae_to_frames(stable_diffusion, images[:, None], output, settings=settings)


def run_image_finetune(
    stimuli: str | Path, segments: str | Path, stable_diffusion: str | Path,
    vae_folder: str | Path, *, output: str | Path, training: Mapping,
    workdir: str | Path | None = None,
) -> list[dict]:  # fmt: skip
    """Rule ``finetune_image_diffusion``: :func:`finetune_image_diffusion` on the training
    images of the split, each with its class's caption embedding."""
    from ..artifacts import read_array, read_attrs

    chosen = part_images(segments, "train")
    images = read_array(stimuli, "images", axes=IMAGE_AXES).data[chosen]
    labels = read_array(stimuli, "image_labels", axes=("image",)).data[chosen]
    captions = read_array(stimuli, "caption_embeddings", axes=("class", "token", "feature"))
    names = [read_attrs(stimuli)["image_names"][i] for i in chosen]
    return finetune_image_diffusion(
        images, captions.data[labels], stable_diffusion, vae_folder, output, training=training,
        image_names=names, workdir=workdir,
    )  # fmt: skip


def _branch_inputs(saliency: str | Path, captions: str | Path, part: int):
    from ..artifacts import read_array

    parts = read_array(saliency, "parts", axes=("segment",)).data
    if not np.array_equal(parts, read_array(captions, "parts", axes=("segment",)).data):
        raise ValueError(f"{str(saliency)!r} and {str(captions)!r} come from different splits.")
    chosen = np.flatnonzero(parts == part)
    maps = read_array(saliency, "saliency", axes=("segment", "height", "width", "rgb")).data
    embeddings = read_array(captions, "captions", axes=("segment", "token", "feature")).data
    return chosen, maps[chosen], embeddings[chosen]


def reconstruct_part(
    model: str | Path, vae_folder: str | Path, saliency: str | Path, captions: str | Path, *,
    branch: str, part: int, image_size: int, strength: float, settings: Mapping,
    image_names: list[str],
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Reconstruct every segment of one part of the split (:func:`reconstruct_images`).

    Returns the segments' positions in the per-segment artifacts and their images.
    """
    from ..artifacts import read_array

    chosen, maps, embeddings = _branch_inputs(saliency, captions, part)
    seen = read_array(saliency, "images", axes=("segment",)).data[chosen]
    check_unseen(model, sorted({image_names[i] for i in seen}))
    images = reconstruct_images(
        model, vae_folder, branch=branch, saliency=maps, embeddings=embeddings,
        image_size=image_size, strength=strength, steps=settings["steps"],
        guidance=settings["guidance"], seed=settings["seed"], batch_size=settings["batch_size"],
        device=settings["device"],
    )  # fmt: skip
    return chosen, images
