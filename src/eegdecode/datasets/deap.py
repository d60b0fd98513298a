"""DEAP (Koelstra et al. 2012): 32 participants watch 40 one-minute music-video excerpts and rate
each one's valence, arousal, dominance and liking from 1 to 9; 22 of them were filmed.

The release, as this module reads it under one root folder:

``data_preprocessed_matlab/sNN.mat``
    ``data``, (40 trials, 40 channels, 8064 samples) at 128 Hz: 3 s before the trial, then
    its 60 s; the first 32 channels EEG in the Geneva order (:data:`DEAP_EEG_CHANNELS`),
    then 8 peripheral ones. ``labels``, (40, 4): valence, arousal, dominance, liking. Both
    in the order of the videos (``Experiment_id``), not of their presentation.
``data_preprocessed_python/sNN.dat``
    The same as a Python pickle: refused, since unpickling a file runs its code.
``metadata_csv/participant_ratings.csv``
    A row per participant and trial: ``Participant_id``, ``Trial`` (presentation order),
    ``Experiment_id`` (the video), ``Start_time``, ``Valence``, ``Arousal``, ``Dominance``,
    ``Liking``, ``Familiarity``.
``face_video/sNN/sNN_trialNN.avi``
    Participants 1–22, each video named by its trial number (presentation order).

A face video and an EEG trial are matched through the ratings file only: trial ``t`` of
participant ``p`` is row ``Experiment_id − 1`` of ``sNN.mat`` (:func:`eeg_row_of_trial`).
:func:`write_deap_mat` and :func:`write_participant_ratings` write the same layout, for the
demo and the tests.
"""

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEAP_SFREQ = 128.0
#: Seconds recorded before each trial's video starts.
DEAP_BASELINE_S = 3.0
#: Samples of a trial in the release: 3 s of baseline and the 60 s video at 128 Hz.
DEAP_TRIAL_SAMPLES = 8064
DEAP_EEG_CHANNELS = (
    "Fp1", "AF3", "F3", "F7", "FC5", "FC1", "C3", "T7", "CP5", "CP1", "P3", "P7", "PO3", "O1",
    "Oz", "Pz", "Fp2", "AF4", "Fz", "F4", "F8", "FC6", "FC2", "Cz", "C4", "T8", "CP6", "CP2",
    "P4", "P8", "PO4", "O2",
)  # fmt: skip
DEAP_PERIPHERAL_CHANNELS = (
    "hEOG", "vEOG", "zEMG", "tEMG", "GSR", "Respiration", "Plethysmograph", "Temperature",
)  # fmt: skip
DEAP_RATINGS = ("valence", "arousal", "dominance", "liking")
RATINGS_COLUMNS = (
    "Participant_id", "Trial", "Experiment_id", "Start_time", "Valence", "Arousal",
    "Dominance", "Liking", "Familiarity",
)  # fmt: skip
#: Participants with face video.
DEAP_FACE_SUBJECTS = tuple(range(1, 23))


def matlab_path(root: str | Path, subject: int) -> Path:
    return Path(root) / "data_preprocessed_matlab" / f"s{subject:02d}.mat"


def python_path(root: str | Path, subject: int) -> Path:
    return Path(root) / "data_preprocessed_python" / f"s{subject:02d}.dat"


def ratings_path(root: str | Path) -> Path:
    return Path(root) / "metadata_csv" / "participant_ratings.csv"


def face_video_path(root: str | Path, subject: int, trial: int) -> Path:
    return Path(root) / "face_video" / f"s{subject:02d}" / f"s{subject:02d}_trial{trial:02d}.avi"


@dataclass(frozen=True)
class ParticipantTrials:
    """One participant's rows of ``participant_ratings.csv``, in presentation order.

    Attributes
    ----------
    trials, experiment_ids : ndarray of int, (n_trials,)
        Each trial's number (1, 2, …) and the video shown in it.
    ratings : dict of str to ndarray of float, (n_trials,)
        ``valence``, ``arousal``, ``dominance`` and ``liking`` per trial.
    """

    trials: np.ndarray
    experiment_ids: np.ndarray
    ratings: dict[str, np.ndarray]


def eeg_row_of_trial(trials: ParticipantTrials, trial: int) -> int:
    """The row of ``sNN.mat`` (video order) that holds ``trial`` (presentation order)."""
    where = np.flatnonzero(trials.trials == trial)
    if len(where) != 1:
        raise ValueError(f"Trial {trial} is not in the ratings ({list(trials.trials)}).")
    return int(trials.experiment_ids[where[0]]) - 1


def read_participant_ratings(path: str | Path) -> dict[int, ParticipantTrials]:
    """Every participant's trials in ``participant_ratings.csv``.

    Each participant's trials must number 1…n and their ``Experiment_id`` be a permutation of
    1…n (each video shown once); ratings must lie in 1–9.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"DEAP ratings file {str(path)!r} does not exist.")
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in RATINGS_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path} lacks the columns {missing}; it has {reader.fieldnames}.")
        rows: dict[int, list] = {}
        for line, row in enumerate(reader, start=2):
            try:
                participant = int(row["Participant_id"])
                values = (int(row["Trial"]), int(row["Experiment_id"]),
                          *(float(row[c.capitalize()]) for c in DEAP_RATINGS))  # fmt: skip
            except (TypeError, ValueError) as error:
                raise ValueError(f"{path}, line {line}: {error}") from None
            rows.setdefault(participant, []).append(values)
    if not rows:
        raise ValueError(f"{path} holds no rows.")
    participants = {}
    for participant, values in sorted(rows.items()):
        table = np.array(sorted(values), dtype=np.float64)
        trials, experiments = table[:, 0].astype(int), table[:, 1].astype(int)
        expected = np.arange(1, len(table) + 1)
        where = f"{path}: participant {participant}"
        if not np.array_equal(trials, expected):
            raise ValueError(f"{where}: trials must be numbered 1–{len(table)} once each.")
        if not np.array_equal(np.sort(experiments), expected):
            raise ValueError(
                f"{where}: Experiment_id must name each of the {len(table)} videos once, got "
                f"{sorted(experiments.tolist())}."
            )
        ratings = dict(zip(DEAP_RATINGS, table[:, 2:].T, strict=True))
        if any(((values < 1) | (values > 9)).any() for values in ratings.values()):
            raise ValueError(f"{where}: ratings must lie in 1–9.")
        participants[participant] = ParticipantTrials(trials, experiments, ratings)
    return participants


def load_deap_subject(
    root: str | Path, subject: int, *, n_samples: int = DEAP_TRIAL_SAMPLES
) -> tuple[np.ndarray, np.ndarray]:
    """``data`` and ``labels`` of ``data_preprocessed_matlab/sNN.mat``.

    Returns
    -------
    data : ndarray, (n_trials, 40, n_samples)
        In the release's units (µV for EEG), rows in video order.
    labels : ndarray, (n_trials, 4)
        Valence, arousal, dominance and liking.
    """
    from .matlab import load_matlab

    path, pickled = matlab_path(root, subject), python_path(root, subject)
    if not path.is_file() and pickled.is_file():
        raise ValueError(
            f"{pickled} is DEAP's Python release, a pickle, which eegdecode does not "
            f"unpickle (loading it would run code from the file). Use the MATLAB release of "
            f"the same data, data_preprocessed_matlab.zip, which holds {path.name}, at {path}."
        )
    mat = load_matlab(path, "DEAP file")
    for name in ("data", "labels"):
        if name not in mat:
            found = sorted(key for key in mat if not key.startswith("__"))
            raise ValueError(f"{path} holds no variable {name!r}; it holds {found}.")
    data, labels = np.asarray(mat["data"]), np.asarray(mat["labels"], dtype=np.float64)
    n_channels = len(DEAP_EEG_CHANNELS) + len(DEAP_PERIPHERAL_CHANNELS)
    if data.ndim != 3 or data.shape[1:] != (n_channels, n_samples):
        raise ValueError(
            f"{path}: data must be (trials, {n_channels} channels, {n_samples} samples), got "
            f"shape {data.shape}."
        )
    if labels.shape != (data.shape[0], len(DEAP_RATINGS)):
        raise ValueError(
            f"{path}: labels must be ({data.shape[0]} trials, 4 ratings), got {labels.shape}."
        )
    if not np.isfinite(data).all():
        trial = int(np.flatnonzero(~np.isfinite(data).all(axis=(1, 2)))[0])
        raise ValueError(f"{path}: data holds NaN or infinite samples (row {trial + 1}).")
    return data, labels


def write_deap_mat(path: str | Path, data: np.ndarray, labels: np.ndarray) -> Path:
    """Write one participant's ``sNN.mat`` in the release's layout."""
    from scipy import io

    from ..fileio import atomic_path

    with atomic_path(path) as temporary:
        io.savemat(temporary, {"data": data, "labels": np.asarray(labels, dtype=np.float64)})
    return Path(path)


def write_participant_ratings(path: str | Path, participants: dict[int, ParticipantTrials]) -> Path:
    """Write ``participant_ratings.csv`` in the release's columns (``Start_time`` 0 and
    ``Familiarity`` empty here)."""
    from ..fileio import write_csv

    rows = [
        dict(zip(RATINGS_COLUMNS, [participant, int(trial), int(trials.experiment_ids[k]), 0,
                                   *(f"{trials.ratings[r][k]:g}" for r in DEAP_RATINGS), ""],
                 strict=True))
        for participant, trials in sorted(participants.items())
        for k, trial in enumerate(trials.trials)
    ]  # fmt: skip
    return write_csv(path, rows, fieldnames=list(RATINGS_COLUMNS))


def deap_differential_entropy(
    data: np.ndarray,
    labels: np.ndarray,
    *,
    window_s: float,
    step_s: float,
    baseline: str,
    bands: Mapping[str, tuple[float, float]],
) -> dict:
    """The DE of each EEG channel (DEAP's first 32) in each band, per row of ``sNN.mat``, with
    its ratings, as artifact arrays.

    Parameters
    ----------
    data, labels : ndarray, (n_videos, 40, n_samples) and (n_videos, 4)
        :func:`load_deap_subject`'s output (video order).
    window_s, step_s, baseline, bands
        As in :func:`~eegdecode.signal.emotion.trial_differential_entropy`; the original's one
        value per channel is one band, its 1–50 Hz band-pass.
    """
    from ..artifacts import AxisArray
    from ..signal.emotion import trial_differential_entropy

    eeg = data[:, : len(DEAP_EEG_CHANNELS)]
    de = trial_differential_entropy(
        eeg, DEAP_SFREQ, n_baseline=round(DEAP_BASELINE_S * DEAP_SFREQ), baseline=baseline,
        bands=bands, window_s=window_s, step_s=step_s,
    )  # fmt: skip
    return {
        "de": AxisArray(de.astype(np.float32), ("video", "channel", "band"),
                        {"channels": list(DEAP_EEG_CHANNELS), "bands": list(bands)}),
        "labels": AxisArray(np.asarray(labels, np.float64), ("video", "rating"),
                            {"ratings": list(DEAP_RATINGS)}),
    }  # fmt: skip
