"""DREAMER.mat and STEW's text files, written in the published layouts and read back; corrupt
files fail naming the file and the field."""

import numpy as np
import pytest
from scipy import io

from eegdecode.datasets.dreamer import (
    DREAMER_BASELINE_SAMPLES,
    DreamerSubject,
    load_dreamer,
    write_dreamer_mat,
)
from eegdecode.datasets.mental_state_demo import synthesize_dreamer, write_demo_stew
from eegdecode.datasets.stew import (
    load_stew,
    load_stew_ratings,
    load_stew_recording,
    stew_recording_path,
    write_stew_recording,
)
from eegdecode.signal import EMOTIV_CHANNELS


def _subjects(n_subjects=2, n_clips=3):
    rng = np.random.default_rng(0)
    return [
        DreamerSubject(
            stimuli=[rng.normal(size=(14, 256 + 10 * clip)) for clip in range(n_clips)],
            baselines=[rng.normal(size=(14, DREAMER_BASELINE_SAMPLES)) for _ in range(n_clips)],
            ratings={
                name: rng.integers(1, 6, n_clips) for name in ("valence", "arousal", "dominance")
            },
        )
        for _ in range(n_subjects)
    ]


@pytest.fixture
def dreamer_mat(tmp_path):
    subjects = _subjects()
    return write_dreamer_mat(tmp_path / "DREAMER.mat", subjects), subjects


def test_dreamer_reads_back_what_was_written(dreamer_mat):
    path, subjects = dreamer_mat
    loaded = load_dreamer(path)
    assert len(loaded) == len(subjects)
    for read, written in zip(loaded, subjects, strict=True):
        for got, expected in zip(read.stimuli + read.baselines,
                                 written.stimuli + written.baselines, strict=True):  # fmt: skip
            np.testing.assert_allclose(got, expected)
        for name, values in written.ratings.items():
            np.testing.assert_array_equal(read.ratings[name], values)


def test_dreamer_file_has_the_published_nesting(dreamer_mat):
    """torcheeg's path to a clip: DREAMER[0, 0]['Data'][0, s]['EEG'][0, 0]['stimuli'][0, 0][j, 0],
    (time, 14) samples; electrodes as a 1 × 14 cell of names."""
    path, subjects = dreamer_mat
    dreamer = io.loadmat(path)["DREAMER"][0, 0]
    clip = dreamer["Data"][0, 1]["EEG"][0, 0]["stimuli"][0, 0][2, 0]
    np.testing.assert_allclose(clip, subjects[1].stimuli[2].T)
    assert dreamer["EEG_SamplingRate"][0, 0] == 128
    assert [str(name[0]) for name in dreamer["EEG_Electrodes"][0]] == list(EMOTIV_CHANNELS)
    assert dreamer["Data"][0, 0]["ScoreArousal"][0, 0].shape == (3, 1)


def _rewrite(path, change):
    dreamer = io.loadmat(path)["DREAMER"]
    change(dreamer[0, 0])
    io.savemat(path, {"DREAMER": dreamer})


def test_dreamer_with_thirteen_channels_names_the_clip(dreamer_mat):
    path, _ = dreamer_mat

    def drop_a_channel(dreamer):
        stimuli = dreamer["Data"][0, 1]["EEG"][0, 0]["stimuli"][0, 0]
        stimuli[1, 0] = stimuli[1, 0][:, :13]

    _rewrite(path, drop_a_channel)
    with pytest.raises(ValueError, match=r"DREAMER\.Data\{2\}\.EEG\.stimuli\{2\} must be "
                       r"\(n_times, 14\).*\(266, 13\)") as error:  # fmt: skip
        load_dreamer(path)
    assert str(path) in str(error.value)


def test_dreamer_without_a_rating_field_names_it(dreamer_mat):
    path, _ = dreamer_mat
    data = io.loadmat(path)["DREAMER"][0, 0]
    entry = data["Data"][0, 0][0, 0]
    fields = [name for name in entry.dtype.names if name != "ScoreValence"]
    stripped = {name: entry[name] for name in fields}
    broken = np.empty((1, 2), dtype=object)
    broken[0, 0], broken[0, 1] = stripped, data["Data"][0, 1]
    dreamer = {name: data[name] for name in data.dtype.names}
    dreamer["Data"] = broken
    io.savemat(path, {"DREAMER": dreamer})
    with pytest.raises(ValueError, match=r"DREAMER\.Data\{1\} has no field 'ScoreValence'"):
        load_dreamer(path)


def test_dreamer_at_another_rate_or_not_matlab_is_refused(tmp_path, dreamer_mat):
    path, _ = dreamer_mat
    _rewrite(path, lambda dreamer: dreamer["EEG_SamplingRate"].__setitem__((0, 0), 256))
    with pytest.raises(ValueError, match="EEG_SamplingRate is 256 Hz, expected 128"):
        load_dreamer(path)
    garbage = tmp_path / "garbage.mat"
    garbage.write_bytes(b"not a MATLAB file at all" * 10)
    with pytest.raises(ValueError, match=r"garbage\.mat is not a readable MATLAB v5 file"):
        load_dreamer(garbage)
    with pytest.raises(FileNotFoundError, match=r"missing\.mat"):
        load_dreamer(tmp_path / "missing.mat")


def test_stew_recording_round_trip_and_its_file_format(tmp_path):
    eeg = np.random.default_rng(1).normal(4200, 20, size=(14, 300))
    path = write_stew_recording(stew_recording_path(tmp_path, 7, "hi"), eeg)
    assert path.name == "sub07_hi.txt"
    np.testing.assert_allclose(load_stew_recording(path), eeg, atol=5e-5)
    first = path.read_text().splitlines()[0].split()
    assert len(first) == 14 and float(first[0]) == pytest.approx(eeg[0, 0], abs=5e-5)


def test_a_truncated_stew_file_names_the_file_and_row(tmp_path):
    path = write_stew_recording(tmp_path / "sub01_lo.txt", np.ones((14, 20)))
    text = path.read_text()
    path.write_text(text[: len(text) // 2 + 7])
    with pytest.raises(ValueError, match=r"sub01_lo\.txt, row 11: \d+ values, expected one per "
                       r"channel \(14\); is the file truncated\?"):  # fmt: skip
        load_stew_recording(path)


def test_stew_ratings_and_the_unrated_subjects(tmp_path):
    write_demo_stew(tmp_path, [1, 2, 3], recording_s=8, effect=1.0, seed=0, unrated=(2,))
    assert set(load_stew_ratings(tmp_path / "ratings.txt")) == {1, 3}
    assert set(load_stew(tmp_path, [1, 2, 3])) == {1, 2, 3}
    assert set(load_stew(tmp_path, [1, 2, 3], unrated_subjects="exclude")) == {1, 3}
    (tmp_path / "ratings.txt").write_text("1, 2, 11\n")
    with pytest.raises(ValueError, match=r"ratings\.txt, line 1: ratings must lie in 1–9"):
        load_stew_ratings(tmp_path / "ratings.txt")


def test_demo_dreamer_balances_the_four_classes():
    (subject,) = synthesize_dreamer(1, n_clips=8, clip_s=2, effect=1.0, seed=0)
    high_valence = subject.ratings["valence"] > 3
    high_arousal = subject.ratings["arousal"] > 3
    np.testing.assert_array_equal(np.bincount(2 * high_valence + high_arousal), [2, 2, 2, 2])
    assert subject.stimuli[0].shape == (14, 256)
    assert subject.baselines[0].shape == (14, DREAMER_BASELINE_SAMPLES)
