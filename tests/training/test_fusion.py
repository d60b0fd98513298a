"""The fusion evaluation: trials matched through the ratings, subject-wise sides with scalers
and selection on the training and validation subjects, the leaky parity protocol labelled,
and a fusion that combines two weak modalities into a stronger one."""

import numpy as np
import pytest

from eegdecode.artifacts import AxisArray, write_artifact
from eegdecode.datasets.deap import ParticipantTrials, ratings_path, write_participant_ratings
from eegdecode.training.fusion import (
    FusionTrials,
    evaluate_fusion,
    fusion_summary_rows,
    match_trials,
    oversample_minority,
    protocol_sides,
    read_fusion_inputs,
)

RATINGS = ("valence", "arousal", "dominance", "liking")
FAST = {"epochs": 150, "batch_size": 4096, "lr": 1.0e-2, "early_stopping": 20}
MODELS = {
    "face_model": {"config": {"main_hidden": [32, 16], "dropout": [0.1, 0.1],
                              "auxiliary_hidden": 16, "projection": [32, 16]},
                   "training": FAST},
    "eeg_model": {"config": {"hidden": [32, 16]}, "training": FAST},
    "fusion_model": {"config": {"hidden": [32, 16]}, "training": FAST},
}  # fmt: skip


def _participant(experiment_ids, valence):
    n = len(experiment_ids)
    ratings = {"valence": np.asarray(valence, float), "arousal": np.full(n, 5.0),
               "dominance": np.full(n, 5.0), "liking": np.full(n, 5.0)}  # fmt: skip
    return ParticipantTrials(np.arange(1, n + 1), np.asarray(experiment_ids), ratings)


def test_face_trials_meet_the_eeg_row_of_the_video_they_showed():
    # Trials 1–4 showed videos 3, 1, 4, 2; EEG rows (video order) carry the video number.
    participant = _participant([3, 1, 4, 2], [7, 2, 8, 3])
    eeg = np.arange(1.0, 5.0)[:, None] * np.ones((4, 2))
    labels = np.zeros((4, 4))
    labels[[2, 0, 3, 1], 0] = [7, 2, 8, 3]  # the .mat's labels are in video order too
    face = np.arange(10.0, 14.0)[:, None] * np.ones((4, 3))  # row k: trial k + 1
    matched = match_trials(1, participant, eeg, labels, face, np.array([True, True, False, True]))
    assert matched["trials"].tolist() == [1, 2, 4]
    assert matched["eeg"][:, 0].tolist() == [3.0, 1.0, 2.0]
    assert matched["face"][:, 0].tolist() == [10.0, 11.0, 13.0]
    assert matched["valence"].tolist() == [7, 2, 3]
    assert matched["dropped"] == [3]


def test_oversampling_evens_the_classes_with_rows_of_the_minority():
    labels = np.array([0, 0, 0, 0, 1])
    index = oversample_minority(labels, np.random.default_rng(0))
    assert np.bincount(labels[index]).tolist() == [4, 4]
    assert sorted(set(index.tolist())) == [0, 1, 2, 3, 4]


def _trials(n_subjects=10, n_trials=40, face_effect=1.0, eeg_effect=1.0, seed=0):
    """Per trial a class, seen by each modality through its own noisy copy."""
    rng = np.random.default_rng(seed)
    n = n_subjects * n_trials
    classes = rng.integers(0, 2, n)
    copy = lambda effect: effect * (2 * classes - 1) + rng.standard_normal(n)  # noqa: E731
    face = np.c_[copy(face_effect), rng.standard_normal((n, 7))] @ rng.standard_normal((8, 8))
    eeg = np.c_[copy(eeg_effect), rng.standard_normal((n, 3))]
    rating = np.where(classes == 1, 7.0, 3.0)
    return FusionTrials(
        subjects=np.repeat(np.arange(1, n_subjects + 1), n_trials),
        trials=np.tile(np.arange(1, n_trials + 1), n_subjects),
        eeg=eeg.astype(np.float32), face=face.astype(np.float32),
        ratings={"valence": rating, "arousal": rating}, dropped=[(1, 5)],
    )  # fmt: skip


SPLIT = {"train": [1, 2, 3, 4, 5, 6], "validation": [7, 8], "test": [9, 10]}


def test_subject_wise_sides_keep_each_participant_on_one_side():
    trials = _trials()
    (fold,) = protocol_sides(trials, "subject_wise", split=SPLIT)
    for side, subjects in SPLIT.items():
        assert sorted(set(trials.subjects[fold["rows"][side]].tolist())) == subjects
    with pytest.raises(ValueError, match="on two sides"):
        protocol_sides(trials, "subject_wise", split={**SPLIT, "test": [8, 9, 10]})
    with pytest.raises(ValueError, match=r"split.test must list participants"):
        protocol_sides(trials, "subject_wise", split={**SPLIT, "test": [11]})
    folds = protocol_sides(trials, "subject_folds", n_folds=5)
    assert sorted(s for f in folds for s in f["subjects"]["test"]) == list(range(1, 11))
    (leaky,) = protocol_sides(trials, "original_identical_splits")
    assert all(len(leaky["rows"][side]) == 400 for side in ("train", "validation", "test"))


def test_fusion_of_two_weak_modalities_beats_each_and_the_null_stays_at_chance():
    planted = evaluate_fusion(_trials(face_effect=1.0, eeg_effect=1.0), target="valence",
                              protocol="subject_wise", split=SPLIT, **MODELS)  # fmt: skip
    scores = {m: planted["summary"][m]["mean"]["balanced_accuracy"] for m in planted["summary"]}
    # Each copy alone: Φ(1) = 0.84; both: Φ(√2) = 0.92 (80 test trials).
    assert scores["fusion"] > max(scores["eeg"], scores["face"]) and scores["fusion"] > 0.8
    assert scores["majority"] == 0.5 and not planted["leaky"]
    null = evaluate_fusion(_trials(face_effect=0, eeg_effect=0, seed=1), target="valence",
                           protocol="subject_wise", split=SPLIT, **MODELS)  # fmt: skip
    for model in ("eeg", "face", "fusion"):
        assert 0.35 < null["summary"][model]["mean"]["balanced_accuracy"] < 0.65, model


def test_the_parity_protocol_is_labelled_leaky_in_the_summary():
    metrics = evaluate_fusion(_trials(n_subjects=4, n_trials=10), target="arousal",
                              protocol="original_identical_splits", **MODELS)  # fmt: skip
    rows = fusion_summary_rows([{**metrics, "dataset": "demo"}])
    assert [row["model"] for row in rows] == ["eeg", "face", "fusion", "majority"]
    assert all(row["leaky"] and row["n_test_trials"] == 40 for row in rows)
    assert metrics["dropped_trials"] == [[1, 5]]


def _write_inputs(folder, participants, n_videos):
    eeg, faces = {}, {}
    for subject, participant in participants.items():
        n = len(participant.trials)
        eeg[subject] = write_artifact(folder / f"eeg{subject}.h5", {
            "de": AxisArray(np.ones((n, 32, 1), np.float32), ("video", "channel", "band")),
            "labels": AxisArray(np.full((n, 4), 5.0), ("video", "rating")),
        }, producer="test")  # fmt: skip
        faces[subject] = write_artifact(folder / f"face{subject}.h5", {
            "embedding": AxisArray(np.ones((n_videos, 8), np.float32), ("trial", "feature")),
            "has_face": AxisArray(np.ones(n_videos, bool), ("trial",)),
        }, producer="test")  # fmt: skip
    path = write_participant_ratings(ratings_path(folder), participants)
    return path, eeg, faces


def test_ratings_that_do_not_cover_the_videos_are_named(tmp_path):
    participants = {1: _participant([2, 1, 3], [3, 6, 7]), 2: _participant([1, 2, 3], [3, 6, 7])}
    ratings, eeg, faces = _write_inputs(tmp_path, participants, n_videos=3)
    trials = read_fusion_inputs(ratings, eeg, faces)
    assert trials.subjects.tolist() == [1, 1, 1, 2, 2, 2]
    with pytest.raises(ValueError, match="has no rows for participant 3"):
        read_fusion_inputs(ratings, {**eeg, 3: eeg[1]}, {**faces, 3: faces[1]})
    (tmp_path / "four").mkdir()
    ratings, eeg, faces = _write_inputs(tmp_path / "four", participants, n_videos=4)
    with pytest.raises(ValueError, match=r"participant_ratings.csv lists trials 1–3 .* trials 1–4"):
        read_fusion_inputs(ratings, eeg, faces)
