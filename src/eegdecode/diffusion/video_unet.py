"""A Stable Diffusion UNet inflated to video, as Tune-A-Video does it, on today's diffusers.

The 2D UNet runs on the frames of a clip folded into the batch, so its convolutions, resnets,
cross-attention and feed-forward layers keep their pretrained weights and act per frame. Two
things change inside every transformer block:

* self-attention (``attn1``) becomes sparse-causal: each frame's queries attend to the keys and
  values of the first frame and of the previous frame, which ties the clip together at the cost
  of one extra frame of attention;
* a temporal self-attention (``attn_temp``, with its LayerNorm ``norm_temp``) runs across the
  frames at each spatial position, after cross-attention and before the feed-forward layer. Its
  output projection starts at zero, so the inflated UNet first behaves as the image model.

Weights are stored in the diffusers layout (``unet/config.json`` holds the 2D UNet's config,
``unet/diffusion_pytorch_model.safetensors`` every weight, temporal ones included) plus
``unet/video_unet.json`` saying that the UNet is inflated.

References
----------
Wu, J. Z. et al. Tune-A-Video: One-Shot Tuning of Image Diffusion Models for Text-to-Video
Generation. ICCV 2023. https://arxiv.org/abs/2212.11565
"""

import json
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional

from ..fileio import atomic_path, write_json

VIDEO_CONFIG = "video_unet.json"
WEIGHTS = "diffusion_pytorch_model.safetensors"
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
        # Temporal attention: every spatial position attends across the clip's frames.
        length = hidden_states.shape[1]
        across_frames = (
            hidden_states.unflatten(0, (-1, num_frames)).transpose(1, 2).flatten(0, 1)
        )  # (clips · positions, frames, channels)
        across_frames = across_frames + self.attn_temp(self.norm_temp(across_frames))
        hidden_states = (
            across_frames.unflatten(0, (-1, length)).transpose(1, 2).reshape_as(hidden_states)
        )
        return hidden_states + self.ff(self.norm3(hidden_states))


class VideoUNet(nn.Module):
    """A diffusers ``UNet2DConditionModel`` inflated to clips of frames.

    Parameters
    ----------
    unet : diffusers.UNet2DConditionModel
        Modified in place: every transformer block becomes a :class:`VideoTransformerBlock`.
    seed : int
        Seeds the initial weights of the temporal attention.

    Notes
    -----
    Build one with :meth:`from_stable_diffusion` (inflate the UNet of a local SD folder) or
    :meth:`from_pretrained` (a saved video UNet); :meth:`save_pretrained` writes the diffusers
    layout.
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
        """Write ``config.json``, the weights and ``video_unet.json`` to ``folder``, atomically."""
        with atomic_path(folder) as temporary:
            self.unet.save_pretrained(temporary, safe_serialization=True)
            write_json(
                Path(temporary) / VIDEO_CONFIG,
                {
                    "inflation": "tune-a-video",
                    "self_attention": "sparse-causal (first and previous frame)",
                    "temporal_attention": "attn_temp after cross-attention",
                },
            )
        return Path(folder)

    @classmethod
    def from_pretrained(cls, folder: str | Path) -> "VideoUNet":
        """Load what :meth:`save_pretrained` wrote; every weight must be present."""
        from diffusers import UNet2DConditionModel
        from safetensors.torch import load_file

        folder = Path(folder)
        for name in ("config.json", VIDEO_CONFIG, WEIGHTS):
            if not (folder / name).is_file():
                raise FileNotFoundError(
                    f"{str(folder)!r} is not a saved video UNet: it lacks {name}."
                )
        config = json.loads((folder / "config.json").read_text())
        model = cls(UNet2DConditionModel.from_config(config))
        model.unet.load_state_dict(load_file(folder / WEIGHTS), strict=True)
        return model
