"""The audio decoder's stage: windows of high-gamma envelopes and their mel frames, training
on the first part of the recording, prediction of the non-overlapping test windows, and the
test part vocoded for listening.

:func:`train_audio_seq2seq` is the stage's entry point (rule ``train_audio_seq2seq``); its
predictions travel as :class:`MelPredictions`, which :func:`vocode_predictions` (rule
``vocode``) and :func:`~eegdecode.evaluation.audio.evaluate_predictions` (rule
``evaluate_audio``) read.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from ..artifacts import AxisArray, inherit_attrs, read_array, read_attrs, write_artifact
from ..fileio import atomic_path, write_csv
from ..models.audio_seq2seq import AudioSeq2Seq, AudioSeq2SeqConfig
from ..signal.mel import MelConfig
from ..splits import ChronologicalWindows, chronological_windows
from .loop import TrainConfig, fit
from .scaling import Standardizer
from .trained import TrainedModel

# What vocode_test_set writes of every utterance, in the order a listener compares them.
AUDIO_VERSIONS = ("recorded", "resynthesised", "decoded")


def mel_frames_per_window(window_s: float, mel: MelConfig) -> int:
    """Frames of a centred STFT of one target window: 35 for 0.4 s at hop 256 and 22,050 Hz."""
    return mel.n_frames(int(window_s * mel.sfreq))


def target_first_frames(
    windows: ChronologicalWindows, split: str, seeg_sfreq: float, mel: MelConfig
) -> np.ndarray:
    """Index of the mel frame at the start of each window's target (to the nearest frame)."""
    seconds = windows.target_starts(split) / seeg_sfreq
    return np.round(seconds * mel.sfreq / mel.hop_length).astype(int)


def window_pairs(
    envelope: np.ndarray,
    seeg_sfreq: float,
    log_mel: np.ndarray,
    mel: MelConfig,
    windows: ChronologicalWindows,
    split: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Input spans of the envelope and the mel frames of their target windows.

    The mel of the whole recording is cut, not recomputed per window: the target of a window
    starting at time t is the ``n`` frames whose centres lie at ``t, t + hop, …`` (to the
    nearest frame).

    Parameters
    ----------
    envelope : ndarray, shape (n_channels, n_times)
    seeg_sfreq : float
    log_mel : ndarray, shape (n_frames, n_mels)
        Of the audio paired with the envelope, from time 0.
    mel : MelConfig
    windows : ChronologicalWindows
    split : 'train' | 'validation' | 'test'

    Returns
    -------
    inputs : ndarray of float32, shape (n_windows, n_channels, span)
    targets : ndarray of float32, shape (n_windows, n_frames, n_mels)
    """
    starts = windows.starts[split]
    n_frames = mel_frames_per_window(windows.window / seeg_sfreq, mel)
    first_frames = target_first_frames(windows, split, seeg_sfreq, mel)
    if first_frames.max() + n_frames > len(log_mel):
        raise ValueError(
            f"The mel spectrogram has {len(log_mel)} frames, but the last {split} window needs "
            f"frames up to {first_frames.max() + n_frames}: the audio is shorter than the sEEG."
        )
    inputs = np.stack([envelope[:, start : start + windows.span] for start in starts])
    targets = np.stack([log_mel[first : first + n_frames] for first in first_frames])
    return inputs.astype(np.float32), targets.astype(np.float32)


def assemble_windows(windows: np.ndarray, first_frames: np.ndarray) -> np.ndarray:
    """Place consecutive windows of frames on one time line; overlapping frames are averaged.

    Test windows tile the test part, but a window's frames span a little more than its
    samples (35 frames of 11.6 ms for 0.4 s), so neighbours share a frame; laid end to end
    they would drift from the audio by about 1.5 %.

    Parameters
    ----------
    windows : ndarray, shape (n_windows, n_frames, n_mels)
    first_frames : ndarray of int, shape (n_windows,)
        Frame index of each window's first frame, increasing.

    Returns
    -------
    timeline : ndarray of float32, shape (first_frames[-1] − first_frames[0] + n_frames, n_mels)
        Starting at ``first_frames[0]``.
    """
    first_frames = np.asarray(first_frames) - first_frames[0]
    if len(first_frames) != len(windows) or np.any(np.diff(first_frames) <= 0):
        raise ValueError("first_frames must give one increasing start per window.")
    n_frames = windows.shape[1]
    total = np.zeros((first_frames[-1] + n_frames, windows.shape[2]))
    counts = np.zeros(len(total))
    for window, first in zip(windows, first_frames, strict=True):
        total[first : first + n_frames] += window
        counts[first : first + n_frames] += 1
    if np.any(counts == 0):
        raise ValueError("The windows leave frames uncovered: they are not consecutive.")
    return (total / counts[:, None]).astype(np.float32)


def vocode_test_set(
    folder: str | Path,
    *,
    recorded: np.ndarray,
    target_mel: np.ndarray,
    predicted_mel: np.ndarray,
    vocoder,
    segment_options: dict | None = None,
    words: list[tuple[str, float, float]] | None = None,
) -> list[dict]:
    """Write the test set's audio, whole and per utterance, for listening side by side.

    Three versions: ``recorded`` (the audio itself), ``resynthesised`` (its true mel through the
    vocoder, the most a perfect decoder could sound like) and ``decoded`` (the predicted mel
    through the vocoder). The utterances are the cued words where there are word markers,
    else found in the recorded audio (:func:`~eegdecode.signal.speech_segments`); each is cut
    from all three at the same samples.

    Parameters
    ----------
    folder : str | Path
        Gets ``{recorded,resynthesised,decoded}.wav``, ``utterances/<i>_<version>.wav`` and
        ``utterances.csv``, written whole or not at all.
    recorded : ndarray, shape (n_samples,)
        The test part's audio at ``vocoder.mel.sfreq``, from the first target frame on.
    target_mel, predicted_mel : ndarray, shape (n_frames, n_mels)
        Time lines from :func:`assemble_windows`.
    vocoder : MelVocoder
    segment_options : dict | None
        Passed to :func:`~eegdecode.signal.speech_segments`.
    words : list of (str, float, float) | None
        The cued words and their start and end in seconds in the test part: the utterances,
        in place of the level-based segments.

    Returns
    -------
    utterances : list of dict
        ``utterance``, ``start_s``, ``stop_s`` (in the test part) and ``word`` (empty without
        markers) of every utterance.
    """
    from ..fileio import save_wav
    from ..signal.speech import speech_segments

    sfreq = vocoder.mel.sfreq
    versions = dict(
        zip(AUDIO_VERSIONS, (recorded, vocoder(target_mel), vocoder(predicted_mel)), strict=True)
    )
    length = min(len(audio) for audio in versions.values())
    versions = {version: audio[:length] for version, audio in versions.items()}
    if words is None:
        segments = speech_segments(versions["recorded"], sfreq, **(segment_options or {}))
        labels = [""] * len(segments)
    else:
        cued = [(word, round(start * sfreq), round(stop * sfreq)) for word, start, stop in words]
        cued = [(word, start, stop) for word, start, stop in cued if 0 <= start < stop <= length]
        labels = [word for word, _, _ in cued]
        segments = [(start, stop) for _, start, stop in cued]
    rows = []
    with atomic_path(folder) as temporary:
        for version, audio in versions.items():
            save_wav(temporary / f"{version}.wav", audio, sfreq)
        for index, ((start, stop), word) in enumerate(zip(segments, labels, strict=True)):
            for version, audio in versions.items():
                save_wav(temporary / "utterances" / f"{index}_{version}.wav", audio[start:stop],
                         sfreq)  # fmt: skip
            rows.append(
                {"utterance": index, "start_s": start / sfreq, "stop_s": stop / sfreq, "word": word}
            )
        write_csv(temporary / "utterances.csv", rows, ["utterance", "start_s", "stop_s", "word"])
    return rows


def describe_split(windows: ChronologicalWindows, sfreq: float) -> dict:
    """The chronological split as JSON, as a trained decoder's folder keeps it.

    Returns
    -------
    split : dict
        ``kind`` (``"chronological"``), ``sfreq``, ``window`` and ``context`` (samples),
        ``boundaries`` (the samples where validation and test begin) and, per part, the
        ``first`` and ``last`` window start and the number ``n`` of windows.
    """
    return {
        "kind": "chronological",
        "sfreq": float(sfreq),
        "window": int(windows.window),
        "context": int(windows.context),
        "boundaries": [int(sample) for sample in windows.boundaries],
        "starts": {
            name: {"first": int(starts[0]), "last": int(starts[-1]), "n": len(starts)}
            for name, starts in windows.starts.items()
        },
    }


def predict_mel(
    trained: TrainedModel, envelopes: np.ndarray, *, seed: int = 0, batch_size: int = 256
) -> np.ndarray:
    """Log-mel windows decoded from high-gamma envelopes by a trained audio decoder.

    The prenet keeps its dropout at inference (Tacotron 2), so predictions are random;
    ``seed`` fixes them without touching the caller's random state.

    Parameters
    ----------
    trained : TrainedModel
        An :class:`~eegdecode.models.AudioSeq2Seq` with its ``envelope`` scaler
        (:func:`train_audio_decoder`, or :meth:`TrainedModel.load` of its folder).
    envelopes : ndarray, shape (n_windows, n_channels, span)
    seed : int
    batch_size : int

    Returns
    -------
    log_mel : ndarray of float32, shape (n_windows, n_frames, n_mels)
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return trained.predict(envelopes, batch_size=batch_size)


def train_audio_decoder(
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    *,
    model_config: dict,
    train_config: TrainConfig,
    workdir: str | Path | None = None,
    split: dict | None = None,
) -> TrainedModel:
    """Fit :class:`AudioSeq2Seq` on training windows; the validation loss picks the epoch.

    Envelopes are z-scored per channel with the training part's statistics (spec §3); the
    targets are used as they are.

    Parameters
    ----------
    train, validation : (inputs, targets)
        Envelope spans (n_windows, n_channels, span) and their log-mel windows
        (n_windows, n_frames, n_mels), from :func:`window_pairs`.
    model_config : dict
        :class:`~eegdecode.models.AudioSeq2SeqConfig` fields; the sizes come from the data.
    train_config : TrainConfig
        Monitoring ``val_loss`` or ``train_loss``; its seed also seeds the initial weights.
    workdir : str | Path | None
        Checkpoints of the run.
    split : dict | None
        JSON description of the split, kept with the model.

    Returns
    -------
    trained : TrainedModel
        With the scaler ``envelope`` and the training history in ``fit``.
    """
    if train_config.monitor not in ("val_loss", "train_loss"):
        raise ValueError(
            f"The audio decoder is a regression: monitor 'val_loss' (or 'train_loss'), not "
            f"{train_config.monitor!r}."
        )
    inputs, targets = train
    scaler = Standardizer.fit_channels(inputs)
    config = AudioSeq2SeqConfig.from_dict(
        {**model_config, "n_channels": inputs.shape[1], "n_frames": targets.shape[1],
         "n_mels": targets.shape[2]}
    )  # fmt: skip
    torch.manual_seed(train_config.seed)
    model = AudioSeq2Seq(config)
    result = fit(
        model,
        (torch.from_numpy(scaler.transform_channels(inputs)), torch.from_numpy(targets)),
        (
            torch.from_numpy(scaler.transform_channels(validation[0])),
            torch.from_numpy(validation[1]),
        ),
        loss="mse",
        config=train_config,
        workdir=workdir,
        progress=True,
    )
    return TrainedModel(result.model, {"envelope": scaler}, split=split, fit=result)


# The axes of the decoder's test windows, as MelPredictions writes and reads them.
_WINDOW_AXES = ("window", "frame", "mel")
# File attributes write_artifact adds itself, left out of MelPredictions.attrs on reading.
_OWN_ATTRS = ("producer", "eegdecode_version", "parameters")


@dataclass(frozen=True)
class MelPredictions:
    """One participant's decoded test windows beside the true ones (``predictions/*_mel.h5``).

    Attributes
    ----------
    predicted, target : ndarray of float32, shape (n_windows, n_frames, n_mels)
        Non-overlapping test windows in time order.
    first_frames : ndarray of int, shape (n_windows,)
        Index of each window's first mel frame in the recording's mel spectrogram.
    parameters : dict
        The settings the stage ran with: ``mel`` (:class:`~eegdecode.signal.MelConfig`
        fields), ``windows``, ``model`` and ``training``.
    attrs : dict
        File attributes (those inherited from the envelope, and ``frame_rate``).
    """

    predicted: np.ndarray
    target: np.ndarray
    first_frames: np.ndarray
    parameters: dict
    attrs: dict = field(default_factory=dict)

    @property
    def mel(self) -> MelConfig:
        """The mel spectrogram's settings."""
        return MelConfig(**self.parameters["mel"])

    @property
    def frame_rate(self) -> float:
        """Mel frames per second."""
        return self.mel.sfreq / self.mel.hop_length

    def frame_times(self) -> np.ndarray:
        """Time in seconds of each frame of :meth:`timelines`, from the recording's start: the
        centre of its analysis window (the attribute ``frame_offset_s`` says where that lies
        after the frame's index time; 0 for the centred STFT of the Tacotron mel)."""
        n_frames = self.first_frames[-1] - self.first_frames[0] + self.predicted.shape[1]
        offset = float(self.attrs.get("frame_offset_s", 0.0))
        return (self.first_frames[0] + np.arange(n_frames)) / self.frame_rate + offset

    def timelines(self) -> tuple[np.ndarray, np.ndarray]:
        """The target and the predicted windows, each on one time line (:func:`assemble_windows`).

        Returns
        -------
        target, predicted : ndarray of float32, shape (n_frames, n_mels)
        """
        return (
            assemble_windows(self.target, self.first_frames),
            assemble_windows(self.predicted, self.first_frames),
        )

    def write(self, path: str | Path, *, producer: str = "train_audio_seq2seq") -> Path:
        """Write the predictions as an HDF5 artifact, atomically; :meth:`read` is the inverse."""
        return write_artifact(
            path,
            {
                "predicted": AxisArray(self.predicted, _WINDOW_AXES),
                "target": AxisArray(self.target, _WINDOW_AXES),
                "first_frame": AxisArray(self.first_frames, ("window",)),
            },
            producer=producer,
            attrs=self.attrs,
            parameters=self.parameters,
        )

    @classmethod
    def read(cls, path: str | Path) -> "MelPredictions":
        """Read what :meth:`write` wrote, checking the axes of every array."""
        attrs = read_attrs(path)
        if "mel" not in attrs.get("parameters", {}):
            raise ValueError(
                f"{str(path)!r} lacks the mel settings in its parameters; it was not written by "
                f"train_audio_seq2seq (rerun it)."
            )
        return cls(
            predicted=read_array(path, "predicted", axes=_WINDOW_AXES).data,
            target=read_array(path, "target", axes=_WINDOW_AXES).data,
            first_frames=read_array(path, "first_frame", axes=("window",)).data,
            parameters=attrs["parameters"],
            attrs={key: value for key, value in attrs.items() if key not in _OWN_ATTRS},
        )


def train_audio_seq2seq(
    envelope_path: str | Path,
    mel_path: str | Path,
    *,
    windows: Mapping,
    model: Mapping,
    training: Mapping,
    seed: int,
    workdir: str | Path | None = None,
) -> tuple[TrainedModel, MelPredictions]:
    """One participant's decoder, from the envelope and mel artifacts to test predictions.

    The recording is split by time (:func:`~eegdecode.training.chronological_windows`), the
    decoder fitted on the training part with the validation part picking the epoch
    (:func:`train_audio_decoder`), and the test windows predicted with ``seed``.

    Parameters
    ----------
    envelope_path : str | Path
        High-gamma envelopes (rule ``highgamma``): ``envelope`` (channel, time) and ``sfreq``.
    mel_path : str | Path
        The log-mel of the paired audio (rule ``mel``): ``log_mel`` (frame, mel), with its
        :class:`~eegdecode.signal.MelConfig` in the parameters.
    windows : dict
        Keyword arguments of :func:`~eegdecode.training.chronological_windows`.
    model : dict
        :class:`~eegdecode.models.AudioSeq2SeqConfig` fields; the sizes come from the data.
    training : dict
        :class:`~eegdecode.training.TrainConfig` fields, without ``seed``.
    seed : int
        Seeds the initial weights, the training and the prenet's dropout at prediction.
    workdir : str | Path | None
        Checkpoints of the run (resumed when they match).

    Returns
    -------
    trained : TrainedModel
        See :func:`train_audio_decoder`.
    predictions : MelPredictions
        The test windows.
    """
    envelope = read_array(envelope_path, "envelope", axes=("channel", "time")).data
    attrs = read_attrs(envelope_path)
    log_mel = read_array(mel_path, "log_mel", axes=("frame", "mel")).data
    mel_settings = read_attrs(mel_path)["parameters"]
    mel, sfreq = MelConfig(**mel_settings), attrs["sfreq"]
    split = chronological_windows(envelope.shape[1], sfreq, **windows)
    pairs = {
        name: window_pairs(envelope, sfreq, log_mel, mel, split, name)
        for name in ("train", "validation", "test")
    }
    trained = train_audio_decoder(
        pairs["train"],
        pairs["validation"],
        model_config=model,
        train_config=TrainConfig.from_dict({**training, "seed": seed}),
        workdir=workdir,
        split=describe_split(split, sfreq),
    )
    test_inputs, test_targets = pairs["test"]
    predictions = MelPredictions(
        predicted=predict_mel(trained, test_inputs, seed=seed),
        target=test_targets,
        first_frames=target_first_frames(split, "test", sfreq, mel),
        parameters={"mel": mel_settings, "windows": windows, "model": model, "training": training},
        attrs=inherit_attrs(attrs, frame_rate=mel.sfreq / mel.hop_length),
    )
    return trained, predictions


def vocode_predictions(
    folder: str | Path,
    predictions: MelPredictions,
    audio: np.ndarray,
    *,
    vocoder,
    segment_options: dict | None = None,
    words=None,
) -> list[dict]:
    """The test part as audio, recorded, resynthesised and decoded (:func:`vocode_test_set`).

    Parameters
    ----------
    folder : str | Path
        What :func:`vocode_test_set` writes.
    predictions : MelPredictions
    audio : ndarray, shape (n_samples,)
        The whole recording's audio at ``predictions.mel.sfreq`` (rule ``align_recording``);
        the test part is cut from it at the first target frame.
    vocoder, segment_options
        See :func:`vocode_test_set`.
    words : WordMarkers | None
        The recording's cued words (:func:`~eegdecode.datasets.paired_audio.read_word_markers`);
        None or none at all: utterances are found in the audio.

    Returns
    -------
    utterances : list of dict
        See :func:`vocode_test_set`.
    """
    hop = predictions.mel.hop_length
    target, predicted = predictions.timelines()
    start = predictions.first_frames[0] * hop
    cued = None
    if words is not None and words.words:
        offset = start / predictions.mel.sfreq
        intervals = words.intervals - offset
        cued = [(word, float(first), float(last))
                for word, (first, last) in zip(words.words, intervals, strict=True)]  # fmt: skip
    return vocode_test_set(
        folder,
        recorded=audio[start : start + len(target) * hop],
        target_mel=target,
        predicted_mel=predicted,
        vocoder=vocoder,
        segment_options=segment_options,
        words=cued,
    )
