"""Synthetic DREAMER and STEW datasets with a planted, learnable class signal (and a null
variant without it), written in the datasets' own layouts.

Both draw EEG as the sum of four band-limited rhythms (the DE bands θ 4–8, α 8–14, β 14–31,
γ 31–49 Hz) over 1/f background noise, with per-subject channel gains, and plant the class as
a change of some rhythms' amplitude that every subject shares; ``effect = 0`` gives the null
variant, whose labels are drawn the same way but nothing in the EEG follows them.

- DREAMER: high valence (≥ 4) raises the right frontal α (F4, F8, FC6, AF4) and high arousal
  the β everywhere, during the clip and not in its baseline. Each clip has its own overall
  gain (its baseline too): it adds one constant to every log-variance of a chunk, which the
  per-chunk standardisation of the band DE takes away.
- STEW: the test (``hi``) raises frontal θ and lowers posterior α; each recording has its own
  overall gain, which the per-sample normalisation takes away.
"""

from pathlib import Path

import numpy as np

from ..signal.emotion import DE_BANDS
from ..signal.focus import EMOTIV_CHANNELS
from .demo import band_noise, pink_noise
from .dreamer import DREAMER_BASELINE_SAMPLES, DREAMER_SFREQ, RATINGS, DreamerSubject
from .stew import STEW_SFREQ, stew_recording_path, write_stew_ratings, write_stew_recording

# Microvolts of each rhythm before channel gains: larger at low frequencies, as in EEG.
_RHYTHM_UV = {"theta": 6.0, "alpha": 8.0, "beta": 3.0, "gamma": 1.5}
_RIGHT_FRONTAL = ("F4", "F8", "FC6", "AF4")
FRONTAL_CHANNELS = ("AF3", "F7", "F3", "FC5", "FC6", "F4", "F8", "AF4")
POSTERIOR_CHANNELS = ("P7", "O1", "O2", "P8")


def _rhythmic_eeg(rng, n_times: int, sfreq: float, amplitudes: dict) -> np.ndarray:
    """(14, n_times): background plus each band's rhythm at ``amplitudes[band]`` (14,) µV."""
    eeg = pink_noise(rng, (len(EMOTIV_CHANNELS), n_times), sfreq) * 0.5
    for band, limits in DE_BANDS.items():
        eeg += amplitudes[band][:, None] * band_noise(rng, eeg.shape, sfreq, limits)
    return eeg


def _channel_mask(names) -> np.ndarray:
    return np.isin(EMOTIV_CHANNELS, names).astype(float)


def _subject_amplitudes(rng) -> dict:
    gains = rng.uniform(0.7, 1.3, len(EMOTIV_CHANNELS))
    return {band: uv * gains for band, uv in _RHYTHM_UV.items()}


def synthesize_dreamer(
    n_subjects: int, *, n_clips: int = 18, clip_s: float, effect: float, seed: int
) -> list[DreamerSubject]:
    """Subjects in the DREAMER layout whose valence and arousal show in α asymmetry and β.

    Each subject rates the clips so that the four valence × arousal classes are as balanced
    as ``n_clips`` allows, in a random order.
    """
    n_times = round(clip_s * DREAMER_SFREQ)
    subjects = []
    for subject in range(n_subjects):
        rng = np.random.default_rng([seed, 41, subject])
        base = _subject_amplitudes(rng)
        classes = rng.permutation(np.resize(np.arange(4), n_clips))
        high_valence, high_arousal = classes // 2 == 1, classes % 2 == 1
        stimuli, baselines = [], []
        for clip in range(n_clips):
            gain = rng.uniform(0.6, 1.6)
            rest = {band: gain * uv for band, uv in base.items()}
            during = dict(rest)
            if high_valence[clip]:
                during["alpha"] = rest["alpha"] * (1 + effect * _channel_mask(_RIGHT_FRONTAL))
            if high_arousal[clip]:
                during["beta"] = rest["beta"] * (1 + effect)
            baselines.append(_rhythmic_eeg(rng, DREAMER_BASELINE_SAMPLES, DREAMER_SFREQ, rest))
            stimuli.append(_rhythmic_eeg(rng, n_times, DREAMER_SFREQ, during))
        ratings = {
            "valence": np.where(
                high_valence, rng.integers(4, 6, n_clips), rng.integers(1, 4, n_clips)
            ),
            "arousal": np.where(
                high_arousal, rng.integers(4, 6, n_clips), rng.integers(1, 4, n_clips)
            ),
            "dominance": rng.integers(1, 6, n_clips),
        }
        subjects.append(
            DreamerSubject(stimuli, baselines, {name: ratings[name] for name in RATINGS})
        )
    return subjects


def write_demo_stew(
    root: str | Path,
    subjects: list[int],
    *,
    recording_s: float,
    effect: float,
    seed: int,
    unrated: tuple[int, ...] = (),
) -> list[Path]:
    """Write ``subNN_lo.txt`` / ``subNN_hi.txt`` for each subject and ``ratings.txt`` for the
    subjects not in ``unrated``; the test raises frontal θ and lowers posterior α.

    Returns
    -------
    paths : list of Path
        The recordings, then the ratings file.
    """
    n_times = round(recording_s * STEW_SFREQ)
    frontal, posterior = _channel_mask(FRONTAL_CHANNELS), _channel_mask(POSTERIOR_CHANNELS)
    paths, ratings = [], {}
    for subject in subjects:
        rng = np.random.default_rng([seed, 43, subject])
        base = _subject_amplitudes(rng)
        for condition in ("lo", "hi"):
            amplitudes = {band: rng.uniform(0.6, 1.6) * uv for band, uv in base.items()}
            if condition == "hi":
                amplitudes["theta"] = amplitudes["theta"] * (1 + effect * frontal)
                amplitudes["alpha"] = amplitudes["alpha"] / (1 + effect * posterior)
            eeg = _rhythmic_eeg(rng, n_times, STEW_SFREQ, amplitudes) + 4200.0
            paths.append(write_stew_recording(stew_recording_path(root, subject, condition), eeg))
        if subject not in unrated:
            ratings[subject] = (int(rng.integers(1, 4)), int(rng.integers(5, 10)))
    paths.append(write_stew_ratings(Path(root) / "ratings.txt", ratings))
    return paths
