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
        with self._lock:
            n = min(n_samples, self.count)
            return self.data[:, len(self.times) - n :].copy()


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


def run_live(
    info,
    selector: FocusModelSelector,
    *,
    step_s: float = 0.5,
    buffer_s: float = 180.0,
    duration_s: float | None = None,
    publish: bool = True,
    report: Callable[[float, float | None, str, float | None], None] | None = None,
    workload: WorkloadModel | None = None,
) -> list[tuple[float, float | None, str, float | None]]:
    """Predict focus (and cognitive load) every ``step_s`` until ``duration_s`` (or Ctrl-C).

    Each prediction is passed to ``report`` (time, P(focused) or None while filling, focus
    model description, P(workload) or None), published on the ``eegdecode-focus`` and
    ``eegdecode-workload`` LSL outlets and returned. Features are computed as the model in use
    was trained (the focus model's ``config.json``, the cognitive-load model's saved
    features), so a config changed since training cannot skew them.
    """
    import pylsl

    inlet = pylsl.StreamInlet(info, max_buflen=int(buffer_s), recover=True)
    inlet.open_stream(timeout=10.0)
    full = inlet.info(timeout=5.0)
    channels = select_channels(stream_channel_names(full), full.channel_count(), full.name())
    sfreq = full.nominal_srate()
    buffer = RingBuffer(full.channel_count(), int(buffer_s * sfreq))
    outlets = {}
    if publish:
        streams = {"Focus": OUTPUT_STREAM, **({"Workload": WORKLOAD_STREAM} if workload else {})}
        for kind, name in streams.items():
            info_out = pylsl.StreamInfo(name, kind, 1, 0, "float32", f"{name}-{full.source_id()}")
            outlets[kind] = pylsl.StreamOutlet(info_out)
    if workload is not None and workload.history_s() > buffer_s:
        raise ValueError(
            f"calibration.live.buffer_s = {buffer_s:g} s holds less than the "
            f"{workload.history_s():g} s a prediction of the cognitive-load model needs."
        )
    results, started, next_step = [], time.time(), time.time()
    try:
        while duration_s is None or time.time() - started < duration_s:
            chunk, times = inlet.pull_chunk(timeout=0.05, max_samples=4096)
            if times:
                buffer.extend(np.asarray(chunk), np.asarray(times))
            if time.time() < next_step:
                continue
            next_step += step_s
            model = selector.get()
            config = FocusFeatureConfig(**model.config["features"])
            # A full trailing mean, plus 10 s for the band-pass to settle.
            history = int((config.min_samples / config.sfreq + 10) * sfreq)
            if history > len(buffer.times):
                raise ValueError(
                    f"calibration.live.buffer_s = {buffer_s:g} s holds less than the "
                    f"{history / sfreq:g} s a prediction of the focus model needs."
                )
            probability = predict_focus(buffer.latest(history)[channels], sfreq, model, config)
            load = None
            if workload is not None:
                recent = buffer.latest(int(workload.history_s() * sfreq))[channels]
                load = workload.predict(recent, sfreq)
            row = (time.time(), probability, selector.description, load)
            results.append(row)
            for kind, value in (("Focus", probability), ("Workload", load)):
                if value is not None and kind in outlets:
                    outlets[kind].push_sample([value])
            if report is not None:
                report(*row)
    except KeyboardInterrupt:
        pass
    inlet.close_stream()
    return results
