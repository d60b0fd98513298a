"""Pretrained Stable Diffusion parts from local folders, and tiny stand-ins in the same layout.

A Stable Diffusion 1.4 folder (as ``save_pretrained`` writes it) holds one subfolder per part::

    model_index.json
    vae/            config.json, diffusion_pytorch_model.safetensors
    unet/           config.json, diffusion_pytorch_model.safetensors
    text_encoder/   config.json, model.safetensors
    tokenizer/      vocab.json, merges.txt, tokenizer_config.json
    scheduler/      scheduler_config.json

Every consumer loads a part with ``from_pretrained(folder, subfolder=..., local_files_only=True)``
and safetensors only, so nothing is downloaded and nothing is unpickled. The demo and the tests
use :func:`build_tiny_stable_diffusion`, which writes randomly initialised models of the same
classes into the same layout, so both go through the very same loading code.
"""

import json
import os
from collections.abc import Iterable
from pathlib import Path

# Nothing here may reach a model hub, even by a default buried in a library.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np
import torch

from .._logging import logger
from ..fileio import atomic_path
from .faces import TINY_VISION_ENCODER_BLOCKS

STABLE_DIFFUSION_PARTS = {
    "vae": ("config.json", "diffusion_pytorch_model.safetensors"),
    "unet": ("config.json", "diffusion_pytorch_model.safetensors"),
    "text_encoder": ("config.json", "model.safetensors"),
    "tokenizer": ("vocab.json", "merges.txt", "tokenizer_config.json"),
    "scheduler": ("scheduler_config.json",),
}
# Stable Diffusion 1.x multiplies VAE latents by this so that they have about unit variance
# (Rombach et al. 2022, appendix G); it is stored in the VAE's config.json as scaling_factor.
SD_LATENT_SCALING_FACTOR = 0.18215


def check_stable_diffusion_folder(
    folder: str | Path, parts: Iterable[str] = tuple(STABLE_DIFFUSION_PARTS)
) -> Path:
    """Raise FileNotFoundError listing every missing file of the requested ``parts``.

    Parameters
    ----------
    folder : str | Path
        A local Stable Diffusion 1.x folder.
    parts : iterable of str
        Subfolders that must be complete (default: all five).

    Returns
    -------
    folder : Path
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"Stable Diffusion folder {str(folder)!r} does not exist. Point "
            f"pretrained.stable_diffusion at a local copy of Stable Diffusion 1.4 (with "
            f"{', '.join(f'{p}/' for p in STABLE_DIFFUSION_PARTS)}), or enable "
            f"pretrained.tiny to build stand-ins."
        )
    missing = [
        f"{part}/{name}"
        for part in parts
        for name in STABLE_DIFFUSION_PARTS[part]
        if not (folder / part / name).is_file()
    ]
    if missing:
        hint = ""
        if any(name.endswith(".safetensors") for name in missing):
            hint = (
                " Weights must be safetensors (no pickle is ever loaded); convert .bin weights "
                "once with diffusers/transformers `save_pretrained(..., safe_serialization=True)`."
            )
        raise FileNotFoundError(
            f"Stable Diffusion folder {str(folder)!r} is incomplete; missing: "
            f"{', '.join(missing)}.{hint}"
        )
    return folder


def _load_weights(model_class, folder: Path, part: str, dtype: torch.dtype):
    """One weighted part: offline, from safetensors only, in ``dtype``."""
    return model_class.from_pretrained(
        folder,
        subfolder=part,
        local_files_only=True,
        use_safetensors=True,
        torch_dtype=dtype,
        low_cpu_mem_usage=False,
    )


def load_vae(
    folder: str | Path, *, device: torch.device | str = "cpu", dtype: torch.dtype = torch.float32
):
    """The folder's ``AutoencoderKL``, in eval mode on ``device``."""
    from diffusers import AutoencoderKL

    folder = check_stable_diffusion_folder(folder, ["vae"])
    return _load_weights(AutoencoderKL, folder, "vae", dtype).to(device).eval()


def save_vae(vae, folder: str | Path) -> Path:
    """Write an ``AutoencoderKL`` as the ``vae/`` part of a Stable Diffusion folder.

    :func:`load_vae` reads the result like any other folder; written whole or not at all.
    """
    folder = Path(folder)
    with atomic_path(folder) as temporary:
        vae.save_pretrained(temporary / "vae", safe_serialization=True)
        check_stable_diffusion_folder(temporary, ["vae"])
    return folder


def load_unet(folder: str | Path, *, dtype: torch.dtype = torch.float32):
    """The folder's ``UNet2DConditionModel`` (the image model that :mod:`eegdecode.diffusion`
    inflates), on CPU."""
    from diffusers import UNet2DConditionModel

    folder = check_stable_diffusion_folder(folder, ["unet"])
    return _load_weights(UNet2DConditionModel, folder, "unet", dtype)


def load_scheduler(folder: str | Path, kind: str | None = None):
    """The folder's noise scheduler; ``kind`` (a diffusers class name such as 'DDPMScheduler')
    builds another class from the same schedule."""
    import diffusers

    folder = check_stable_diffusion_folder(folder, ["scheduler"])
    config = json.loads((folder / "scheduler" / "scheduler_config.json").read_text())
    name = kind or config["_class_name"]
    if not name.endswith("Scheduler") or not hasattr(diffusers, name):
        raise ValueError(f"{name!r} is not a diffusers scheduler class.")
    return getattr(diffusers, name).from_config(config)


def load_text_encoder(
    folder: str | Path, *, device: torch.device | str = "cpu", dtype: torch.dtype = torch.float32
):
    """The folder's CLIP tokenizer and text encoder (eval mode, on ``device``)."""
    from transformers import CLIPTextModel, CLIPTokenizer

    folder = check_stable_diffusion_folder(folder, ["tokenizer", "text_encoder"])
    tokenizer = CLIPTokenizer.from_pretrained(folder, subfolder="tokenizer", local_files_only=True)
    encoder = _load_weights(CLIPTextModel, folder, "text_encoder", dtype)
    return tokenizer, encoder.to(device).eval()


def _byte_symbols() -> list[str]:
    """The printable stand-in for each byte used by GPT-2 and CLIP byte-level BPE.

    Printable Latin-1 bytes stand for themselves; the others are mapped, in order, to code
    points from 256 up, so every byte has a visible, whitespace-free symbol.
    """
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    shifted = iter(range(256, 512))
    return [chr(byte) if byte in printable else chr(next(shifted)) for byte in range(256)]


def _write_byte_level_vocabulary(folder: Path) -> tuple[int, int, int]:
    """A CLIP BPE vocabulary with no merges: every byte is a token (with and without ``</w>``)."""
    symbols = _byte_symbols()
    tokens = (
        symbols + [symbol + "</w>" for symbol in symbols] + ["<|startoftext|>", "<|endoftext|>"]
    )
    vocabulary = {token: index for index, token in enumerate(tokens)}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocabulary), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")
    return len(vocabulary), vocabulary["<|startoftext|>"], vocabulary["<|endoftext|>"]


def build_tiny_stable_diffusion(folder: str | Path, *, seed: int = 0, text_dim: int = 32) -> Path:
    """Write randomly initialised Stable Diffusion parts of the real classes into ``folder``.

    The VAE keeps SD's four resolution levels (8× downsampling, 4 latent channels, scaling
    factor 0.18215) with 8–16 channels instead of 128–512; the text encoder is a two-layer CLIP
    of width ``text_dim`` with a byte-level tokenizer (77 tokens); the UNet has two levels; the
    scheduler is SD 1.4's PNDM. The whole folder takes about 2 MB.

    Parameters
    ----------
    folder : str | Path
        Destination; written whole or not at all.
    seed : int
        Seed of the random weights.
    text_dim : int
        Width of the text encoder, and so of the caption embeddings.

    Returns
    -------
    folder : Path
    """
    from diffusers import (
        AutoencoderKL,
        PNDMScheduler,
        StableDiffusionPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    folder = Path(folder)
    torch.manual_seed(seed)
    with atomic_path(folder) as temporary:
        vocabulary_folder = temporary / "vocabulary"
        vocab_size, bos, eos = _write_byte_level_vocabulary(vocabulary_folder)
        tokenizer = CLIPTokenizer(
            str(vocabulary_folder / "vocab.json"),
            str(vocabulary_folder / "merges.txt"),
            model_max_length=77,
        )
        text_encoder = CLIPTextModel(
            CLIPTextConfig(
                vocab_size=vocab_size,
                hidden_size=text_dim,
                intermediate_size=2 * text_dim,
                num_hidden_layers=2,
                num_attention_heads=4,
                max_position_embeddings=77,
                bos_token_id=bos,
                eos_token_id=eos,
                pad_token_id=eos,
            )
        )
        vae = AutoencoderKL(
            down_block_types=("DownEncoderBlock2D",) * 4,
            up_block_types=("UpDecoderBlock2D",) * 4,
            block_out_channels=(8, 8, 16, 16),
            layers_per_block=1,
            latent_channels=4,
            norm_num_groups=8,
            scaling_factor=SD_LATENT_SCALING_FACTOR,
        )
        unet = UNet2DConditionModel(
            block_out_channels=(32, 64),
            layers_per_block=1,
            down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
            up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
            cross_attention_dim=text_dim,
            attention_head_dim=4,
            sample_size=32,
        )
        # SD 1.4's scheduler_config.json.
        scheduler = PNDMScheduler(
            beta_start=0.00085,
            beta_end=0.012,
            beta_schedule="scaled_linear",
            num_train_timesteps=1000,
            skip_prk_steps=True,
            steps_offset=1,
            set_alpha_to_one=False,
        )
        pipeline = StableDiffusionPipeline(
            vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet, scheduler=scheduler,
            safety_checker=None, feature_extractor=None, requires_safety_checker=False,
        )  # fmt: skip
        pipeline.save_pretrained(temporary, safe_serialization=True)
        # Real SD 1.4 folders carry the slow-tokenizer files; keep the layout identical.
        for name in ("vocab.json", "merges.txt"):
            (vocabulary_folder / name).replace(temporary / "tokenizer" / name)
        vocabulary_folder.rmdir()
        check_stable_diffusion_folder(temporary)
    logger.info("wrote tiny Stable Diffusion parts (seed %d) to %s", seed, folder)
    return folder


# A vision encoder folder as transformers' save_pretrained writes it (with the image
# processor's settings beside the model).
VISION_ENCODER_FILES = ("config.json", "model.safetensors", "preprocessor_config.json")
# config.json's model_type → the transformers class read from it.
VISION_ENCODER_CLASSES = {"vit": "ViTModel", "clip_vision_model": "CLIPVisionModel",
                          "clip": "CLIPVisionModel"}  # fmt: skip


class VisionEncoder:
    """A frozen ViT (``ViTModel``) or CLIP vision tower (``CLIPVisionModel``) and the image
    preparation of its ``preprocessor_config.json``.

    The embedding of an image is its CLS token: ViT's last hidden state at position 0 (what the
    original's ViT-B/16 features are), CLIP's ``pooler_output`` (the CLS token after CLIP's
    post-layernorm, what CLIP's projection reads).
    """

    def __init__(self, model, kind: str, image_size: int, mean, std):
        self.model, self.kind, self.image_size = model.eval(), kind, image_size
        self.mean = np.asarray(mean, np.float32).reshape(1, 3, 1, 1)
        self.std = np.asarray(std, np.float32).reshape(1, 3, 1, 1)

    @property
    def hidden_size(self) -> int:
        return int(self.model.config.hidden_size)

    def prepare(self, crops: np.ndarray) -> np.ndarray:
        """RGB uint8 (n, h, w, 3) → normalised float32 (n, 3, image_size, image_size)."""
        import cv2

        size = (self.image_size, self.image_size)
        resized = np.stack([cv2.resize(c, size, interpolation=cv2.INTER_CUBIC) for c in crops])
        pixels = resized.astype(np.float32).transpose(0, 3, 1, 2) / 255.0
        return (pixels - self.mean) / self.std

    def cls_embedding(self, pixels: torch.Tensor) -> torch.Tensor:
        outputs = self.model(pixel_values=pixels.to(self.model.dtype))
        return outputs.pooler_output if self.kind == "clip" else outputs.last_hidden_state[:, 0]

    def transformer_blocks(self) -> torch.nn.ModuleList:
        """The encoder's transformer blocks, input side first (ViT's ``layer``/``layers``,
        CLIP's ``encoder.layers``, wherever the installed transformers nests them)."""
        return next(module for module in self.model.modules()
                    if isinstance(module, torch.nn.ModuleList))  # fmt: skip

    def final_norm(self) -> torch.nn.Module:
        """The norm after the blocks that the CLS embedding passes through (ViT's
        ``layernorm``, CLIP's ``post_layernorm``)."""
        wanted = "post_layernorm" if self.kind == "clip" else "layernorm"
        return next(module for name, module in self.model.named_modules()
                    if name.rsplit(".", 1)[-1] == wanted)  # fmt: skip

    def unfreeze_after(self, frozen_layers: int) -> None:
        """Make the blocks after the first ``frozen_layers`` trainable, and the norm after them.

        The patch embeddings (and CLIP's pre-layernorm) stay frozen with the first
        ``frozen_layers`` blocks, as in the original's declared face model; ``0`` trains every
        block. ViT's pooler, which the CLS embedding does not pass through, stays frozen.
        """
        blocks = self.transformer_blocks()
        if not 0 <= frozen_layers <= len(blocks):
            raise ValueError(
                f"frozen_layers must be 0–{len(blocks)} for this encoder, which has "
                f"{len(blocks)} transformer blocks; got {frozen_layers}."
            )
        self.model.requires_grad_(False)
        for block in blocks[frozen_layers:]:
            block.requires_grad_(True)
        self.final_norm().requires_grad_(True)

    def save(
        self, folder: str | Path, preprocessor_config: str | Path, *,
        extra_files: dict | None = None,
    ) -> Path:  # fmt: skip
        """Write the encoder to ``folder`` in the layout :func:`load_vision_encoder` reads
        (``save_pretrained`` with safetensors, and a copy of ``preprocessor_config``), with
        ``extra_files`` (name → text) beside it; all at once or nothing."""
        folder = Path(folder)
        with atomic_path(folder) as temporary:
            self.model.save_pretrained(temporary, safe_serialization=True)
            (temporary / "preprocessor_config.json").write_bytes(
                Path(preprocessor_config).read_bytes()
            )
            for name, text in (extra_files or {}).items():
                (temporary / name).write_text(text)
        return folder


def _processor_size(settings: dict, path: Path) -> int:
    """The square side the processor resizes to: ``crop_size`` (CLIP) or ``size`` (ViT)."""
    size = settings.get("crop_size") or settings.get("size")
    if isinstance(size, dict):
        size = size.get("height", size.get("shortest_edge"))
    if not isinstance(size, int) or size < 1:
        raise ValueError(f"{path}: found no image size in 'crop_size' or 'size' ({size!r}).")
    return size


def load_vision_encoder(folder: str | Path, *, device: torch.device | str = "cpu") -> VisionEncoder:
    """The frozen vision encoder saved in ``folder`` (``ViTModel`` or ``CLIPVisionModel``).

    ``folder`` is a transformers folder (``config.json``, ``model.safetensors``,
    ``preprocessor_config.json``): a local copy of ``google/vit-base-patch16-224-in21k`` or
    ``openai/clip-vit-large-patch14`` (a whole CLIP folder gives its vision tower), or the
    demo's :func:`build_tiny_vision_encoder`.
    """
    import transformers

    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"Vision encoder folder {str(folder)!r} does not exist.")
    missing = [name for name in VISION_ENCODER_FILES if not (folder / name).is_file()]
    if missing:
        hint = ""
        if "model.safetensors" in missing and (folder / "pytorch_model.bin").is_file():
            hint = (" It holds pytorch_model.bin, a pickle, which is never loaded; convert it "
                    "once with `save_pretrained(folder, safe_serialization=True)`.")  # fmt: skip
        raise FileNotFoundError(f"Vision encoder folder {str(folder)!r} lacks {missing}.{hint}")
    config = json.loads((folder / "config.json").read_text())
    kind = config.get("model_type")
    if kind not in VISION_ENCODER_CLASSES:
        raise ValueError(
            f"{folder / 'config.json'}: model_type {kind!r} is not a supported vision encoder "
            f"({sorted(VISION_ENCODER_CLASSES)})."
        )
    model_class = getattr(transformers, VISION_ENCODER_CLASSES[kind])
    model = model_class.from_pretrained(folder, local_files_only=True, use_safetensors=True)
    settings = json.loads((folder / "preprocessor_config.json").read_text())
    return VisionEncoder(
        model.to(device).requires_grad_(False),
        "vit" if kind == "vit" else "clip",
        _processor_size(settings, folder / "preprocessor_config.json"),
        settings.get("image_mean", (0.5, 0.5, 0.5)),
        settings.get("image_std", (0.5, 0.5, 0.5)),
    )


def build_tiny_vision_encoder(folder: str | Path, *, seed: int = 0, hidden_size: int = 64) -> Path:
    """Write a randomly initialised ``ViTModel`` (2 layers, 32 × 32 images, 8-pixel patches) and
    ViT's ``preprocessor_config.json`` into ``folder``, in the layout of a real one."""
    from transformers import ViTConfig, ViTModel

    folder = Path(folder)
    torch.manual_seed(seed)
    model = ViTModel(
        ViTConfig(hidden_size=hidden_size, num_hidden_layers=TINY_VISION_ENCODER_BLOCKS,
                  num_attention_heads=4,
                  intermediate_size=2 * hidden_size, image_size=32, patch_size=8)
    )  # fmt: skip
    processor = {
        "image_processor_type": "ViTImageProcessor", "do_resize": True, "do_rescale": True,
        "rescale_factor": 1 / 255, "do_normalize": True, "image_mean": [0.5, 0.5, 0.5],
        "image_std": [0.5, 0.5, 0.5], "size": {"height": 32, "width": 32},
    }  # fmt: skip
    with atomic_path(folder) as temporary:
        model.save_pretrained(temporary, safe_serialization=True)
        (temporary / "preprocessor_config.json").write_text(json.dumps(processor, indent=2) + "\n")
    logger.info("wrote a tiny ViT (seed %d) to %s", seed, folder)
    return folder
