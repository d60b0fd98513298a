"""LabRecorder ``.xdf`` files as calibration sessions.

pyxdf synchronises every stream to the recording computer's LSL clock, so samples and phase
markers share one clock; the file holds no Unix time, so the session's clock relation is the
identity and its "Unix" times are that LSL clock.
"""

from pathlib import Path

import numpy as np

from .recorder import MARKER_STREAM
from .session import CalibrationSession, ClockRelation, Phase

IDENTITY = np.zeros((1, 2))


def _channel_names(stream: dict) -> list[str]:
    try:
        channels = stream["info"]["desc"][0]["channels"][0]["channel"]
        return [channel["label"][0] for channel in channels]
    except (KeyError, IndexError, TypeError):
        return []


def import_xdf(
    path: str | Path, *, user: str, session: str, stream_name: str | None = None
) -> CalibrationSession:
    """Read the EEG stream (by name, else the first of type EEG) and the protocol's markers
    (``<label>/start`` and ``<label>/end`` on the ``eegdecode-markers`` stream)."""
    import pyxdf

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"XDF file {str(path)!r} does not exist.")
    try:
        streams, _ = pyxdf.load_xdf(str(path))
    except Exception as error:  # pyxdf raises bare Exceptions for malformed files
        raise ValueError(f"Cannot read {path} as XDF: {error}") from error

    def field(stream, key):
        return stream["info"][key][0]

    eeg = [
        s
        for s in streams
        if (field(s, "name") == stream_name if stream_name else field(s, "type") == "EEG")
    ]
    markers = [s for s in streams if field(s, "name") == MARKER_STREAM]
    if not eeg:
        found = [(field(s, "name"), field(s, "type")) for s in streams]
        raise ValueError(
            f"{path} has no EEG stream{f' named {stream_name!r}' if stream_name else ''}"
            f"; it has {found}."
        )
    if not markers:
        raise ValueError(f"{path} has no {MARKER_STREAM!r} stream with the protocol's phases.")
    stream = eeg[0]
    starts: dict[str, list[float]] = {}
    phases = []
    for (value,), when in zip(markers[0]["time_series"], markers[0]["time_stamps"], strict=True):
        label, _, edge = value.rpartition("/")
        if edge == "start":
            starts.setdefault(label, []).append(float(when))
        elif edge == "end" and starts.get(label):
            phases.append(Phase(label, starts[label].pop(0), float(when)))
    sfreq = float(field(stream, "nominal_srate"))
    times = np.asarray(stream["time_stamps"], dtype=np.float64)
    return CalibrationSession(
        eeg=np.asarray(stream["time_series"], dtype=np.float32).T,
        timestamps=times,
        sfreq=sfreq,
        channel_names=_channel_names(stream),
        clock=ClockRelation(IDENTITY, IDENTITY),
        phases=sorted(phases, key=lambda p: p.start_unix),
        complete=bool(phases),
        user=user,
        session=session,
        stream={
            "name": field(stream, "name"),
            "type": field(stream, "type"),
            "source_id": field(stream, "source_id"),
            "imported_from": str(path),
        },
    )
