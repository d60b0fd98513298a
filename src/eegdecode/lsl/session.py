"""A recorded calibration session: samples with their LSL timestamps, the clock relation that
maps those to Unix time, the protocol's phases as explicit Unix start and end times, and the
gaps where the stream was lost.

Phases are cut by their timestamps, never by fixed offsets from the start (the original cut
3 s late because its client and server disagreed on where the protocol started).
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._logging import logger
from ..artifacts import AxisArray, read_array, read_attrs, write_artifact
from ..signal.focus import FOCUS_CHANNELS
from ..signal.resample import resample


@dataclass
class ClockRelation:
    """Measurements that map a stream's LSL timestamps to Unix time.

    ``unix = t + correction(t) + conversion(t + correction(t))``, where ``correction`` is the
    inlet's ``time_correction()`` (sender's LSL clock → this machine's) and ``conversion`` is
    ``time.time() − pylsl.local_clock()`` on this machine, each interpolated between its
    periodic measurements.

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
    """One step of the protocol as it was run: its label and Unix start and end."""

    label: str
    start_unix: float
    end_unix: float


@dataclass
class CalibrationSession:
    """What ``eegdecode record`` writes (and ``import-xdf`` converts to).

    Attributes
    ----------
    eeg : ndarray of float32, shape (n_channels, n_times)
    timestamps : ndarray of float64, shape (n_times,)
        LSL timestamps in the sender's clock.
    sfreq : float
        The stream's nominal rate.
    channel_names : list of str
    clock : ClockRelation
    phases : list of Phase
    gaps : ndarray, shape (n_gaps, 2)
        Unix start and end of each stretch where samples are missing.
    complete : bool
        False when the recording was interrupted (Ctrl-C) before the protocol ended.
    user, session : str
    stream : dict
        Name, type and source id of the recorded stream.
    """

    eeg: np.ndarray
    timestamps: np.ndarray
    sfreq: float
    channel_names: list[str]
    clock: ClockRelation
    phases: list[Phase]
    gaps: np.ndarray
    complete: bool
    user: str
    session: str
    stream: dict = field(default_factory=dict)

    def unix_times(self) -> np.ndarray:
        return self.clock.to_unix(self.timestamps)

    def save(self, path: str | Path) -> Path:
        return write_artifact(
            path,
            {
                "eeg": AxisArray(np.asarray(self.eeg, dtype=np.float32), ("channel", "time")),
                "timestamps": AxisArray(np.asarray(self.timestamps, np.float64), ("time",)),
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
        attrs = read_attrs(path)
        missing = [key for key in ("sfreq", "complete", "user", "session") if key not in attrs]
        if missing:
            raise ValueError(f"{path} lacks the attributes {missing}: it is not a session file.")

        def array(name, axes):
            return read_array(path, name, axes=axes).data

        labels = attrs.get("phase_labels", [])
        starts, ends = array("phase_start_unix", ("phase",)), array("phase_end_unix", ("phase",))
        session = cls(
            eeg=array("eeg", ("channel", "time")),
            timestamps=array("timestamps", ("time",)),
            sfreq=float(attrs["sfreq"]),
            channel_names=list(attrs.get("channel_names", [])),
            clock=ClockRelation(
                array("time_correction", ("measurement", "pair")),
                array("clock_conversion", ("measurement", "pair")),
            ),
            phases=[
                Phase(label, float(s), float(e))
                for label, s, e in zip(labels, starts, ends, strict=True)
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
        _check_samples(session, path)
        return session


def _check_samples(session: CalibrationSession, path: str | Path) -> None:
    n_channels, n_times = session.eeg.shape
    if len(session.timestamps) != n_times:
        raise ValueError(
            f"{path} holds {n_times} samples but {len(session.timestamps)} timestamps; the file "
            f"is damaged. Record the session again."
        )
    bad = ~np.isfinite(session.eeg)
    if bad.any():
        channel, sample = np.argwhere(bad)[0]
        names = session.channel_names
        name = names[channel] if len(names) == n_channels else f"channel {channel + 1}"
        raise ValueError(
            f"{path} holds {int(bad.sum())} NaN or infinite EEG samples, the first in {name} at "
            f"sample {sample + 1} of {n_times}. Record the session again, or move the file away."
        )
    if not np.isfinite(session.timestamps).all():
        raise ValueError(f"{path} holds NaN or infinite timestamps; record the session again.")


def find_gaps(
    unix_times: np.ndarray, sfreq: float, *, start: float, end: float, factor: float = 5.0
) -> np.ndarray:
    """Stretches longer than ``factor`` sample periods without a sample, within [start, end]."""
    edges = np.concatenate([[start], np.asarray(unix_times, dtype=np.float64), [end]])
    steps = np.diff(edges)
    where = np.nonzero(steps > factor / sfreq)[0]
    return np.stack([edges[where], edges[where + 1]], axis=1) if len(where) else np.zeros((0, 2))


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
    cut: dict[str, list[np.ndarray]] = {label: [] for label in labels}
    for phase in session.phases:
        if phase.label not in cut:
            continue
        where = f"{path}: phase {phase.label!r} ({phase.start_unix:.3f}–{phase.end_unix:.3f})"
        if phase.start_unix < unix[0] or phase.end_unix > unix[-1] + 1.5 / session.sfreq:
            raise ValueError(f"{where} is not inside the recording ({unix[0]:.3f}–{unix[-1]:.3f}).")
        overlapping = [
            gap for gap in session.gaps if gap[0] < phase.end_unix and gap[1] > phase.start_unix
        ]
        if overlapping:
            raise ValueError(f"{where} overlaps a gap in the stream at {overlapping[0]}.")
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
    import h5py

    with h5py.File(path, "r") as h5:
        names = sorted((name for name in h5 if name.startswith("phase")), key=lambda n: int(n[5:]))
    phases: dict[str, list[np.ndarray]] = {}
    for name in names:
        array = read_array(path, name, axes=("channel", "time"))
        phases.setdefault(array.attrs["label"], []).append(array.data)
    return phases
