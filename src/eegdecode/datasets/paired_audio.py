"""Paired intracranial recordings and speech audio, one pair per participant.

The sEEG comes from any file MNE reads (EDF, BrainVision, FIF, …), from a ``.npy`` array with
its sampling rate stated in the config (the layout of Kohler et al.'s release), or from an NWB
file (SingleWordProductionDutch; needs ``pynwb``). The audio is WAV or FLAC, read with
soundfile. The two start together unless ``audio_offset_s`` says otherwise, and must cover the
same time span.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._logging import logger
from ..artifacts import AxisArray, write_artifact


@dataclass(frozen=True)
class PairedRecording:
    """One participant's sEEG and the audio spoken meanwhile, on a common time axis.

    Attributes
    ----------
    seeg : ndarray of float32, shape (n_channels, n_times)
    seeg_sfreq : float
    channel_names : list of str
    audio : ndarray of float32, shape (n_samples,)
        Mono, in [−1, 1].
    audio_sfreq : float
    """

    seeg: np.ndarray
    seeg_sfreq: float
    channel_names: list[str]
    audio: np.ndarray
    audio_sfreq: float

    @property
    def duration_s(self) -> float:
        return self.seeg.shape[1] / self.seeg_sfreq


def _check_finite(values: np.ndarray, path: Path, what: str) -> None:
    if not np.all(np.isfinite(values)):
        count = int(np.sum(~np.isfinite(values)))
        raise ValueError(f"{path} holds {count} NaN or infinite {what} values.")


def load_seeg(
    path: str | Path, *, sfreq: float | None = None, time_axis: int = 0
) -> tuple[np.ndarray, float, list[str]]:
    """Read an sEEG recording as (n_channels, n_times), its rate and its channel names.

    Parameters
    ----------
    path : str | Path
        ``.npy``, ``.nwb``, or any format ``mne.io.read_raw`` reads.
    sfreq : float | None
        Required for ``.npy``; for other formats, if given, the file's rate must equal it.
    time_axis : 0 | 1
        Axis of time in a ``.npy`` array (0: (n_times, n_channels), Kohler et al.'s layout).

    Returns
    -------
    data, sfreq, channel_names
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"sEEG file {str(path)!r} does not exist.")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        if sfreq is None:
            raise ValueError(f"{path} is a bare array: state its sampling rate (seeg_sfreq).")
        try:
            data = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as error:
            raise ValueError(f"Cannot read the sEEG file {path}: {error}") from error
        if data.ndim != 2:
            raise ValueError(f"{path} must hold a 2-D (time, channel) array, got {data.shape}.")
        data = data.T if time_axis == 0 else data
        names = [f"ch{index + 1}" for index in range(len(data))]
        file_sfreq = sfreq
    elif suffix == ".nwb":
        data, file_sfreq, names = _load_nwb(path)
    else:
        import mne

        try:
            raw = mne.io.read_raw(path, preload=True, verbose="error")
        except (OSError, ValueError, RuntimeError, KeyError) as error:
            raise ValueError(f"Cannot read the sEEG file {path}: {error}") from error
        data, file_sfreq, names = raw.get_data(), raw.info["sfreq"], list(raw.ch_names)
    if sfreq is not None and not np.isclose(file_sfreq, sfreq):
        raise ValueError(
            f"{path} is sampled at {file_sfreq:g} Hz, but the config says {sfreq:g} Hz."
        )
    _check_finite(data, path, "sEEG")
    return np.asarray(data, dtype=np.float32), float(file_sfreq), names


def _load_nwb(path: Path):
    try:
        from pynwb import NWBHDF5IO
    except ImportError as error:
        raise ImportError(f"Reading {path} needs pynwb: pip install 'eegdecode[nwb]'.") from error
    with NWBHDF5IO(str(path), "r") as io:
        series = io.read().acquisition["iEEG"]
        data = np.asarray(series.data[:]).T
        return data, float(series.rate), [f"ch{index + 1}" for index in range(len(data))]


def load_audio(path: str | Path) -> tuple[np.ndarray, float]:
    """Read mono audio in [−1, 1] and its rate; stereo is averaged over channels."""
    import soundfile

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Audio file {str(path)!r} does not exist.")
    try:
        audio, sfreq = soundfile.read(path, dtype="float32", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError) as error:
        raise ValueError(f"Cannot read the audio file {path}: {error}") from error
    if audio.shape[1] > 1:
        logger.info("%s has %d channels; using their mean", path, audio.shape[1])
    audio = audio.mean(axis=1)
    _check_finite(audio, path, "audio")
    return audio, float(sfreq)


def load_paired_recording(
    seeg_path: str | Path,
    audio_path: str | Path,
    *,
    seeg_sfreq: float | None = None,
    time_axis: int = 0,
    audio_offset_s: float = 0.0,
    tolerance_s: float = 0.05,
) -> PairedRecording:
    """Read one participant's sEEG and audio and cut them to their common span.

    Parameters
    ----------
    seeg_path, audio_path : str | Path
    seeg_sfreq, time_axis
        See :func:`load_seeg`.
    audio_offset_s : float
        When the audio starts, in seconds after the sEEG's first sample (negative: before).
    tolerance_s : float
        The aligned recordings may differ in length by this much (the longer is cut); a larger
        difference means they are not a pair, and is an error.

    Returns
    -------
    recording : PairedRecording
    """
    seeg, sfreq, names = load_seeg(seeg_path, sfreq=seeg_sfreq, time_axis=time_axis)
    audio, audio_sfreq = load_audio(audio_path)
    start_seeg = max(0, round(audio_offset_s * sfreq))
    start_audio = max(0, round(-audio_offset_s * audio_sfreq))
    seeg, audio = seeg[:, start_seeg:], audio[start_audio:]
    seeg_s, audio_s = seeg.shape[1] / sfreq, len(audio) / audio_sfreq
    if abs(seeg_s - audio_s) > tolerance_s:
        raise ValueError(
            f"After an audio offset of {audio_offset_s} s, {seeg_path} covers {seeg_s:.3f} s "
            f"but {audio_path} {audio_s:.3f} s (tolerance {tolerance_s} s): wrong pair, wrong "
            f"sampling rate, or a missing offset."
        )
    span = min(seeg_s, audio_s)
    return PairedRecording(
        seeg[:, : int(span * sfreq)], sfreq, names,
        audio[: int(span * audio_sfreq)], audio_sfreq,
    )  # fmt: skip


def resample_audio(audio: np.ndarray, sfreq: float, target_sfreq: float) -> np.ndarray:
    """Audio at ``target_sfreq`` (:func:`~eegdecode.signal.resample`), kept within [−1, 1]."""
    from ..signal.resample import resample

    if sfreq == target_sfreq:
        return audio
    return np.clip(resample(audio, sfreq, target_sfreq), -1.0, 1.0).astype(np.float32)


def align_recording(
    path: str | Path,
    seeg_path: str | Path,
    audio_path: str | Path,
    *,
    audio_sfreq: float,
    seeg_sfreq: float | None = None,
    time_axis: int = 0,
    audio_offset_s: float = 0.0,
    tolerance_s: float = 0.05,
    dataset: str = "",
    participant: str = "",
) -> Path:
    """Write one participant's sEEG and audio on a common time axis (rule ``align_recording``).

    The pair is read and cut to its common span (:func:`load_paired_recording`), the audio
    resampled to ``audio_sfreq`` (:func:`resample_audio`), and both written to one artifact.

    Parameters
    ----------
    path : str | Path
        The artifact: ``seeg`` (channel, time) and ``audio`` (time), each with its ``sfreq``.
    seeg_path, audio_path : str | Path
    audio_sfreq : float
        The rate of the mel spectrogram.
    seeg_sfreq, time_axis, audio_offset_s, tolerance_s
        See :func:`load_paired_recording`.
    dataset, participant : str
        Stored as file attributes.

    Returns
    -------
    path : Path
    """
    recording = load_paired_recording(
        seeg_path,
        audio_path,
        seeg_sfreq=seeg_sfreq,
        time_axis=time_axis,
        audio_offset_s=audio_offset_s,
        tolerance_s=tolerance_s,
    )
    audio = resample_audio(recording.audio, recording.audio_sfreq, audio_sfreq)
    return write_artifact(
        path,
        {
            "seeg": AxisArray(recording.seeg, ("channel", "time"), {"sfreq": recording.seeg_sfreq}),
            "audio": AxisArray(audio, ("time",), {"sfreq": float(audio_sfreq)}),
        },
        producer="align_recording",
        attrs={
            "dataset": dataset,
            "participant": participant,
            "channel_names": recording.channel_names,
            "audio_offset_s": float(audio_offset_s),
            "source_audio_sfreq": recording.audio_sfreq,
        },
        parameters={
            "seeg_sfreq": seeg_sfreq,
            "time_axis": time_axis,
            "audio_offset_s": audio_offset_s,
            "tolerance_s": tolerance_s,
            "audio_sfreq": audio_sfreq,
        },
    )
