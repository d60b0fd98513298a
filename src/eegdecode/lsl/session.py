"""A recorded calibration session: samples with their LSL timestamps, the clock relation that
maps those to Unix time, the protocol's phases as explicit Unix start and end times, and the
gaps where the stream was lost.

Phases are cut by their timestamps, never by fixed offsets from the start (the original cut
3 s late because its client and server disagreed on where the protocol started).
"""

import bisect
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._logging import logger
from ..artifacts import AxisArray, array_names, read_array, read_attrs, write_artifact
from ..signal.focus import FOCUS_CHANNELS
from ..signal.resample import resample


@dataclass
class ClockRelation:
    """Measurements that map a stream's LSL timestamps to Unix time.

    ``unix = t + correction(t) + conversion(t + correction(t))``, where ``correction`` is the
    inlet's ``time_correction()`` (sender's LSL clock → this machine's) and ``conversion`` is
    ``time.time() − pylsl.local_clock()`` on this machine, each interpolated between its
    measurements. ``eegdecode record`` measures the conversion once, at the start, and times
    its phases on the LSL clock with it, so that a step of the wall clock moves neither;
    sessions recorded before hold one conversion per time correction.

    Attributes
    ----------
    correction : ndarray, shape (n, 2)
        (local LSL time of the measurement, time correction in s).
    conversion : ndarray, shape (m, 2)
        (local LSL time of the measurement, Unix − local LSL time in s).
    """

    correction: np.ndarray
    conversion: np.ndarray

    def __post_init__(self):
        for name in ("correction", "conversion"):
            values = np.asarray(getattr(self, name), dtype=np.float64).reshape(-1, 2)
            if len(values) == 0:
                raise ValueError(f"A clock relation needs at least one {name} measurement.")
            setattr(self, name, values[np.argsort(values[:, 0], kind="stable")])

    def to_unix(self, lsl_times: np.ndarray) -> np.ndarray:
        lsl_times = np.asarray(lsl_times, dtype=np.float64)
        local = lsl_times + np.interp(lsl_times, *self.correction.T)
        return local + np.interp(local, *self.conversion.T)


@dataclass
class Phase:
    """One step of the protocol as it was run: its label and Unix start and end; ``partial``
    when the recording was interrupted during it (it ends where the recording stopped)."""

    label: str
    start_unix: float
    end_unix: float
    partial: bool = False


@dataclass
class CalibrationSession:
    """What ``eegdecode record`` writes (and ``import-xdf`` converts to).

    Attributes
    ----------
    eeg : ndarray of float32, shape (n_channels, n_times)
    timestamps : ndarray of float64, shape (n_times,)
        LSL timestamps in the sender's clock, as received (they carry the sender's jitter
        and may even step back).
    sfreq : float
        The stream's nominal rate.
    channel_names : list of str
    clock : ClockRelation
    phases : list of Phase
    complete : bool
        False when the recording was interrupted (Ctrl-C) before the protocol ended.
    user, session : str
    stream : dict
        Name, type and source id of the recorded stream.
    dejittered_timestamps : ndarray of float64, shape (n_times,) | None
        The timestamps on the nominal rate's line between losses (:func:`dejitter`); strictly
        increasing. None: computed from ``timestamps``.
    gaps : ndarray, shape (n_gaps, 2) | None
        Unix start and end of each stretch where samples are missing (:func:`find_gaps`):
        samples lost inside the recording, and the protocol's start or end without samples.
        None: computed.
    """

    eeg: np.ndarray
    timestamps: np.ndarray
    sfreq: float
    channel_names: list[str]
    clock: ClockRelation
    phases: list[Phase]
    complete: bool
    user: str
    session: str
    stream: dict = field(default_factory=dict)
    dejittered_timestamps: np.ndarray | None = None
    gaps: np.ndarray | None = None

    def __post_init__(self):
        self.timestamps = np.asarray(self.timestamps, dtype=np.float64)
        if self.dejittered_timestamps is None or self.gaps is None:
            dejittered, breaks = dejitter(self.timestamps, self.sfreq)
            if self.dejittered_timestamps is None:
                self.dejittered_timestamps = dejittered
            if self.gaps is None:
                unix = self.clock.to_unix(self.dejittered_timestamps)
                start = min((p.start_unix for p in self.phases), default=None)
                end = max((p.end_unix for p in self.phases), default=None)
                self.gaps = find_gaps(unix, breaks, self.sfreq, start=start, end=end)
        self.gaps = np.asarray(self.gaps, dtype=np.float64).reshape(-1, 2)

    def unix_times(self) -> np.ndarray:
        """Unix time of every sample, from the de-jittered timestamps."""
        return self.clock.to_unix(self.dejittered_timestamps)

    @property
    def start_unix(self) -> float:
        """The protocol's start (the first sample's time when there is no phase): what the
        times in messages are counted from."""
        if self.phases:
            return min(p.start_unix for p in self.phases)
        return float(self.unix_times()[0]) if len(self.timestamps) else 0.0

    def save(self, path: str | Path) -> Path:
        return write_artifact(
            path,
            {
                "eeg": AxisArray(np.asarray(self.eeg, dtype=np.float32), ("channel", "time")),
                "timestamps": AxisArray(
                    self.timestamps, ("time",), {"clock": "sender's LSL clock, as received"}
                ),
                "timestamps_dejittered": AxisArray(
                    self.dejittered_timestamps,
                    ("time",),
                    {"clock": "sender's LSL clock, on the nominal rate between losses"},
                ),
                "time_correction": AxisArray(
                    self.clock.correction,
                    ("measurement", "pair"),
                    {"columns": ["local_lsl_time", "correction_s"]},
                ),
                "clock_conversion": AxisArray(
                    self.clock.conversion,
                    ("measurement", "pair"),
                    {"columns": ["local_lsl_time", "unix_minus_lsl_s"]},
                ),
                "phase_start_unix": AxisArray(
                    np.array([p.start_unix for p in self.phases]), ("phase",)
                ),
                "phase_end_unix": AxisArray(
                    np.array([p.end_unix for p in self.phases]), ("phase",)
                ),
                "phase_partial": AxisArray(
                    np.array([p.partial for p in self.phases], dtype=bool), ("phase",)
                ),
                "gaps_unix": AxisArray(
                    np.asarray(self.gaps, np.float64).reshape(-1, 2), ("gap", "edge")
                ),
            },
            producer="record",
            attrs={
                "sfreq": float(self.sfreq),
                "channel_names": list(self.channel_names),
                "phase_labels": [p.label for p in self.phases],
                "complete": bool(self.complete),
                "user": self.user,
                "session": self.session,
                **{f"stream_{key}": str(value) for key, value in self.stream.items()},
            },
        )

    @classmethod
    def load(cls, path: str | Path) -> "CalibrationSession":
        """Read a session file, refusing one whose samples or timestamps are not all finite,
        whose timestamps do not match its samples, or that lacks a dataset or attribute."""
        import h5py

        if not Path(path).is_file():
            raise FileNotFoundError(f"Session file {path} does not exist.")
        try:
            h5py.File(path, "r").close()
        except OSError as error:
            raise ValueError(
                f"{path} cannot be read as HDF5 (a truncated copy, or not a session file): "
                f"{error}. Record the session again, or move the file away."
            ) from None
        attrs = read_attrs(path)
        missing = [key for key in ("sfreq", "complete", "user", "session") if key not in attrs]
        if missing:
            raise ValueError(f"{path} lacks the attributes {missing}: it is not a session file.")

        def array(name, axes):
            return read_array(path, name, axes=axes).data

        present = array_names(path)
        labels = attrs.get("phase_labels", [])
        starts, ends = array("phase_start_unix", ("phase",)), array("phase_end_unix", ("phase",))
        partial = (
            array("phase_partial", ("phase",))
            if "phase_partial" in present
            else np.zeros(len(labels), dtype=bool)
        )
        eeg, timestamps = array("eeg", ("channel", "time")), array("timestamps", ("time",))
        channel_names = list(attrs.get("channel_names", []))
        _check_samples(eeg, timestamps, channel_names, path)
        dejittered = (
            array("timestamps_dejittered", ("time",))
            if "timestamps_dejittered" in present
            else None
        )
        if dejittered is not None and len(dejittered) != len(timestamps):
            raise ValueError(
                f"{path} holds {len(timestamps)} timestamps but {len(dejittered)} de-jittered "
                f"ones; the file is damaged. Record the session again."
            )
        return cls(
            eeg=eeg,
            timestamps=timestamps,
            dejittered_timestamps=dejittered,
            sfreq=float(attrs["sfreq"]),
            channel_names=channel_names,
            clock=ClockRelation(
                array("time_correction", ("measurement", "pair")),
                array("clock_conversion", ("measurement", "pair")),
            ),
            phases=[
                Phase(label, float(s), float(e), bool(p))
                for label, s, e, p in zip(labels, starts, ends, partial, strict=True)
            ],
            gaps=array("gaps_unix", ("gap", "edge")),
            complete=bool(attrs["complete"]),
            user=str(attrs["user"]),
            session=str(attrs["session"]),
            stream={
                key.removeprefix("stream_"): value
                for key, value in attrs.items()
                if key.startswith("stream_")
            },
        )


@dataclass(frozen=True)
class SessionCheck:
    """What :func:`check_session_files` found in one session file.

    ``problem`` is None for a file that loads, else why it cannot be used (the message of
    :meth:`CalibrationSession.load`, which names the file); ``complete`` is false for an
    interrupted recording, and for a file with a problem.
    """

    complete: bool
    problem: str | None = None


def check_session_files(
    paths: list[str], cache: str | Path | None = None, checker: str = ""
) -> dict[str, SessionCheck]:
    """Load each session file as training will, and say which are complete and which are bad.

    A bad file is one that :meth:`CalibrationSession.load` refuses: truncated or not HDF5,
    without a session's datasets or attributes, NaN or infinite samples, timestamps that do
    not match the samples. Checking before any job means a bad session is named (or skipped)
    before it can reach a model; reading every sample of every session on each workflow parse
    would be slow, so results are kept in ``cache`` (JSON), each under the file's size and
    modification time and the ``checker`` (a fingerprint of the code that checks), and a file
    is read again only when one of them changed.

    Parameters
    ----------
    paths : list of str
        Session files.
    cache : str | Path | None
        A JSON file to keep the results in; None checks every file each time.
    checker : str
        Identifies the checking code, so that changed checks read every file again.

    Returns
    -------
    checks : dict of str to SessionCheck
        By path, in the order of ``paths``.
    """
    import json
    import os

    from ..fileio import write_json

    kept = {}
    if cache is not None and Path(cache).is_file():
        try:
            kept = json.loads(Path(cache).read_text())
        except (OSError, ValueError) as error:
            logger.warning(f"Cannot read {cache} ({error}); checking every session file again.")
    checks, entries = {}, {}
    for path in paths:
        stat = os.stat(path)
        identity = [stat.st_size, stat.st_mtime_ns, checker]
        entry = kept.get(path) if isinstance(kept, dict) else None
        if (
            not isinstance(entry, dict)
            or entry.get("identity") != identity
            or not {"complete", "problem"} <= set(entry)
        ):
            entry = {"identity": identity, **_check_session_file(path)}
        entries[path] = entry
        checks[path] = SessionCheck(bool(entry["complete"]), entry["problem"])
    if cache is not None and entries != kept:
        try:
            write_json(cache, entries)
        except OSError as error:  # a read-only results folder: check again next time
            logger.warning(f"Cannot keep the session checks in {cache}: {error}")
    return checks


def _check_session_file(path: str) -> dict:
    try:
        session = CalibrationSession.load(path)
    except (OSError, ValueError) as error:
        problem = str(error) if path in str(error) else f"{path}: {error}"
        return {"complete": False, "problem": problem}
    return {"complete": session.complete, "problem": None}


def _check_samples(eeg, timestamps, channel_names, path: str | Path) -> None:
    n_channels, n_times = eeg.shape
    if len(timestamps) != n_times:
        raise ValueError(
            f"{path} holds {n_times} samples but {len(timestamps)} timestamps; the file "
            f"is damaged. Record the session again."
        )
    bad = ~np.isfinite(eeg)
    if bad.any():
        channel, sample = np.argwhere(bad)[0]
        name = channel_names[channel] if len(channel_names) == n_channels else None
        name = f"channel {channel + 1}" + (f" ({name})" if name else "")
        raise ValueError(
            f"{path} holds {int(bad.sum())} NaN or infinite EEG samples, the first in {name} at "
            f"sample {sample + 1} of {n_times}. Record the session again, or move the file away."
        )
    if not np.isfinite(timestamps).all():
        raise ValueError(f"{path} holds NaN or infinite timestamps; record the session again.")


# A loss shorter than this many samples cannot be told from the sender's jitter.
MIN_LOST_SAMPLES = 5


def dejitter(
    timestamps: np.ndarray, sfreq: float, *, min_lost: int = MIN_LOST_SAMPLES, span_s: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """De-jitter a stream's timestamps and find where samples were lost, from their count.

    A sender stamps its chunks on its own clock, so single intervals between timestamps vary
    by milliseconds (and may be negative) without a sample being lost. A loss shows in the
    count instead: each sample's lateness ``(t_i − t_0) · sfreq − i``, in sample periods,
    steps up by the number of samples lost and stays there, where jitter moves it and comes
    back. Around each interval longer than ``1 + min_lost / 2`` periods, the longest first,
    the lateness is split where two constant levels fit it best, and that is a loss when the
    median lateness over the ``span_s`` after the split exceeds that over the ``span_s``
    before it (within the same run) by at least ``min_lost − 0.5``. A loss within a quarter
    of ``span_s`` of the recording's ends is not looked for (it shows as an edge gap when the
    protocol runs on).
    Between losses the timestamps are replaced by their least-squares line in the sample
    index, which follows the sender's true rate and clock drift, as pyxdf's de-jittering does.

    Parameters
    ----------
    timestamps : ndarray, shape (n_times,)
        As received, finite.
    sfreq : float
        The stream's nominal rate.
    min_lost : int
        The fewest lost samples reported as a loss.
    span_s : float
        Seconds of samples on each side of an interval that decide it.

    Returns
    -------
    dejittered : ndarray of float64, shape (n_times,)
    breaks : ndarray of int, shape (n_losses,)
        Index ``i`` of each loss: samples are missing between sample ``i`` and ``i + 1``.
    """
    times = np.asarray(timestamps, dtype=np.float64)
    n = len(times)
    if n < 2 or sfreq <= 0:
        return times.copy(), np.zeros(0, dtype=int)
    lateness = (times - times[0]) * sfreq - np.arange(n)
    intervals = np.diff(times) * sfreq
    candidates = np.nonzero(intervals > 1 + min_lost / 2)[0]
    span = max(2, round(span_s * sfreq))
    breaks: list[int] = []
    for index in candidates[np.argsort(-intervals[candidates], kind="stable")]:
        where = bisect.bisect(breaks, index)
        low = breaks[where - 1] + 1 if where else 0
        high = breaks[where] + 1 if where < len(breaks) else n
        first, stop = max(low, index + 1 - span), min(high, index + 1 + span)
        if stop - first < 2:
            continue
        # Where in this stretch the lateness is best split in two constant levels (least
        # squares): the loss itself, though jitter made a neighbouring interval look longer.
        split = first + 1 + _best_split(lateness[first:stop])
        # Judged on span_s of samples each side of the split (fewer only at a loss already
        # found), never on a handful, whose median is one chunk's jitter.
        before = lateness[max(low, split - span) : split]
        after = lateness[split : min(high, split + span)]
        if min(len(before), len(after)) < max(2, span // 4):
            continue
        if np.median(after) - np.median(before) >= min_lost - 0.5:
            breaks.insert(bisect.bisect(breaks, split - 1), split - 1)
    dejittered = np.empty(n)
    edges = [0, *(b + 1 for b in breaks), n]
    for first, stop in itertools.pairwise(edges):
        run = np.arange(first, stop)
        if len(run) < 2:
            dejittered[run] = times[run]
            continue
        slope, intercept = np.polyfit(run - first, times[run], 1)
        dejittered[run] = intercept + slope * (run - first)
    return dejittered, np.asarray(breaks, dtype=int)


def _best_split(values: np.ndarray) -> int:
    """``k`` minimising the squared deviations of ``values[: k + 1]`` and ``values[k + 1 :]``
    from their means."""
    n = len(values)
    sizes = np.arange(1, n)
    head = np.cumsum(values)[:-1]
    tail = values.sum() - head
    # Minimising the within-part squares maximises the between-part term.
    between = head**2 / sizes + tail**2 / (n - sizes)
    return int(np.argmax(between))


def find_gaps(
    unix_times: np.ndarray,
    breaks: np.ndarray,
    sfreq: float,
    *,
    start: float | None = None,
    end: float | None = None,
    min_lost: int = MIN_LOST_SAMPLES,
) -> np.ndarray:
    """Unix start and end of each stretch without samples, shape (n_gaps, 2).

    ``unix_times`` are the de-jittered samples' times and ``breaks`` the losses
    :func:`dejitter` found; ``start`` and ``end`` (the protocol's) add a gap where more than
    ``min_lost`` sample periods pass before the first sample or after the last.
    """
    unix = np.asarray(unix_times, dtype=np.float64)
    if len(unix) == 0:
        whole = start is not None and end is not None
        return np.array([[start, end]]) if whole else np.zeros((0, 2))
    breaks = np.asarray(breaks, dtype=int)
    gaps = [np.stack([unix[breaks], unix[breaks + 1]], axis=1)]
    if start is not None and unix[0] - start > min_lost / sfreq:
        gaps.insert(0, np.array([[start, unix[0]]]))
    if end is not None and end - unix[-1] > min_lost / sfreq:
        gaps.append(np.array([[unix[-1], end]]))
    return np.concatenate(gaps)


def select_channels(names: list[str], n_channels: int, path: str) -> list[int]:
    """Indices of the focus channels among a stream's channels.

    Named channels are picked by name. A stream without labels (OpenBCI boards send empty
    ones) is taken to carry the focus channels first, in order; extra channels are ignored.
    """
    if names and all(names) and not all(name.startswith("ch") for name in names):
        missing = [name for name in FOCUS_CHANNELS if name not in names]
        if missing:
            raise ValueError(
                f"{path}: the stream's channels {names} lack the focus channels {missing}."
            )
        return [names.index(name) for name in FOCUS_CHANNELS]
    if n_channels < len(FOCUS_CHANNELS):
        raise ValueError(
            f"{path}: an unlabelled stream needs at least {len(FOCUS_CHANNELS)} channels, has "
            f"{n_channels}."
        )
    logger.info(
        "%s: unlabelled channels; taking the first %d as %s",
        path,
        len(FOCUS_CHANNELS),
        ", ".join(FOCUS_CHANNELS),
    )
    return list(range(len(FOCUS_CHANNELS)))


def cut_phases(
    session: CalibrationSession,
    labels: list[str],
    *,
    target_sfreq: float,
    path: str = "session",
    tolerance: int = 1,
) -> dict[str, list[np.ndarray]]:
    """The focus channels of every phase with one of ``labels``, resampled to ``target_sfreq``.

    Each phase's Unix start and end are mapped to sample indices through the session's clock
    relation. A phase must lie inside the recording, must not overlap a gap, and must hold
    ``duration × target_sfreq`` samples (± ``tolerance``) after resampling; otherwise the
    session is rejected with an error naming ``path``.

    Returns
    -------
    phases : dict of str to list of ndarray
        Per label, one (n_focus_channels, n_times) array per phase with that label.
    """
    unix = session.unix_times()
    channels = select_channels(session.channel_names, session.eeg.shape[0], path)
    origin = session.start_unix

    def span(start, end):
        return f"{start - origin:.3f}–{end - origin:.3f} s after the session's start"

    cut: dict[str, list[np.ndarray]] = {label: [] for label in labels}
    for phase in session.phases:
        if phase.label not in cut:
            continue
        if phase.partial:
            logger.info("%s: phase %r was interrupted; left out", path, phase.label)
            continue
        where = f"{path}: phase {phase.label!r} ({span(phase.start_unix, phase.end_unix)})"
        # Within half a sample period of the first sample, a phase starts on it.
        late_start = phase.start_unix < unix[0] - 0.5 / session.sfreq
        if late_start or phase.end_unix > unix[-1] + 1.5 / session.sfreq:
            raise ValueError(f"{where} is not inside the recording ({span(unix[0], unix[-1])}).")
        overlapping = [
            gap for gap in session.gaps if gap[0] < phase.end_unix and gap[1] > phase.start_unix
        ]
        if overlapping:
            raise ValueError(
                f"{where} overlaps a gap in the stream: no samples {span(*overlapping[0])}."
            )
        # The samples nearest the phase's edges (timestamps carry jitter of a fraction of a
        # sample period).
        half = 0.5 / session.sfreq
        first, stop = np.searchsorted(unix, [phase.start_unix - half, phase.end_unix - half])
        data = resample(session.eeg[channels, first:stop], session.sfreq, target_sfreq)
        expected = round((phase.end_unix - phase.start_unix) * target_sfreq)
        if abs(data.shape[1] - expected) > tolerance:
            raise ValueError(
                f"{where} holds {data.shape[1]} samples at {target_sfreq:g} Hz, expected "
                f"{expected} ± {tolerance}: samples were lost or the rate is not "
                f"{session.sfreq:g} Hz."
            )
        cut[phase.label].append(data[:, :expected])
    return cut


def write_calibration_windows(
    path: str | Path, phases: dict[str, list[np.ndarray]], *, attrs: dict
) -> Path:
    """Write the labelled phases (as :func:`cut_phases` returns them), one dataset each."""
    missing = [label for label, parts in phases.items() if not parts]
    if missing:
        raise ValueError(f"{attrs.get('session', 'The session')} has no phase labelled {missing}.")
    flat = [(label, data) for label, parts in phases.items() for data in parts]
    arrays = {
        f"phase{index}": AxisArray(data, ("channel", "time"), {"label": label})
        for index, (label, data) in enumerate(flat)
    }
    return write_artifact(path, arrays, producer="calibration_windows", attrs=attrs)


def read_calibration_windows(path: str | Path) -> dict[str, list[np.ndarray]]:
    """The labelled phases :func:`write_calibration_windows` wrote, in their order."""
    names = sorted(
        (name for name in array_names(path) if name.startswith("phase")), key=lambda n: int(n[5:])
    )
    phases: dict[str, list[np.ndarray]] = {}
    for name in names:
        array = read_array(path, name, axes=("channel", "time"))
        phases.setdefault(array.attrs["label"], []).append(array.data)
    return phases
