"""The live view's data: the stream's state, the predictions, a trace of the last seconds and
each channel's signal quality, computed by :class:`~eegdecode.lsl.live.LiveDecoder` and
published to the page."""

import threading
import time
from pathlib import Path

import numpy as np

from .._logging import logger
from ..lsl.calibration import check_name
from ..lsl.live import FocusModelSelector, LiveDecoder, WorkloadModel, focus_model_paths
from ..lsl.recorder import resolve_stream
from ..signal.focus import FOCUS_CHANNELS
from ..signal.quality import channel_problems
from .events import EventHub

NO_MODEL_HINT = (
    "The base focus model is trained by `snakemake calibration_all`, or by the first "
    "calibration from this page."
)
#: Samples per second of the trace sent to the page.
TRACE_RATE = 32.0


class LiveMonitor:
    """Finds the stream, predicts every ``step_s`` and publishes what the page shows.

    Events
    ------
    ``stream``
        ``state``: ``searching`` (no stream found yet, or lost for good: ``message`` says
        what was looked for), ``live`` (with ``name``, ``sfreq``, ``channels`` and the length
        of the last gap, ``last_gap_s``) or ``reconnecting`` (``gap_s``: seconds without
        samples so far).
    ``prediction``
        ``focus`` and ``load`` (None while the buffer fills), the focus ``model`` in use, the
        ``user``, and an ``error`` when no focus model can be loaded.
    ``signal``
        ``trace``: the focus channels' last ``trace_s`` seconds at :data:`TRACE_RATE`, each
        minus its mean; ``quality``: per channel, ``ok`` or what
        :func:`~eegdecode.signal.quality.channel_problems` finds over the last
        ``quality_s`` seconds, and its standard deviation in µV.

    Parameters
    ----------
    hub : EventHub
    stream : dict
        ``name``, ``stream_type`` and ``source_id`` to look for (None: any).
    results : str | Path
        The workflow's results folder, where the focus models are.
    workload : WorkloadModel | None
    step_s, buffer_s : float
        ``calibration.live``'s settings.
    lost_after_s : float
        Seconds without samples after which the stream counts as reconnecting.
    resolve_again_s : float
        Seconds of reconnecting after which the stream is looked for afresh (a new headset
        under the same name has a new source id, which an inlet does not recover).
    """

    def __init__(
        self,
        hub: EventHub,
        *,
        stream: dict,
        results: str | Path = "results",
        workload: WorkloadModel | None = None,
        step_s: float = 0.5,
        buffer_s: float = 180.0,
        trace_s: float = 5.0,
        quality_s: float = 2.0,
        lost_after_s: float = 1.0,
        resolve_again_s: float = 30.0,
    ):
        self.hub, self.stream, self.results, self.workload = hub, stream, results, workload
        self.step_s, self.buffer_s, self.trace_s, self.quality_s = (
            step_s, buffer_s, trace_s, quality_s,
        )  # fmt: skip
        self.lost_after_s, self.resolve_again_s = lost_after_s, resolve_again_s
        self.user: str | None = None
        self.selector = FocusModelSelector(*focus_model_paths(results, None))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def set_user(self, user: str | None) -> None:
        """Predict with ``user``'s fine-tuned model when they have one (None: the base)."""
        if user is not None:
            check_name(user)
        self.selector = FocusModelSelector(*focus_model_paths(self.results, user))
        self.user = user
        self.hub.publish("user", {"user": user})

    def start(self) -> "LiveMonitor":
        self._thread = threading.Thread(target=self._run, name="live-monitor", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._connect_and_follow()
            except Exception as error:  # the page must hear of it, not a thread died silently
                logger.exception("live monitor")
                message = f"{type(error).__name__}: {error}"
                self.hub.publish("stream", {"state": "searching", "message": message})
                self._stop.wait(2.0)

    def _connect_and_follow(self) -> None:
        try:
            info = resolve_stream(**self.stream, timeout=2.0)
        except RuntimeError as error:
            self.hub.publish("stream", {"state": "searching", "message": str(error)})
            return
        decoder = LiveDecoder(info, self.selector, buffer_s=self.buffer_s, workload=self.workload)
        try:
            self._follow(decoder)
        finally:
            decoder.close()

    def _follow(self, decoder: LiveDecoder) -> None:
        """Publish until stopped or the stream is lost for ``resolve_again_s``."""
        description = {
            "name": decoder.name,
            "sfreq": decoder.sfreq,
            "channels": [decoder.channel_names[i] or FOCUS_CHANNELS[k]
                         for k, i in enumerate(decoder.channels)],
        }  # fmt: skip
        self.hub.publish("stream", {"state": "live", "last_gap_s": None, **description})
        connected, next_step = time.monotonic(), time.monotonic()
        # The timestamp of the last sample before the stream was lost; None while live.
        lost_after: float | None = None
        while not self._stop.is_set():
            decoder.pull()
            now = time.monotonic()
            since = now - (decoder.last_sample_at or connected)
            if since > self.lost_after_s:
                if since > self.resolve_again_s:
                    return
                if lost_after is None:
                    newest = decoder.buffer.latest_times(1)
                    lost_after = float(newest[0]) if len(newest) else -np.inf
                if now >= next_step:
                    self.hub.publish("stream", {"state": "reconnecting", "gap_s": since,
                                                **description})  # fmt: skip
                    next_step = now + self.step_s
                continue
            if lost_after is not None:
                # On the stream's own clock: the samples' timestamps run on over a loss.
                times = decoder.buffer.latest_times(decoder.buffer.count)
                after = times[times > lost_after]
                gap = None
                if len(after) and np.isfinite(lost_after):
                    gap = float(after[0] - lost_after - 1 / decoder.sfreq)
                self.hub.publish("stream", {"state": "live", "last_gap_s": gap, **description})
                lost_after = None
            if now < next_step:
                continue
            next_step = now + self.step_s
            decoder.selector = self.selector
            self.hub.publish("prediction", self._prediction(decoder))
            self.hub.publish("signal", self._signal(decoder, description["channels"]))

    def _prediction(self, decoder: LiveDecoder) -> dict:
        """Each model's answer; a focus model that cannot be loaded (none trained yet) is
        reported on the page, and the load is still predicted."""
        prediction = {"user": self.user, "time": time.time(), "error": None}
        try:
            prediction["focus"] = decoder.focus()
            prediction["model"] = decoder.selector.description
        except (OSError, ValueError) as error:
            prediction.update(focus=None, model=None, error=f"{error} {NO_MODEL_HINT}")
        prediction["load"] = decoder.load()
        return prediction

    def _signal(self, decoder: LiveDecoder, names: list[str]) -> dict:
        sfreq = decoder.sfreq
        n_trace = int(self.trace_s * sfreq)
        trace = decoder.buffer.latest(n_trace)[decoder.channels]
        step = max(1, round(sfreq / TRACE_RATE))
        trace = trace[:, ::step]
        trace = trace - trace.mean(axis=1, keepdims=True) if trace.size else trace
        recent = decoder.buffer.latest(int(self.quality_s * sfreq))[decoder.channels]
        quality = {}
        if recent.shape[1] >= int(self.quality_s * sfreq) > 1:
            problems = channel_problems(recent, names)
            for name, values in zip(names, recent, strict=True):
                quality[name] = {"status": problems.get(name, "ok"),
                                 "std_uv": round(float(values.std()), 2)}  # fmt: skip
        else:
            logger.debug("quality: %d samples buffered", recent.shape[1])
        return {
            "channels": names,
            "rate": sfreq / step,
            "trace": np.round(trace, 2).tolist(),
            "quality": quality,
        }
