"""Paired intracranial recordings and speech audio, one pair per participant.

The sEEG comes from any file MNE reads (EDF, BrainVision, FIF, …), from a ``.npy`` array with
its sampling rate stated in the config (the layout of Kohler et al.'s release), or from an NWB
file (SingleWordProductionDutch's iBIDS release; needs ``pynwb``). Only brain channels are
decoded: their types come from a BIDS ``channels.tsv`` beside the file when there is one, else
from the file as MNE reads it; trigger, audio and other bio channels are dropped (a trigger
locked to speech onsets would let a decoder cheat). The audio is WAV or FLAC, read with
soundfile, or the ``Audio`` acquisition of the NWB file. The two start together unless
``audio_offset_s`` says otherwise, and must cover the same time span.

Word markers, where a dataset has them, say which word was cued when: the ``Stimulus``
acquisition of a SingleWordProductionDutch NWB file (the word shown at each sEEG sample), or
a BIDS ``events.tsv`` (``onset``, ``duration``, and the word in ``trial_type``).
"""

import csv
import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._logging import logger
from ..artifacts import AxisArray, read_array, read_attrs, write_artifact


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
    words : WordMarkers
        The cued words, in seconds from the first sample (none without markers).
    """

    seeg: np.ndarray
    seeg_sfreq: float
    channel_names: list[str]
    audio: np.ndarray
    audio_sfreq: float
    words: "WordMarkers" = field(default_factory=lambda: WordMarkers.none())

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


def _read_tsv(path: Path, required: Sequence[str], what: str) -> list[dict]:
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    if not rows or not set(required) <= set(rows[0]):
        found = sorted(rows[0]) if rows else "no rows"
        raise ValueError(f"{path} must be {what} with columns {list(required)}; found {found}.")
    return rows


def _read_channels_tsv(path: Path) -> tuple[list[str], list[str] | None]:
    """Names, and types in lower case (None when the file has no ``type`` column)."""
    rows = _read_tsv(path, ["name"], "a BIDS channels.tsv")
    types = [row["type"].strip().lower() for row in rows] if "type" in rows[0] else None
    return [row["name"] for row in rows], types


def _channel_types(path, names, types):
    """Names and types from the BIDS sidecar when there is one (matched by name, or by order
    when the file carries no names), else those the file gave; a sidecar without a ``type``
    column gives names only."""
    sidecar = bids_channels_tsv(path)
    if sidecar is None:
        return names, types
    tsv_names, tsv_types = _read_channels_tsv(sidecar)
    if tsv_types is None:
        if len(tsv_names) != len(names):
            raise ValueError(
                f"{sidecar} lists {len(tsv_names)} channels, but {path} has {len(names)}."
            )
        return tsv_names, types
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
        data, file_sfreq = read_nwb_series(path, "iEEG")
        data = np.asarray(data, dtype=np.float64).T
        names = [f"ch{index + 1}" for index in range(len(data))]
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


def read_nwb_series(path: str | Path, name: str) -> tuple[np.ndarray, float]:
    """The data and rate of the acquisition ``name`` of an NWB file (as SingleWordProductionDutch
    stores ``iEEG``, ``Audio`` and ``Stimulus``: time first, at a fixed rate)."""
    try:
        from pynwb import NWBHDF5IO
    except ImportError as error:
        raise ImportError(f"Reading {path} needs pynwb: pip install 'eegdecode[nwb]'.") from error
    try:
        with NWBHDF5IO(str(path), "r") as io:
            acquisition = io.read().acquisition
            if name not in acquisition:
                raise ValueError(
                    f"{path} has no acquisition {name!r}; it has {sorted(acquisition)} (a "
                    f"SingleWordProductionDutch file holds 'iEEG', 'Audio' and 'Stimulus')."
                )
            series = acquisition[name]
            if series.rate is None:
                raise ValueError(
                    f"{path}: acquisition {name!r} has timestamps, not a fixed rate; resample "
                    f"it to a fixed rate first."
                )
            return np.asarray(series.data[:]), float(series.rate)
    except OSError as error:
        raise ValueError(f"Cannot read the NWB file {path}: {error}") from error


def load_audio(path: str | Path) -> tuple[np.ndarray, float]:
    """Read mono audio in [−1, 1] and its rate; stereo is averaged over channels.

    WAV and FLAC are read with soundfile; an ``.nwb`` file's ``Audio`` acquisition is scaled
    into [−1, 1] by its integer type's range, or by its peak when it is float beyond ±1 (as
    SingleWordProductionDutch's reference scales it).
    """
    import soundfile

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Audio file {str(path)!r} does not exist.")
    if path.suffix.lower() == ".nwb":
        audio, sfreq = read_nwb_series(path, "Audio")
        audio = _scaled_audio(audio.reshape(len(audio), -1), path)
    else:
        try:
            audio, sfreq = soundfile.read(path, dtype="float32", always_2d=True)
        except (RuntimeError, soundfile.LibsndfileError) as error:
            raise ValueError(f"Cannot read the audio file {path}: {error}") from error
    if audio.shape[1] > 1:
        logger.info("%s has %d channels; using their mean", path, audio.shape[1])
    audio = audio.mean(axis=1)
    _check_finite(audio, path, "audio")
    return audio.astype(np.float32), float(sfreq)


def _scaled_audio(audio: np.ndarray, path: Path) -> np.ndarray:
    if audio.dtype.kind in "iu":
        return audio / np.iinfo(audio.dtype).max
    audio = audio.astype(np.float64)
    _check_finite(audio, path, "audio")
    peak = np.abs(audio).max(initial=0.0)
    if peak > 1:
        logger.info("%s: audio peaks at %.3g; scaled to a peak of 1", path, peak)
        audio = audio / peak
    return audio


@dataclass(frozen=True)
class WordMarkers:
    """The words a participant was cued to say, and when.

    Attributes
    ----------
    words : list of str
    intervals : ndarray of float, shape (n_words, 2)
        Start and end of each word's cue in seconds from the recording's first sample, in time
        order.
    """

    words: list[str]
    intervals: np.ndarray

    @classmethod
    def none(cls) -> "WordMarkers":
        """No words: a recording without markers."""
        return cls([], np.zeros((0, 2)))

    def shifted(self, seconds: float, duration_s: float) -> "WordMarkers":
        """The words on a time axis starting ``seconds`` later, keeping those that lie wholly
        inside its first ``duration_s``."""
        intervals = self.intervals - seconds
        keep = (intervals[:, 0] >= 0) & (intervals[:, 1] <= duration_s)
        return WordMarkers([w for w, k in zip(self.words, keep, strict=True) if k], intervals[keep])


def load_word_markers(path: str | Path) -> WordMarkers:
    """Read the cued words of a recording.

    Parameters
    ----------
    path : str | Path
        An ``.nwb`` file whose ``Stimulus`` acquisition holds the word shown at each sample
        (an empty string between words), as in SingleWordProductionDutch: each run of one word
        is one cue. Or a BIDS ``events.tsv``: ``onset`` and ``duration`` in seconds, the word
        in ``trial_type``.

    Returns
    -------
    words : WordMarkers
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Word marker file {str(path)!r} does not exist.")
    if path.suffix.lower() == ".nwb":
        labels, rate = read_nwb_series(path, "Stimulus")
        labels = np.array([_text(label).strip() for label in labels.ravel()])
        edges = np.flatnonzero(labels[1:] != labels[:-1]) + 1
        starts, stops = np.r_[0, edges], np.r_[edges, len(labels)]
        cued = [(start, stop) for start, stop in zip(starts, stops, strict=True) if labels[start]]
        words = [str(labels[start]) for start, _ in cued]
        intervals = np.array(cued, dtype=np.float64).reshape(-1, 2) / rate
    elif path.suffix.lower() == ".tsv":
        rows = _read_tsv(path, ["onset", "duration", "trial_type"], "a BIDS events.tsv")
        try:
            onsets = np.array([float(row["onset"]) for row in rows])
            durations = np.array([float(row["duration"]) for row in rows])
        except ValueError as error:
            raise ValueError(f"{path}: onset and duration must be numbers ({error}).") from None
        words = [row["trial_type"] for row in rows]
        intervals = np.stack([onsets, onsets + durations], axis=1)
    else:
        raise ValueError(f"Word markers are read from .nwb or BIDS events .tsv files, not {path}.")
    if not np.all(np.isfinite(intervals)) or np.any(intervals[:, 1] <= intervals[:, 0]):
        raise ValueError(f"{path}: every word needs a finite onset and a positive duration.")
    if np.any(np.diff(intervals[:, 0]) < 0):
        raise ValueError(f"{path}: the words are not in time order.")
    logger.info("%s: %d cued words (%d distinct)", path, len(words), len(set(words)))
    return WordMarkers(words, intervals)


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def read_participants_tsv(path: str | Path) -> list[str]:
    """The ``participant_id`` column of a BIDS ``participants.tsv``."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Participants file {str(path)!r} does not exist.")
    return [
        row["participant_id"]
        for row in _read_tsv(path, ["participant_id"], "a BIDS participants.tsv")
    ]


def load_paired_recording(
    seeg_path: str | Path,
    audio_path: str | Path,
    *,
    words_path: str | Path | None = None,
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
    words_path : str | Path | None
        Word markers (:func:`load_word_markers`), timed from the sEEG's first sample.
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
    words = WordMarkers.none()
    if words_path is not None:
        words = load_word_markers(words_path).shifted(start_seeg / sfreq, span)
    return PairedRecording(
        seeg[:, : int(span * sfreq)], sfreq, names,
        audio[: int(span * audio_sfreq)], audio_sfreq, words,
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
    words_path: str | Path | None = None,
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
        The artifact: ``seeg`` (channel, time) and ``audio`` (time), each with its ``sfreq``,
        and ``word_interval`` (word, edge) in seconds with the ``words`` attribute (empty
        without word markers).
    seeg_path, audio_path : str | Path
    audio_sfreq : float
        The rate of the mel spectrogram.
    words_path, seeg_sfreq, time_axis, channels, reader_options, audio_offset_s, tolerance_s
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
        words_path=words_path,
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
            "word_interval": AxisArray(recording.words.intervals, ("word", "edge")),
        },
        producer="align_recording",
        attrs={
            "dataset": dataset,
            "participant": participant,
            "channel_names": recording.channel_names,
            "flagged_channels": flagged,
            "words": recording.words.words,
            "audio_offset_s": float(audio_offset_s),
            "source_audio_sfreq": recording.audio_sfreq,
        },
        parameters={
            "seeg_sfreq": seeg_sfreq,
            "words": words_path is not None,
            "time_axis": time_axis,
            "channels": {"include": list(channels.include), "exclude": list(channels.exclude)},
            "reader_options": dict(reader_options or {}),
            "audio_offset_s": audio_offset_s,
            "tolerance_s": tolerance_s,
            "audio_sfreq": audio_sfreq,
        },
    )


def read_word_markers(path: str | Path) -> WordMarkers:
    """The word markers an aligned recording (rule ``align_recording``) stores."""
    intervals = read_array(path, "word_interval", axes=("word", "edge")).data
    return WordMarkers(list(read_attrs(path)["words"]), np.asarray(intervals, dtype=np.float64))
