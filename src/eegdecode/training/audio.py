"""The audio decoder's stage: windows of high-gamma envelopes and their mel frames, training
on the first part of the recording, prediction of the non-overlapping test windows."""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..fileio import atomic_path, write_json
from ..models.audio_seq2seq import AudioSeq2Seq, AudioSeq2SeqConfig
from ..signal.mel import MelConfig
from .loop import FitResult, TrainConfig, fit, predict
from .scaling import Standardizer
from .splits import ChronologicalWindows

NORMALIZATION = "normalization.json"


def mel_frames_per_window(window_s: float, mel: MelConfig) -> int:
    """Frames of a centred STFT of one target window: 35 for 0.4 s at hop 256 and 22,050 Hz."""
    return mel.n_frames(int(window_s * mel.sfreq))


def window_pairs(
    envelope: np.ndarray,
    seeg_sfreq: float,
    log_mel: np.ndarray,
    mel: MelConfig,
    windows: ChronologicalWindows,
    split: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Input spans of the envelope and the mel frames of their target windows.

    The mel of the whole recording is cut, not recomputed per window: the target of a window
    starting at time t is the ``n`` frames whose centres lie at ``t, t + hop, …`` (to the
    nearest frame).

    Parameters
    ----------
    envelope : ndarray, shape (n_channels, n_times)
    seeg_sfreq : float
    log_mel : ndarray, shape (n_frames, n_mels)
        Of the audio paired with the envelope, from time 0.
    mel : MelConfig
    windows : ChronologicalWindows
    split : 'train' | 'validation' | 'test'

    Returns
    -------
    inputs : ndarray of float32, shape (n_windows, n_channels, span)
    targets : ndarray of float32, shape (n_windows, n_frames, n_mels)
    """
    starts = windows.starts[split]
    n_frames = mel_frames_per_window(windows.window / seeg_sfreq, mel)
    first_frames = np.round(
        windows.target_starts(split) / seeg_sfreq * mel.sfreq / mel.hop_length
    ).astype(int)
    if first_frames.max() + n_frames > len(log_mel):
        raise ValueError(
            f"The mel spectrogram has {len(log_mel)} frames, but the last {split} window needs "
            f"frames up to {first_frames.max() + n_frames}: the audio is shorter than the sEEG."
        )
    inputs = np.stack([envelope[:, start : start + windows.span] for start in starts])
    targets = np.stack([log_mel[first : first + n_frames] for first in first_frames])
    return inputs.astype(np.float32), targets.astype(np.float32)


@dataclass
class TrainedAudioDecoder:
    """The decoder and the per-channel standardisation of its inputs (training part only)."""

    model: AudioSeq2Seq
    scaler: Standardizer
    fit: FitResult | None = None

    def predict(self, inputs: np.ndarray, *, batch_size: int = 256) -> np.ndarray:
        """(n_windows, n_channels, span) envelopes → (n_windows, n_frames, n_mels) log-mel."""
        self.model.eval()
        scaled = torch.from_numpy(self.scaler.transform_channels(inputs))
        return predict(self.model, scaled, batch_size=batch_size).numpy()

    def save(self, folder: str | Path) -> Path:
        """Write ``config.json``, ``model.safetensors`` and ``normalization.json``, atomically."""
        folder = Path(folder)
        with atomic_path(folder) as temporary:
            self.model.save_pretrained(temporary)
            write_json(temporary / NORMALIZATION, {"envelope": self.scaler.to_dict()})
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> "TrainedAudioDecoder":
        """Read what :meth:`save` wrote (the training history is not kept)."""
        folder = Path(folder)
        if not (folder / NORMALIZATION).is_file():
            raise FileNotFoundError(f"Model folder {str(folder)!r} lacks {NORMALIZATION}.")
        stats = json.loads((folder / NORMALIZATION).read_text())
        return cls(AudioSeq2Seq.from_pretrained(folder), Standardizer.from_dict(stats["envelope"]),
                   fit=None)  # fmt: skip


def train_audio_decoder(
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    *,
    model_config: dict,
    train_config: TrainConfig,
    workdir: str | Path | None = None,
) -> TrainedAudioDecoder:
    """Fit :class:`AudioSeq2Seq` on training windows; the validation loss picks the epoch.

    Envelopes are z-scored per channel with the training part's statistics (spec §3); the
    targets are used as they are.
    """
    if train_config.monitor not in ("val_loss", "train_loss"):
        raise ValueError(
            f"The audio decoder is a regression: monitor 'val_loss' (or 'train_loss'), not "
            f"{train_config.monitor!r}."
        )
    inputs, targets = train
    scaler = Standardizer.fit_channels(inputs)
    config = AudioSeq2SeqConfig.from_dict(
        {**model_config, "n_channels": inputs.shape[1], "n_frames": targets.shape[1],
         "n_mels": targets.shape[2]}
    )  # fmt: skip
    torch.manual_seed(train_config.seed)
    model = AudioSeq2Seq(config)
    result = fit(
        model,
        (torch.from_numpy(scaler.transform_channels(inputs)), torch.from_numpy(targets)),
        (
            torch.from_numpy(scaler.transform_channels(validation[0])),
            torch.from_numpy(validation[1]),
        ),
        loss="mse",
        config=train_config,
        workdir=workdir,
        progress=True,
    )
    return TrainedAudioDecoder(result.model, scaler, result)
