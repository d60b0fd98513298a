import numpy as np
import pytest

from eegdecode.signal import FocusFeatureConfig, filter_focus_eeg, focus_features

CONFIG = FocusFeatureConfig()


def test_a_tone_lands_in_its_half_hertz_bin_of_its_channel():
    times = np.arange(40 * 128) / 128
    data = np.random.default_rng(0).standard_normal((7, len(times)))
    data[2] += 20 * np.sin(2 * np.pi * 10.25 * times)
    features = focus_features(data, CONFIG)
    assert features.shape == (40 - 15 + 1 - 14, 7 * 36)  # full trailing means only
    per_channel = features.reshape(len(features), 7, 36)
    assert np.all(per_channel[:, 2].argmax(axis=1) == 20)  # 10–10.5 Hz
    assert per_channel[:, 2, 20].mean() > per_channel[:, 3, 20].mean() + 20  # dB


def test_trailing_mean_and_truncated_fft_against_a_direct_computation():
    data = filter_focus_eeg(np.random.default_rng(1).standard_normal((7, 128 * 30)), CONFIG)
    features = focus_features(data, CONFIG, filtered=True)
    window = np.blackman(1920)
    power = []
    for start in range(0, data.shape[1] - 1920 + 1, 128):
        # numpy's rfft(x, n=1024) keeps the first 1024 samples of the windowed segment
        spectrum = np.fft.rfft((data[:, start : start + 1920] * window)[:, :1024])
        power.append((np.abs(spectrum[:, :144]) ** 2).reshape(7, 36, 4).mean(axis=-1))
    power = np.array(power)
    expected = np.array([power[i - 14 : i + 1].mean(axis=0) for i in range(14, len(power))])
    assert len(features) == len(expected) == 2
    np.testing.assert_allclose(features, 10 * np.log10(expected + 1e-10).reshape(
        len(expected), -1), rtol=1e-10)  # fmt: skip


def test_centred_smoothing_is_the_originals_same_mode_convolution():
    config = FocusFeatureConfig(smoothing_mode="centred")
    data = filter_focus_eeg(np.random.default_rng(2).standard_normal((7, 128 * 40)), config)
    raw = 10 ** (focus_features(data, FocusFeatureConfig(smoothing=1), filtered=True) / 10)
    smoothed = 10 ** (focus_features(data, config, filtered=True) / 10)
    expected = np.stack(
        [np.convolve(column, np.ones(15) / 15, mode="same") for column in raw.T], axis=1
    )
    np.testing.assert_allclose(smoothed, expected + 1e-10, rtol=1e-6)


def test_a_recording_gives_a_vector_once_it_holds_a_full_trailing_mean():
    data = np.random.default_rng(3).standard_normal((7, 128 * 31))
    assert CONFIG.min_samples == 29 * 128
    assert [len(focus_features(data[:, :n], CONFIG)) for n in (29 * 128 - 1, 29 * 128, 31 * 128)
            ] == [CONFIG.n_vectors(n) for n in (29 * 128 - 1, 29 * 128, 31 * 128)] == [0, 1, 3]  # fmt: skip
    # Row k ends at sample min_samples + k·step: the last row of a prefix is that row.
    prefix = filter_focus_eeg(data, CONFIG)
    whole = focus_features(prefix, CONFIG, filtered=True)
    np.testing.assert_allclose(
        focus_features(prefix[:, : 30 * 128], CONFIG, filtered=True)[-1], whole[1], rtol=1e-12
    )


def test_short_or_bad_input():
    assert focus_features(np.zeros((7, 100)), CONFIG).shape == (0, 252)
    bad = np.zeros((7, 128 * 20))
    bad[0, 5] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        focus_features(bad, CONFIG)
    with pytest.raises(ValueError, match="whole number of FFT bins"):
        FocusFeatureConfig(bin_hz=0.3)
