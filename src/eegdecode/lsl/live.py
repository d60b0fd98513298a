"""Live focus predictions from an LSL stream, with the user's fine-tuned model when one exists,
and beside them the cognitive load.

The focus model in use is re-chosen on every prediction from a pointer file that the workflow
rewrites when it fine-tunes a new version, so a new model goes live without a restart. The
cognitive-load model (rule ``train_workload_model``) gives P(workload) of the last 4 s.
"""

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._logging import logger
from ..models.focus import FocusModel
from ..signal.focus import FocusFeatureConfig, filter_focus_eeg, focus_features
from ..signal.resample import resample
from .recorder import stream_channel_names
from .session import select_channels

OUTPUT_STREAM = "eegdecode-focus"
WORKLOAD_STREAM = "eegdecode-workload"
# Seconds before the newest clip that are filtered with it, so that the band-pass has settled.
SETTLE_S = 10.0


def focus_model_paths(results: str | Path, user: str | None) -> tuple[Path, Path | None]:
    """The base model's folder and the user's pointer file (``current.json``)."""
    results = Path(results)
    pointer = results / "focus" / "users" / user / "current.json" if user else None
    return results / "focus" / "base", pointer


class FocusModelSelector:
    """Gives the user's current fine-tuned model if there is a loadable one, else the base.

    The pointer's modification time and content are checked on every call; the chosen model
    is reloaded only when they change.
    """

    def __init__(self, base_folder: str | Path, pointer: str | Path | None = None):
        self.base_folder, self.pointer = Path(base_folder), Path(pointer) if pointer else None
        self._key, self._model, self.description = None, None, ""

    def _choose(self) -> tuple[Path, str]:
        if self.pointer is not None and self.pointer.is_file():
            try:
                target = json.loads(self.pointer.read_text())["model"]
                folder = (self.pointer.parent / target).resolve()
                FocusModel.load(folder)
                return folder, f"fine-tuned {folder.name}"
            except (OSError, ValueError, KeyError) as error:
                logger.warning(
                    "cannot use %s (%s); falling back to the base model", self.pointer, error
                )
        return self.base_folder, "base"

    def get(self) -> FocusModel:
        stat = self.pointer.stat() if self.pointer is not None and self.pointer.is_file() else None
        key = (stat.st_mtime_ns, stat.st_size) if stat else None
        if self._model is None or key != self._key:
            folder, description = self._choose()
            self._model, self._key = FocusModel.load(folder), key
            if description != self.description:
                logger.info("focus model: %s (%s)", description, folder)
            self.description = description
        return self._model


class WorkloadModel:
    """The cognitive-load model live: P(workload) of the newest ``clip_s`` seconds.

    The EEG is prepared as for training (:func:`~eegdecode.training.mental_state
    .stew_segments`, with the settings saved in the model's folder): resampled to the
    training rate, band-passed and notched, and the last clip's Morlet CWT spectrum
    standardised by its own mean and std.

    Parameters
    ----------
    folder : str | Path
        A trained folder written by rule ``train_workload_model``.
    """

    def __init__(self, folder: str | Path):
        from ..signal.focus import FOCUS_CHANNELS
        from ..training.trained import TrainedModel

        self.folder = Path(folder)
        self.trained = TrainedModel.load(self.folder)
        features = self.trained.features or {}
        missing = {"sfreq", "channel_names", "clip_s", "n_scales"} - set(features)
        if missing:
            raise ValueError(
                f"{self.folder / 'normalization.json'} lacks the live features {sorted(missing)}; "
                f"a cognitive-load model is written by rule train_workload_model."
            )
        unknown = [name for name in features["channel_names"] if name not in FOCUS_CHANNELS]
        if unknown:
            raise ValueError(
                f"{self.folder}: the model reads {unknown}, which the live headset's channels "
                f"{list(FOCUS_CHANNELS)} lack."
            )
        self.features = features
        self.channel_index = [FOCUS_CHANNELS.index(name) for name in features["channel_names"]]
        self.description = f"{type(self.trained.model).__name__} {self.folder}"

    def history_s(self) -> float:
        """Seconds of stream one prediction reads."""
        return self.features["clip_s"] + SETTLE_S

    def predict(self, data: np.ndarray, sfreq: float) -> float | None:
        """P(workload) of the newest clip of ``data`` (focus channels, newest last); None
        until ``history_s`` seconds are buffered."""
        from ..signal.workload import cwt_spectrum, filter_recording

        rate = self.features["sfreq"]
        data = resample(data[self.channel_index], sfreq, rate)
        if data.shape[1] < round(self.history_s() * rate):
            return None
        clip = filter_recording(data, rate)[:, -round(self.features["clip_s"] * rate) :]
        logits = self.trained.predict(cwt_spectrum(clip[None], self.features["n_scales"]))[0]
        probabilities = np.exp(logits - logits.max())
        return float(probabilities[1] / probabilities.sum())


class RingBuffer:
    """The last ``capacity`` samples of a multichannel stream, with their timestamps."""

    def __init__(self, n_channels: int, capacity: int):
        self.data = np.zeros((n_channels, capacity))
        self.times = np.zeros(capacity)
        self.count = 0
        self._lock = threading.Lock()

    def extend(self, chunk: np.ndarray, times: np.ndarray) -> None:
        """Append (n_samples, n_channels) samples."""
        with self._lock:
            chunk = np.asarray(chunk)[-len(self.times) :]
            times = np.asarray(times)[-len(self.times) :]
            n = len(times)
            self.data = np.roll(self.data, -n, axis=1)
            self.times = np.roll(self.times, -n)
            self.data[:, -n:], self.times[-n:] = chunk.T, times
            self.count = min(self.count + n, len(self.times))

    def latest(self, n_samples: int) -> np.ndarray:
        """The newest ``n_samples`` (fewer while filling), (n_channels, n)."""
        with self._lock:
            n = min(n_samples, self.count)
            return self.data[:, len(self.times) - n :].copy()

    def latest_times(self, n_samples: int) -> np.ndarray:
        """The timestamps of :meth:`latest`."""
        with self._lock:
            n = min(n_samples, self.count)
            return self.times[len(self.times) - n :].copy()


def predict_focus(
    data: np.ndarray, sfreq: float, model: FocusModel, config: FocusFeatureConfig
) -> float | None:
    """P(focused) of the newest window of ``data`` (focus channels, newest last); None until
    a full trailing mean is buffered (``config.min_samples``).

    The feature vector is the last one that training computes from the same samples
    (:func:`~eegdecode.signal.focus.focus_features`): band-pass and notch, then the trailing
    mean of the last ``smoothing`` windows.
    """
    data = resample(data, sfreq, config.sfreq)
    if config.n_vectors(data.shape[1]) == 0:
        return None
    features = focus_features(filter_focus_eeg(data, config), config, filtered=True)
    return float(model.predict_proba(features[-1])[0])


@dataclass(frozen=True)
class LivePrediction:
    """One step of live inference: when, P(focused) (None while the buffer fills), the focus
    model in use, and P(workload) (None while filling or without a cognitive-load model)."""

    time: float
    focus: float | None
    model: str
    load: float | None


class LiveDecoder:
    """An LSL inlet, its ring buffer, and the focus and cognitive-load predictions of what it
    holds: what ``eegdecode live`` and ``eegdecode serve`` both run.

    Parameters
    ----------
    info : pylsl.StreamInfo
        The EEG stream (:func:`~eegdecode.lsl.recorder.resolve_stream`).
    selector : FocusModelSelector
    buffer_s : float
        Seconds the ring buffer holds (``calibration.live.buffer_s``).
    workload : WorkloadModel | None

    Attributes
    ----------
    name, sfreq, channel_names
        The stream's name, nominal rate and channel labels.
    channels : list of int
        Indices of the focus channels in the stream.
    buffer : RingBuffer
    last_sample_at : float | None
        ``time.monotonic()`` when samples last arrived.
    """

    def __init__(self, info, selector: FocusModelSelector, *, buffer_s: float = 180.0,
                 workload: "WorkloadModel | None" = None):  # fmt: skip
        import pylsl

        if workload is not None and workload.history_s() > buffer_s:
            raise ValueError(
                f"calibration.live.buffer_s = {buffer_s:g} s holds less than the "
                f"{workload.history_s():g} s a prediction of the cognitive-load model needs."
            )
        self.selector, self.workload, self.buffer_s = selector, workload, buffer_s
        self.inlet = pylsl.StreamInlet(info, max_buflen=int(buffer_s), recover=True)
        self.inlet.open_stream(timeout=10.0)
        self.info = self.inlet.info(timeout=5.0)
        self.name, self.sfreq = self.info.name(), self.info.nominal_srate()
        self.channel_names = stream_channel_names(self.info)
        self.channels = select_channels(self.channel_names, self.info.channel_count(), self.name)
        self.buffer = RingBuffer(self.info.channel_count(), int(buffer_s * self.sfreq))
        self.last_sample_at: float | None = None

    def pull(self, timeout: float = 0.05) -> int:
        """Move what the inlet holds into the buffer; returns the number of samples."""
        chunk, times = self.inlet.pull_chunk(timeout=timeout, max_samples=4096)
        if times:
            self.buffer.extend(np.asarray(chunk), np.asarray(times))
            self.last_sample_at = time.monotonic()
        return len(times)

    def predict(self) -> LivePrediction:
        """The predictions of the newest samples (:meth:`focus` and :meth:`load`)."""
        focus = self.focus()
        return LivePrediction(time.time(), focus, self.selector.description, self.load())

    def focus(self) -> float | None:
        """P(focused) of the newest samples, the features computed as the model in use was
        trained (its ``config.json``), so that a config changed since training cannot skew
        them; None while the buffer fills."""
        model = self.selector.get()
        config = FocusFeatureConfig(**model.config["features"])
        # A full trailing mean, plus the seconds the band-pass needs to settle.
        history = int((config.min_samples / config.sfreq + SETTLE_S) * self.sfreq)
        if history > len(self.buffer.times):
            raise ValueError(
                f"calibration.live.buffer_s = {self.buffer_s:g} s holds less than the "
                f"{history / self.sfreq:g} s a prediction of the focus model needs."
            )
        return predict_focus(self.buffer.latest(history)[self.channels], self.sfreq, model, config)

    def load(self) -> float | None:
        """P(workload) of the newest clip (with the model's saved features); None while the
        buffer fills or without a cognitive-load model."""
        if self.workload is None:
            return None
        samples = int(self.workload.history_s() * self.sfreq)
        return self.workload.predict(self.buffer.latest(samples)[self.channels], self.sfreq)

    def close(self) -> None:
        self.inlet.close_stream()


def run_live(
    info,
    selector: FocusModelSelector,
    *,
    step_s: float = 0.5,
    buffer_s: float = 180.0,
    duration_s: float | None = None,
    publish: bool = True,
    report: Callable[[LivePrediction], None] | None = None,
    workload: WorkloadModel | None = None,
) -> list[LivePrediction]:
    """Predict focus (and cognitive load) every ``step_s`` until ``duration_s`` (or Ctrl-C).

    Each prediction (:meth:`LiveDecoder.predict`) is passed to ``report``, published on the
    ``eegdecode-focus`` and ``eegdecode-workload`` LSL outlets and returned.
    """
    import pylsl

    decoder = LiveDecoder(info, selector, buffer_s=buffer_s, workload=workload)
    outlets = {}
    if publish:
        streams = {"Focus": OUTPUT_STREAM, **({"Workload": WORKLOAD_STREAM} if workload else {})}
        for kind, name in streams.items():
            source = f"{name}-{decoder.info.source_id()}"
            outlets[kind] = pylsl.StreamOutlet(
                pylsl.StreamInfo(name, kind, 1, 0, "float32", source)
            )
    results, started, next_step = [], time.time(), time.time()
    try:
        while duration_s is None or time.time() - started < duration_s:
            decoder.pull()
            if time.time() < next_step:
                continue
            next_step += step_s
            prediction = decoder.predict()
            results.append(prediction)
            for kind, value in (("Focus", prediction.focus), ("Workload", prediction.load)):
                if value is not None and kind in outlets:
                    outlets[kind].push_sample([value])
            if report is not None:
                report(prediction)
    except KeyboardInterrupt:
        pass
    decoder.close()
    return results
