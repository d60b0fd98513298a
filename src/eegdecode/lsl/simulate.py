"""A simulated headset: an LSL outlet of synthetic EEG whose mental state follows the
calibration protocol (it listens to the recorder's markers), with a per-user signature and a
cognitive load that can be switched."""

import threading
import time

import numpy as np

from .._logging import logger
from ..datasets.focus import FocusEEGSource, FocusSignature
from ..signal.focus import EMOTIV_CHANNELS, FOCUS_CHANNELS
from .recorder import MARKER_STREAM, lsl_timeout_error, scheduled_label
from .session import CalibrationSession, ClockRelation, Phase

# The state between and before the protocol's phases.
RESTING_STATE = "unfocused"


def _channel_names(n_channels: int) -> tuple[str, ...]:
    if n_channels == len(FOCUS_CHANNELS):
        return FOCUS_CHANNELS
    if n_channels == len(EMOTIV_CHANNELS):
        return EMOTIV_CHANNELS
    raise ValueError(f"The simulated headset has 7 or 14 channels, not {n_channels}.")


class SimulatedHeadset:
    """Streams synthetic EEG on LSL in real time from a background thread.

    Parameters
    ----------
    name : str
        Stream name (type ``EEG``).
    n_channels : 7 | 14
        The focus montage, or the Emotiv EPOC's 14 channels.
    sfreq : float
        Nominal rate (128 or 250 Hz).
    user : str
        Whose signature the EEG carries (:meth:`FocusSignature.for_user`).
    source_id : str | None
        LSL source id; an inlet recovers a lost stream of the same id (default: from the name).
    chunk_s : float
        Seconds of samples per push.
    seed : int
    follow_markers : bool
        Switch state on the ``<label>/start`` and ``<label>/end`` markers of the recorders
        that record this stream, catching up from their schedule when found late.
    jitter_s : float
        Standard deviation of the jitter on each chunk's timestamp (clipped to ±2 of it), as
        a sender stamping chunks on a busy clock makes; no sample is lost by it.

    Attributes
    ----------
    state : str
        The simulated user's focus state (``focused``, ``unfocused`` or ``drowsy``).
    workload : bool
        Whether they are under high cognitive load (:class:`~eegdecode.datasets.focus
        .FocusEEGSource`); either attribute may be set while streaming.
    """

    def __init__(
        self,
        *,
        name: str = "eegdecode-sim",
        n_channels: int = 7,
        sfreq: float = 128.0,
        user: str = "demo",
        source_id: str | None = None,
        chunk_s: float = 0.02,
        seed: int = 0,
        follow_markers: bool = True,
        jitter_s: float = 0.0,
    ):
        self.name, self.sfreq, self.chunk_s = name, float(sfreq), chunk_s
        self.channel_names = _channel_names(n_channels)
        self.source_id = source_id or f"{name}-{user}"
        self.source = FocusEEGSource(
            FocusSignature.for_user(user, n_channels), sfreq, seed=seed,
            channel_names=self.channel_names,
        )  # fmt: skip
        self.state, self.workload = RESTING_STATE, False
        self.follow_markers = follow_markers
        self.jitter_s, self._jitter = jitter_s, np.random.default_rng(seed + 1)
        self.pushed = 0
        # (LSL time of a pushed sample, its index, Unix − LSL offset at that moment)
        self.clock_log: list[tuple[float, int, float]] = []
        self.drops: list[tuple[float, float]] = []
        # Source ids of the marker streams found, followed or not.
        self.marker_streams_seen: set[str] = set()
        self._stop, self._paused = threading.Event(), threading.Event()
        self._threads: list[threading.Thread] = []

    def _outlet(self):
        import pylsl

        info = pylsl.StreamInfo(
            self.name, "EEG", len(self.channel_names), self.sfreq, "float32", self.source_id
        )
        channels = info.desc().append_child("channels")
        for label in self.channel_names:
            channel = channels.append_child("channel")
            channel.append_child_value("label", label)
            channel.append_child_value("unit", "microvolts")
            channel.append_child_value("type", "EEG")
        return pylsl.StreamOutlet(info, chunk_size=max(1, round(self.chunk_s * self.sfreq)))

    def _stream(self):
        import pylsl

        outlet = self._outlet()
        start = pylsl.local_clock()
        while not self._stop.is_set():
            if self._paused.is_set():
                outlet = None  # the stream disappears from the network
                while self._paused.is_set() and not self._stop.is_set():
                    time.sleep(0.01)
                outlet = self._outlet()
                # Samples that would have been sent meanwhile are lost, as with a real dropout.
                self.pushed = int((pylsl.local_clock() - start) * self.sfreq)
            due = int((pylsl.local_clock() - start) * self.sfreq) - self.pushed
            if due <= 0:
                time.sleep(self.chunk_s / 4)
                continue
            data = self.source.next(due, self.state, workload=self.workload)
            last_time = start + (self.pushed + due - 1) / self.sfreq
            if self.jitter_s:
                last_time += self.jitter_s * np.clip(self._jitter.standard_normal(), -2, 2)
            outlet.push_chunk(data.T.astype(np.float32), last_time)
            self.clock_log.append(
                (last_time, self.pushed + due - 1, time.time() - pylsl.local_clock())
            )
            self.pushed += due

    def _set_state(self, label: str | None, why: str) -> None:
        state = label if label in self.source.signature.amplitudes else RESTING_STATE
        if state != self.state:
            self.state = state
            logger.info("simulated headset: state %s (%s)", state, why)

    def _follow(self):
        """Follow the markers of the recorders that record this headset's stream (and of
        marker streams that name no recorded stream, such as another tool's).

        A recorder found late (LSL delivers only markers pushed after an inlet connects) is
        caught up from the schedule in its stream's description, so the EEG follows the
        protocol however long discovery took.
        """
        import pylsl

        inlets, last_resolve = [], 0.0
        while not self._stop.is_set():
            if time.monotonic() - last_resolve > 0.25:
                for found in pylsl.resolve_byprop("name", MARKER_STREAM, 0, 0.2):
                    if found.source_id() in self.marker_streams_seen:
                        continue
                    inlet = pylsl.StreamInlet(found)
                    try:
                        # Connected before the schedule is read, so that no marker pushed
                        # after it is missed (LSL connects an inlet on first use otherwise).
                        inlet.open_stream(timeout=2.0)
                        info = inlet.info(timeout=2.0)
                    except lsl_timeout_error():
                        continue  # asked again at the next resolve
                    self.marker_streams_seen.add(found.source_id())
                    if info.desc().child_value("recorded_source_id") in ("", self.source_id):
                        inlets.append(inlet)
                        self._set_state(scheduled_label(info, time.time()), "schedule")
                last_resolve = time.monotonic()
            received = False
            for inlet in inlets:
                marker, _ = inlet.pull_sample(timeout=0.0)
                if marker is None:
                    continue
                received = True
                label, _, edge = marker[0].rpartition("/")
                self._set_state(label if edge == "start" else None, marker[0])
            if not received:
                time.sleep(0.02)

    def start(self) -> "SimulatedHeadset":
        targets = [self._stream] + ([self._follow] if self.follow_markers else [])
        self._threads = [threading.Thread(target=t, daemon=True) for t in targets]
        for thread in self._threads:
            thread.start()
        return self

    def drop(self, seconds: float) -> None:
        """Take the stream off the network for ``seconds`` (its samples are lost), then back;
        the Unix times of both are appended to ``drops``."""
        started = time.time()
        self._paused.set()
        time.sleep(seconds)
        self._paused.clear()
        self.drops.append((started, time.time()))

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def simulate_session(
    user: str,
    session: str,
    protocol: list[tuple[str, float]],
    *,
    seed: int = 0,
    sfreq: float = 128.0,
    complete: bool = True,
    jitter_s: float = 0.0,
) -> CalibrationSession:
    """A session as ``eegdecode record`` saves it, synthesised without LSL.

    The user's EEG follows the protocol (phases whose label is not a state are resting); the
    sender's clock runs 0.5 s behind this machine's LSL clock, which runs 1.7e9 s behind Unix
    time, so reading it back exercises the clock relation. With ``jitter_s``, the raw
    timestamps of each 20 ms chunk are shifted together by a normal jitter of that standard
    deviation (clipped to ±2 of it), as :class:`SimulatedHeadset` stamps its chunks: at 1 kHz
    and a few ms they go backwards between chunks, although no sample is lost.
    """
    signature = FocusSignature.for_user(user, len(FOCUS_CHANNELS))
    source = FocusEEGSource(signature, sfreq, seed=seed)
    eeg = np.concatenate(
        [
            source.next(round(seconds * sfreq),
                        label if label in signature.amplitudes else RESTING_STATE)
            for label, seconds in protocol
        ],
        axis=1,
    )  # fmt: skip
    times = 100.0 + np.arange(eeg.shape[1]) / sfreq
    if jitter_s:
        chunk = max(1, round(0.02 * sfreq))
        n_chunks = -(-len(times) // chunk)
        shifts = np.clip(np.random.default_rng(seed + 1).standard_normal(n_chunks), -2, 2)
        times = times + np.repeat(jitter_s * shifts, chunk)[: len(times)]
    clock = ClockRelation([[0.0, 0.5]], [[0.0, 1.7e9]])
    edge = 1.7e9 + 100.5
    phases = []
    for label, seconds in protocol:
        phases.append(Phase(label, edge, edge + seconds))
        edge += seconds
    return CalibrationSession(
        eeg=eeg.astype(np.float32), timestamps=times, sfreq=sfreq,
        channel_names=list(FOCUS_CHANNELS), clock=clock, phases=phases,
        complete=complete, user=user, session=session,
    )  # fmt: skip
