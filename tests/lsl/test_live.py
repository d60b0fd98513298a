import json
import os

import numpy as np
import pytest

from eegdecode.datasets.focus import FocusEEGSource, FocusSignature
from eegdecode.lsl.live import FocusModelSelector, RingBuffer, predict_focus
from eegdecode.models.focus import fit_focus_model
from eegdecode.signal import FocusFeatureConfig, focus_features


def _model(shift, **config):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 200)
    features = rng.standard_normal((200, 252))
    features[:, 0] += shift * (2 * labels - 1)
    return fit_focus_model(features, labels, config=config)


def test_selector_prefers_the_users_current_model_and_follows_the_pointer(tmp_path):
    _model(1.0, kind="base").save(tmp_path / "base")
    users = tmp_path / "users/alice"
    _model(2.0, kind="finetuned").save(users / "v1")
    _model(-2.0, kind="finetuned").save(users / "v2")
    pointer = users / "current.json"
    selector = FocusModelSelector(tmp_path / "base", pointer)
    assert selector.get().config["kind"] == "base" and selector.description == "base"
    pointer.write_text(json.dumps({"model": "v1"}))
    first = selector.get()
    assert selector.description == "fine-tuned v1" and first is selector.get()  # not reloaded
    pointer.write_text(json.dumps({"model": "v2"}))
    os.utime(pointer, ns=(pointer.stat().st_mtime_ns + 10**9,) * 2)
    assert selector.description != "fine-tuned v2"
    assert selector.get().weights[0] < 0 and selector.description == "fine-tuned v2"
    pointer.write_text(json.dumps({"model": "v9"}))  # a version that is not there
    os.utime(pointer, ns=(pointer.stat().st_mtime_ns + 2 * 10**9,) * 2)
    assert selector.get().config["kind"] == "base"


def test_ring_buffer_keeps_the_newest_samples():
    buffer = RingBuffer(2, capacity=5)
    buffer.extend(np.arange(6).reshape(3, 2), np.arange(3.0))
    buffer.extend(np.arange(6, 14).reshape(4, 2), np.arange(3.0, 7.0))
    np.testing.assert_array_equal(buffer.latest(10), [[4, 6, 8, 10, 12], [5, 7, 9, 11, 13]])
    np.testing.assert_array_equal(buffer.latest(2)[0], [10, 12])


def test_live_prediction_is_the_training_features_last_row():
    config = FocusFeatureConfig()
    source = FocusEEGSource(FocusSignature.population(7, seed=0), 128, seed=0)
    data = source.next(40 * 128, "focused")
    model = _model(1.0)
    assert predict_focus(data[:, : 14 * 128], 128, model, config) is None
    # One window is there, but not the 15 of a full trailing mean (29 s).
    assert predict_focus(data[:, : 28 * 128], 128, model, config) is None
    expected = model.predict_proba(focus_features(data, config)[-1:])[0]
    assert predict_focus(data, 128, model, config) == expected
    # A 250 Hz stream is brought to 128 Hz first.
    from scipy import signal

    fast = signal.resample_poly(data, 125, 64, axis=-1)
    assert abs(predict_focus(fast, 250, model, config) - expected) < 0.05


def test_the_first_live_prediction_is_one_that_a_long_buffer_would_give():
    """Features of a buffer just long enough equal those of a long one (no start-up transient,
    no shorter mean), so the first prediction is already the model's answer."""
    config = FocusFeatureConfig()
    source = FocusEEGSource(FocusSignature.population(7, seed=0), 128, seed=1)
    data = source.next(60 * 128, "unfocused")
    model = _model(1.0)
    first = predict_focus(data[:, -29 * 128 :], 128, model, config)
    assert first is not None
    assert abs(first - predict_focus(data, 128, model, config)) < 1e-3


def test_live_predictions_through_a_phase_are_those_of_its_training_windows():
    """Training, fine-tuning and live use the same feature vectors: one per full trailing
    mean. Streamed through a calibration phase, live predicts exactly when a training window
    ends, and what training's window says."""
    from eegdecode.training.focus import calibration_features

    config = FocusFeatureConfig()
    source = FocusEEGSource(FocusSignature.population(7, seed=0), 128, seed=2)
    phases = {"focused": [source.next(40 * 128, "focused")],
              "unfocused": [source.next(40 * 128, "unfocused")]}  # fmt: skip
    features, labels = calibration_features(phases, {"focused": 1, "unfocused": 0}, config)
    assert len(features) == 2 * (40 - 29 + 1)  # 12 windows a 40 s phase, none partial
    model = fit_focus_model(features, labels, l2=100.0)
    trained = model.predict_proba(features[:12])
    phase = phases["focused"][0]
    streamed = [
        predict_focus(phase[:, :end], 128, model, config) for end in range(128, 40 * 128 + 1, 128)
    ]
    assert streamed[:28] == [None] * 28
    assert 0.05 < trained.min() and trained.max() < 0.95  # not saturated, so the test can see
    np.testing.assert_allclose(streamed[28:], trained, atol=1e-3)
    assert streamed[-1] == pytest.approx(trained[-1], rel=1e-12)  # the same samples


def test_live_cognitive_load_tells_rest_from_workload_on_an_unseen_subject(workload_model):
    from eegdecode.lsl.live import WorkloadModel

    folder, unseen = workload_model
    model = WorkloadModel(folder)
    assert model.history_s() == 12.0 and "BiLSTM" in model.description
    assert model.predict(unseen["hi"][:, : 11 * 128], 128.0) is None  # still filling
    ends = range(12 * 128, 30 * 128 + 1, 128)
    rest = [model.predict(unseen["lo"][:, :end], 128.0) for end in ends]
    test = [model.predict(unseen["hi"][:, :end], 128.0) for end in ends]
    assert np.mean(test) > 0.8 > 0.2 > np.mean(rest), (rest, test)


def test_a_250_hz_source_is_resampled_to_the_models_rate(workload_model):
    from eegdecode.lsl.live import WorkloadModel
    from eegdecode.signal.resample import resample

    folder, unseen = workload_model
    model = WorkloadModel(folder)
    at_128 = model.predict(unseen["hi"][:, : 20 * 128], 128.0)
    at_250 = model.predict(resample(unseen["hi"][:, : 20 * 128], 128.0, 250.0), 250.0)
    assert at_250 == pytest.approx(at_128, abs=0.05)


def test_a_folder_without_live_features_is_refused(workload_model, tmp_path):
    from eegdecode.lsl.live import WorkloadModel
    from eegdecode.training.trained import TrainedModel

    folder, _ = workload_model
    trained = TrainedModel.load(folder)
    trained.features = None
    with pytest.raises(ValueError, match=r"lacks the live features .*train_workload_model"):
        WorkloadModel(trained.save(tmp_path / "bare"))
