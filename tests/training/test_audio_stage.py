import dataclasses

import numpy as np
import pytest

from eegdecode.artifacts import AxisArray, write_artifact
from eegdecode.datasets.speech_demo import make_demo_seeg, synthesize_speech
from eegdecode.evaluation.audio import evaluate_mel
from eegdecode.signal import MelConfig, highgamma_envelope, log_mel_spectrogram
from eegdecode.training import TrainConfig, TrainedModel, chronological_windows
from eegdecode.training.audio import (
    AUDIO_VERSIONS,
    MelPredictions,
    assemble_windows,
    describe_split,
    mel_frames_per_window,
    predict_mel,
    target_first_frames,
    train_audio_decoder,
    train_audio_seq2seq,
    vocode_predictions,
    vocode_test_set,
    window_pairs,
)

SEEG_SFREQ = 1024.0
MEL = MelConfig()


def test_window_pairs_cut_the_frames_of_each_target_window():
    n_times = int(60 * SEEG_SFREQ)
    envelope = np.arange(n_times, dtype=np.float32)[None].repeat(3, axis=0)
    n_mel_frames = MEL.n_frames(int(60 * MEL.sfreq))
    log_mel = np.arange(n_mel_frames, dtype=np.float32)[:, None].repeat(80, axis=1)
    windows = chronological_windows(n_times, SEEG_SFREQ)
    inputs, targets = window_pairs(envelope, SEEG_SFREQ, log_mel, MEL, windows, "test")
    assert mel_frames_per_window(0.4, MEL) == 35
    assert inputs.shape == (len(windows.starts["test"]), 3, 1230) and targets.shape[1:] == (35, 80)
    np.testing.assert_array_equal(inputs[:, 0, 0], windows.starts["test"])
    # Frame k is centred at k · hop / sfreq: the first target frame sits at the target's start.
    expected = np.round(windows.target_starts("test") / SEEG_SFREQ * MEL.sfreq / MEL.hop_length)
    np.testing.assert_array_equal(targets[:, 0, 0], expected)
    np.testing.assert_array_equal(
        targets[:, :, 0] - targets[:, :1, 0], np.tile(np.arange(35), (len(targets), 1))
    )
    with pytest.raises(ValueError, match="the audio is shorter than the sEEG"):
        window_pairs(envelope, SEEG_SFREQ, log_mel[:1000], MEL, windows, "test")
    with pytest.raises(ValueError, match="monitor 'val_loss'"):
        train_audio_decoder((inputs, targets), (inputs, targets), model_config={},
                            train_config=TrainConfig(monitor="val_accuracy"))  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize(("signal_strength", "planted"), [(1.0, True), (0.0, False)])
def test_decoded_mel_beats_chance_only_on_planted_seeg(signal_strength, planted, tmp_path):
    """The whole package chain on the speech demo. Measured with 6 epochs: r 0.43 against a
    split-point 95th percentile of 0.25 planted; 0.11 against 0.16 null (about 45 s each on
    two cores; 12 epochs reached 0.69 planted in twice the time)."""
    speech = synthesize_speech(150.0, seed=0)
    seeg = make_demo_seeg(speech, n_channels=16, seed=0, signal_strength=signal_strength)
    envelope = highgamma_envelope(seeg, SEEG_SFREQ)
    log_mel = log_mel_spectrogram(speech.audio, MEL)
    windows = chronological_windows(seeg.shape[1], SEEG_SFREQ, hop_s=0.1)
    pairs = {split: window_pairs(envelope, SEEG_SFREQ, log_mel, MEL, windows, split)
             for split in ("train", "validation", "test")}  # fmt: skip
    trained = train_audio_decoder(
        pairs["train"], pairs["validation"],
        model_config={"hidden": 48, "encoder_layers": 1, "prenet_dim": 32,
                      "postnet_channels": 32, "dropout": 0.0},
        train_config=TrainConfig(epochs=6, batch_size=64, optimizer="adamw", lr=2e-3,
                                 monitor="val_loss"),
    )  # fmt: skip
    predicted = predict_mel(trained, pairs["test"][0])
    reloaded = TrainedModel.load(trained.save(tmp_path / "decoder"))
    np.testing.assert_allclose(predict_mel(reloaded, pairs["test"][0]), predicted, atol=1e-5)
    metrics = evaluate_mel(predicted, pairs["test"][1], n_shuffles=200)
    r = metrics["pearson_r"]
    if planted:
        assert r["mean"] > r["chance_95"] + 0.1
    else:
        assert r["mean"] < r["chance_95"] + 0.05


def test_assembled_windows_follow_the_recordings_frames():
    mel = np.random.default_rng(0).standard_normal((MEL.n_frames(60 * 22050), 4))
    n_times = int(60 * SEEG_SFREQ)
    windows = chronological_windows(n_times, SEEG_SFREQ)
    first = target_first_frames(windows, "test", SEEG_SFREQ, MEL)
    cut = np.stack([mel[start : start + 35] for start in first])
    np.testing.assert_allclose(assemble_windows(cut, first), mel[first[0] : first[-1] + 35])
    # 0.4 s windows are 34.5 frames apart: neighbours share a frame, averaged
    assert set(np.diff(first)) == {34, 35}
    with pytest.raises(ValueError, match="not consecutive"):
        assemble_windows(cut[::2], first[::2])


def test_vocoded_test_set_cuts_every_version_at_the_same_utterances(tmp_path):
    import soundfile

    from eegdecode.models.vocoder import MelVocoder
    from eegdecode.signal import speech_segments

    speech = synthesize_speech(6.0, seed=1)
    log_mel = log_mel_spectrogram(speech.audio, MEL)
    predicted = log_mel + np.random.default_rng(0).normal(0, 0.5, log_mel.shape)
    rows = vocode_test_set(
        tmp_path / "audio", recorded=speech.audio, target_mel=log_mel, predicted_mel=predicted,
        vocoder=MelVocoder(MEL, n_iter=2), segment_options={"min_silence_s": 0.1},
    )  # fmt: skip
    length = (len(log_mel) - 1) * MEL.hop_length  # Griffin-Lim's output, the shortest
    segments = speech_segments(speech.audio[:length], MEL.sfreq, min_silence_s=0.1)
    assert len(rows) == len(segments) > 5
    assert [row["start_s"] for row in rows] == pytest.approx(segments[:, 0] / MEL.sfreq)
    recorded, sfreq = soundfile.read(tmp_path / "audio/recorded.wav")
    assert sfreq == 22050 and len(recorded) == length
    np.testing.assert_allclose(recorded, speech.audio[:length], atol=1 / 2**15)
    for index, (start, stop) in enumerate(segments):
        for version in AUDIO_VERSIONS:
            clip, _ = soundfile.read(tmp_path / f"audio/utterances/{index}_{version}.wav")
            assert len(clip) == stop - start
    assert (tmp_path / "audio/utterances.csv").read_text().startswith("utterance,start_s,stop_s")


def _mel_predictions(n_windows=6, seed=0):
    rng = np.random.default_rng(seed)
    first = 100 + 35 * np.arange(n_windows)
    return MelPredictions(
        predicted=rng.standard_normal((n_windows, 35, 80)).astype(np.float32),
        target=rng.standard_normal((n_windows, 35, 80)).astype(np.float32),
        first_frames=first,
        parameters={"mel": {"sfreq": 22050.0, "hop_length": 256}, "windows": {"hop_s": 0.1}},
        attrs={"participant": "p1", "frame_rate": 22050 / 256},
    )


def test_mel_predictions_round_trip_and_lay_out_their_windows(tmp_path):
    predictions = _mel_predictions()
    reread = MelPredictions.read(predictions.write(tmp_path / "mel.h5"))
    for name in ("predicted", "target", "first_frames"):
        np.testing.assert_array_equal(getattr(reread, name), getattr(predictions, name))
    assert reread.parameters == predictions.parameters and reread.attrs == predictions.attrs
    assert reread.mel == MelConfig(sfreq=22050.0, hop_length=256)
    assert reread.frame_rate == 22050 / 256
    target, predicted = reread.timelines()
    np.testing.assert_array_equal(target, predictions.target.reshape(-1, 80))
    np.testing.assert_array_equal(predicted, assemble_windows(predictions.predicted,
                                                              predictions.first_frames))  # fmt: skip
    write_artifact(tmp_path / "other.h5", {"predicted": AxisArray(predictions.predicted,
                   ("window", "frame", "mel"))}, producer="x", parameters={})  # fmt: skip
    with pytest.raises(ValueError, match="lacks the mel settings"):
        MelPredictions.read(tmp_path / "other.h5")


@pytest.mark.filterwarnings("ignore:dropout option adds dropout:UserWarning")
def test_stage_trains_on_the_artifacts_and_predicts_the_test_part(tmp_path):
    """The entry point of rule train_audio_seq2seq on a tiny random pair (one epoch)."""
    rng = np.random.default_rng(0)
    n_times = int(40 * SEEG_SFREQ)
    envelope = rng.standard_normal((4, n_times)).astype(np.float32)
    log_mel = rng.standard_normal((MEL.n_frames(40 * 22050), 80)).astype(np.float32)
    write_artifact(
        tmp_path / "hg.h5",
        {"envelope": AxisArray(envelope, ("channel", "time"))},
        producer="highgamma",
        attrs={"sfreq": SEEG_SFREQ, "participant": "p1"},
    )
    write_artifact(tmp_path / "mel.h5", {"log_mel": AxisArray(log_mel, ("frame", "mel"))},
                   producer="mel", parameters=dataclasses.asdict(MEL))  # fmt: skip
    settings = {
        "windows": {"hop_s": 0.4},
        "model": {
            "hidden": 8,
            "encoder_layers": 1,
            "prenet_dim": 8,
            "postnet_channels": 8,
            "dropout": 0.1,
        },
        "training": {"epochs": 1, "batch_size": 64, "monitor": "val_loss", "device": "cpu"},
    }
    trained, predictions = train_audio_seq2seq(
        tmp_path / "hg.h5", tmp_path / "mel.h5", **settings, seed=1, workdir=tmp_path / "ckpt"
    )
    windows = chronological_windows(n_times, SEEG_SFREQ, hop_s=0.4)
    inputs, targets = window_pairs(envelope, SEEG_SFREQ, log_mel, MEL, windows, "test")
    np.testing.assert_array_equal(predictions.target, targets)
    np.testing.assert_array_equal(
        predictions.first_frames, target_first_frames(windows, "test", SEEG_SFREQ, MEL)
    )
    assert predictions.predicted.shape == targets.shape and len(trained.fit.history) == 1
    np.testing.assert_array_equal(predictions.predicted, predict_mel(trained, inputs, seed=1))
    assert not np.array_equal(predictions.predicted, predict_mel(trained, inputs, seed=2))
    reloaded = TrainedModel.load(trained.save(tmp_path / "decoder"))
    assert reloaded.input_names == ("envelope",) and reloaded.split == trained.split
    assert trained.split == describe_split(windows, SEEG_SFREQ)
    assert trained.split["starts"]["test"]["n"] == len(inputs)
    assert trained.split["boundaries"] == list(windows.boundaries)
    np.testing.assert_array_equal(predict_mel(reloaded, inputs, seed=1), predictions.predicted)
    assert predictions.parameters == {"mel": dataclasses.asdict(MEL), **settings}
    assert predictions.attrs["participant"] == "p1"
    assert predictions.attrs["frame_rate"] == MEL.sfreq / MEL.hop_length
    assert predictions.mel == MEL


class _SilentVocoder:
    """Zeros of Griffin-Lim's length; what vocode_predictions cuts is the recorded audio."""

    mel = MEL

    def __call__(self, log_mel):
        return np.zeros((len(log_mel) - 1) * MEL.hop_length, dtype=np.float32)


def test_vocoded_predictions_start_at_the_first_test_frame_and_play_on_a_page(tmp_path):
    import soundfile

    from eegdecode.report import write_utterance_page

    speech = synthesize_speech(8.0, seed=2)
    log_mel = log_mel_spectrogram(speech.audio, MEL)
    first = 40 + 35 * np.arange(8)
    windows = np.stack([log_mel[start : start + 35] for start in first])
    predictions = MelPredictions(windows, windows, first, {"mel": dataclasses.asdict(MEL)})
    rows = vocode_predictions(tmp_path / "audio", predictions, speech.audio,
                              vocoder=_SilentVocoder(), segment_options={"min_silence_s": 0.1})  # fmt: skip
    recorded, _ = soundfile.read(tmp_path / "audio/recorded.wav")
    length = (8 * 35 - 1) * MEL.hop_length
    np.testing.assert_allclose(
        recorded, speech.audio[40 * MEL.hop_length :][:length], atol=1 / 2**15
    )
    assert len(rows) > 2
    page = write_utterance_page(
        tmp_path / "page.html", tmp_path / "audio", title="p1",
        metrics={"seq2seq": {"pearson_r": 0.51234, "word_accuracy": None}},
        vocoder="griffin_lim", versions=AUDIO_VERSIONS, max_utterances=2,
    )  # fmt: skip
    text = page.read_text()
    assert "<tr><th>seq2seq</th><td>0.512</td><td>–</td></tr>" in text
    assert f"audio: griffin_lim; 2 of {len(rows)} utterances shown" in text
    assert text.count("data:audio/wav;base64,") == 2 * len(AUDIO_VERSIONS)
    start, stop = rows[0]["start_s"], rows[0]["stop_s"]
    assert f"{start:.1f}–{stop:.1f} s" in text
    # With word markers, the cued words are the utterances, named on the page.
    from eegdecode.datasets.paired_audio import WordMarkers

    test_start = 40 * MEL.hop_length / MEL.sfreq
    words = WordMarkers(["huis", "boom", "late"], test_start + np.array([[0.5, 1.0], [2.0, 2.5],
                                                                         [20.0, 21.0]]))  # fmt: skip
    cued = vocode_predictions(tmp_path / "cued", predictions, speech.audio,
                              vocoder=_SilentVocoder(), words=words)  # fmt: skip
    assert [row["word"] for row in cued] == ["huis", "boom"]  # the third is after the test part
    assert [row["start_s"] for row in cued] == pytest.approx([0.5, 2.0], abs=1 / MEL.sfreq)
