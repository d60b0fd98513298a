"""WaveGlow (Prenger et al. 2019): a flow-based vocoder from 80-bin mel spectrograms to audio.

Parameter names follow NVIDIA's implementation, so the published weights load into it (see
:func:`load_waveglow_checkpoint`). Weight normalisation is folded into plain weights at load
time: inference never needs it.
"""

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional

from .base import ModelConfig, PretrainedModel, load_published_weights


@dataclass(frozen=True)
class WaveGlowConfig(ModelConfig):
    """Parameters of :class:`WaveGlow`; the defaults are the published 22,050 Hz model's.

    Parameters
    ----------
    n_mel_channels : int
        Mel bins (80).
    n_flows : int
        Affine coupling flows (12).
    n_group : int
        Audio samples folded into channels (8).
    n_early_every, n_early_size : int
        Every ``n_early_every`` flows, ``n_early_size`` channels leave the flow early (4, 2).
    wn_layers, wn_channels, wn_kernel_size : int
        The WaveNet-like coupling network of each flow (8 layers; 256 or 512 channels in the
        published checkpoints; kernel 3).
    upsample_kernel, upsample_stride : int
        Transposed convolution bringing mel frames to audio rate (1024, 256 = hop length).
    """

    n_mel_channels: int = 80
    n_flows: int = 12
    n_group: int = 8
    n_early_every: int = 4
    n_early_size: int = 2
    wn_layers: int = 8
    wn_channels: int = 256
    wn_kernel_size: int = 3
    upsample_kernel: int = 1024
    upsample_stride: int = 256

    @classmethod
    def from_nvidia_json(cls, path: str | Path) -> "WaveGlowConfig":
        """The architecture in NVIDIA's ``config.json`` (its ``waveglow_config`` block).

        NVIDIA's code fixes the upsampling at kernel 1024, stride 256; so does this reader.
        """
        import json

        path = Path(path)
        try:
            document = json.loads(path.read_text())
            return cls.from_nvidia_dict(document.get("waveglow_config", document))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise ValueError(
                f"{str(path)!r} is not a WaveGlow config.json with a 'waveglow_config' block "
                f"(n_mel_channels, n_flows, n_group, n_early_every, n_early_size, WN_config): "
                f"{error!r}"
            ) from error

    @classmethod
    def from_nvidia_dict(cls, block: dict) -> "WaveGlowConfig":
        """The architecture in NVIDIA's hyper-parameter dict: ``config.json``'s
        ``waveglow_config`` block, or the ``config`` entry of a DeepLearningExamples
        checkpoint (the same keys)."""
        wavenet = block["WN_config"]
        return cls(
            n_mel_channels=int(block["n_mel_channels"]), n_flows=int(block["n_flows"]),
            n_group=int(block["n_group"]), n_early_every=int(block["n_early_every"]),
            n_early_size=int(block["n_early_size"]), wn_layers=int(wavenet["n_layers"]),
            wn_channels=int(wavenet["n_channels"]), wn_kernel_size=int(wavenet["kernel_size"]),
        )  # fmt: skip

    def to_nvidia_json(self) -> dict:
        """The ``waveglow_config`` block of NVIDIA's ``config.json`` for this architecture."""
        if (self.upsample_kernel, self.upsample_stride) != (1024, 256):
            raise ValueError("NVIDIA's layout fixes the upsampling at kernel 1024, stride 256.")
        return {
            "n_mel_channels": self.n_mel_channels, "n_flows": self.n_flows,
            "n_group": self.n_group, "n_early_every": self.n_early_every,
            "n_early_size": self.n_early_size,
            "WN_config": {"n_layers": self.wn_layers, "n_channels": self.wn_channels,
                          "kernel_size": self.wn_kernel_size},
        }  # fmt: skip


class WaveNetCoupling(nn.Module):
    """WN: dilated gated convolutions conditioned on the upsampled mel, output ``(b, log s)``."""

    def __init__(self, n_in: int, n_mel: int, n_layers: int, n_channels: int, kernel_size: int):
        super().__init__()
        self.n_layers, self.n_channels = n_layers, n_channels
        self.start = nn.Conv1d(n_in, n_channels, 1)
        self.cond_layer = nn.Conv1d(n_mel, 2 * n_channels * n_layers, 1)
        self.in_layers = nn.ModuleList(
            nn.Conv1d(
                n_channels,
                2 * n_channels,
                kernel_size,
                dilation=2**i,
                padding=(kernel_size * 2**i - 2**i) // 2,
            )
            for i in range(n_layers)
        )
        self.res_skip_layers = nn.ModuleList(
            nn.Conv1d(n_channels, 2 * n_channels if i < n_layers - 1 else n_channels, 1)
            for i in range(n_layers)
        )
        self.end = nn.Conv1d(n_channels, 2 * n_in, 1)
        # The coupling starts as the identity, as in the reference.
        nn.init.zeros_(self.end.weight)
        nn.init.zeros_(self.end.bias)

    def forward(self, audio: torch.Tensor, spect: torch.Tensor) -> torch.Tensor:
        audio = self.start(audio)
        condition = self.cond_layer(spect)
        output = torch.zeros_like(audio)
        width = self.n_channels
        for i, (in_layer, res_skip) in enumerate(
            zip(self.in_layers, self.res_skip_layers, strict=True)
        ):
            acts = in_layer(audio) + condition[:, 2 * width * i : 2 * width * (i + 1)]
            acts = torch.tanh(acts[:, :width]) * torch.sigmoid(acts[:, width:])
            res_skip_acts = res_skip(acts)
            if i < self.n_layers - 1:
                audio = audio + res_skip_acts[:, :width]
                output = output + res_skip_acts[:, width:]
            else:
                output = output + res_skip_acts
        return self.end(output)


class Invertible1x1Conv(nn.Module):
    """A channel mixing with an orthonormal initial weight of determinant +1."""

    def __init__(self, channels: int):
        super().__init__()
        self.conv = nn.Conv1d(channels, channels, 1, bias=False)
        weight = torch.linalg.qr(torch.randn(channels, channels))[0]
        if torch.det(weight) < 0:
            weight[:, 0] = -weight[:, 0]
        self.conv.weight.data = weight[:, :, None].contiguous()

    def forward(self, z: torch.Tensor, reverse: bool = False) -> torch.Tensor:
        weight = self.conv.weight.squeeze(-1)
        if reverse:
            weight = torch.linalg.inv(weight.double()).to(z.dtype)
        return functional.conv1d(z, weight[:, :, None])


class WaveGlow(PretrainedModel):
    """``infer(mel)`` turns (batch, n_mels, frames) into (batch, samples) audio."""

    config_class = WaveGlowConfig

    def __init__(self, config: WaveGlowConfig):
        super().__init__(config)
        c = config
        self.upsample = nn.ConvTranspose1d(c.n_mel_channels, c.n_mel_channels,
                                           c.upsample_kernel, stride=c.upsample_stride)  # fmt: skip
        self.WN, self.convinv = nn.ModuleList(), nn.ModuleList()
        remaining = c.n_group
        for k in range(c.n_flows):
            if k % c.n_early_every == 0 and k > 0:
                remaining -= c.n_early_size
            self.convinv.append(Invertible1x1Conv(remaining))
            self.WN.append(
                WaveNetCoupling(
                    remaining // 2,
                    c.n_mel_channels * c.n_group,
                    c.wn_layers,
                    c.wn_channels,
                    c.wn_kernel_size,
                )
            )
        self.n_remaining_channels = remaining

    def _condition(self, mel: torch.Tensor) -> torch.Tensor:
        """Upsampled mel folded like the audio: (B, n_mels · n_group, samples / n_group)."""
        c = self.config
        spect = self.upsample(mel)
        spect = spect[:, :, : -(c.upsample_kernel - c.upsample_stride)]
        spect = spect.unfold(2, c.n_group, c.n_group).permute(0, 2, 1, 3)
        return spect.reshape(len(mel), spect.shape[1], -1).permute(0, 2, 1)

    def forward(self, mel: torch.Tensor, audio: torch.Tensor) -> list[torch.Tensor]:
        """Audio → the latent channels: those that left early, then the last flow's."""
        c = self.config
        spect = self._condition(mel)
        audio = audio[:, : spect.shape[2] * c.n_group]
        audio = audio.unfold(1, c.n_group, c.n_group).permute(0, 2, 1)
        latents = []
        for k in range(c.n_flows):
            if k % c.n_early_every == 0 and k > 0:
                latents.append(audio[:, : c.n_early_size])
                audio = audio[:, c.n_early_size :]
            audio = self.convinv[k](audio)
            half = audio.shape[1] // 2
            output = self.WN[k](audio[:, :half], spect)
            audio = torch.cat([audio[:, :half], torch.exp(output[:, half:]) * audio[:, half:]
                               + output[:, :half]], dim=1)  # fmt: skip
        return [*latents, audio]

    @torch.no_grad()
    def infer(
        self, mel: torch.Tensor, *, sigma: float = 0.6, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """Sample audio for (batch, n_mels, frames) log-mel (sigma 0.6, as published)."""
        return self.decode(mel, self._noise(mel, sigma, generator))

    def _noise(self, mel, sigma, generator) -> list[torch.Tensor]:
        c = self.config
        length = (mel.shape[2] - 1) * c.upsample_stride + c.upsample_kernel
        steps = (length - (c.upsample_kernel - c.upsample_stride)) // c.n_group
        shapes = [c.n_early_size] * ((c.n_flows - 1) // c.n_early_every)
        return [
            sigma * torch.randn(len(mel), n, steps, generator=generator).to(mel)
            for n in [*shapes, self.n_remaining_channels]
        ]

    def decode(self, mel: torch.Tensor, latents: list[torch.Tensor]) -> torch.Tensor:
        """The inverse of :meth:`forward`: latents (as it returns them) → audio."""
        c = self.config
        spect = self._condition(mel)
        early, audio = list(latents[:-1]), latents[-1]
        for k in reversed(range(c.n_flows)):
            half = audio.shape[1] // 2
            output = self.WN[k](audio[:, :half], spect)
            unscaled = (audio[:, half:] - output[:, :half]) / torch.exp(output[:, half:])
            audio = self.convinv[k](torch.cat([audio[:, :half], unscaled], dim=1), reverse=True)
            if k % c.n_early_every == 0 and k > 0:
                audio = torch.cat([early.pop(), audio], dim=1)
        return audio.permute(0, 2, 1).reshape(len(mel), -1)


def _fuse_condition_layers(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """DeepLearningExamples' per-layer ``WN.k.cond_layers.i`` → the fused ``WN.k.cond_layer``.

    Each per-layer conv maps the folded mel to that layer's ``2 · n_channels`` gate inputs;
    the fused conv's output is the layers' outputs one after the other, so its weight and bias
    are theirs concatenated in layer order (weight norm, per output channel, already folded).
    """
    import re

    pattern = re.compile(r"^(WN\.\d+)\.cond_layers\.(\d+)\.(weight|bias)$")
    fused, layers = {}, {}
    for name, value in state.items():
        match = pattern.match(name)
        if match is None:
            fused[name] = value
        else:
            flow, layer, kind = match.groups()
            layers.setdefault((flow, kind), {})[int(layer)] = value
    for (flow, kind), parts in layers.items():
        if sorted(parts) != list(range(len(parts))):
            raise ValueError(f"{flow}.cond_layers has layers {sorted(parts)}, not 0..n-1.")
        fused[f"{flow}.cond_layer.{kind}"] = torch.cat([parts[i] for i in range(len(parts))])
    return fused


def _fold_weight_norm(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """``weight_g``/``weight_v`` pairs (``torch.nn.utils.weight_norm``) → plain ``weight``."""
    folded = {}
    for name, value in state.items():
        if name.endswith(".weight_g"):
            continue
        if name.endswith(".weight_v"):
            stem = name[: -len(".weight_v")]
            g = state[f"{stem}.weight_g"]
            norm = value.flatten(1).norm(dim=1).view(-1, *([1] * (value.dim() - 1)))
            folded[f"{stem}.weight"] = g * value / norm
        else:
            folded[name] = value
    return folded


# The layers NVIDIA wraps in torch.nn.utils.weight_norm: all of a coupling's but its last.
_WEIGHT_NORMED = (".start.", ".cond_layer.", ".in_layers.", ".res_skip_layers.")


def save_waveglow_checkpoint(model: WaveGlow, folder: str | Path) -> Path:
    """Write ``waveglow.pt`` and ``config.json`` as NVIDIA publishes them, atomically.

    The checkpoint is ``{"state_dict": {"module.…": tensor}}`` with the couplings' layers
    weight-normalised (``weight_g``, ``weight_v``), as a model trained with NVIDIA's code on
    several GPUs saves it; it holds tensors only, so it loads with ``weights_only=True``.
    """
    from ..fileio import atomic_path, write_json

    state = {}
    for name, value in model.state_dict().items():
        if (
            name.startswith("WN.")
            and name.endswith(".weight")
            and any(layer in name for layer in _WEIGHT_NORMED)
        ):
            stem = f"module.{name.removesuffix('.weight')}"
            state[f"{stem}.weight_g"] = value.flatten(1).norm(dim=1).view(-1, 1, 1).clone()
            state[f"{stem}.weight_v"] = value.clone()
        else:
            state[f"module.{name}"] = value.clone()
    folder = Path(folder)
    with atomic_path(folder) as temporary:
        temporary.mkdir()
        torch.save({"state_dict": state}, temporary / "waveglow.pt")
        write_json(temporary / "config.json",
                   {"waveglow_config": model.config.to_nvidia_json()})  # fmt: skip
    return folder


def build_tiny_waveglow(folder: str | Path, *, seed: int = 0, n_mel_channels: int = 80) -> Path:
    """A tiny random WaveGlow (4 flows of 2 × 16-channel layers) in NVIDIA's layout.

    Its couplings are perturbed away from the identity they start as, so that loading it
    exercises every weight. For the demo and the tests; it makes noise, not speech.
    """
    torch.manual_seed(seed)
    model = WaveGlow(WaveGlowConfig(n_mel_channels=n_mel_channels, n_flows=4, wn_layers=2,
                                    wn_channels=16))  # fmt: skip
    for coupling in model.WN:
        nn.init.normal_(coupling.end.weight, std=0.05)
    return save_waveglow_checkpoint(model, folder)


def load_waveglow_checkpoint(path: str | Path, config: WaveGlowConfig | None = None) -> WaveGlow:
    """WaveGlow from a published checkpoint's weights, without unpickling any object.

    Both published layouts load, from ``.safetensors`` or from a ``torch.save`` file of
    tensors, numbers and dicts only (read with ``torch.load(weights_only=True)``):

    - NVIDIA DeepLearningExamples, whose torch-hub checkpoints are
      ``nvidia_waveglowpyt_fp32_20190306.pth`` and ``nvidia_waveglowpyt_fp32_20190427``:
      ``{"state_dict": …, "config": {hyper-parameters}}``, one conditioning conv per WN layer
      (``WN.k.cond_layers.i``), 512 WN channels. The layers are fused into one conv (the same
      network); the architecture comes from the checkpoint's ``config``.
    - NVIDIA/waveglow's, with the single fused ``WN.k.cond_layer``, as a ``state_dict``.

    Weight-normalised layers (``weight_g``, ``weight_v``) are folded, and the ``module.`` /
    ``module.1.`` prefixes of a model trained on several GPUs are dropped. NVIDIA/waveglow's
    ``waveglow_256channels*.pt`` files pickle the whole model object and cannot be read this
    way: load one once with NVIDIA's code and ``torch.save(model.state_dict(), path)``.

    Parameters
    ----------
    path : str | Path
        The checkpoint.
    config : WaveGlowConfig | None
        Its architecture: default, the checkpoint's own ``config``, else the published one with
        256 WN channels. A given config that contradicts the checkpoint's is refused.

    Returns
    -------
    model : WaveGlow
        In eval mode.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"WaveGlow checkpoint {str(path)!r} does not exist.")
    state = load_published_weights(
        path,
        instead="A checkpoint that pickles the whole model must be converted once with "
        "torch.save(model.state_dict(), ...).",
    )
    hyper_parameters = state.get("config")
    state = state.get("state_dict", state.get("model", state))
    if not isinstance(state, dict) or not all(isinstance(t, torch.Tensor) for t in state.values()):
        raise ValueError(f"{str(path)!r} holds no WaveGlow state dict of tensors.")
    state = {name.removeprefix("module.1.").removeprefix("module."): t for name, t in state.items()}
    state = _fuse_condition_layers(_fold_weight_norm(state))
    if isinstance(hyper_parameters, dict):
        try:
            own = WaveGlowConfig.from_nvidia_dict(hyper_parameters)
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(
                f"{str(path)!r}: its 'config' is not NVIDIA's WaveGlow hyper-parameters "
                f"(n_mel_channels, n_flows, n_group, n_early_every, n_early_size, WN_config): "
                f"{error!r}"
            ) from None
        if config is not None and config != own:
            raise ValueError(
                f"{str(path)!r} was trained as {own}, which contradicts the configured "
                f"{config} (audio.vocoder.waveglow_config); leave that key empty to use the "
                f"checkpoint's own."
            )
        config = own
    config = config or WaveGlowConfig()
    model = WaveGlow(config)
    try:
        missing, unexpected = model.load_state_dict(state, strict=False)
    except RuntimeError as error:  # tensors of other shapes
        raise ValueError(
            f"{str(path)!r} does not fit {config}: {str(error).splitlines()[1].strip()}"
        ) from error
    if missing or unexpected:
        raise ValueError(
            f"{str(path)!r} does not fit {config}: missing {sorted(missing)[:5]}, "
            f"unexpected {sorted(unexpected)[:5]}."
        )
    return model.eval()
