"""DREAMER (Katsigiannis & Ramzan 2018): 23 subjects watch 18 film clips on an Emotiv EPOC, and
rate each clip's valence, arousal and dominance from 1 to 5.

The dataset is one MATLAB file, ``DREAMER.mat``, holding a struct ``DREAMER`` whose field
``Data`` is a 1 × n_subjects cell of structs; each subject's ``EEG`` struct holds two
n_clips × 1 cells, ``stimuli`` (the EEG while the clip played) and ``baseline`` (61 s before
it, 7,808 samples), each entry (n_times, 14) at 128 Hz in the Emotiv order, and the ratings
``ScoreValence``, ``ScoreArousal`` and ``ScoreDominance`` are n_clips × 1. It is read with
SciPy (no pickle). :func:`write_dreamer_mat` writes the same nesting, for the demo and tests.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..signal.focus import EMOTIV_CHANNELS

DREAMER_SFREQ = 128.0
DREAMER_BASELINE_SAMPLES = 7808
RATING_FIELDS = ("ScoreValence", "ScoreArousal", "ScoreDominance")
RATINGS = ("valence", "arousal", "dominance")


@dataclass(frozen=True)
class DreamerSubject:
    """One subject's recordings and ratings.

    Attributes
    ----------
    stimuli, baselines : list of ndarray, each (14, n_times)
        Per clip, the EEG during the clip and before it, in microvolts, Emotiv order.
    ratings : dict of str to ndarray of int, shape (n_clips,)
        ``valence``, ``arousal`` and ``dominance``, 1–5.
    """

    stimuli: list[np.ndarray]
    baselines: list[np.ndarray]
    ratings: dict[str, np.ndarray]


def _field(value, name: str, where: str):
    """``value[name]`` of a loaded MATLAB struct (a 1 × 1 struct array), naming what is missing."""
    names = value.dtype.names or ()
    if name not in names:
        raise ValueError(f"{where} has no field {name!r}; it has {sorted(names)}.")
    return value[name][0, 0]


def _cell(value, where: str, n: int | None = None) -> list:
    entries = list(np.asarray(value, dtype=object).ravel())
    if n is not None and len(entries) != n:
        raise ValueError(f"{where} holds {len(entries)} entries, expected {n}.")
    return entries


def _eeg(value, where: str, n_channels: int) -> np.ndarray:
    eeg = np.asarray(value, dtype=np.float64)
    if eeg.ndim != 2 or eeg.shape[1] != n_channels:
        raise ValueError(
            f"{where} must be (n_times, {n_channels}) samples × channels, got shape {eeg.shape}."
        )
    if not np.isfinite(eeg).all():
        raise ValueError(f"{where} holds NaN or infinite samples.")
    return eeg.T


def load_dreamer(path: str | Path) -> list[DreamerSubject]:
    """Read every subject of ``DREAMER.mat``.

    Parameters
    ----------
    path : str | Path
        The dataset's MATLAB file, as distributed.

    Returns
    -------
    subjects : list of DreamerSubject
        In the file's order.
    """
    from .matlab import load_matlab

    path = Path(path)
    mat = load_matlab(path, "DREAMER file")
    if "DREAMER" not in mat:
        found = sorted(key for key in mat if not key.startswith("__"))
        raise ValueError(f"{path} holds no variable 'DREAMER'; it holds {found}.")
    dreamer = mat["DREAMER"]
    where = f"{path}: DREAMER"
    rate = float(np.ravel(_field(dreamer, "EEG_SamplingRate", where))[0])
    if rate != DREAMER_SFREQ:
        raise ValueError(f"{where}.EEG_SamplingRate is {rate:g} Hz, expected 128.")
    electrodes = [
        str(np.ravel(name)[0]) for name in _cell(_field(dreamer, "EEG_Electrodes", where), where)
    ]
    if tuple(electrodes) != EMOTIV_CHANNELS:
        raise ValueError(
            f"{where}.EEG_Electrodes is {electrodes}, expected the Emotiv EPOC's "
            f"{list(EMOTIV_CHANNELS)}."
        )
    subjects = []
    for index, entry in enumerate(_cell(_field(dreamer, "Data", where), f"{where}.Data")):
        at = f"{where}.Data{{{index + 1}}}"
        eeg = _field(entry, "EEG", at)
        stimuli = _cell(_field(eeg, "stimuli", f"{at}.EEG"), f"{at}.EEG.stimuli")
        n_clips = len(stimuli)
        baselines = _cell(_field(eeg, "baseline", f"{at}.EEG"), f"{at}.EEG.baseline", n_clips)
        ratings = {}
        for field, rating in zip(RATING_FIELDS, RATINGS, strict=True):
            values = np.ravel(np.asarray(_field(entry, field, at), dtype=np.float64))
            if len(values) != n_clips or not np.isin(values, np.arange(1, 6)).all():
                raise ValueError(
                    f"{at}.{field} must hold one rating 1–5 per clip ({n_clips}), got {values}."
                )
            ratings[rating] = values.astype(np.int64)
        n = len(EMOTIV_CHANNELS)
        subjects.append(
            DreamerSubject(
                stimuli=[_eeg(v, f"{at}.EEG.stimuli{{{k + 1}}}", n) for k, v in enumerate(stimuli)],
                baselines=[
                    _eeg(v, f"{at}.EEG.baseline{{{k + 1}}}", n) for k, v in enumerate(baselines)
                ],
                ratings=ratings,
            )
        )
    if not subjects:
        raise ValueError(f"{where}.Data holds no subject.")
    return subjects


def _cell_of(arrays) -> np.ndarray:
    cell = np.empty((len(arrays), 1), dtype=object)
    for k, array in enumerate(arrays):
        cell[k, 0] = array
    return cell


def write_dreamer_mat(path: str | Path, subjects: list[DreamerSubject]) -> Path:
    """Write ``subjects`` as ``DREAMER.mat`` in the published nesting (ECG left empty)."""
    from scipy import io

    from ..fileio import atomic_path

    data = np.empty((1, len(subjects)), dtype=object)
    for index, subject in enumerate(subjects):
        data[0, index] = {
            "Age": 25.0,
            "Gender": "unknown",
            "EEG": {
                "baseline": _cell_of([eeg.T for eeg in subject.baselines]),
                "stimuli": _cell_of([eeg.T for eeg in subject.stimuli]),
            },
            "ECG": {"baseline": _cell_of([]), "stimuli": _cell_of([])},
            **{
                field: subject.ratings[rating].reshape(-1, 1).astype(np.float64)
                for field, rating in zip(RATING_FIELDS, RATINGS, strict=True)
            },
        }
    electrodes = np.empty((1, len(EMOTIV_CHANNELS)), dtype=object)
    electrodes[0, :] = list(EMOTIV_CHANNELS)
    dreamer = {
        "Data": data,
        "EEG_SamplingRate": DREAMER_SFREQ,
        "ECG_SamplingRate": 256.0,
        "EEG_Electrodes": electrodes,
        "noOfSubjects": float(len(subjects)),
        "noOfVideoSequences": float(len(subjects[0].stimuli)),
        "Disclaimer": "Synthetic data written by eegdecode in the DREAMER layout.",
        "Provider": "eegdecode",
        "Version": "demo",
        "Acknowledgement": "",
    }
    with atomic_path(path) as temporary:
        io.savemat(temporary, {"DREAMER": dreamer})
    return Path(path)
