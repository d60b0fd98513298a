import numpy as np
import pytest
from scipy import signal

from eegdecode.signal import highgamma_envelope, highgamma_filter, line_noise_frequencies

SFREQ = 1024.0
# The ±0.5 Hz elliptic notches ring for seconds after the line noise switches on at the first
# sample, so comparisons keep to the middle of a 20 s signal.
MIDDLE = slice(int(8 * SFREQ), int(12 * SFREQ))


def _modulated_gamma(seconds=20.0, seed=0):
    """A 120 Hz carrier with a slow amplitude, buried under line noise and slow drifts."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SFREQ)) / SFREQ
    amplitude = 1 + 0.5 * np.sin(2 * np.pi * 1.5 * t)
    gamma = amplitude * np.sin(2 * np.pi * 120 * t)
    interference = sum(4 * np.sin(2 * np.pi * f * t + rng.uniform(0, 6)) for f in (50, 100, 150))
    drift = 20 * np.sin(2 * np.pi * 3 * t)
    return t, amplitude, gamma + interference + drift


def test_line_noise_frequencies():
    assert line_noise_frequencies(50) == [50, 100, 150]
    assert line_noise_frequencies(60) == [60, 120]
    assert line_noise_frequencies(50, sfreq=250) == [50, 100]


def test_envelope_recovers_the_amplitude_under_line_noise():
    t, amplitude, x = _modulated_gamma()
    envelope = highgamma_envelope(np.stack([x, 2 * x]), SFREQ)
    assert envelope.shape == (2, len(t)) and envelope.dtype == np.float32
    # The notches' 0.5 dB pass-band ripple, applied forward and backward, scales the envelope
    # by a constant (about 0.71 at 120 Hz); the shape is the carrier's amplitude.
    gain = envelope[0, MIDDLE] @ amplitude[MIDDLE] / (amplitude[MIDDLE] @ amplitude[MIDDLE])
    assert 0.6 < gain <= 1.0
    assert np.corrcoef(envelope[0, MIDDLE], amplitude[MIDDLE])[0, 1] > 0.95
    np.testing.assert_allclose(envelope[1], 2 * envelope[0], rtol=1e-4, atol=1e-4)


def test_without_the_150_hz_notch_the_harmonic_leaks_into_the_envelope():
    _, amplitude, x = _modulated_gamma()
    leaky = highgamma_envelope(x[None], SFREQ, notches=(50.0, 100.0))[0]
    assert np.corrcoef(leaky[MIDDLE], amplitude[MIDDLE])[0, 1] < 0.5


def test_one_cascade_matches_filtering_each_channel_through_each_filter():
    """The reference's way: per channel, notch after notch, then the band-pass, then Hilbert."""
    _, _, x = _modulated_gamma(seed=1)
    data = np.stack([x, np.roll(x, 5000)])
    expected = []
    for channel in data:
        for centre in (50, 100, 150):
            sos = signal.ellip(8, 0.5, 60, (centre - 0.5, centre + 0.5), btype="bandstop",
                               output="sos", fs=SFREQ)  # fmt: skip
            channel = signal.sosfiltfilt(sos, channel)
        channel = signal.sosfiltfilt(signal.butter(8, (70, 170), "bandpass", output="sos",
                                                   fs=SFREQ), channel)  # fmt: skip
        expected.append(np.abs(signal.hilbert(channel)))
    np.testing.assert_allclose(highgamma_envelope(data, SFREQ)[:, MIDDLE],
                               np.array(expected)[:, MIDDLE], atol=0.035)  # fmt: skip


def test_envelope_is_not_delayed():
    t = np.arange(int(4 * SFREQ)) / SFREQ
    burst = np.exp(-(((t - 2.0) / 0.05) ** 2)) * np.sin(2 * np.pi * 110 * t)
    envelope = highgamma_envelope(burst[None], SFREQ)[0]
    assert abs(t[envelope.argmax()] - 2.0) < 2 / SFREQ


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="NaN or infinite values, in channels \\[1\\]"):
        data = np.zeros((3, 2048))
        data[1, 5] = np.nan
        highgamma_envelope(data, SFREQ)
    with pytest.raises(ValueError, match=r"\(n_channels, n_times\)"):
        highgamma_envelope(np.zeros(2048), SFREQ)
    with pytest.raises(
        ValueError, match="must lie between 0 Hz and Nyquist \\(100 Hz at 200 Hz\\)"
    ):
        highgamma_filter(200.0)
    with pytest.raises(
        ValueError, match=r"notch at 600.0 Hz \(±0.5 Hz\) does not fit below Nyquist \(512 Hz\)"
    ):
        highgamma_filter(SFREQ, notches=(300.0, 600.0))
