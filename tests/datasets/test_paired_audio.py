import numpy as np
import pytest
import soundfile

from eegdecode.datasets.paired_audio import (
    ChannelSelection,
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
    assert attrs["parameters"] == {"seeg_sfreq": SEEG_SFREQ, "time_axis": 0, "words": False,
                                   "channels": {"include": [], "exclude": []},
                                   "reader_options": {}, "audio_offset_s": 0.03,
                                   "tolerance_s": 0.05, "audio_sfreq": 22050}  # fmt: skip


def _fif_with_a_trigger(path):
    """Two sEEG contacts, an ECG and a trigger channel copying the speech onsets, typed as
    MNE types them in an EDF/BDF (``Status`` is a stim channel) or a Nihon Kohden file."""
    import mne

    info = mne.create_info(["LA1", "LA2", "ECG", "Status"], SEEG_SFREQ,
                           ["seeg", "seeg", "ecg", "stim"])  # fmt: skip
    data = np.random.default_rng(1).standard_normal((4, 4096)) * 1e-5
    data[3] = np.repeat([0.0, 1.0], 2048)
    mne.io.RawArray(data, info, verbose="error").save(path, verbose="error")
    return data


def test_only_brain_channels_reach_the_decoder_and_the_rest_are_listed(tmp_path, caplog):
    path = tmp_path / "raw.fif"
    data = _fif_with_a_trigger(path)
    with caplog.at_level("INFO", logger="eegdecode"):
        seeg, _, names = load_seeg(path)
    assert names == ["LA1", "LA2"]
    np.testing.assert_allclose(seeg, data[:2], rtol=1e-5, atol=1e-12)
    assert "leaving out 2 channels: ECG (ecg), Status (stim)" in caplog.text
    # By name or pattern: include picks channels of any type, exclude removes from the pick.
    assert load_seeg(path, channels=ChannelSelection(exclude=["*2"]))[2] == ["LA1"]
    included = load_seeg(path, channels=ChannelSelection(include=["LA*", "ECG"]))[2]
    assert included == ["LA1", "LA2", "ECG"]
    with pytest.raises(ValueError, match=r"raw.fif: no channel left to decode of 4 .*"
                                         r"'audio.channels.exclude' \['LA\*'\]"):  # fmt: skip
        load_seeg(path, channels=ChannelSelection(exclude=["LA*"]))


def test_a_bids_channels_tsv_types_the_channels(tmp_path):
    """SingleWordProductionDutch's layout: sub-XX_task-wordProduction_ieeg.<ext> beside
    sub-XX_task-wordProduction_channels.tsv; the sidecar's types win over the file's."""
    rng = np.random.default_rng(2)
    np.save(tmp_path / "sub-01_task-wordProduction_ieeg.npy", rng.standard_normal((1000, 3)))
    (tmp_path / "sub-01_task-wordProduction_channels.tsv").write_text(
        "name\ttype\tunits\nLA1\tSEEG\tV\nTRIG\tTRIG\tn/a\nRH1\tSEEG\tV\n"
    )
    seeg, _, names = load_seeg(tmp_path / "sub-01_task-wordProduction_ieeg.npy", sfreq=1024.0)
    assert names == ["LA1", "RH1"] and seeg.shape == (2, 1000)
    (tmp_path / "sub-01_task-wordProduction_channels.tsv").write_text("name\ttype\nLA1\tSEEG\n")
    with pytest.raises(ValueError, match=r"channels.tsv lists 1 channels, which neither name nor"):
        load_seeg(tmp_path / "sub-01_task-wordProduction_ieeg.npy", sfreq=1024.0)


def test_reader_options_reach_mne_and_a_wrong_one_names_the_key(tmp_path):
    import mne

    info = mne.create_info(["A1", "A2"], SEEG_SFREQ, "seeg")
    raw = mne.io.RawArray(np.zeros((2, 2048)), info, verbose="error")
    raw.save(tmp_path / "raw.fif", verbose="error")
    options = {"on_split_missing": "warn"}  # an option of read_raw_fif
    assert load_seeg(tmp_path / "raw.fif", reader_options=options)[0].shape == (2, 2048)
    with pytest.raises(ValueError, match=r"'audio.reader_options' \{'data_format': 'int32'\}"):
        load_seeg(tmp_path / "raw.fif", reader_options={"data_format": "int32"})


def test_a_recording_the_high_gamma_stage_cannot_use_is_refused_when_aligned(tmp_path):
    from eegdecode.datasets.paired_audio import align_recording

    highgamma = {"band": [70, 170], "notches": [50, 100, 150], "order": 8}
    rng = np.random.default_rng(3)
    for name, sfreq, seconds in (("slow", 250.0, 3.0), ("short", 1024.0, 0.05)):
        np.save(tmp_path / f"{name}.npy", rng.standard_normal((int(sfreq * seconds), 2)))
        soundfile.write(tmp_path / f"{name}.wav", np.zeros(int(16000 * seconds)), 16000)
    with pytest.raises(ValueError, match=r"slow.npy is sampled at 250 Hz, which cannot hold the "
                                         r"high-gamma band 70–170 Hz"):  # fmt: skip
        align_recording(tmp_path / "a.h5", tmp_path / "slow.npy", tmp_path / "slow.wav",
                        audio_sfreq=16000, seeg_sfreq=250.0, highgamma=highgamma)  # fmt: skip
    with pytest.raises(ValueError, match=r"short.npy holds 51 samples \(0.050 s at 1024 Hz\); "
                                         r"the high-gamma filter needs more than \d+"):  # fmt: skip
        align_recording(tmp_path / "b.h5", tmp_path / "short.npy", tmp_path / "short.wav",
                        audio_sfreq=16000, seeg_sfreq=1024.0, highgamma=highgamma)  # fmt: skip
    assert not (tmp_path / "a.h5").exists() and not (tmp_path / "b.h5").exists()


def test_a_flat_channel_is_flagged_in_the_aligned_recording_or_stops_it(pair):
    from eegdecode.artifacts import read_attrs
    from eegdecode.datasets.paired_audio import align_recording

    folder, seeg, _ = pair
    seeg[:, 3] = 0.0
    np.save(folder / "flat.npy", seeg)
    path = align_recording(folder / "flat.h5", folder / "flat.npy", folder / "audio.wav",
                           audio_sfreq=22050, seeg_sfreq=SEEG_SFREQ)  # fmt: skip
    assert read_attrs(path)["flagged_channels"] == ["ch4 (flat)"]
    with pytest.raises(ValueError, match=r"flat.npy: 1 channel\(s\) look broken: ch4 \(flat\)"):
        align_recording(folder / "stop.h5", folder / "flat.npy", folder / "audio.wav",
                        audio_sfreq=22050, seeg_sfreq=SEEG_SFREQ, on_flat_channel="error")  # fmt: skip
    assert not (folder / "stop.h5").exists()


@pytest.mark.parametrize(
    ("suffix", "precision"),
    [(".edf", 2e-4), (".bdf", 2e-6), (".vhdr", 1e-6), (".set", 1e-6)],
    ids=["EDF", "BDF", "BrainVision", "EEGLAB"],
)
def test_files_written_by_mnes_exporters_pass_through_align_recording(tmp_path, suffix, precision):
    """Each format as MNE's own exporter writes it (edfio, pybv, eeglabio), read back through
    align_recording with its channel names and its values (to the format's resolution: EDF
    stores 16-bit integers, BDF 24-bit); at 250 Hz it is refused with the rate and the band."""
    import mne

    from eegdecode.artifacts import read_array, read_attrs
    from eegdecode.datasets.paired_audio import align_recording

    highgamma = {"band": [70, 170], "notches": [50, 100, 150], "order": 8}
    names = ["LA1", "LA2", "RH1", "RH2"]
    rng = np.random.default_rng(4)
    for sfreq, stem in ((SEEG_SFREQ, "seeg"), (250.0, "slow")):
        data = rng.standard_normal((len(names), int(3 * sfreq))) * 50e-6  # volts
        raw = mne.io.RawArray(data, mne.create_info(names, sfreq, "seeg"), verbose="error")
        mne.export.export_raw(tmp_path / f"{stem}{suffix}", raw, verbose="error")
        soundfile.write(tmp_path / f"{stem}.wav", np.zeros(3 * 16000), 16000)
        if stem == "seeg":
            written = data
    aligned = align_recording(tmp_path / "aligned.h5", tmp_path / f"seeg{suffix}",
                              tmp_path / "seeg.wav", audio_sfreq=16000,
                              highgamma=highgamma)  # fmt: skip
    assert read_attrs(aligned)["channel_names"] == names
    seeg = read_array(aligned, "seeg").data
    span = np.abs(written).max()
    np.testing.assert_allclose(seeg[:, : written.shape[1]], written, atol=precision * span)
    with pytest.raises(ValueError, match=rf"slow{suffix} is sampled at 250 Hz, which cannot hold "
                                         r"the high-gamma band 70–170 Hz"):  # fmt: skip
        align_recording(tmp_path / "slow.h5", tmp_path / f"slow{suffix}", tmp_path / "slow.wav",
                        audio_sfreq=16000, highgamma=highgamma)  # fmt: skip
    assert not (tmp_path / "slow.h5").exists()
