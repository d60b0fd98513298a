import numpy as np
import pytest
from scipy import stats

from eegdecode.evaluation.audio import (
    audio_metrics_row,
    evaluate_mel,
    mel_cepstral_distortion,
    pearson_per_bin,
    split_point_baseline,
)


def _smooth_mel(n_frames=600, n_mels=20, seed=0):
    """Slowly varying log-mel-like sequences, so that re-alignment destroys correlation."""
    rng = np.random.default_rng(seed)
    kernel = np.hanning(15)
    noise = rng.standard_normal((n_frames + 14, n_mels))
    return np.stack([np.convolve(noise[:, b], kernel, "valid") for b in range(n_mels)], axis=1)


def test_pearson_per_bin_matches_scipy_and_handles_constant_bins():
    rng = np.random.default_rng(0)
    predicted, target = rng.standard_normal((2, 50, 4))
    expected = [stats.pearsonr(predicted[:, b], target[:, b])[0] for b in range(4)]
    np.testing.assert_allclose(pearson_per_bin(predicted, target), expected, rtol=1e-6)
    windows = rng.standard_normal((3, 35, 4))
    per_window = pearson_per_bin(windows, windows[::-1].copy())
    assert per_window.shape == (3, 4)
    target[:, 2] = 1.0
    assert pearson_per_bin(predicted, target)[2] == 0.0


def test_mcd_is_zero_for_identical_and_ignores_loudness():
    target = _smooth_mel()
    assert mel_cepstral_distortion(target, target) == 0.0
    # A constant offset of every bin only changes c0, which MCD leaves out.
    assert mel_cepstral_distortion(target + 3.0, target) == pytest.approx(0.0, abs=1e-9)
    assert mel_cepstral_distortion(target + 0.5 * _smooth_mel(seed=1), target) > 0.5


def test_split_point_baseline_sits_at_zero_for_a_perfect_prediction():
    target = _smooth_mel()
    chance = split_point_baseline(target, target, n_shuffles=200)
    assert chance.shape == (200,) and abs(chance.mean()) < 0.05
    assert pearson_per_bin(target, target).mean() == pytest.approx(1.0)


def test_evaluate_mel_reports_metrics_beside_their_chance():
    target = _smooth_mel()
    noisy = target + _smooth_mel(seed=1)
    metrics = evaluate_mel(noisy.reshape(20, 30, -1), target.reshape(20, 30, -1), n_shuffles=200)
    r = metrics["pearson_r"]
    assert 0.5 < r["mean"] < 0.9 and r["mean"] > r["chance_95"] and len(r["per_bin"]) == 20
    assert metrics["mcd_db"]["mean"] < metrics["mcd_db"]["chance"]
    per_window = metrics["pearson_r_per_window"]
    assert per_window["constant_bins"] == 0
    assert per_window["mean"] > 0.4 and abs(per_window["chance_mean"]) < 0.1
    row = audio_metrics_row(metrics)
    assert row["pearson_r"] == r["mean"] and row["mcd_db_chance"] == metrics["mcd_db"]["chance"]
    assert len(row) == 11 and row["word_accuracy"] is None  # no word markers
    with pytest.raises(ValueError, match=r"\(n_windows, n_frames, n_mels\)"):
        evaluate_mel(noisy, target)
    with pytest.raises(ValueError, match="differ in shape"):
        evaluate_mel(noisy.reshape(20, 30, -1), target.reshape(30, 20, -1))


def test_evaluate_predictions_counts_the_windows_first():
    from types import SimpleNamespace

    from eegdecode.evaluation.audio import evaluate_predictions

    target = _smooth_mel().reshape(20, 30, -1)
    predictions = SimpleNamespace(predicted=target + 0.1, target=target)
    metrics = evaluate_predictions(predictions, n_shuffles=50, seed=3)
    assert next(iter(metrics)) == "n_test_windows" and metrics["n_test_windows"] == 20
    expected = evaluate_mel(target + 0.1, target, n_shuffles=50, seed=3)
    assert {key: value for key, value in metrics.items() if key != "n_test_windows"} == expected


def test_words_are_identified_from_a_good_decoding_and_not_from_noise():
    from eegdecode.datasets.paired_audio import WordMarkers
    from eegdecode.evaluation.audio import identify_words

    rng = np.random.default_rng(0)
    # 12 words of 0.5 s, each its own spectral pattern, 0.25 s of silence between them.
    times = np.arange(0, 9.5, 0.01)
    target = np.full((len(times), 23), -5.0)
    intervals = np.array([[0.25 + 0.75 * k, 0.75 + 0.75 * k] for k in range(12)])
    for start, stop in intervals:
        target[(times >= start) & (times < stop)] = rng.normal(0, 1, 23)
    words = WordMarkers([f"w{k}" for k in range(12)], intervals)
    good = target + rng.normal(0, 0.3, target.shape)
    result = identify_words(good, target, times, words)
    assert result["accuracy"] == 1.0 and result["chance"] == pytest.approx(1 / 12)
    assert result["n_words"] == 12 and result["chance"] < result["chance_95"] < 0.5
    noise = rng.normal(0, 1, target.shape)
    assert identify_words(noise, target, times, words)["accuracy"] <= result["chance_95"]
    # A word said twice counts either time; its chance is what a random guess scores.
    repeated = WordMarkers(["a", "a", *words.words[2:]], intervals)
    chance = identify_words(good, target, times, repeated)["chance"]
    assert chance == pytest.approx((2 * 2 / 12 + 10 * 1 / 12) / 12)
    # Words outside the time line are not test words.
    assert identify_words(good[:400], target[:400], times[:400], words)["n_words"] == 5
    assert identify_words(good[:60], target[:60], times[:60], words)["accuracy"] is None
