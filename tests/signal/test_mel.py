import numpy as np
import pytest

from eegdecode.signal import MelConfig, log_mel_spectrogram

SFREQ = 22050


def _tone(frequency, seconds=1.0, amplitude=0.5):
    t = np.arange(int(seconds * SFREQ)) / SFREQ
    return amplitude * np.sin(2 * np.pi * frequency * t)


def test_shape_and_frame_count():
    mel = log_mel_spectrogram(_tone(440, seconds=0.4))
    assert mel.shape == (1 + int(0.4 * SFREQ) // 256, 80) and mel.dtype == np.float32
    assert mel.shape[0] == 35  # a 0.4 s window gives about 35 frames (spec §5)


def test_matches_an_explicit_stft():
    """Centred frames, reflect padding, periodic Hann, magnitude, then the filter bank."""
    rng = np.random.default_rng(0)
    audio = np.clip(0.3 * rng.standard_normal(5000), -1, 1)
    config = MelConfig()
    padded = np.pad(audio, config.n_fft // 2, mode="reflect")
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(config.n_fft) / config.n_fft)
    frames = np.stack([padded[s : s + config.n_fft] * window
                       for s in range(0, len(padded) - config.n_fft + 1, config.hop_length)])  # fmt: skip
    expected = np.log(np.maximum(np.abs(np.fft.rfft(frames, axis=1)) @ config.filters().T, 1e-5))
    np.testing.assert_allclose(log_mel_spectrogram(audio, config), expected, atol=1e-3)


def test_a_tone_lands_in_the_bin_centred_on_it():
    import librosa

    centres = librosa.mel_frequencies(n_mels=82, fmin=0, fmax=8000)[1:-1]
    for frequency in (300.0, 1000.0, 4000.0):
        mel = log_mel_spectrogram(_tone(frequency))
        peak = mel[5:-5].mean(axis=0).argmax()
        assert abs(peak - np.abs(centres - frequency).argmin()) <= 1


def test_slaney_filters_have_unit_area_and_htk_ones_unit_height():
    slaney, htk = MelConfig().filters(), MelConfig(filterbank="htk").filters()
    assert slaney.shape == htk.shape == (80, 513)
    bin_hz = SFREQ / 1024
    # Wide filters, resolved by many FFT bins: Slaney's triangles enclose an area of one,
    # HTK's reach a height of one.
    np.testing.assert_allclose(slaney[40:].sum(axis=1) * bin_hz, 1, rtol=0.05)
    np.testing.assert_allclose(htk[40:].max(axis=1), 1, atol=0.15)


def test_silence_is_the_floor():
    np.testing.assert_allclose(log_mel_spectrogram(np.zeros(4096)), np.log(1e-5))


def test_bad_audio_is_refused():
    with pytest.raises(ValueError, match=r"must lie in \[-1, 1\].*peak is 2\."):
        log_mel_spectrogram(_tone(440, amplitude=2.0))
    with pytest.raises(ValueError, match=r"mono \(n_samples,\), got shape \(2, 100\)"):
        log_mel_spectrogram(np.zeros((2, 100)))
    with pytest.raises(ValueError, match="NaN"):
        log_mel_spectrogram(np.array([0.0, np.nan]))
    with pytest.raises(ValueError, match=r"Nyquist \(4000 Hz\)"):
        MelConfig(sfreq=8000)


def test_griffin_lim_inverts_the_mel_spectrogram():
    from eegdecode.datasets.speech_demo import synthesize_speech
    from eegdecode.evaluation.audio import pearson_per_bin
    from eegdecode.signal import griffin_lim

    speech = synthesize_speech(3.0, seed=0)
    mel = log_mel_spectrogram(speech.audio)
    audio = griffin_lim(mel, n_iter=32)
    assert audio.dtype == np.float32 and abs(len(audio) - len(speech.audio)) < 256
    again = log_mel_spectrogram(audio)
    n = min(len(mel), len(again))
    assert pearson_per_bin(again[:n], mel[:n]).mean() > 0.8
    with pytest.raises(ValueError, match=r"\(n_frames, 80\)"):
        griffin_lim(mel.T)
