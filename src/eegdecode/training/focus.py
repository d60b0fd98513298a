"""Fitting the focus model: the base model on a focus dataset (subject-wise test, validation
by recording), and a user's fine-tuned model on their calibration sessions."""

from dataclasses import asdict

import numpy as np

from .._logging import logger
from ..datasets.focus import record_states
from ..models.focus import FocusModel, fit_focus_model
from ..signal.focus import FocusFeatureConfig, focus_features
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
