"""Segments, protocols and subject-wise cross-validation of the mental-state models."""

import numpy as np
import pytest

from eegdecode.evaluation.classification import classification_scores, confusion_matrix
from eegdecode.training.mental_state import (
    SegmentSet,
    cross_validate,
    emotion_classes,
    protocol_folds,
    summary_row,
)


def _segments(n_subjects=5, per_subject=12, planted=True, seed=0):
    """Tiny spectra (channel 1, scale 2, time 4) whose class shows in their sign if planted."""
    rng = np.random.default_rng(seed)
    labels = np.tile(np.arange(2), n_subjects * per_subject // 2)
    inputs = rng.normal(size=(len(labels), 1, 2, 4)).astype(np.float32)
    if planted:
        inputs[:, 0, 0] += 2.0 * (2 * labels[:, None] - 1)
    return SegmentSet(
        inputs=inputs,
        labels=labels,
        subjects=np.repeat(np.arange(1, n_subjects + 1), per_subject),
        trials=np.tile(np.repeat([1, 2], per_subject // 2), n_subjects),
        class_names=("rest", "workload"),
        input_axes=("channel", "scale", "time"),
    )


def test_scores_match_scikit_learn():
    from sklearn import metrics

    rng = np.random.default_rng(1)
    truth = rng.integers(0, 4, 200)
    predicted = np.where(rng.random(200) < 0.5, truth, rng.integers(0, 3, 200))
    scores = classification_scores(confusion_matrix(truth, predicted, 4))
    np.testing.assert_array_equal(confusion_matrix(truth, predicted, 4),
                                  metrics.confusion_matrix(truth, predicted, labels=range(4)))  # fmt: skip
    assert scores["accuracy"] == pytest.approx(metrics.accuracy_score(truth, predicted))
    assert scores["balanced_accuracy"] == pytest.approx(
        metrics.balanced_accuracy_score(truth, predicted)
    )
    assert scores["macro_f1"] == pytest.approx(metrics.f1_score(truth, predicted, average="macro"))


def test_emotion_classes_count_a_rating_as_high_from_the_threshold_on():
    valence, arousal = np.array([1, 3, 4, 5, 3]), np.array([5, 4, 1, 4, 3])
    np.testing.assert_array_equal(emotion_classes(valence, arousal, high_rating_at_least=4),
                                  [1, 1, 2, 3, 0])  # fmt: skip
    np.testing.assert_array_equal(emotion_classes(valence, arousal, high_rating_at_least=3),
                                  [1, 3, 2, 3, 3])  # fmt: skip


def test_subject_wise_folds_keep_every_subject_on_one_side():
    segments = _segments(n_subjects=5)
    folds = protocol_folds(segments, "subject_wise")
    assert [fold.subjects["test"] for fold in folds] == [[1], [2], [3], [4], [5]]
    assert [fold.subjects["validation"] for fold in folds] == [[5], [1], [2], [3], [4]]
    for fold in folds:
        sides = [
            set(segments.subjects[getattr(fold, side)]) for side in ("train", "validation", "test")
        ]
        assert not (sides[0] & sides[1] or sides[0] & sides[2] or sides[1] & sides[2])
        assert len(fold.train) + len(fold.validation) + len(fold.test) == len(segments.labels)
    grouped = protocol_folds(_segments(n_subjects=7), "subject_wise", n_folds=3)
    assert [fold.subjects["test"] for fold in grouped] == [[1, 2, 3], [4, 5], [6, 7]]
    with pytest.raises(ValueError, match="needs 3 to 5 folds"):
        protocol_folds(segments, "subject_wise", n_folds=2)


def test_the_random_segment_split_is_the_originals_and_leaks_subjects():
    segments = _segments(n_subjects=5)
    (fold,) = protocol_folds(segments, "segment_random")
    assert (len(fold.train), len(fold.validation), len(fold.test)) == (42, 9, 9)
    order = np.random.default_rng(42).permutation(60)
    np.testing.assert_array_equal(fold.test, order[51:])
    assert set(segments.subjects[fold.train]) & set(segments.subjects[fold.test])


def test_segments_survive_their_file(tmp_path):
    segments = _segments()
    segments.save(tmp_path / "segments.h5", producer="test", attrs={"dataset": "x"})
    loaded = SegmentSet.load(tmp_path / "segments.h5")
    for name in ("inputs", "labels", "subjects", "trials"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(segments, name))
    assert loaded.class_names == segments.class_names and loaded.input_axes == segments.input_axes


TRAINING = {"epochs": 15, "batch_size": 8, "lr": 0.02, "early_stopping": 5, "device": "cpu"}


def test_cross_validation_learns_a_planted_class_and_not_a_null_one(tmp_path):
    config = {"hidden_size": 4}  # channels and scales come from the segments
    planted = cross_validate(_segments(), model_name="BiLSTM", model_config=config,
                             training=TRAINING, protocol="subject_wise", workdir=tmp_path)  # fmt: skip
    null = cross_validate(_segments(planted=False), model_name="BiLSTM", model_config=config,
                          training=TRAINING, protocol="subject_wise")  # fmt: skip
    assert planted["mean"]["accuracy"] > 0.9 and not planted["leaky"]
    assert null["mean"]["accuracy"] < 0.75
    assert len(planted["folds"]) == 5 and (tmp_path / "fold5").is_dir()
    for fold in planted["folds"]:
        assert np.sum(fold["confusion"]) == fold["n_segments"]["test"] == 12
    assert planted["mean"]["macro_f1"] == pytest.approx(
        np.mean([fold["macro_f1"] for fold in planted["folds"]])
    )
    assert planted["chance"] == {"uniform": 0.5, "majority": 0.5}
    row = summary_row({"dataset": "demo", "model": "bilstm", **planted})
    assert row["n_test_segments"] == 60 and row["leaky"] is False
    assert row["accuracy_mean"] == round(planted["mean"]["accuracy"], 4)


def test_standardisation_uses_the_training_segments_only(monkeypatch):
    from eegdecode.training import mental_state

    fitted = []
    original = mental_state.Standardizer.fit
    monkeypatch.setattr(mental_state.Standardizer, "fit",
                        classmethod(lambda cls, x: fitted.append(x) or original(x)))  # fmt: skip
    segments = _segments()
    cross_validate(segments, model_name="BiLSTM", training={**TRAINING, "epochs": 1},
                   model_config={"hidden_size": 2},
                   protocol="subject_wise", standardize=True)  # fmt: skip
    folds = protocol_folds(segments, "subject_wise")
    for values, fold in zip(fitted, folds, strict=True):
        np.testing.assert_array_equal(values, segments.inputs[fold.train])
