import numpy as np
import pytest
import soundfile

from eegdecode.datasets.paired_audio import (
    load_audio,
    load_paired_recording,
    load_seeg,
    resample_audio,
)

SEEG_SFREQ, AUDIO_SFREQ = 1024.0, 48000


@pytest.fixture
def pair(tmp_path):
    rng = np.random.default_rng(0)
    seeg = rng.standard_normal((int(3 * SEEG_SFREQ), 5)).astype(np.float32)  # (time, channel)
    audio = 0.5 * np.sin(2 * np.pi * 220 * np.arange(3 * AUDIO_SFREQ) / AUDIO_SFREQ)
    np.save(tmp_path / "seeg.npy", seeg)
    soundfile.write(tmp_path / "audio.wav", audio, AUDIO_SFREQ)
    return tmp_path, seeg, audio


def test_npy_and_wav_pair_loads_channels_first(pair):
    folder, seeg, audio = pair
    recording = load_paired_recording(folder / "seeg.npy", folder / "audio.wav",
                                      seeg_sfreq=SEEG_SFREQ)  # fmt: skip
    np.testing.assert_array_equal(recording.seeg, seeg.T)
    np.testing.assert_allclose(recording.audio, audio, atol=1e-4)
    assert recording.audio_sfreq == AUDIO_SFREQ and recording.duration_s == pytest.approx(3.0)


def test_audio_offset_cuts_both_to_the_common_span(pair):
    folder, seeg, _ = pair
    recording = load_paired_recording(folder / "seeg.npy", folder / "audio.wav",
                                      seeg_sfreq=SEEG_SFREQ, audio_offset_s=0.03)  # fmt: skip
    np.testing.assert_array_equal(recording.seeg[:, 0], seeg[round(0.03 * SEEG_SFREQ)])
    assert abs(recording.seeg.shape[1] / SEEG_SFREQ - len(recording.audio) / AUDIO_SFREQ) < 1e-3


def test_stereo_is_averaged(tmp_path):
    left, right = np.full(1000, 0.2), np.full(1000, -0.4)
    soundfile.write(tmp_path / "stereo.flac", np.stack([left, right], axis=1), 16000)
    audio, sfreq = load_audio(tmp_path / "stereo.flac")
    assert sfreq == 16000 and audio.ndim == 1
    np.testing.assert_allclose(audio, -0.1, atol=1e-3)


def test_mne_readable_files_load_with_their_rate(tmp_path):
    import mne

    info = mne.create_info(["A1", "A2", "B1"], SEEG_SFREQ, "seeg")
    data = np.random.default_rng(0).standard_normal((3, 2048)) * 1e-5
    mne.io.RawArray(data, info, verbose="error").save(tmp_path / "raw.fif", verbose="error")
    seeg, sfreq, names = load_seeg(tmp_path / "raw.fif")
    assert sfreq == SEEG_SFREQ and names == ["A1", "A2", "B1"]
    np.testing.assert_allclose(seeg, data, rtol=1e-5, atol=1e-12)
    with pytest.raises(ValueError, match="sampled at 1024 Hz, but the config says 1000 Hz"):
        load_seeg(tmp_path / "raw.fif", sfreq=1000.0)


def test_bad_pairs_are_refused_naming_the_file(pair):
    folder, seeg, audio = pair
    with pytest.raises(ValueError, match=r"covers 3\.000 s but .*short\.wav 1\.500 s"):
        soundfile.write(folder / "short.wav", audio[: len(audio) // 2], AUDIO_SFREQ)
        load_paired_recording(folder / "seeg.npy", folder / "short.wav", seeg_sfreq=SEEG_SFREQ)
    with pytest.raises(ValueError, match="state its sampling rate"):
        load_seeg(folder / "seeg.npy")
    seeg[10, 2] = np.nan
    np.save(folder / "nan.npy", seeg)
    with pytest.raises(ValueError, match=r"nan\.npy holds 1 NaN or infinite sEEG values"):
        load_seeg(folder / "nan.npy", sfreq=SEEG_SFREQ)
    (folder / "broken.wav").write_bytes(b"RIFF\x00\x00not audio")
    with pytest.raises(ValueError, match=r"Cannot read the audio file .*broken\.wav"):
        load_audio(folder / "broken.wav")
    (folder / "broken.edf").write_bytes(b"0       not an edf")
    with pytest.raises(ValueError, match=r"Cannot read the sEEG file .*broken\.edf"):
        load_seeg(folder / "broken.edf")
    with pytest.raises(FileNotFoundError, match=r"missing\.wav"):
        load_audio(folder / "missing.wav")


def test_resampling_keeps_a_tone():
    t = np.arange(48000) / 48000
    resampled = resample_audio(0.5 * np.sin(2 * np.pi * 440 * t), 48000, 22050)
    assert len(resampled) == 22050
    spectrum = np.abs(np.fft.rfft(resampled))
    assert abs(spectrum.argmax() - 440) <= 1


def test_aligned_recording_holds_both_at_the_mel_rate(pair):
    from eegdecode.artifacts import read_array, read_attrs
    from eegdecode.datasets.paired_audio import align_recording

    folder = pair[0]
    path = align_recording(
        folder / "aligned.h5", folder / "seeg.npy", folder / "audio.wav", audio_sfreq=22050,
        seeg_sfreq=SEEG_SFREQ, audio_offset_s=0.03, dataset="demo", participant="p1",
    )  # fmt: skip
    recording = load_paired_recording(folder / "seeg.npy", folder / "audio.wav",
                                      seeg_sfreq=SEEG_SFREQ, audio_offset_s=0.03)  # fmt: skip
    stored = read_array(path, "seeg", axes=("channel", "time"))
    np.testing.assert_array_equal(stored.data, recording.seeg)
    assert stored.attrs["sfreq"] == SEEG_SFREQ
    audio = read_array(path, "audio", axes=("time",))
    np.testing.assert_array_equal(audio.data, resample_audio(recording.audio, AUDIO_SFREQ, 22050))
    assert audio.attrs["sfreq"] == 22050.0
    attrs = read_attrs(path)
    assert attrs["dataset"] == "demo" and attrs["participant"] == "p1"
    assert attrs["channel_names"] == [f"ch{k}" for k in range(1, 6)]
    assert attrs["source_audio_sfreq"] == AUDIO_SFREQ and attrs["audio_offset_s"] == 0.03
    assert attrs["parameters"] == {"seeg_sfreq": SEEG_SFREQ, "time_axis": 0,
                                   "audio_offset_s": 0.03, "tolerance_s": 0.05,
                                   "audio_sfreq": 22050}  # fmt: skip
