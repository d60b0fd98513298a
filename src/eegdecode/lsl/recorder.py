"""Recording a calibration session from an LSL stream while walking the user through the
protocol in the terminal."""

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .._logging import logger
from .session import CalibrationSession, ClockRelation, Phase

MARKER_STREAM = "eegdecode-markers"
# Seconds between creating the marker stream and the protocol's first phase.
SCHEDULE_LEAD_S = 0.5


@dataclass(frozen=True)
class ProtocolStep:
    """One phase of the calibration protocol: a label, how long, and what the user is told."""

    label: str
    duration_s: float
    cue: str = ""

    @classmethod
    def from_config(cls, steps: Sequence[dict]) -> list["ProtocolStep"]:
        protocol = [cls(**step) for step in steps]
        if not protocol or any(step.duration_s <= 0 for step in protocol):
            raise ValueError("The protocol needs at least one phase, each of positive duration.")
        return protocol


def lsl_timeout_error() -> type[Exception]:
    """The exception pylsl raises when a request times out: ``pylsl.TimeoutError`` up to
    pylsl 1.16, ``pylsl.util.TimeoutError`` since (``pylsl.TimeoutError`` is gone there)."""
    import pylsl

    timeout = getattr(pylsl, "TimeoutError", None)
    if timeout is None:
        from pylsl.util import TimeoutError as timeout
    return timeout


def marker_stream_info(
    protocol: Sequence[ProtocolStep], *, user: str, session: str, source_id: str, start_unix: float
):
    """The recorder's marker stream, whose description carries the protocol's schedule.

    ``<label>/start`` and ``<label>/end`` markers tell a listener when each phase begins and
    ends, but LSL gives a listener only what is pushed after it connects. So the stream's
    description also holds the schedule (``protocol``: ``start_unix`` and each ``step``'s
    ``label`` and ``duration_s``) and the ``source_id`` of the EEG stream being recorded: a
    listener that joins late still knows which phase is running (:func:`scheduled_label`), and
    a simulated headset follows only the recorder that records it. LabRecorder saves the
    description in the XDF file's header.
    """
    import pylsl

    info = pylsl.StreamInfo(
        MARKER_STREAM, "Markers", 1, 0, "string", f"{MARKER_STREAM}-{user}-{session}"
    )
    info.desc().append_child_value("recorded_source_id", source_id)
    schedule = info.desc().append_child("protocol")
    schedule.append_child_value("start_unix", repr(start_unix))
    for step in protocol:
        entry = schedule.append_child("step")
        entry.append_child_value("label", step.label)
        entry.append_child_value("duration_s", repr(step.duration_s))
    return info


def scheduled_label(info, unix_time: float) -> str | None:
    """The phase that a marker stream's schedule (:func:`marker_stream_info`) runs at
    ``unix_time``; None before its start, after its end, or for a stream without one."""
    schedule = info.desc().child("protocol")
    start = schedule.child_value("start_unix")
    if not start:
        return None
    edge, step = float(start), schedule.child("step")
    while not step.empty():
        end = edge + float(step.child_value("duration_s"))
        if edge <= unix_time < end:
            return step.child_value("label")
        edge, step = end, step.next_sibling()
    return None


def unix_offset(tries: int = 5) -> float:
    """Unix time minus this machine's LSL clock, from the reading of ``time.time()`` most
    tightly bracketed by two ``pylsl.local_clock()`` readings of ``tries``."""
    import pylsl

    readings = []
    for _ in range(tries):
        before, unix, after = pylsl.local_clock(), time.time(), pylsl.local_clock()
        readings.append((after - before, unix - (before + after) / 2))
    return min(readings)[1]


def resolve_stream(
    *,
    name: str | None = None,
    stream_type: str | None = "EEG",
    source_id: str | None = None,
    timeout: float = 10.0,
):
    """The LSL stream matching every given property; an error lists what was found instead."""
    import pylsl

    conditions = [
        f"{key}='{value}'"
        for key, value in (("name", name), ("type", stream_type), ("source_id", source_id))
        if value
    ]
    if not conditions:
        raise ValueError("Give a stream name, type or source id to look for.")
    found = pylsl.resolve_bypred(" and ".join(conditions), 1, timeout)
    if not found:
        available = [
            f"{s.name()} ({s.type()}, {s.source_id()})"
            for s in pylsl.resolve_streams(wait_time=1.0)
        ]
        raise RuntimeError(
            f"No LSL stream with {' and '.join(conditions)} within {timeout:g} s; streams on "
            f"the network: {available or 'none'}."
        )
    return found[0]


def stream_channel_names(info) -> list[str]:
    """Channel labels from a stream's description (empty strings when it has none)."""
    names, channel = [], info.desc().child("channels").child("channel")
    for _ in range(info.channel_count()):
        names.append(channel.child_value("label"))
        channel = channel.next_sibling()
    return names


class TerminalDisplay:
    """Countdown, cues and a progress bar on stderr; silent when ``quiet``."""

    def __init__(self, quiet: bool = False, stream=sys.stderr):
        self.quiet, self.stream = quiet, stream

    def phase(self, step: ProtocolStep, index: int, total: int) -> None:
        if not self.quiet:
            cue = f": {step.cue}" if step.cue else ""
            print(f"\n[{index + 1}/{total}] {step.label}{cue}", file=self.stream)

    def progress(self, step: ProtocolStep, elapsed: float, samples: int) -> None:
        if not self.quiet:
            done = min(elapsed / step.duration_s, 1.0)
            bar = "#" * int(30 * done) + "-" * (30 - int(30 * done))
            left = max(step.duration_s - elapsed, 0.0)
            print(
                f"\r  [{bar}] {left:5.1f} s left, {samples} samples",
                end="",
                file=self.stream,
                flush=True,
            )

    def message(self, text: str) -> None:
        if not self.quiet:
            print(f"\n{text}", file=self.stream)


def record_session(
    info,
    protocol: Sequence[ProtocolStep],
    *,
    user: str,
    session: str,
    display: TerminalDisplay | None = None,
    correction_every_s: float = 5.0,
    publish_markers: bool = True,
    stop: Callable[[], bool] | None = None,
) -> CalibrationSession:
    """Record ``info``'s stream through the protocol; return the session (not yet saved).

    Samples are pulled in chunks with their timestamps; ``time_correction()`` is measured at
    the start and every ``correction_every_s``. Everything is timed on this machine's LSL
    clock, which is monotonic, and stated in Unix time through one offset measured at the
    start (:func:`unix_offset`): a step of the wall clock during the recording (an NTP
    correction, a virtual machine resumed) neither shortens a phase nor moves its samples.
    The phases follow a schedule, each starting where the one before ended (or, if the loop
    ran late, when its cue is shown); each is
    announced on the ``eegdecode-markers`` LSL stream, whose description carries the schedule
    (:func:`marker_stream_info`), and is stored with its Unix start and end. The inlet
    recovers a lost stream by itself; samples lost meanwhile are found from the sample count
    (:func:`~eegdecode.lsl.session.dejitter`) and stored as gaps. Ctrl-C (or ``stop()``
    returning True) ends the recording early, keeps the phase in progress marked partial, and
    marks the session incomplete. Each pass of the loop costs the same however long the
    recording has run.
    """
    import pylsl

    display = display or TerminalDisplay()
    inlet = pylsl.StreamInlet(info, max_buflen=360, recover=True)
    inlet.open_stream(timeout=10.0)
    channel_names = stream_channel_names(inlet.info(timeout=5.0))
    n_channels, sfreq = info.channel_count(), info.nominal_srate()
    chunks, stamps = [], []
    received = 0
    corrections = []
    offset = unix_offset()

    def now() -> float:
        """Unix time, on the LSL clock."""
        return pylsl.local_clock() + offset

    def measure_clock():
        try:
            corrections.append((pylsl.local_clock(), inlet.time_correction(timeout=1.0)))
        except lsl_timeout_error():
            logger.info("time_correction timed out (stream lost?); keeping the last value")

    def pull():
        nonlocal received
        data, times = inlet.pull_chunk(timeout=0.02, max_samples=4096)
        if times:
            chunks.append(np.asarray(data, dtype=np.float32))
            stamps.append(np.asarray(times))
            received += len(times)

    measure_clock()  # the first request is slow; the schedule starts after it
    # The schedule starts a moment after the marker stream exists, so that a listener
    # already waiting for it can connect before the first marker.
    start_unix = now() + SCHEDULE_LEAD_S
    markers = None
    if publish_markers:
        markers = pylsl.StreamOutlet(
            marker_stream_info(
                protocol, user=user, session=session, source_id=info.source_id(),
                start_unix=start_unix,
            )
        )  # fmt: skip
    phases, complete, running = [], False, None
    last_measure = time.monotonic()
    try:
        while now() < start_unix:
            if stop is not None and stop():
                raise KeyboardInterrupt
            pull()
        edge = start_unix
        for index, step in enumerate(protocol):
            display.phase(step, index, len(protocol))
            # A phase ends on the schedule, but never starts before its cue was shown: a pass
            # of the loop that ran late (a slow time-correction request) shortens it.
            running = (step.label, max(edge, now()))
            if markers is not None:
                markers.push_sample([f"{step.label}/start"])
            end_unix = edge + step.duration_s
            while (moment := now()) < end_unix:
                if stop is not None and stop():
                    raise KeyboardInterrupt
                pull()
                if time.monotonic() - last_measure > correction_every_s:
                    measure_clock()
                    last_measure = time.monotonic()
                display.progress(step, moment - edge, received)
            if markers is not None:
                markers.push_sample([f"{step.label}/end"])
            if running[1] < end_unix:
                phases.append(Phase(step.label, running[1], end_unix))
            else:
                logger.warning("phase %r was never cued (the recorder ran late)", step.label)
            edge, running = end_unix, None
        complete = True
        # Samples up to the protocol's end may still be in flight.
        deadline = now() + 2.0
        while now() < deadline and not (
            stamps and corrections and stamps[-1][-1] + corrections[-1][1] + offset >= end_unix
        ):
            pull()
    except KeyboardInterrupt:
        if running is not None:
            phases.append(Phase(running[0], running[1], now(), partial=True))
            if markers is not None:
                markers.push_sample([f"{running[0]}/end"])
        display.message(
            "Interrupted: saving what was recorded (the phase in progress marked partial); "
            "the session is incomplete."
        )
    measure_clock()
    if not corrections:
        raise RuntimeError(f"Stream {info.name()!r} never answered a time-correction request.")
    inlet.close_stream()
    session = CalibrationSession(
        eeg=np.concatenate(chunks).T if chunks else np.zeros((n_channels, 0), np.float32),
        timestamps=np.concatenate(stamps) if stamps else np.zeros(0),
        sfreq=sfreq,
        channel_names=channel_names,
        clock=ClockRelation(np.array(corrections), np.array([[pylsl.local_clock(), offset]])),
        phases=phases,
        complete=complete,
        user=user,
        session=session,
        stream={"name": info.name(), "type": info.type(), "source_id": info.source_id()},
    )
    for start, end in session.gaps:
        display.message(
            f"Gap in the stream: no samples for {end - start:.2f} s, from "
            f"{start - session.start_unix:.2f} s after the start."
        )
    logger.info(
        "recorded %d samples of %d channels; %d gap(s)", received, n_channels, len(session.gaps)
    )
    return session
