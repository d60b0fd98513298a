"""STEW, the simultaneous task EEG workload dataset (Lim, Sourina & Wang 2018): 48 subjects
on an Emotiv EPOC at rest and during the SIMKAP multitasking test.

Each subject has two text files, ``subNN_lo.txt`` (rest) and ``subNN_hi.txt`` (the test), one
row per sample and one column per channel (14, Emotiv order, 128 Hz; 19,200 rows, 2.5 min),
and the dataset's ``ratings.txt`` holds one line ``subject, rest rating, test rating`` (1–9)
per rated subject. :func:`write_stew_recording` and :func:`write_stew_ratings` write the same
formats, for the demo and tests.
"""

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..signal.focus import EMOTIV_CHANNELS

STEW_SFREQ = 128.0
STEW_CONDITIONS = ("lo", "hi")


def stew_recording_path(root: str | Path, subject: int, condition: str) -> Path:
    """``<root>/subNN_<condition>.txt``, the dataset's name for one recording."""
    if condition not in STEW_CONDITIONS:
        raise ValueError(f"A STEW condition is one of {STEW_CONDITIONS}, got {condition!r}.")
    return Path(root) / f"sub{subject:02d}_{condition}.txt"


def load_stew_recording(path: str | Path) -> np.ndarray:
    """One recording as (14, n_times) samples, Emotiv order.

    Every row must hold 14 numbers; a row with another count (a truncated file ends in one) is
    an error naming the file and the row.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"STEW recording {str(path)!r} does not exist.")
    rows = []
    with path.open(encoding="ascii", errors="replace") as text:
        for number, line in enumerate(text, start=1):
            values = line.replace(",", " ").split()
            if not values:
                continue
            if len(values) != len(EMOTIV_CHANNELS):
                raise ValueError(
                    f"{path}, row {number}: {len(values)} values, expected one per channel "
                    f"({len(EMOTIV_CHANNELS)}); is the file truncated?"
                )
            try:
                rows.append([float(value) for value in values])
            except ValueError as error:
                raise ValueError(f"{path}, row {number}: {error}") from error
    if not rows:
        raise ValueError(f"{path} holds no samples.")
    eeg = np.asarray(rows).T
    if not np.isfinite(eeg).all():
        raise ValueError(f"{path} holds NaN or infinite samples.")
    return eeg


def write_stew_recording(path: str | Path, eeg: np.ndarray) -> Path:
    """Write (14, n_times) EEG as a STEW text file."""
    from ..fileio import atomic_path

    if eeg.shape[0] != len(EMOTIV_CHANNELS):
        raise ValueError(f"A STEW recording holds 14 channels, got {eeg.shape[0]}.")
    with atomic_path(path) as temporary:
        np.savetxt(temporary, eeg.T, fmt="%.4f", delimiter="   ")
    return Path(path)


def load_stew_ratings(path: str | Path) -> dict[int, tuple[int, int]]:
    """``ratings.txt`` as {subject: (rest rating, test rating)}."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"STEW ratings file {str(path)!r} does not exist.")
    ratings = {}
    for number, line in enumerate(path.read_text(encoding="ascii").splitlines(), start=1):
        values = line.replace(",", " ").split()
        if not values:
            continue
        try:
            subject, rest, test = (int(value) for value in values)
        except ValueError:
            raise ValueError(
                f"{path}, line {number}: {line!r} is not 'subject, rest rating, test rating' "
                f"(three integers)."
            ) from None
        if not (1 <= rest <= 9 and 1 <= test <= 9):
            raise ValueError(f"{path}, line {number}: ratings must lie in 1–9, got {line!r}.")
        ratings[subject] = (rest, test)
    return ratings


def write_stew_ratings(path: str | Path, ratings: dict[int, tuple[int, int]]) -> Path:
    """Write {subject: (rest, test)} as ``ratings.txt``."""
    from ..fileio import atomic_path

    with atomic_path(path) as temporary:
        lines = [f"{subject}, {rest}, {test}" for subject, (rest, test) in sorted(ratings.items())]
        temporary.write_text("\n".join(lines) + "\n", encoding="ascii")
    return Path(path)


def load_stew(
    root: str | Path, subjects: Sequence[int], *, unrated_subjects: str = "include"
) -> dict[int, dict[str, np.ndarray]]:
    """The rest and test recordings of ``subjects``, {subject: {'lo': eeg, 'hi': eeg}}.

    Parameters
    ----------
    root : str | Path
        The folder holding ``subNN_lo.txt``, ``subNN_hi.txt`` and ``ratings.txt``.
    subjects : sequence of int
    unrated_subjects : 'include' | 'exclude'
        What a subject without a line in ``ratings.txt`` does: the class is the file, so it
        can be included (eeg-shenanigans uses all 48 subjects); ``exclude`` leaves it out
        (torcheeg's ``STEWDataset``: 45 subjects), with a log line.
    """
    from .._logging import logger
    from .._validation import check_option

    check_option("unrated_subjects", unrated_subjects, ("include", "exclude"))
    ratings = load_stew_ratings(Path(root) / "ratings.txt")
    unrated = [subject for subject in subjects if subject not in ratings]
    if unrated_subjects == "exclude" and unrated:
        logger.info("leaving out the STEW subjects without ratings: %s", unrated)
        subjects = [subject for subject in subjects if subject not in unrated]
    return {
        subject: {
            condition: load_stew_recording(stew_recording_path(root, subject, condition))
            for condition in STEW_CONDITIONS
        }
        for subject in subjects
    }
