"""A Stable Diffusion UNet inflated to video with Tune-A-Video's structure, on today's diffusers.

The 2D UNet runs on the frames of a clip folded into the batch, so its convolutions,
cross-attention and feed-forward layers keep their pretrained weights and act per frame. What
Tune-A-Video's ``UNet3DConditionModel`` changes is reproduced here, in its order:

* self-attention (``attn1``) becomes sparse-causal: each frame's queries attend to the keys and
  values of the first frame and of the previous frame;
* every transformer block runs ``attn1`` → ``attn2`` (cross-attention) → ``ff`` and then a
  temporal self-attention (``attn_temp``, after its own LayerNorm ``norm_temp``) across the
  frames at each spatial position. Its output projection starts at zero, so a freshly inflated
  UNet first behaves as the image model;
* the ResNet GroupNorms and the output GroupNorm normalise the whole clip
  ``(batch, channel, frame, height, width)``, pooling their statistics over the frames; the
  transformers' input GroupNorm stays per frame.

Folders are in Tune-A-Video's layout: ``config.json`` with ``_class_name:
UNet3DConditionModel`` and its ``*3D`` block names, and the weights under the parameter names
its ``save_pretrained`` writes, as ``diffusion_pytorch_model.safetensors`` or the
``diffusion_pytorch_model.bin`` state dict Tune-A-Video writes (read with
``torch.load(weights_only=True)``). A fine-tuned Tune-A-Video or EEG2Video UNet therefore loads
with :meth:`VideoUNet.from_pretrained`, and what this module saves loads in Tune-A-Video.

References
----------
Wu, J. Z. et al. Tune-A-Video: One-Shot Tuning of Image Diffusion Models for Text-to-Video
Generation. ICCV 2023. https://arxiv.org/abs/2212.11565 (code: showlab/Tune-A-Video,
``tuneavideo/models``)
"""

import json
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional

from ..fileio import atomic_path, write_json

CLASS_NAME = "UNet3DConditionModel"
WEIGHTS = "diffusion_pytorch_model.safetensors"
PICKLED_WEIGHTS = "diffusion_pytorch_model.bin"
#: diffusers' 2D block types and the names Tune-A-Video's config.json gives their inflations.
BLOCKS_3D = {
    "CrossAttnDownBlock2D": "CrossAttnDownBlock3D",
    "DownBlock2D": "DownBlock3D",
    "UNetMidBlock2DCrossAttn": "UNetMidBlock3DCrossAttn",
    "CrossAttnUpBlock2D": "CrossAttnUpBlock3D",
    "UpBlock2D": "UpBlock3D",
}
#: Parameter-name fragments that Tune-A-Video fine-tunes; everything else stays frozen.
TUNE_A_VIDEO_TRAINABLE = ("attn1.to_q", "attn2.to_q", "attn_temp")


class SparseCausalAttnProcessor:
    """Self-attention whose keys and values come from the first and the previous frame.

    Frames are folded into the batch, ``num_frames`` per clip. Frame 0's previous frame is
    itself, so for frame 0, and for a clip of identical frames, the result equals ordinary
    self-attention.
    """

    def __call__(
        self,
        attn,
        hidden_states: torch.Tensor,
        encoder_hidden_states: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        num_frames: int = 1,
        **kwargs,
    ) -> torch.Tensor:
        batch_frames, length, _ = hidden_states.shape
        if batch_frames % num_frames:
            raise ValueError(
                f"{batch_frames} frames in the batch do not split into clips of {num_frames}."
            )
        query = attn.to_q(hidden_states)

        def first_and_previous(values: torch.Tensor) -> torch.Tensor:
            clips = values.unflatten(0, (-1, num_frames))
            previous = torch.arange(num_frames, device=values.device).sub(1).clamp(min=0)
            first = clips[:, :1].expand_as(clips)
            return torch.cat([first, clips[:, previous]], dim=2).flatten(0, 1)

        key = first_and_previous(attn.to_k(hidden_states))
        value = first_and_previous(attn.to_v(hidden_states))
        heads = attn.heads

        def split_heads(values: torch.Tensor) -> torch.Tensor:
            return values.unflatten(-1, (heads, -1)).transpose(1, 2)

        out = functional.scaled_dot_product_attention(
            split_heads(query), split_heads(key), split_heads(value)
        )
        out = out.transpose(1, 2).reshape(batch_frames, length, -1).to(query.dtype)
        return attn.to_out[1](attn.to_out[0](out))


class VideoTransformerBlock(nn.Module):
    """A diffusers ``BasicTransformerBlock`` of SD 1.x with sparse-causal and temporal attention.

    It adopts the 2D block's layers under their names (``norm1``, ``attn1``, ``norm2``,
    ``attn2``, ``norm3``, ``ff``), so the 2D weights load unchanged, and adds ``norm_temp`` and
    ``attn_temp``. The call signature is the 2D block's; the frame count arrives in
    ``cross_attention_kwargs['num_frames']``.
    """

    def __init__(self, block: nn.Module):
        super().__init__()
        from diffusers.models.attention_processor import Attention

        if getattr(block, "norm_type", "layer_norm") != "layer_norm" or block.only_cross_attention:
            raise ValueError(
                "Only Stable Diffusion 1.x/2.x transformer blocks (layer norm, self- then "
                "cross-attention) can be inflated."
            )
        self.norm1, self.attn1 = block.norm1, block.attn1
        self.norm2, self.attn2 = block.norm2, block.attn2
        self.norm3, self.ff = block.norm3, block.ff
        self.attn1.set_processor(SparseCausalAttnProcessor())
        dim = self.attn1.query_dim
        self.norm_temp = nn.LayerNorm(dim)
        self.attn_temp = Attention(
            query_dim=dim,
            heads=self.attn1.heads,
            dim_head=dim // self.attn1.heads,
            bias=False,
            out_bias=True,
        )
        nn.init.zeros_(self.attn_temp.to_out[0].weight)
        nn.init.zeros_(self.attn_temp.to_out[0].bias)

    def forward(
        self,
        hidden_states: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        encoder_hidden_states: torch.Tensor | None = None,
        encoder_attention_mask: torch.Tensor | None = None,
        timestep=None,
        cross_attention_kwargs: dict | None = None,
        class_labels=None,
        added_cond_kwargs=None,
    ) -> torch.Tensor:
        num_frames = (cross_attention_kwargs or {}).get("num_frames", 1)
        hidden_states = hidden_states + self.attn1(self.norm1(hidden_states), num_frames=num_frames)
        hidden_states = hidden_states + self.attn2(
            self.norm2(hidden_states),
            encoder_hidden_states=encoder_hidden_states,
            attention_mask=encoder_attention_mask,
        )
        hidden_states = hidden_states + self.ff(self.norm3(hidden_states))
        # Temporal attention, last as in Tune-A-Video: each spatial position across the frames.
        length = hidden_states.shape[1]
        across_frames = (
            hidden_states.unflatten(0, (-1, num_frames)).transpose(1, 2).flatten(0, 1)
        )  # (clips · positions, frames, channels)
        across_frames = across_frames + self.attn_temp(self.norm_temp(across_frames))
        return across_frames.unflatten(0, (-1, length)).transpose(1, 2).reshape_as(hidden_states)


class ClipGroupNorm(nn.GroupNorm):
    """A GroupNorm over whole clips although their frames are folded into the batch.

    Tune-A-Video applies its ResNet and output GroupNorms to ``(batch, channel, frame, height,
    width)`` tensors, so the statistics of each group pool every frame of the clip. The frames
    of one clip are ``num_frames`` consecutive batch entries; :class:`VideoUNet` sets
    ``num_frames`` before each pass. With ``num_frames = 1`` it is the ordinary GroupNorm, and
    its parameters keep the names ``weight`` and ``bias``.
    """

    num_frames: int = 1

    @classmethod
    def adopt(cls, norm: nn.GroupNorm) -> "ClipGroupNorm":
        clip_norm = cls(norm.num_groups, norm.num_channels, norm.eps, norm.affine)
        clip_norm.weight, clip_norm.bias = norm.weight, norm.bias
        return clip_norm

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        if self.num_frames == 1:
            return super().forward(frames)
        clips = frames.unflatten(0, (-1, self.num_frames)).transpose(1, 2)
        return super().forward(clips).transpose(1, 2).flatten(0, 1)


class VideoUNet(nn.Module):
    """A diffusers ``UNet2DConditionModel`` inflated to clips of frames, as Tune-A-Video's
    ``UNet3DConditionModel``.

    Parameters
    ----------
    unet : diffusers.UNet2DConditionModel
        Modified in place: every transformer block becomes a :class:`VideoTransformerBlock` and
        every GroupNorm outside the transformers a :class:`ClipGroupNorm`.
    seed : int
        Seeds the initial weights of the temporal attention.

    Notes
    -----
    Build one with :meth:`from_stable_diffusion` (inflate the UNet of a local SD folder) or
    :meth:`from_pretrained` (a Tune-A-Video folder); :meth:`save_pretrained` writes one.
    """

    def __init__(self, unet: nn.Module, *, seed: int = 0):
        super().__init__()
        self.unet = unet
        n_blocks = 0
        # The new temporal layers are drawn from their own seed, so inflation is reproducible
        # and leaves the caller's random state alone.
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            for module in list(unet.modules()):
                blocks = getattr(module, "transformer_blocks", None)
                if blocks is None:
                    continue
                for index, block in enumerate(blocks):
                    if not isinstance(block, VideoTransformerBlock):
                        blocks[index] = VideoTransformerBlock(block)
                    n_blocks += 1
        if n_blocks == 0:
            raise ValueError("The UNet has no transformer blocks to inflate.")
        from diffusers.models.transformers.transformer_2d import Transformer2DModel

        clip_norms = []
        for module in list(unet.modules()):
            if isinstance(module, Transformer2DModel):
                continue  # Tune-A-Video normalises a transformer's input frame by frame.
            for name, child in list(module.named_children()):
                if isinstance(child, nn.GroupNorm):
                    if not isinstance(child, ClipGroupNorm):
                        child = ClipGroupNorm.adopt(child)
                        setattr(module, name, child)
                    clip_norms.append(child)
        # A plain tuple, not registered as submodules: the norms already live inside the UNet.
        self._clip_norms = tuple(clip_norms)

    @property
    def config(self):
        """The 2D UNet's config (``in_channels``, ``cross_attention_dim``, ...)."""
        return self.unet.config

    @property
    def dtype(self) -> torch.dtype:
        return self.unet.dtype

    def forward(
        self,
        sample: torch.Tensor,
        timestep: torch.Tensor | int,
        encoder_hidden_states: torch.Tensor,
    ) -> torch.Tensor:
        """Predict the noise of latent clips.

        Parameters
        ----------
        sample : Tensor, shape (batch, channels, frames, height, width)
        timestep : Tensor | int
            One per clip, or one for all.
        encoder_hidden_states : Tensor, shape (batch, tokens, features)
            One conditioning sequence per clip, shared by its frames.

        Returns
        -------
        noise : Tensor, shape (batch, channels, frames, height, width)
        """
        batch, _, num_frames = sample.shape[:3]
        for norm in self._clip_norms:
            norm.num_frames = num_frames
        frames = sample.transpose(1, 2).flatten(0, 1)
        timestep = torch.as_tensor(timestep, device=sample.device).reshape(-1).expand(batch)
        out = self.unet(
            frames,
            timestep.repeat_interleave(num_frames),
            encoder_hidden_states=encoder_hidden_states.repeat_interleave(num_frames, dim=0),
            cross_attention_kwargs={"num_frames": num_frames},
        ).sample
        return out.unflatten(0, (batch, num_frames)).transpose(1, 2)

    def enable_gradient_checkpointing(self) -> None:
        self.unet.enable_gradient_checkpointing()

    def trainable_parameters(self, fragments=TUNE_A_VIDEO_TRAINABLE) -> list[str]:
        """Freeze every parameter but those whose name contains one of ``fragments``.

        ``fragments=None`` trains the whole UNet. Returns the names left trainable.
        """
        names = []
        for name, parameter in self.unet.named_parameters():
            parameter.requires_grad_(fragments is None or any(f in name for f in fragments))
            if parameter.requires_grad:
                names.append(name)
        if not names:
            raise ValueError(f"No UNet parameter name contains any of {list(fragments)}.")
        return names

    @classmethod
    def from_stable_diffusion(cls, folder: str | Path) -> "VideoUNet":
        """Inflate the UNet of a local Stable Diffusion folder (``unet/``, safetensors)."""
        from ..stimulus.pretrained import load_unet

        return cls(load_unet(folder))

    def save_pretrained(self, folder: str | Path) -> Path:
        """Write Tune-A-Video's layout to ``folder``, atomically: ``config.json`` (the
        ``UNet3DConditionModel`` config) and ``diffusion_pytorch_model.safetensors``."""
        with atomic_path(folder) as temporary:
            self.unet.save_pretrained(temporary, safe_serialization=True)
            config_path = Path(temporary) / "config.json"
            config = json.loads(config_path.read_text())
            write_json(config_path, inflated_config(config))
        return Path(folder)

    @classmethod
    def from_pretrained(cls, folder: str | Path) -> "VideoUNet":
        """Load a UNet folder in Tune-A-Video's layout, as it or :meth:`save_pretrained` wrote it.

        The weights are ``diffusion_pytorch_model.safetensors`` or, if that is absent,
        Tune-A-Video's ``diffusion_pytorch_model.bin``, read with ``torch.load(weights_only=True)``.
        Every weight must be present, temporal ones included, and no other.
        """
        from diffusers import UNet2DConditionModel

        folder = Path(folder)
        config_path = folder / "config.json"
        if not config_path.is_file():
            raise FileNotFoundError(
                f"{str(folder)!r} is not a video UNet folder: it lacks config.json."
            )
        config = json.loads(config_path.read_text())
        model = cls(UNet2DConditionModel.from_config(image_config(config, config_path)))
        state = _read_state_dict(folder)
        # Old diffusers (Tune-A-Video's 0.11) also saved each downsampler's conv as Conv2d_0.
        state = {
            name: value
            for name, value in state.items()
            if not (".downsamplers." in name and ".Conv2d_0." in name)
        }
        expected = model.unet.state_dict()
        missing, unexpected = sorted(set(expected) - set(state)), sorted(set(state) - set(expected))
        if missing or unexpected:
            raise ValueError(
                f"The weights in {str(folder)!r} do not fit the UNet its config.json describes: "
                f"{len(missing)} missing (e.g. {missing[:3]}), {len(unexpected)} unexpected "
                f"(e.g. {unexpected[:3]}). A Tune-A-Video UNet3DConditionModel folder is expected."
            )
        for name, value in state.items():
            if value.shape != expected[name].shape:
                raise ValueError(
                    f"Weight {name} in {str(folder)!r} has shape {tuple(value.shape)}; its "
                    f"config.json implies {tuple(expected[name].shape)}."
                )
        model.unet.load_state_dict(state, strict=True)
        return model


def _renamed_blocks(config: dict, names: dict[str, str], class_name: str) -> dict:
    renamed = dict(config, _class_name=class_name)
    for key in ("down_block_types", "up_block_types"):
        renamed[key] = [names[name] for name in config[key]]
    renamed["mid_block_type"] = names[config["mid_block_type"]]
    return renamed


def inflated_config(config: dict) -> dict:
    """A ``UNet2DConditionModel`` config as Tune-A-Video's ``UNet3DConditionModel`` names it."""
    return _renamed_blocks(config, BLOCKS_3D, CLASS_NAME)


def image_config(config: dict, source: str | Path) -> dict:
    """The ``UNet2DConditionModel`` config of the Tune-A-Video ``config.json`` at ``source``."""
    if config.get("_class_name") != CLASS_NAME:
        raise ValueError(
            f"{str(source)!r} describes a {config.get('_class_name')!r}, not Tune-A-Video's "
            f"{CLASS_NAME!r}. A video UNet written by an eegdecode before Tune-A-Video's "
            "block order was adopted computes something else: rerun finetune_video_diffusion."
        )
    image_blocks = {name_3d: name_2d for name_2d, name_3d in BLOCKS_3D.items()}
    types = [*config["down_block_types"], config["mid_block_type"], *config["up_block_types"]]
    unknown = sorted({name for name in types if name not in image_blocks})
    if unknown:
        raise ValueError(
            f"{str(source)!r} names block types {unknown}; a Tune-A-Video UNet has only "
            f"{sorted(image_blocks)}."
        )
    return _renamed_blocks(config, image_blocks, "UNet2DConditionModel")


def _read_state_dict(folder: Path) -> dict[str, torch.Tensor]:
    """The weights of a UNet folder: safetensors if present, else Tune-A-Video's .bin."""
    from ..models.base import load_published_weights

    path = folder / WEIGHTS if (folder / WEIGHTS).is_file() else folder / PICKLED_WEIGHTS
    if not path.is_file():
        raise FileNotFoundError(f"{str(folder)!r} holds neither {WEIGHTS} nor {PICKLED_WEIGHTS}.")
    state = load_published_weights(path, instead=f"Save the UNet's weights as {WEIGHTS}.")
    if not isinstance(state, dict) or not all(
        isinstance(value, torch.Tensor) for value in state.values()
    ):
        raise ValueError(f"{str(path)!r} is not a state dict of tensors.")
    return state
