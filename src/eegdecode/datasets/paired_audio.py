"""Paired intracranial recordings and speech audio, one pair per participant.

The sEEG comes from any file MNE reads (EDF, BrainVision, FIF, …), from a ``.npy`` array with
its sampling rate stated in the config (the layout of Kohler et al.'s release), or from an NWB
file (SingleWordProductionDutch; needs ``pynwb``). Only brain channels are decoded: their types
come from a BIDS ``channels.tsv`` beside the file when there is one, else from the file as MNE
reads it; trigger, audio and other bio channels are dropped (a trigger locked to speech onsets
would let a decoder cheat). The audio is WAV or FLAC, read with soundfile. The two start
together unless ``audio_offset_s`` says otherwise, and must cover the same time span.
"""

import csv
import fnmatch
from collections.abc import Mapping, Sequence
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


#: The channel types (MNE's, and BIDS's in lower case) that carry brain signals.
BRAIN_CHANNEL_TYPES = ("seeg", "ecog", "eeg", "dbs")


@dataclass(frozen=True)
class ChannelSelection:
    """Which channels of a recording are decoded (config key ``audio.channels``).

    Parameters
    ----------
    include : sequence of str
        Name patterns (``fnmatch``: ``LA*``, ``RH?``) of the channels to decode, of any type;
        empty: every brain channel (:data:`BRAIN_CHANNEL_TYPES`).
    exclude : sequence of str
        Name patterns removed from those.
    """

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "include", tuple(self.include))
        object.__setattr__(self, "exclude", tuple(self.exclude))

    def pick(self, names: Sequence[str], types: Sequence[str], source: str) -> list[int]:
        """Indices of the channels to decode; the others are logged with their type."""

        def matches(name, patterns):
            return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)

        if self.include:
            keep = [i for i, name in enumerate(names) if matches(name, self.include)]
        else:
            keep = [i for i, kind in enumerate(types) if kind in BRAIN_CHANNEL_TYPES]
        keep = [i for i in keep if not matches(names[i], self.exclude)]
        kept = set(keep)
        dropped = [f"{names[i]} ({types[i]})" for i in range(len(names)) if i not in kept]
        if not keep:
            raise ValueError(
                f"{source}: no channel left to decode of {len(names)} "
                f"({', '.join(f'{n} ({t})' for n, t in zip(names, types, strict=True))}); "
                f"brain channels are of type {list(BRAIN_CHANNEL_TYPES)}, and config keys "
                f"'audio.channels.include' {list(self.include)} and 'audio.channels.exclude' "
                f"{list(self.exclude)} choose among them."
            )
        if dropped:
            logger.info("%s: leaving out %d channels: %s", source, len(dropped), ", ".join(dropped))
        return keep


def bids_channels_tsv(path: Path) -> Path | None:
    """The BIDS ``channels.tsv`` of a recording (``sub-01_task-x_ieeg.nwb`` →
    ``sub-01_task-x_channels.tsv``), if it exists."""
    stem, _, _ = path.name.rpartition("_")
    sidecar = path.with_name(f"{stem}_channels.tsv") if stem else None
    return sidecar if sidecar is not None and sidecar.is_file() else None


def _read_channels_tsv(path: Path) -> tuple[list[str], list[str]]:
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    if not rows or not {"name", "type"} <= set(rows[0]):
        raise ValueError(f"{path} must be a BIDS channels.tsv with 'name' and 'type' columns.")
    return [row["name"] for row in rows], [row["type"].strip().lower() for row in rows]


def _channel_types(path, names, types):
    """Names and types from the BIDS sidecar when there is one (matched by name, or by order
    when the file carries no names), else those the file gave."""
    sidecar = bids_channels_tsv(path)
    if sidecar is None:
        return names, types
    tsv_names, tsv_types = _read_channels_tsv(sidecar)
    by_name = dict(zip(tsv_names, tsv_types, strict=True))
    if all(name in by_name for name in names):
        return names, [by_name[name] for name in names]
    if len(tsv_names) == len(names):
        return tsv_names, tsv_types
    raise ValueError(
        f"{sidecar} lists {len(tsv_names)} channels, which neither name nor count the "
        f"{len(names)} channels of {path}."
    )


def load_seeg(
    path: str | Path,
    *,
    sfreq: float | None = None,
    time_axis: int = 0,
    channels: ChannelSelection = ChannelSelection(),
    reader_options: Mapping | None = None,
) -> tuple[np.ndarray, float, list[str]]:
    """Read the brain channels of an sEEG recording as (n_channels, n_times), its rate and
    their names.

    Parameters
    ----------
    path : str | Path
        ``.npy``, ``.nwb``, or any format ``mne.io.read_raw`` reads.
    sfreq : float | None
        Required for ``.npy``; for other formats, if given, the file's rate must equal it.
    time_axis : 0 | 1
        Axis of time in a ``.npy`` array (0: (n_times, n_channels), Kohler et al.'s layout).
    channels : ChannelSelection
        Which channels to decode. Types come from a BIDS ``channels.tsv`` beside the file,
        else from MNE; ``.npy`` and ``.nwb`` channels without a sidecar count as sEEG.
    reader_options : dict | None
        Keyword arguments of ``mne.io.read_raw`` (config key ``audio.reader_options``; e.g.
        ``{data_format: int32}`` for a CNT file).

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
        types, file_sfreq = ["seeg"] * len(data), sfreq
    elif suffix == ".nwb":
        data, file_sfreq, names = _load_nwb(path)
        types = ["seeg"] * len(data)
    else:
        import mne

        try:
            raw = mne.io.read_raw(path, preload=True, verbose="error", **(reader_options or {}))
        except TypeError as error:
            raise ValueError(
                f"config key 'audio.reader_options' {dict(reader_options or {})} does not fit "
                f"the reader of {path}: {error}"
            ) from error
        except (OSError, ValueError, RuntimeError, KeyError) as error:
            raise ValueError(f"Cannot read the sEEG file {path}: {error}") from error
        data, file_sfreq, names = raw.get_data(), raw.info["sfreq"], list(raw.ch_names)
        types = raw.get_channel_types()
    if sfreq is not None and not np.isclose(file_sfreq, sfreq):
        raise ValueError(
            f"{path} is sampled at {file_sfreq:g} Hz, but the config says {sfreq:g} Hz."
        )
    names, types = _channel_types(path, names, types)
    keep = channels.pick(names, types, str(path))
    data = np.asarray(data)[keep]
    _check_finite(data, path, "sEEG")
    return data.astype(np.float32), float(file_sfreq), [names[i] for i in keep]


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
    channels: ChannelSelection = ChannelSelection(),
    reader_options: Mapping | None = None,
    audio_offset_s: float = 0.0,
    tolerance_s: float = 0.05,
) -> PairedRecording:
    """Read one participant's sEEG and audio and cut them to their common span.

    Parameters
    ----------
    seeg_path, audio_path : str | Path
    seeg_sfreq, time_axis, channels, reader_options
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
    seeg, sfreq, names = load_seeg(
        seeg_path,
        sfreq=seeg_sfreq,
        time_axis=time_axis,
        channels=channels,
        reader_options=reader_options,
    )
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
    channels: ChannelSelection = ChannelSelection(),
    reader_options: Mapping | None = None,
    highgamma: Mapping | None = None,
    on_flat_channel: str = "warn",
    audio_offset_s: float = 0.0,
    tolerance_s: float = 0.05,
    dataset: str = "",
    participant: str = "",
) -> Path:
    """Write one participant's sEEG and audio on a common time axis (rule ``align_recording``).

    The pair is read and cut to its common span (:func:`load_paired_recording`), the audio
    resampled to ``audio_sfreq`` (:func:`resample_audio`), and both written to one artifact.
    A recording whose rate or length the high-gamma stage cannot use is refused here, before
    any feature is computed.

    Parameters
    ----------
    path : str | Path
        The artifact: ``seeg`` (channel, time) and ``audio`` (time), each with its ``sfreq``.
    seeg_path, audio_path : str | Path
    audio_sfreq : float
        The rate of the mel spectrogram.
    seeg_sfreq, time_axis, channels, reader_options, audio_offset_s, tolerance_s
        See :func:`load_paired_recording`.
    highgamma : dict | None
        The high-gamma settings (``band``, ``notches``, ``order``) the recording must suit
        (:func:`~eegdecode.signal.highgamma.check_highgamma_input`).
    on_flat_channel : 'warn' | 'error'
        What a flat or saturated sEEG channel does (:func:`~eegdecode.signal.check_channels`);
        flagged channels are stored as the ``flagged_channels`` attribute.
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
        channels=channels,
        reader_options=reader_options,
        audio_offset_s=audio_offset_s,
        tolerance_s=tolerance_s,
    )
    if highgamma is not None:
        from ..signal.highgamma import check_highgamma_input

        check_highgamma_input(
            recording.seeg_sfreq, recording.seeg.shape[1], **highgamma, source=str(seeg_path)
        )
    from ..signal.quality import check_channels

    flagged = check_channels(
        recording.seeg,
        recording.channel_names,
        source=str(seeg_path),
        on_flat_channel=on_flat_channel,
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
            "flagged_channels": flagged,
            "audio_offset_s": float(audio_offset_s),
            "source_audio_sfreq": recording.audio_sfreq,
        },
        parameters={
            "seeg_sfreq": seeg_sfreq,
            "time_axis": time_axis,
            "channels": {"include": list(channels.include), "exclude": list(channels.exclude)},
            "reader_options": dict(reader_options or {}),
            "audio_offset_s": audio_offset_s,
            "tolerance_s": tolerance_s,
            "audio_sfreq": audio_sfreq,
        },
    )
