"""Fitting the focus model: the base model on a focus dataset (subject-wise test, validation
by recording), and a user's fine-tuned model on their calibration sessions.

The rules' entry points are :func:`train_focus_base`, :func:`session_windows`,
:func:`finetune_focus` and :func:`focus_pointer`; they read the files and call the array-level
functions below.
"""

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from .._logging import logger
from ..datasets.focus import KAGGLE_SFREQ, load_attention_record, record_states
from ..models.focus import FocusModel, fit_focus_model
from ..signal.focus import FOCUS_CHANNELS, FocusFeatureConfig, focus_features
from ..signal.resample import resample


def record_features(
    eeg: np.ndarray, sfreq: float, *, state_minutes: float, config: FocusFeatureConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Feature vectors of one record and their state (index into FOCUS_STATES); windows never
    straddle two states."""
    eeg = resample(eeg, sfreq, config.sfreq)
    features, labels = [], []
    for index, (_, start, stop) in enumerate(
        record_states(eeg.shape[1], config.sfreq, state_minutes)
    ):
        part = focus_features(eeg[:, start:stop], config)
        features.append(part)
        labels.append(np.full(len(part), index))
    return np.concatenate(features), np.concatenate(labels)


def _accuracy(model: FocusModel, features: np.ndarray, focused: np.ndarray) -> float:
    return float(np.mean((model.predict_proba(features) > 0.5) == focused))


def _balanced_accuracy(model, features, focused) -> float:
    predicted = model.predict_proba(features) > 0.5
    return float(np.mean([np.mean(predicted[focused == k] == k) for k in (0, 1)]))


def train_base_focus_model(
    records: dict[int, list[np.ndarray]],
    *,
    sfreq: float,
    state_minutes: float,
    feature_config: FocusFeatureConfig,
    l2_grid: tuple[float, ...] = (0.1, 1.0, 10.0, 100.0),
    test_subject: int | None = None,
    channel_names: tuple[str, ...] = (),
) -> tuple[FocusModel, dict]:
    """Focused-vs-rest on every subject but ``test_subject`` (default: the last).

    Each training subject's last record validates the choice of ``l2``; the model is then
    refitted on all training records. The test subject is scored once.

    Returns
    -------
    model : FocusModel
    metrics : dict
        Accuracy, balanced accuracy and the majority-class chance of validation and test.
    """
    subjects = sorted(records)
    test_subject = subjects[-1] if test_subject is None else test_subject
    if test_subject not in records or len(subjects) < 2:
        raise ValueError(f"Need at least two subjects, one of them test subject {test_subject}.")
    parts = {"train": [], "validation": [], "test": []}
    for subject in subjects:
        for index, eeg in enumerate(records[subject]):
            features, states = record_features(
                eeg, sfreq, state_minutes=state_minutes, config=feature_config
            )
            if subject == test_subject:
                part = "test"
            else:
                last = index == len(records[subject]) - 1 and len(records[subject]) > 1
                part = "validation" if last else "train"
            parts[part].append((features, (states == 0).astype(int)))
    data = {
        name: tuple(map(np.concatenate, zip(*rows, strict=True)))
        for name, rows in parts.items()
        if rows
    }
    if "validation" not in data:
        raise ValueError("Validation needs a training subject with at least two records.")
    scores = {
        l2: _balanced_accuracy(fit_focus_model(*data["train"], l2=l2), *data["validation"])
        for l2 in l2_grid
    }
    best_l2 = max(scores, key=scores.get)
    logger.info(
        "focus base model: validation balanced accuracy by l2 %s; using %g", scores, best_l2
    )
    train = tuple(
        np.concatenate(pair) for pair in zip(data["train"], data["validation"], strict=True)
    )
    config = {
        "kind": "base",
        "features": asdict(feature_config),
        "channel_names": list(channel_names),
        "l2": best_l2,
        "train_subjects": [s for s in subjects if s != test_subject],
        "test_subject": test_subject,
    }
    model = fit_focus_model(*train, l2=best_l2, config=config)
    metrics = {"l2_validation_balanced_accuracy": {str(k): v for k, v in scores.items()}}
    for name in ("validation", "test"):
        features, focused = data[name]
        metrics[name] = {
            "n_windows": len(focused),
            "accuracy": _accuracy(model, features, focused),
            "balanced_accuracy": _balanced_accuracy(model, features, focused),
            "chance": float(max(focused.mean(), 1 - focused.mean())),
        }
    return model, metrics


def calibration_features(
    phases: dict[str, list[np.ndarray]], classes: dict[str, int], config: FocusFeatureConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Feature vectors of a session's labelled phases and their class (1: focused).

    ``phases`` maps a label to its phases, each (n_channels, n_times) at the feature rate; a
    window never spans two phases.
    """
    features, labels = [], []
    for label, parts in phases.items():
        for data in parts:
            part = focus_features(data, config)
            features.append(part)
            labels.append(np.full(len(part), classes[label]))
    return np.concatenate(features), np.concatenate(labels)


def finetune_focus_model(
    base: FocusModel,
    sessions: list[tuple[str, np.ndarray, np.ndarray]],
    *,
    l2: float,
    user: str,
) -> tuple[FocusModel, dict]:
    """Fit the user's model on all their sessions, pulled toward the base model.

    Parameters
    ----------
    base : FocusModel
    sessions : list of (session id, features, labels)
        In time order.
    l2 : float
        Strength of the pull toward the base weights.
    user : str

    Returns
    -------
    model : FocusModel
    metrics : dict
        With two or more sessions, the newest session held out: accuracy of the base model and
        of a model fine-tuned on the other sessions. Then the model is refitted on all.
    """
    if not sessions:
        raise ValueError(f"User {user!r} has no complete calibration session.")
    metrics = {
        "user": user,
        "sessions": [s[0] for s in sessions],
        "n_windows": int(sum(len(s[2]) for s in sessions)),
        "held_out": None,
    }
    if len(sessions) > 1:
        earlier = [
            np.concatenate(parts) for parts in zip(*[s[1:] for s in sessions[:-1]], strict=True)
        ]
        held_features, held_labels = sessions[-1][1:]
        candidate = fit_focus_model(*earlier, l2=l2, base=base)
        metrics["held_out"] = {
            "session": sessions[-1][0],
            "base_accuracy": _accuracy(base, held_features, held_labels),
            "finetuned_accuracy": _accuracy(candidate, held_features, held_labels),
        }
    everything = [np.concatenate(parts) for parts in zip(*[s[1:] for s in sessions], strict=True)]
    config = {
        **base.config,
        "kind": "finetuned",
        "user": user,
        "l2": l2,
        "sessions": metrics["sessions"],
    }
    return fit_focus_model(*everything, l2=l2, base=base, config=config), metrics


def train_focus_base(
    record_paths: Sequence[str | Path],
    *,
    records: Sequence[Sequence[int]],
    state_minutes: float,
    test_subject: int,
    features: Mapping,
    l2_grid: Sequence[float],
) -> tuple[FocusModel, dict]:
    """The base focus model from a focus dataset's record files (rule ``train_focus_base``).

    Parameters
    ----------
    record_paths : sequence of str | Path
        Kaggle mental-attention records (:func:`~eegdecode.datasets.focus.load_attention_record`),
        subject after subject, in the order of ``records``.
    records : sequence of sequence of int
        The record numbers of each subject; subject k (1-based) is the k-th entry.
    state_minutes : float
        Minutes of each state in a record.
    test_subject : int
        The held-out subject (1-based).
    features : dict
        :class:`~eegdecode.signal.FocusFeatureConfig` fields.
    l2_grid : sequence of float
        The penalties compared on the validation records.

    Returns
    -------
    model, metrics
        See :func:`train_base_focus_model`.
    """
    n_records = sum(len(numbers) for numbers in records)
    if len(record_paths) != n_records:
        raise ValueError(
            f"Got {len(record_paths)} record files for the {n_records} records of "
            f"'calibration.focus_dataset.records'."
        )
    paths = iter(record_paths)
    loaded = {
        subject: [load_attention_record(next(paths)) for _ in numbers]
        for subject, numbers in enumerate(records, start=1)
    }
    return train_base_focus_model(
        loaded,
        sfreq=KAGGLE_SFREQ,
        state_minutes=state_minutes,
        feature_config=FocusFeatureConfig(**features),
        l2_grid=tuple(l2_grid),
        test_subject=test_subject,
        channel_names=FOCUS_CHANNELS,
    )


def session_windows(
    session_path: str | Path,
    windows_path: str | Path,
    *,
    classes: Sequence[str],
    sfreq: float,
    on_flat_channel: str = "warn",
) -> Path:
    """Write a recorded session's labelled phases, the fine-tuning's data (rule
    ``calibration_windows``).

    Parameters
    ----------
    session_path : str | Path
        What ``eegdecode record`` wrote (:class:`~eegdecode.lsl.CalibrationSession`); it must
        be complete.
    windows_path : str | Path
        The phases of ``classes``, cut by their timestamps and resampled to ``sfreq``
        (:func:`~eegdecode.lsl.session.write_calibration_windows`), with the session's user,
        name and ``sfreq`` as file attributes.
    classes : sequence of str
        The phase labels to keep (for a dict of label to class, its keys).
    sfreq : float
        The focus features' rate.
    on_flat_channel : 'warn' | 'error'
        What a flat or saturated focus channel does (:func:`~eegdecode.signal.check_channels`,
        over the recording); flagged channels are stored as ``flagged_channels``.

    Returns
    -------
    path : Path
    """
    from ..lsl.session import (
        CalibrationSession,
        cut_phases,
        select_channels,
        write_calibration_windows,
    )
    from ..signal.quality import check_channels

    session = CalibrationSession.load(session_path)
    if not session.complete:
        raise ValueError(f"{session_path} is an incomplete session (interrupted); record it again.")
    phases = cut_phases(session, list(classes), target_sfreq=sfreq, path=session_path)
    # On the samples as recorded: resampling would smooth a clipped plateau away.
    channels = select_channels(session.channel_names, session.eeg.shape[0], str(session_path))
    flagged = check_channels(
        session.eeg[channels],
        FOCUS_CHANNELS,
        source=str(session_path),
        on_flat_channel=on_flat_channel,
    )
    return write_calibration_windows(
        windows_path,
        phases,
        attrs={
            "user": session.user,
            "session": session.session,
            "sfreq": sfreq,
            "flagged_channels": flagged,
        },
    )


def finetune_focus(
    base: str | Path,
    window_paths: Sequence[str | Path],
    *,
    classes: Mapping[str, int],
    features: Mapping,
    l2: float,
    user: str,
) -> tuple[FocusModel, dict]:
    """A user's focus model from the base model's folder and their sessions' windows (rule
    ``finetune_focus``).

    Parameters
    ----------
    base : str | Path
        The base model's folder (:meth:`FocusModel.save`).
    window_paths : sequence of str | Path
        Each session's labelled windows (:func:`~eegdecode.lsl.session.write_calibration_windows`)
        in time order, at ``<session>/windows.h5``: the folder names the session.
    classes : dict of str to int
        The class of each phase label (1: focused).
    features : dict
        :class:`~eegdecode.signal.FocusFeatureConfig` fields.
    l2 : float
        Strength of the pull toward the base weights.
    user : str

    Returns
    -------
    model, metrics
        See :func:`finetune_focus_model`.
    """
    from ..lsl.session import read_calibration_windows

    config = FocusFeatureConfig(**features)
    sessions = [
        (
            Path(path).parent.name,
            *calibration_features(read_calibration_windows(path), classes, config),
        )
        for path in window_paths
    ]
    return finetune_focus_model(FocusModel.load(base), sessions, l2=l2, user=user)


def focus_pointer(folder: str | Path) -> dict:
    """What a user's ``current.json`` says of their fine-tuned model in ``folder`` (rule
    ``select_focus_model``): its folder name, its user and the sessions it was fitted on.

    The pointer lies beside the model folders; ``eegdecode live``
    (:class:`~eegdecode.lsl.FocusModelSelector`) follows its ``model``.
    """
    folder = Path(folder)
    config = FocusModel.load(folder).config
    missing = [key for key in ("user", "sessions") if key not in config]
    if missing:
        raise ValueError(
            f"{str(folder / 'config.json')!r} lacks {missing}: it is not a fine-tuned focus model."
        )
    return {"model": folder.name, "user": config["user"], "sessions": config["sessions"]}
