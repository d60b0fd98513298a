"""DEAP as released: the MATLAB files, the ratings' trial ↔ video mapping, and refusals."""

import numpy as np
import pytest
from scipy import io

from eegdecode.datasets.deap import (
    DEAP_RATINGS,
    ParticipantTrials,
    deap_differential_entropy,
    eeg_row_of_trial,
    face_video_path,
    load_deap_subject,
    matlab_path,
    python_path,
    ratings_path,
    read_participant_ratings,
    write_deap_mat,
    write_participant_ratings,
)

N_SAMPLES = 512  # 3 s of baseline and 1 s of trial, for speed


def _participant(experiment_ids, seed=0):
    rng = np.random.default_rng(seed)
    n = len(experiment_ids)
    ratings = {r: np.round(rng.uniform(1, 9, n), 2) for r in DEAP_RATINGS}
    return ParticipantTrials(np.arange(1, n + 1), np.asarray(experiment_ids), ratings)


def test_the_ratings_file_maps_each_face_trial_to_its_eeg_row_when_the_orders_differ(tmp_path):
    # Presentation order 1..4 showed the videos 3, 1, 4, 2: the EEG (video order) of trial 1
    # is row 3 of sNN.mat, which each row's samples name here.
    participants = {1: _participant([3, 1, 4, 2]), 2: _participant([1, 2, 3, 4], seed=1)}
    write_participant_ratings(ratings_path(tmp_path), participants)
    for subject in participants:
        data = np.repeat(np.arange(1.0, 5.0)[:, None, None], 40, axis=1) * np.ones(N_SAMPLES)
        write_deap_mat(matlab_path(tmp_path, subject), data, np.ones((4, 4)))
    read = read_participant_ratings(ratings_path(tmp_path))
    assert sorted(read) == [1, 2]
    np.testing.assert_array_equal(read[1].experiment_ids, [3, 1, 4, 2])
    for name in DEAP_RATINGS:
        np.testing.assert_allclose(read[1].ratings[name], participants[1].ratings[name])
    data, labels = load_deap_subject(tmp_path, 1, n_samples=N_SAMPLES)
    assert data.shape == (4, 40, N_SAMPLES) and labels.shape == (4, 4)
    shown = [data[eeg_row_of_trial(read[1], trial), 0, 0] for trial in (1, 2, 3, 4)]
    assert shown == [3.0, 1.0, 4.0, 2.0]
    assert [eeg_row_of_trial(read[2], t) for t in (1, 2, 3, 4)] == [0, 1, 2, 3]
    assert face_video_path(tmp_path, 1, 7).relative_to(tmp_path).as_posix() == (
        "face_video/s01/s01_trial07.avi"
    )
    with pytest.raises(ValueError, match="Trial 5 is not in the ratings"):
        eeg_row_of_trial(read[1], 5)


def test_the_python_release_is_refused_naming_the_matlab_file(tmp_path):
    pickled = python_path(tmp_path, 3)
    pickled.parent.mkdir(parents=True)
    pickled.write_bytes(b"\x80\x04not to be unpickled")
    with pytest.raises(ValueError) as caught:
        load_deap_subject(tmp_path, 3)
    message = str(caught.value)
    assert "s03.dat" in message and "does not unpickle" in message
    assert str(matlab_path(tmp_path, 3)) in message and "data_preprocessed_matlab" in message
    with pytest.raises(FileNotFoundError, match=r"s04\.mat"):
        load_deap_subject(tmp_path, 4)


def test_a_damaged_or_incomplete_matlab_file_is_refused_naming_it(tmp_path):
    path = matlab_path(tmp_path, 1)
    path.parent.mkdir(parents=True)
    io.savemat(path, {"data": np.zeros((2, 40, N_SAMPLES))})
    with pytest.raises(ValueError, match=r"s01\.mat holds no variable 'labels'"):
        load_deap_subject(tmp_path, 1, n_samples=N_SAMPLES)
    io.savemat(path, {"data": np.zeros((2, 32, N_SAMPLES)), "labels": np.ones((2, 4))})
    with pytest.raises(ValueError, match=r"40 channels, 512 samples\), got shape \(2, 32, 512\)"):
        load_deap_subject(tmp_path, 1, n_samples=N_SAMPLES)
    with pytest.raises(ValueError, match="8064 samples"):
        io.savemat(path, {"data": np.zeros((2, 40, N_SAMPLES)), "labels": np.ones((2, 4))})
        load_deap_subject(tmp_path, 1)
    data = np.zeros((2, 40, N_SAMPLES))
    data[1, 5, 9] = np.nan
    io.savemat(path, {"data": data, "labels": np.ones((2, 4))})
    with pytest.raises(ValueError, match=r"NaN or infinite samples \(row 2\)"):
        load_deap_subject(tmp_path, 1, n_samples=N_SAMPLES)
    path.write_bytes(b"MATLAB 5.0 MAT-file, truncated")
    with pytest.raises(ValueError, match=r"s01\.mat is not a readable MATLAB v5 file"):
        load_deap_subject(tmp_path, 1, n_samples=N_SAMPLES)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda rows: [rows[0].replace("Experiment_id", "Video"), *rows[1:]], "lacks the columns"),
        (lambda rows: [rows[0], rows[1].replace("1,1,", "1,3,", 1), *rows[2:]],
         "trials must be numbered"),
        (lambda rows: [rows[0], rows[1], rows[2].replace(",1,", ",3,", 1), *rows[3:]],
         "Experiment_id must name each"),
        (lambda rows: [rows[0], rows[1].replace(",0,", ",0,11.5,", 1), *rows[2:]],
         "ratings must lie in 1–9"),
        (lambda rows: [rows[0], rows[1].replace("1,", "one,", 1), *rows[2:]], "line 2"),
    ],
)  # fmt: skip
def test_a_bad_ratings_file_is_refused_naming_it(tmp_path, edit, message):
    path = ratings_path(tmp_path)
    write_participant_ratings(path, {1: _participant([2, 1, 3])})
    rows = path.read_text().splitlines()
    path.write_text("\n".join(edit(rows)) + "\n")
    with pytest.raises(ValueError, match=str(path).replace(".", r"\.")) as caught:
        read_participant_ratings(path)
    assert message in str(caught.value)


def test_the_deap_arrays_hold_the_32_eeg_channels_per_band_and_the_labels():
    rng = np.random.default_rng(3)
    data, labels = rng.standard_normal((3, 40, N_SAMPLES + 128)), rng.uniform(1, 9, (3, 4))
    arrays = deap_differential_entropy(data, labels, window_s=1.0, step_s=0.5,
                                       baseline="exclude", bands={"a": (8, 14), "b": (14, 31)})  # fmt: skip
    assert arrays["de"].data.shape == (3, 32, 2) and arrays["de"].axes == (
        "video",
        "channel",
        "band",
    )
    assert arrays["de"].attrs["bands"] == ["a", "b"]
    np.testing.assert_array_equal(arrays["labels"].data, labels)
