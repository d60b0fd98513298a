"""A calibration started from the page: the recorder of ``eegdecode calibrate`` walks the
user through the protocol, its phases shown on the page; the session is checked as the
workflow will cut it, saved, and the user's model fine-tuned by the same workflow target."""

import json
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from .._logging import logger
from ..lsl.calibration import (
    check_name,
    rejected_session_file,
    run_finetune,
    session_file,
)
from ..lsl.recorder import ProtocolStep, record_session, resolve_stream
from ..lsl.session import cut_phases
from .events import EventHub

# Seconds between two progress events of a phase.
PROGRESS_EVERY_S = 0.1


class PageDisplay:
    """:class:`~eegdecode.lsl.recorder.TerminalDisplay`'s calls, published as ``calibration``
    events: the phase running, its cue, and the seconds done and left."""

    def __init__(self, publish: Callable[..., None]):
        self.publish, self._last = publish, 0.0
        self.step: ProtocolStep | None = None
        self.index = self.total = 0

    def phase(self, step: ProtocolStep, index: int, total: int) -> None:
        self.step, self.index, self.total = step, index, total
        self.progress(step, 0.0, 0, force=True)

    def progress(self, step: ProtocolStep, elapsed: float, samples: int, force=False) -> None:
        if not force and time.monotonic() - self._last < PROGRESS_EVERY_S:
            return
        self._last = time.monotonic()
        self.publish(
            "recording", phase=step.label, cue=step.cue, index=self.index, total=self.total,
            duration_s=step.duration_s, elapsed_s=round(min(elapsed, step.duration_s), 2),
            samples=samples,
        )  # fmt: skip

    def message(self, text: str) -> None:
        logger.info("calibration: %s", text)


class CalibrationRunner:
    """One calibration at a time, from the page.

    Events
    ------
    ``calibration``, with ``status``: ``idle``; ``recording`` (``phase``, ``cue``,
    ``index`` of ``total``, ``duration_s`` and ``elapsed_s``); ``fine-tuning``
    (``done`` of ``total`` workflow steps); ``done`` (``model``: the new version, and
    ``held_out``: the base and fine-tuned accuracies on the newest session when the user has
    more than one); ``rejected`` (the session failed validation: ``reason``, and ``kept``:
    where it is); ``interrupted``; ``failed`` (``reason``).

    Parameters
    ----------
    hub : EventHub
    stream : dict
        ``name``, ``stream_type`` and ``source_id`` of the EEG stream.
    protocol : list of ProtocolStep
    classes : sequence of str
        The phases the workflow cuts (``calibration.classes``).
    sfreq : float
        The focus features' rate, to which the workflow resamples the phases.
    results : str | Path
    cores, configfiles, snakemake_args
        How the workflow is run (:func:`~eegdecode.lsl.calibration.run_finetune`).
    """

    def __init__(
        self,
        hub: EventHub,
        *,
        stream: dict,
        protocol: Sequence[ProtocolStep],
        classes: Sequence[str],
        sfreq: float,
        results: str | Path = "results",
        cores: int = 2,
        configfiles: Sequence[str] = (),
        snakemake_args: Sequence[str] = (),
    ):
        self.hub, self.stream, self.protocol = hub, stream, list(protocol)
        self.classes, self.sfreq, self.results = list(classes), sfreq, Path(results)
        self.finetune_options = {
            "cores": cores, "configfiles": list(configfiles),
            "snakemake_args": list(snakemake_args),
        }  # fmt: skip
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._publish("idle")

    def _publish(self, status: str, **fields) -> None:
        self.hub.publish("calibration", {"status": status, **fields})

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def describe_protocol(self) -> list[dict]:
        return [
            {"label": step.label, "duration_s": step.duration_s, "cue": step.cue}
            for step in self.protocol
        ]

    def start(self, user: str) -> str:
        """Start recording ``user``'s session (named by the date and time); returns its name.
        A bad name raises ValueError, a calibration already running RuntimeError."""
        check_name(user)
        if self.running:
            raise RuntimeError("A calibration is already running.")
        session = time.strftime("%Y%m%d-%H%M%S")
        if session_file(self.results, user, session).parent.exists():
            raise RuntimeError(f"Session {session} of {user} exists; start again in a second.")
        self._cancel.clear()
        self._thread = threading.Thread(
            target=self._run, args=(user, session), name="calibration", daemon=True
        )
        self._thread.start()
        return session

    def cancel(self) -> None:
        """Stop the recording in progress (it is kept, marked incomplete)."""
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self, user: str, session: str) -> None:
        base = {"user": user, "session": session}
        try:
            self._publish("recording", phase=None, **base)
            info = resolve_stream(**self.stream, timeout=10.0)
            recorded = record_session(
                info, self.protocol, user=user, session=session,
                display=PageDisplay(lambda status, **f: self._publish(status, **base, **f)),
                stop=self._cancel.is_set,
            )  # fmt: skip
            path = session_file(self.results, user, session)
            if not recorded.complete:
                recorded.save(path)  # the workflow leaves interrupted sessions out
                self._publish("interrupted", kept=str(path), **base)
                return
            try:
                cut_phases(recorded, self.classes, target_sfreq=self.sfreq, path=path)
            except ValueError as error:
                kept = recorded.save(rejected_session_file(self.results, user, session))
                self._publish("rejected", reason=str(error), kept=str(kept), **base)
                return
            recorded.save(path)
            self._publish("fine-tuning", done=0, total=None, **base)
            pointer = run_finetune(
                self.results, user, **self.finetune_options,
                on_progress=lambda done, total: self._publish(
                    "fine-tuning", done=done, total=total, **base
                ),
            )  # fmt: skip
            self._publish("done", **base, **self._result(pointer))
        except Exception as error:  # reported on the page; the thread must not die silently
            logger.exception("calibration of %s failed", user)
            self._publish("failed", reason=str(error), **base)

    @staticmethod
    def _result(pointer: Path) -> dict:
        current = json.loads(Path(pointer).read_text())
        metrics = Path(pointer).parent / f"{current['model']}_metrics.json"
        held_out = json.loads(metrics.read_text()).get("held_out") if metrics.is_file() else None
        return {"model": current["model"], "sessions": current["sessions"],
                "held_out": held_out, "pointer": str(pointer)}  # fmt: skip
