"""The reference's features, against the reference's own per-window loops written out here."""

import numpy as np
import pytest
import scipy.signal

from eegdecode.signal.word_production import (
    WordProductionFeatures,
    framed_highgamma,
    framed_log_mel,
    stack_context,
)


def _reference_highgamma(data, sr, window=0.05, shift=0.01):
    """SingleWordProductionDutch's extractHG, on (time, channel) data, as it is published."""
    data = scipy.signal.detrend(data, axis=0)
    n_windows = int(np.floor((data.shape[0] - window * sr) / (shift * sr)))
    for band, kind in (([70, 170], "bandpass"), ([98, 102], "bandstop"), ([148, 152], "bandstop")):
        sos = scipy.signal.iirfilter(4, [band[0] / (sr / 2), band[1] / (sr / 2)], btype=kind,
                                     output="sos")  # fmt: skip
        data = scipy.signal.sosfiltfilt(sos, data, axis=0)
    n = len(data)
    data = np.abs(scipy.signal.hilbert(data, scipy.fft.next_fast_len(n), axis=0)[:n])
    features = np.zeros((n_windows, data.shape[1]))
    for w in range(n_windows):
        start = int(np.floor(w * shift * sr))
        features[w] = data[start : int(np.floor(start + window * sr))].mean(axis=0)
    return features


def test_framed_highgamma_and_stacking_match_the_reference_loops():
    rng = np.random.default_rng(0)
    seeg = rng.standard_normal((3, 4 * 1024))
    frames = framed_highgamma(seeg, 1024.0)
    np.testing.assert_allclose(frames, _reference_highgamma(seeg.T, 1024.0), rtol=1e-9, atol=1e-12)
    stacked = stack_context(frames)
    # stackFeatures: frames i-20..i+20 every 5, flattened offset by offset.
    for row, i in ((0, 20), (7, 27), (len(stacked) - 1, len(frames) - 21)):
        np.testing.assert_array_equal(stacked[row], frames[i - 20 : i + 21 : 5].ravel())
    assert stacked.shape == (len(frames) - 40, 9 * 3)
    with pytest.raises(ValueError, match="too few to stack"):
        stack_context(frames[:40])
    with pytest.raises(ValueError, match="Nyquist"):
        framed_highgamma(seeg, 250.0)


def test_framed_log_mel_is_the_log_of_mel_filtered_frames():
    import librosa

    rng = np.random.default_rng(1)
    audio = rng.uniform(-0.5, 0.5, 16000)
    log_mel = framed_log_mel(audio, 16000.0)
    assert log_mel.shape == (95, 23)  # floor((16000 - 800) / 160)
    filters = librosa.filters.mel(sr=16000, n_fft=800, n_mels=23, fmax=8000, htk=True, norm=None)
    window = np.hanning(801)[:-1]  # the reference's scipy.hanning(801)[:-1]
    for w in (0, 50, 94):
        spectrum = np.abs(np.fft.rfft(window * audio[w * 160 : w * 160 + 800]))
        np.testing.assert_allclose(log_mel[w], np.log(filters @ spectrum), rtol=1e-10)


def test_the_guard_covers_every_shared_sample():
    features = WordProductionFeatures()
    assert features.context_frames == 20 and features.guard_frames == 44
    # Stacked frames 44 apart read frames 0..40 and 44..84: windows of 5 frames' shifts, apart.
    assert (44 - 40) * 0.01 >= 0.05 - 0.01
    with pytest.raises(ValueError, match="shift_s"):
        WordProductionFeatures(shift_s=0.1)
