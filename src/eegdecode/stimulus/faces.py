"""Faces in recorded videos: detection on every ``frame_stride``-th frame, square crops, and
their embedding by a frozen vision encoder, averaged per trial.

Detection uses OpenCV's frontal-face Haar cascade (``haarcascade_frontalface_default.xml``,
which the opencv-python wheels bundle), so it runs offline with no model file to fetch. The
original used RetinaFace (ResNet-50); any detector that writes the same boxes can replace it.
In a frame with several detections the largest box is kept (the participant sits closest to
the camera).
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._logging import logger

FACE_CASCADE = "haarcascade_frontalface_default.xml"
# Transformer blocks of the demo's tiny ViT (build_tiny_vision_encoder).
TINY_VISION_ENCODER_BLOCKS = 2


@dataclass(frozen=True)
class FaceCrops:
    """The crops of one video.

    Attributes
    ----------
    crops : ndarray of uint8, (n_crops, size, size, 3)
        RGB face crops, resized to a square.
    frames : ndarray of int, (n_crops,)
        The frame each crop comes from.
    boxes : ndarray of int, (n_crops, 4)
        ``x, y, width, height`` of each detection in its frame.
    n_frames_read : int
        Frames searched (every ``frame_stride``-th).
    """

    crops: np.ndarray
    frames: np.ndarray
    boxes: np.ndarray
    n_frames_read: int


def face_detector(min_size: int = 24):
    """OpenCV's bundled frontal-face cascade, as a function of a grey frame → boxes."""
    import cv2

    if not hasattr(cv2, "CascadeClassifier"):
        raise RuntimeError(
            f"OpenCV {cv2.__version__} has no CascadeClassifier (OpenCV 5 dropped the Haar "
            f"cascades); install opencv-python-headless<5, as eegdecode's requirements say."
        )
    cascade = cv2.CascadeClassifier(str(Path(cv2.data.haarcascades) / FACE_CASCADE))
    if cascade.empty():
        raise RuntimeError(f"OpenCV's {FACE_CASCADE} is missing from {cv2.data.haarcascades}.")

    def detect(grey: np.ndarray) -> np.ndarray:
        boxes = cascade.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=3,
                                         minSize=(min_size, min_size))  # fmt: skip
        return np.asarray(boxes, dtype=int).reshape(-1, 4)

    return detect


def detect_faces(
    path: str | Path, *, frame_stride: int = 1, crop_size: int = 64, min_face: int = 24
) -> FaceCrops:
    """The largest face of every ``frame_stride``-th frame of the video ``path``.

    Parameters
    ----------
    path : str | Path
        A video OpenCV can read (DEAP's ``sNN_trialNN.avi``).
    frame_stride : int
        Search frames 0, stride, 2·stride, …
    crop_size : int
        Side of the square crops, in pixels.
    min_face : int
        Smallest face searched for, in pixels.
    """
    import cv2

    if frame_stride < 1:
        raise ValueError(f"frame_stride must be at least 1, got {frame_stride!r}.")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Face video {str(path)!r} does not exist.")
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise ValueError(f"Face video {str(path)!r} could not be opened by OpenCV (corrupt, or "
                         f"an unknown codec?).")  # fmt: skip
    detect = face_detector(min_face)
    crops, frames, boxes, index, n_read = [], [], [], 0, 0
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            if index % frame_stride == 0:
                n_read += 1
                found = detect(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
                if len(found):
                    x, y, w, h = found[np.argmax(found[:, 2] * found[:, 3])]
                    crop = cv2.resize(frame[y : y + h, x : x + w], (crop_size, crop_size),
                                      interpolation=cv2.INTER_AREA)  # fmt: skip
                    crops.append(cv2.cvtColor(crop, cv2.COLOR_BGR2RGB))
                    frames.append(index)
                    boxes.append((x, y, w, h))
            index += 1
    finally:
        capture.release()
    if index == 0:
        raise ValueError(f"Face video {str(path)!r} holds no frame that OpenCV can decode.")
    return FaceCrops(
        np.asarray(crops, dtype=np.uint8).reshape(-1, crop_size, crop_size, 3),
        np.asarray(frames, dtype=int),
        np.asarray(boxes, dtype=int).reshape(-1, 4),
        n_read,
    )


def embed_faces(crops: np.ndarray, encoder, *, batch_size: int = 64) -> np.ndarray:
    """The encoder's CLS embedding of each RGB crop, (n_crops, hidden_size) float32.

    ``encoder`` is a :class:`~eegdecode.stimulus.pretrained.VisionEncoder`.
    """
    import torch

    outputs = [np.zeros((0, encoder.hidden_size), np.float32)]
    with torch.inference_mode():
        for start in range(0, len(crops), batch_size):
            pixels = torch.from_numpy(encoder.prepare(crops[start : start + batch_size]))
            outputs.append(encoder.cls_embedding(pixels).float().numpy())
    return np.concatenate(outputs)


def detect_trial_faces(
    videos: Sequence[str | Path], *, frame_stride: int = 1, crop_size: int = 64, min_face: int = 24
) -> dict:
    """:func:`detect_faces` on each trial's video (trial k + 1 is ``videos[k]``), as artifact
    arrays: the crops with the trial, frame and box of each, and per trial the frames
    searched and the faces found."""
    from ..artifacts import AxisArray

    found = [detect_faces(path, frame_stride=frame_stride, crop_size=crop_size,
                          min_face=min_face) for path in videos]  # fmt: skip
    for path, crops in zip(videos, found, strict=True):
        logger.info("%s: a face in %d of %d frames searched", path, len(crops.frames),
                    crops.n_frames_read)  # fmt: skip
    trial_of_crop = np.concatenate([np.full(len(c.frames), k + 1) for k, c in enumerate(found)])
    return {
        "crops": AxisArray(np.concatenate([c.crops for c in found]),
                           ("crop", "y", "x", "rgb")),
        "trial": AxisArray(trial_of_crop.astype(np.int64), ("crop",)),
        "frame": AxisArray(np.concatenate([c.frames for c in found]).astype(np.int64), ("crop",)),
        "box": AxisArray(np.concatenate([c.boxes for c in found]).astype(np.int64),
                         ("crop", "box"), {"order": ["x", "y", "width", "height"]}),
        "n_frames_searched": AxisArray(np.array([c.n_frames_read for c in found]), ("trial",)),
        "n_faces": AxisArray(np.array([len(c.frames) for c in found]), ("trial",)),
    }  # fmt: skip


def trial_face_embeddings(
    crops: np.ndarray, trial_of_crop: np.ndarray, n_trials: int, encoder, *, batch_size: int = 64
) -> dict:
    """The mean CLS embedding of each trial's crops (zeros, and ``has_face`` false, for a
    trial without a face), as artifact arrays."""
    from ..artifacts import AxisArray

    cls = embed_faces(crops, encoder, batch_size=batch_size)
    embedding = np.zeros((n_trials, encoder.hidden_size), np.float32)
    has_face = np.zeros(n_trials, bool)
    for trial in range(1, n_trials + 1):
        rows = trial_of_crop == trial
        if rows.any():
            embedding[trial - 1], has_face[trial - 1] = cls[rows].mean(axis=0), True
    if not has_face.all():
        logger.warning("no face in trials %s", (np.flatnonzero(~has_face) + 1).tolist())
    return {
        "embedding": AxisArray(embedding, ("trial", "feature")),
        "has_face": AxisArray(has_face, ("trial",)),
    }


def trial_crop_inputs(
    crops: np.ndarray, trial_of_crop: np.ndarray, n_trials: int, encoder, *, crops_per_trial: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each trial's crops as the encoder's input, for training through it.

    A trial with more than ``crops_per_trial`` crops gives that many, evenly spaced over its
    crops in frame order; one with fewer is padded with zeros of weight 0.

    Returns
    -------
    pixels : ndarray of float32, (n_trials, crops_per_trial, 3, size, size)
        :meth:`~eegdecode.stimulus.pretrained.VisionEncoder.prepare` of the chosen crops.
    weights : ndarray of float32, (n_trials, crops_per_trial)
        1 for a crop, 0 for padding; a trial without a face has weight 0 throughout.
    """
    size = encoder.image_size
    pixels = np.zeros((n_trials, crops_per_trial, 3, size, size), np.float32)
    weights = np.zeros((n_trials, crops_per_trial), np.float32)
    for trial in range(1, n_trials + 1):
        rows = np.flatnonzero(trial_of_crop == trial)
        if len(rows) > crops_per_trial:
            rows = rows[np.linspace(0, len(rows) - 1, crops_per_trial).round().astype(int)]
        if len(rows):
            pixels[trial - 1, : len(rows)] = encoder.prepare(crops[rows])
            weights[trial - 1, : len(rows)] = 1
    return pixels, weights


def vision_encoder_blocks(folder: str | Path | None) -> int | None:
    """Transformer blocks of the vision encoder saved in ``folder`` by its ``config.json``
    (None: no such file); of the tiny one when ``folder`` is None."""
    if folder is None:
        return TINY_VISION_ENCODER_BLOCKS
    path = Path(folder) / "config.json"
    if not path.is_file():
        return None
    config = json.loads(path.read_text())
    return config.get("vision_config", config).get("num_hidden_layers")
