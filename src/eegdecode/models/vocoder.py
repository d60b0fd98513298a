"""Audio from a log-mel spectrogram: a pretrained WaveGlow when one is configured, else
Griffin-Lim (the demo default, which needs no weights)."""

from pathlib import Path

import numpy as np
import torch

from .._logging import logger
from ..devices import resolve_device
from ..signal.mel import MelConfig, griffin_lim
from .waveglow import WaveGlow, WaveGlowConfig, load_waveglow_checkpoint


class MelVocoder:
    """Turns (n_frames, n_mels) log-mel spectrograms into mono audio at ``mel.sfreq``.

    Parameters
    ----------
    mel : MelConfig
        The settings the spectrograms were computed with.
    waveglow : WaveGlow | None
        The vocoder network; None uses Griffin-Lim. Its mel bins and upsampling stride must
        equal ``mel.n_mels`` and ``mel.hop_length``.
    sigma : float
        Scale of WaveGlow's latent noise (0.6, as published).
    n_iter : int
        Griffin-Lim iterations.
    seed : int
        Seeds WaveGlow's noise or Griffin-Lim's initial phase, so a rerun writes the same audio.
    device : 'auto' | 'cpu' | 'cuda'
        Where WaveGlow runs.
    """

    def __init__(
        self,
        mel: MelConfig,
        waveglow: WaveGlow | None = None,
        *,
        sigma: float = 0.6,
        n_iter: int = 60,
        seed: int = 0,
        device: str = "auto",
    ):
        if waveglow is not None:
            found = (waveglow.config.n_mel_channels, waveglow.config.upsample_stride)
            if found != (mel.n_mels, mel.hop_length):
                raise ValueError(
                    f"The WaveGlow checkpoint expects {found[0]} mel bins at a hop of {found[1]} "
                    f"samples, but the mel spectrograms have {mel.n_mels} bins at a hop of "
                    f"{mel.hop_length}."
                )
            self.device = resolve_device(device)
            waveglow = waveglow.to(self.device).eval()
        self.mel, self.waveglow = mel, waveglow
        self.sigma, self.n_iter, self.seed = sigma, n_iter, seed

    @classmethod
    def from_files(
        cls,
        mel: MelConfig,
        checkpoint: str | Path | None,
        architecture: str | Path | None = None,
        **options,
    ) -> "MelVocoder":
        """WaveGlow from ``checkpoint`` (its NVIDIA ``config.json`` in ``architecture``, else
        the hyper-parameters the checkpoint holds, else the 256-channel published model), or
        Griffin-Lim when ``checkpoint`` is None."""
        if checkpoint is None:
            return cls(mel, None, **options)
        config = WaveGlowConfig.from_nvidia_json(architecture) if architecture else None
        return cls(mel, load_waveglow_checkpoint(checkpoint, config), **options)

    @property
    def name(self) -> str:
        return "griffin_lim" if self.waveglow is None else "waveglow"

    def __call__(self, log_mel: np.ndarray) -> np.ndarray:
        """(n_frames, n_mels) log-mel → float32 audio in [−1, 1]."""
        log_mel = np.asarray(log_mel, dtype=np.float32)
        if log_mel.ndim != 2 or log_mel.shape[1] != self.mel.n_mels:
            raise ValueError(
                f"log_mel must be (n_frames, {self.mel.n_mels}), got shape {log_mel.shape}."
            )
        if self.waveglow is None:
            return griffin_lim(log_mel, self.mel, n_iter=self.n_iter, seed=self.seed)
        # The noise is drawn on the CPU, so a seed gives the same audio on every device.
        generator = torch.Generator().manual_seed(self.seed)
        mel = torch.from_numpy(log_mel.T.copy())[None].to(self.device)
        audio = self.waveglow.infer(mel, sigma=self.sigma, generator=generator)
        audio = audio[0].float().cpu().numpy()
        peak = float(np.abs(audio).max(initial=0.0))
        if peak > 1.0:
            logger.info("WaveGlow output peaks at %.2f; clipped to [-1, 1]", peak)
        return np.clip(audio, -1.0, 1.0)
