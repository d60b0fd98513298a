"""The linear baseline beside the seq2seq (rule ``linear_baseline``): SingleWordProductionDutch's
reference features and decoder, on the seq2seq's own split, and on the reference's 10-fold
cross-validation as a parity row.

Both write :class:`~eegdecode.training.audio.MelPredictions`, cut into windows of the
seq2seq's window length, so that ``evaluate_audio`` scores every decoder with the same
functions.
"""

from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path

import numpy as np

from .._logging import logger
from ..artifacts import inherit_attrs, read_array, read_attrs
from ..datasets.paired_audio import resample_audio
from ..models.linear_mel import LinearMelDecoder
from ..signal.word_production import (
    WordProductionFeatures,
    framed_highgamma,
    framed_log_mel,
    stack_context,
)
from ..splits import chronological_windows, contiguous_folds
from .audio import MelPredictions
from .scaling import Standardizer
from .trained import TrainedModel


def word_production_frames(
    seeg: np.ndarray, seeg_sfreq: float, audio: np.ndarray, audio_sfreq: float,
    features: WordProductionFeatures,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Stacked high-gamma features and the log-mel frames they are centred on.

    Row ``j`` of both belongs to frame ``j + features.context_frames`` of the recording's frame
    grid (:mod:`eegdecode.signal.word_production`); the audio is resampled to
    ``features.audio_sfreq`` first. Trailing frames that only one of the two has are dropped.

    Returns
    -------
    stacked : ndarray, shape (n_frames, n_features)
    log_mel : ndarray, shape (n_frames, n_mels)
    """
    frames = framed_highgamma(
        seeg, seeg_sfreq, window_s=features.window_s, shift_s=features.shift_s,
        band=features.band, band_stops=features.band_stops, order=features.order,
    )  # fmt: skip
    stacked = stack_context(frames, model_order=features.model_order, step_size=features.step_size)
    audio = resample_audio(audio, audio_sfreq, features.audio_sfreq)
    log_mel = framed_log_mel(
        audio, features.audio_sfreq, window_s=features.window_s, shift_s=features.shift_s,
        n_mels=features.n_mels,
    )[features.context_frames :]  # fmt: skip
    length = min(len(stacked), len(log_mel))
    return stacked[:length], log_mel[:length]


def fit_linear_decoder(
    features: np.ndarray, targets: np.ndarray, *, n_components: int = 50, split: dict | None = None
) -> TrainedModel:
    """z-score (training statistics), principal components and least squares, all fitted on
    the frames given (:meth:`~eegdecode.models.LinearMelDecoder.fit`)."""
    scaler = Standardizer.fit(features)
    model = LinearMelDecoder.fit(scaler.transform(features), targets, n_components)
    return TrainedModel(model, {"features": scaler}, split=split)


def _windows(values: np.ndarray, length: int) -> np.ndarray:
    count = len(values) // length
    return values[: count * length].reshape(count, length, values.shape[-1]).astype(np.float32)


def linear_baseline(
    recording_path: str | Path,
    *,
    features: Mapping,
    n_components: int,
    cv_folds: int,
    windows: Mapping,
) -> tuple[TrainedModel, MelPredictions, MelPredictions]:
    """One participant's linear baseline, on the seq2seq's split and cross-validated.

    **Same split as the seq2seq.** The recording is split by
    :func:`~eegdecode.splits.chronological_windows` with the seq2seq's ``windows``. The
    decoder is fitted on the frames whose whole input (the stacked context and its frames'
    samples) lies in the training part; it is tested on the frames whose window lies within
    the seq2seq's test targets and whose input lies in the test part, so the validation part
    and a guard gap separate them.

    **The reference's protocol** (parity): ``cv_folds`` contiguous folds over every frame
    (:func:`~eegdecode.splits.contiguous_folds`), each fitted on the other folds less a guard
    of :attr:`WordProductionFeatures.guard_frames` on each side, so no training frame shares a
    sample with a test frame.

    Parameters
    ----------
    recording_path : str | Path
        Rule ``align_recording``'s artifact.
    features : dict
        :class:`~eegdecode.signal.word_production.WordProductionFeatures` fields.
    n_components : int
        Principal components (50).
    cv_folds : int
        Folds of the cross-validation (10).
    windows : dict
        The seq2seq's :func:`~eegdecode.splits.chronological_windows` settings; the predictions
        are cut into windows of its ``window_s``.

    Returns
    -------
    trained : TrainedModel
        Fitted on the training part.
    test, cross_validated : MelPredictions
        The test part's frames, and every frame of the recording from the folds.
    """
    settings = WordProductionFeatures(**features)
    seeg = read_array(recording_path, "seeg", axes=("channel", "time"))
    audio = read_array(recording_path, "audio", axes=("time",))
    sfreq = float(seeg.attrs["sfreq"])
    stacked, log_mel = word_production_frames(
        seeg.data, sfreq, audio.data, float(audio.attrs["sfreq"]), settings
    )
    shift, window = settings.shift_s, settings.window_s
    frames = np.arange(len(stacked)) + settings.context_frames  # on the recording's grid
    # The samples each stacked row reads: from its first context frame to its last one's end.
    input_start = np.floor((frames - settings.context_frames) * shift * sfreq)
    input_stop = np.floor((frames + settings.context_frames) * shift * sfreq + window * sfreq)
    split = chronological_windows(seeg.data.shape[1], sfreq, **windows)
    first_validation, first_test = split.boundaries
    test_targets = split.target_starts("test")
    target_start, target_stop = test_targets[0], test_targets[-1] + split.window
    train = np.flatnonzero(input_stop <= first_validation)
    test = np.flatnonzero(
        (frames * shift * sfreq >= target_start)
        & (frames * shift * sfreq + window * sfreq <= target_stop)
        & (input_start >= first_test)
    )
    if len(train) < 2 or len(test) == 0:
        raise ValueError(
            f"{recording_path}: the linear baseline has {len(train)} training and {len(test)} "
            f"test frames on the seq2seq's split; the recording is too short for it."
        )
    description = {
        "kind": "chronological",
        "frame_rate": 1 / shift,
        "train_frames": [int(frames[train[0]]), int(frames[train[-1]])],
        "test_frames": [int(frames[test[0]]), int(frames[test[-1]])],
        "boundaries": [int(first_validation), int(first_test)],
    }
    trained = fit_linear_decoder(
        stacked[train], log_mel[train], n_components=n_components, split=description
    )
    window_frames = max(1, round(windows["window_s"] / shift))
    attrs = inherit_attrs(
        read_attrs(recording_path), frame_rate=1 / shift, frame_offset_s=window / 2
    )
    parameters = {
        "mel": {
            "sfreq": settings.audio_sfreq, "n_fft": int(window * settings.audio_sfreq),
            "hop_length": round(shift * settings.audio_sfreq),
            "win_length": int(window * settings.audio_sfreq), "n_mels": settings.n_mels,
            "fmin": 0.0, "fmax": settings.audio_sfreq / 2, "filterbank": "htk",
        },
        "features": asdict(settings), "n_components": n_components, "windows": dict(windows),
    }  # fmt: skip

    def predictions(rows: np.ndarray, predicted: np.ndarray, protocol: dict) -> MelPredictions:
        predicted, target = (
            _windows(predicted, window_frames),
            _windows(log_mel[rows], window_frames),
        )
        return MelPredictions(
            predicted=predicted,
            target=target,
            first_frames=frames[rows[0]] + window_frames * np.arange(len(predicted)),
            parameters={**parameters, "protocol": protocol},
            attrs=attrs,
        )

    test_predictions = predictions(test, trained.predict(stacked[test]), {"kind": "seq2seq_split"})
    folds = contiguous_folds(len(stacked), cv_folds, guard=settings.guard_frames)
    cross_validated = np.empty_like(log_mel)
    for fold_train, fold_test in folds:
        fold = fit_linear_decoder(
            stacked[fold_train], log_mel[fold_train], n_components=n_components
        )
        cross_validated[fold_test] = fold.predict(stacked[fold_test])
    logger.info(
        "linear baseline: %d training and %d test frames on the seq2seq's split; %d folds",
        len(train), len(test), cv_folds,
    )  # fmt: skip
    cv_predictions = predictions(
        np.arange(len(stacked)), cross_validated,
        {"kind": "contiguous_folds", "n_folds": cv_folds, "guard_frames": settings.guard_frames},
    )  # fmt: skip
    return trained, test_predictions, cv_predictions
