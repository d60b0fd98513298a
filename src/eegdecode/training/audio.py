"""The audio decoder's stage: windows of high-gamma envelopes and their mel frames, training
on the first part of the recording, prediction of the non-overlapping test windows."""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..fileio import atomic_path, write_csv, write_json
from ..models.audio_seq2seq import AudioSeq2Seq, AudioSeq2SeqConfig
from ..signal.mel import MelConfig
from .loop import FitResult, TrainConfig, fit, predict
from .scaling import Standardizer
from .splits import ChronologicalWindows

NORMALIZATION = "normalization.json"
# What vocode_test_set writes of every utterance, in the order a listener compares them.
AUDIO_VERSIONS = ("recorded", "resynthesised", "decoded")


def mel_frames_per_window(window_s: float, mel: MelConfig) -> int:
    """Frames of a centred STFT of one target window: 35 for 0.4 s at hop 256 and 22,050 Hz."""
    return mel.n_frames(int(window_s * mel.sfreq))


def target_first_frames(
    windows: ChronologicalWindows, split: str, seeg_sfreq: float, mel: MelConfig
) -> np.ndarray:
    """Index of the mel frame at the start of each window's target (to the nearest frame)."""
    seconds = windows.target_starts(split) / seeg_sfreq
    return np.round(seconds * mel.sfreq / mel.hop_length).astype(int)


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
    first_frames = target_first_frames(windows, split, seeg_sfreq, mel)
    if first_frames.max() + n_frames > len(log_mel):
        raise ValueError(
            f"The mel spectrogram has {len(log_mel)} frames, but the last {split} window needs "
            f"frames up to {first_frames.max() + n_frames}: the audio is shorter than the sEEG."
        )
    inputs = np.stack([envelope[:, start : start + windows.span] for start in starts])
    targets = np.stack([log_mel[first : first + n_frames] for first in first_frames])
    return inputs.astype(np.float32), targets.astype(np.float32)


def assemble_windows(windows: np.ndarray, first_frames: np.ndarray) -> np.ndarray:
    """Place consecutive windows of frames on one time line; overlapping frames are averaged.

    Test windows tile the test part, but a window's frames span a little more than its
    samples (35 frames of 11.6 ms for 0.4 s), so neighbours share a frame; laid end to end
    they would drift from the audio by about 1.5 %.

    Parameters
    ----------
    windows : ndarray, shape (n_windows, n_frames, n_mels)
    first_frames : ndarray of int, shape (n_windows,)
        Frame index of each window's first frame, increasing.

    Returns
    -------
    timeline : ndarray of float32, shape (first_frames[-1] − first_frames[0] + n_frames, n_mels)
        Starting at ``first_frames[0]``.
    """
    first_frames = np.asarray(first_frames) - first_frames[0]
    if len(first_frames) != len(windows) or np.any(np.diff(first_frames) <= 0):
        raise ValueError("first_frames must give one increasing start per window.")
    n_frames = windows.shape[1]
    total = np.zeros((first_frames[-1] + n_frames, windows.shape[2]))
    counts = np.zeros(len(total))
    for window, first in zip(windows, first_frames, strict=True):
        total[first : first + n_frames] += window
        counts[first : first + n_frames] += 1
    if np.any(counts == 0):
        raise ValueError("The windows leave frames uncovered: they are not consecutive.")
    return (total / counts[:, None]).astype(np.float32)


def vocode_test_set(
    folder: str | Path,
    *,
    recorded: np.ndarray,
    target_mel: np.ndarray,
    predicted_mel: np.ndarray,
    vocoder,
    segment_options: dict | None = None,
) -> list[dict]:
    """Write the test set's audio, whole and per utterance, for listening side by side.

    Three versions: ``recorded`` (the audio itself), ``resynthesised`` (its true mel through the
    vocoder, the most a perfect decoder could sound like) and ``decoded`` (the predicted mel
    through the vocoder). Utterances are found in the recorded audio
    (:func:`~eegdecode.signal.speech_segments`) and cut from all three at the same samples.

    Parameters
    ----------
    folder : str | Path
        Gets ``{recorded,resynthesised,decoded}.wav``, ``utterances/<i>_<version>.wav`` and
        ``utterances.csv``, written whole or not at all.
    recorded : ndarray, shape (n_samples,)
        The test part's audio at ``vocoder.mel.sfreq``, from the first target frame on.
    target_mel, predicted_mel : ndarray, shape (n_frames, n_mels)
        Time lines from :func:`assemble_windows`.
    vocoder : MelVocoder
    segment_options : dict | None
        Passed to :func:`~eegdecode.signal.speech_segments`.

    Returns
    -------
    utterances : list of dict
        ``utterance``, ``start_s``, ``stop_s`` (in the test part) of every utterance.
    """
    from ..fileio import save_wav
    from ..signal.speech import speech_segments

    sfreq = vocoder.mel.sfreq
    versions = dict(
        zip(AUDIO_VERSIONS, (recorded, vocoder(target_mel), vocoder(predicted_mel)), strict=True)
    )
    length = min(len(audio) for audio in versions.values())
    versions = {version: audio[:length] for version, audio in versions.items()}
    segments = speech_segments(versions["recorded"], sfreq, **(segment_options or {}))
    rows = []
    with atomic_path(folder) as temporary:
        for version, audio in versions.items():
            save_wav(temporary / f"{version}.wav", audio, sfreq)
        for index, (start, stop) in enumerate(segments):
            for version, audio in versions.items():
                save_wav(temporary / "utterances" / f"{index}_{version}.wav", audio[start:stop],
                         sfreq)  # fmt: skip
            rows.append({"utterance": index, "start_s": start / sfreq, "stop_s": stop / sfreq})
        write_csv(temporary / "utterances.csv", rows, ["utterance", "start_s", "stop_s"])
    return rows


@dataclass
class TrainedAudioDecoder:
    """The decoder and the per-channel standardisation of its inputs (training part only)."""

    model: AudioSeq2Seq
    scaler: Standardizer
    fit: FitResult | None = None

    def predict(self, inputs: np.ndarray, *, batch_size: int = 256, seed: int = 0) -> np.ndarray:
        """(n_windows, n_channels, span) envelopes → (n_windows, n_frames, n_mels) log-mel.

        The prenet keeps its dropout at inference (Tacotron 2), so predictions are random;
        ``seed`` fixes them without touching the caller's random state.
        """
        self.model.eval()
        scaled = torch.from_numpy(self.scaler.transform_channels(inputs))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
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
