"""A synthetic DEAP in the release's layout: EEG, ratings and face videos, with valence and
arousal planted in both modalities (and a null variant without them).

Each trial of each participant has a binary valence and arousal (balanced, in a random
order) and a rating drawn on the matching side of 5. Both modalities show each trial's class
through their own noisy copy of it, ``effect · (±1) + N(0, 1)``, drawn apart for the face and
for the EEG, so that neither modality alone decides every trial and their fusion can do
better than either:

- the face (a drawn cartoon, which OpenCV's frontal-face cascade finds) smiles or frowns with
  the valence copy and raises its eyebrows and opens its eyes with the arousal copy;
- the EEG raises the right-frontal α (Fp2, AF4, F4, F8, FC6) with the valence copy and the β
  everywhere with the arousal copy, during the trial and not in its 3 s baseline.

``effect = 0`` for both gives the null variant. The EEG rows of ``sNN.mat`` are written in
video order and the videos by trial number, through a random trial ↔ video permutation per
participant written in ``participant_ratings.csv``, as in the release; a few trials' videos
show no face, which face detection must report.
"""

from pathlib import Path

import numpy as np

from .deap import (
    DEAP_BASELINE_S,
    DEAP_EEG_CHANNELS,
    DEAP_PERIPHERAL_CHANNELS,
    DEAP_RATINGS,
    DEAP_SFREQ,
    ParticipantTrials,
    face_video_path,
    matlab_path,
    ratings_path,
    write_deap_mat,
    write_participant_ratings,
)
from .demo import band_noise, pink_noise

_RIGHT_FRONTAL = ("Fp2", "AF4", "F4", "F8", "FC6")
_ALPHA_UV, _BETA_UV = 8.0, 3.0
# How much one unit of a trial's class copy scales the rhythm's amplitude (log scale).
_EEG_LOG_GAIN = 0.35


def draw_face(valence: float, arousal: float, size: int, rng: np.random.Generator) -> np.ndarray:
    """A grey (size, size) uint8 cartoon face on a noisy background.

    ``valence`` in [-1, 1] bends the mouth (1: a smile, -1: a frown); ``arousal`` in [-1, 1]
    raises the eyebrows and opens the eyes. Position and size jitter per frame.
    """
    import cv2

    image = (60 + rng.integers(0, 20, (size, size))).astype(np.uint8)
    centre_x, centre_y = (size // 2 + int(rng.integers(-size // 24, size // 24 + 1)) for _ in "xy")
    radius = size * 0.31 * (1 + rng.normal(0, 0.03))
    cv2.ellipse(image, (centre_x, centre_y), (int(radius), int(1.25 * radius)), 0, 0, 360, 200, -1)
    eye_y, eye_x = centre_y - int(0.3 * radius), int(0.4 * radius)
    openness = 0.12 + 0.05 * (arousal + 1)
    thickness = max(1, int(0.08 * radius))
    for side in (-1, 1):
        eye = (centre_x + side * eye_x, eye_y)
        cv2.ellipse(image, eye, (int(0.18 * radius), max(2, int(openness * radius))), 0, 0, 360,
                    40, -1)  # fmt: skip
        brow_y = eye_y - int((0.3 + 0.08 * (arousal + 1)) * radius)
        cv2.line(image, (centre_x + side * int(0.2 * radius), brow_y),
                 (centre_x + side * int(0.6 * radius), brow_y), 50, thickness)  # fmt: skip
    cv2.line(image, (centre_x, centre_y - int(0.1 * radius)),
             (centre_x, centre_y + int(0.2 * radius)), 150, max(1, int(0.06 * radius)))  # fmt: skip
    mouth_y, half_width = centre_y + int(0.55 * radius), int(0.45 * radius)
    bend = int(valence * 0.25 * radius)
    mouth = np.array([[centre_x - half_width, mouth_y - bend // 2], [centre_x, mouth_y + bend],
                      [centre_x + half_width, mouth_y - bend // 2]], np.int32)  # fmt: skip
    cv2.polylines(image, [mouth.reshape(-1, 1, 2)], False, 60, max(2, thickness))
    return cv2.GaussianBlur(image, (3, 3), 0)


def write_face_video(path: str | Path, frames: np.ndarray, fps: float) -> Path:
    """Write grey (n_frames, h, w) uint8 frames as a Motion-JPEG ``.avi`` (whole or not at all)."""
    import cv2

    from ..fileio import atomic_path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    height, width = frames.shape[1:]
    with atomic_path(path) as temporary:
        writer = cv2.VideoWriter(str(temporary), cv2.VideoWriter_fourcc(*"MJPG"), fps,
                                 (width, height))  # fmt: skip
        if not writer.isOpened():
            raise RuntimeError(f"OpenCV cannot write Motion-JPEG video to {path}.")
        for frame in frames:
            writer.write(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR))
        writer.release()
    return path


def _class_copy(rng, classes: np.ndarray, effect: float) -> np.ndarray:
    """A noisy copy of ±1 classes: ``effect · (2c − 1) + N(0, 1)``."""
    return effect * (2 * classes - 1) + rng.standard_normal(len(classes))


def _eeg_trial(rng, n_samples, n_baseline, right_frontal, gains, valence, arousal):
    """(40, n_samples): background, α and β rhythms; the trial part scaled by the copies."""
    n_eeg = len(DEAP_EEG_CHANNELS)
    eeg = pink_noise(rng, (n_eeg, n_samples), DEAP_SFREQ) * 0.5
    alpha = _ALPHA_UV * gains[:, None] * band_noise(rng, eeg.shape, DEAP_SFREQ, (8.0, 14.0))
    beta = _BETA_UV * gains[:, None] * band_noise(rng, eeg.shape, DEAP_SFREQ, (14.0, 31.0))
    alpha[:, n_baseline:] *= np.exp(_EEG_LOG_GAIN * valence * right_frontal)[:, None]
    beta[:, n_baseline:] *= np.exp(_EEG_LOG_GAIN * arousal)
    peripheral = rng.standard_normal((len(DEAP_PERIPHERAL_CHANNELS), n_samples))
    return np.concatenate([eeg + alpha + beta, peripheral])


def write_demo_deap(
    root: str | Path,
    *,
    n_subjects: int,
    n_trials: int,
    trial_s: float,
    video_s: float,
    fps: float,
    frame_size: int,
    face_effect: float,
    eeg_effect: float,
    n_faceless_trials: int,
    seed: int,
) -> list[Path]:
    """Write ``sNN.mat`` for every participant, their face videos and the ratings file.

    Parameters
    ----------
    root : str | Path
        The dataset's root folder (``data_preprocessed_matlab/``, ``face_video/``,
        ``metadata_csv/`` under it).
    n_subjects, n_trials : int
        Participants (all filmed) and trials each.
    trial_s : float
        Seconds of each trial after its 3 s baseline.
    video_s, fps, frame_size : float, float, int
        Each face video's length, rate and (square) size in pixels.
    face_effect, eeg_effect : float
        Strength of the class in each modality's copy (0: the null variant).
    n_faceless_trials : int
        Trials (of the first participants, one each) whose video shows no face.
    seed : int

    Returns
    -------
    paths : list of Path
        The ``.mat`` files, the videos, then the ratings file.
    """
    n_baseline = round(DEAP_BASELINE_S * DEAP_SFREQ)
    n_samples = n_baseline + round(trial_s * DEAP_SFREQ)
    n_frames = max(1, round(video_s * fps))
    right_frontal = np.isin(DEAP_EEG_CHANNELS, _RIGHT_FRONTAL).astype(float)
    paths, participants = [], {}
    for subject in range(1, n_subjects + 1):
        rng = np.random.default_rng([seed, 47, subject])
        gains = rng.uniform(0.7, 1.3, len(DEAP_EEG_CHANNELS))
        classes = rng.permutation(np.resize(np.arange(4), n_trials))  # by trial number
        valence, arousal = classes // 2, classes % 2
        experiment_ids = rng.permutation(n_trials) + 1
        face = {name: np.tanh(_class_copy(rng, c, face_effect) / 2)
                for name, c in (("valence", valence), ("arousal", arousal))}  # fmt: skip
        eeg = {name: _class_copy(rng, c, eeg_effect)
               for name, c in (("valence", valence), ("arousal", arousal))}  # fmt: skip
        data = np.empty((n_trials, 40, n_samples))
        for k in range(n_trials):
            data[experiment_ids[k] - 1] = _eeg_trial(
                rng, n_samples, n_baseline, right_frontal, gains, eeg["valence"][k],
                eeg["arousal"][k],
            )  # fmt: skip
            faceless = subject <= n_faceless_trials and k == 0
            frames = np.stack([
                (60 + rng.integers(0, 20, (frame_size, frame_size))).astype(np.uint8) if faceless
                else draw_face(face["valence"][k], face["arousal"][k], frame_size, rng)
                for _ in range(n_frames)
            ])  # fmt: skip
            paths.append(write_face_video(face_video_path(root, subject, k + 1), frames, fps))
        high, low = rng.uniform(5, 9, (2, n_trials)), rng.uniform(1, 4.9, (2, n_trials))
        ratings = {
            "valence": np.where(valence == 1, high[0], low[0]),
            "arousal": np.where(arousal == 1, high[1], low[1]),
            "dominance": rng.uniform(1, 9, n_trials),
            "liking": rng.uniform(1, 9, n_trials),
        }
        ratings = {name: np.round(values, 2) for name, values in ratings.items()}
        labels = np.empty((n_trials, len(DEAP_RATINGS)))
        labels[experiment_ids - 1] = np.stack([ratings[name] for name in DEAP_RATINGS], axis=1)
        path = matlab_path(root, subject)
        path.parent.mkdir(parents=True, exist_ok=True)
        paths.insert(subject - 1, write_deap_mat(path, data, labels))
        participants[subject] = ParticipantTrials(np.arange(1, n_trials + 1), experiment_ids,
                                                  ratings)  # fmt: skip
    path = ratings_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    paths.append(write_participant_ratings(path, participants))
    return paths
