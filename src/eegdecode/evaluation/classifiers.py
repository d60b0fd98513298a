"""The classifiers behind the N-way metrics: local Hugging Face folders, or one trained here.

``videomae`` and ``vit`` load a transformers video or image classifier from a local folder
(``MCG-NJU/videomae-base-finetuned-kinetics`` and ``google/vit-base-patch16-224`` for SEED-DV),
offline and from safetensors. ``trained`` loads a :class:`~eegdecode.models.FrameClassifier`
that the workflow trained on the dataset's own ground-truth clips (the demo, whose shapes no
public classifier knows); a clip's probabilities are the mean of its frames'.
"""

from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from .._validation import check_option

CLASSIFIER_KINDS = {"video": ("videomae", "trained"), "image": ("vit", "trained")}


def _softmax(logits: torch.Tensor) -> np.ndarray:
    return torch.softmax(logits.float(), dim=-1).cpu().numpy()


def _hugging_face(folder: Path, auto_class: str, **options):
    import transformers

    if not (folder / "config.json").is_file():
        raise FileNotFoundError(
            f"Classifier folder {str(folder)!r} lacks config.json; point the config at a local "
            f"copy saved with save_pretrained (nothing is downloaded)."
        )
    processor = transformers.AutoImageProcessor.from_pretrained(folder, local_files_only=True)
    model = getattr(transformers, auto_class).from_pretrained(
        folder, local_files_only=True, use_safetensors=True, **options
    )
    return processor, model.eval()


def load_classifier(
    role: str, kind: str, folder: str | Path, *, n_frames: int = 6, batch_size: int = 16
) -> Callable[[np.ndarray], np.ndarray]:
    """A function from uint8 clips (n, frames, height, width, 3) to class probabilities.

    Parameters
    ----------
    role : 'video' | 'image'
        ``video`` scores each clip → (n, n_classes); ``image`` each frame → (n, frames,
        n_classes).
    kind : 'videomae' | 'vit' | 'trained'
    folder : str | Path
        The classifier's local folder.
    n_frames : int
        Frames per clip (VideoMAE is configured for them).
    batch_size : int
        Clips (or frames) per forward pass.

    Returns
    -------
    classify : callable
    """
    check_option("role", role, tuple(CLASSIFIER_KINDS))
    check_option(f"{role} classifier kind", kind, CLASSIFIER_KINDS[role])
    folder = Path(folder)
    if kind == "trained":
        from ..training import TrainedModel

        trained = TrainedModel.load(folder)

        def frame_probabilities(clips: np.ndarray) -> np.ndarray:
            frames = clips.reshape(-1, *clips.shape[2:]).astype(np.float32)
            logits = torch.from_numpy(trained.predict(frames))
            return _softmax(logits).reshape(*clips.shape[:2], -1)

        if role == "image":
            return frame_probabilities
        return lambda clips: frame_probabilities(clips).mean(axis=1)

    if kind == "videomae":
        processor, model = _hugging_face(
            folder, "AutoModelForVideoClassification", num_frames=n_frames
        )

        def video_probabilities(clips: np.ndarray) -> np.ndarray:
            out = []
            for start in range(0, len(clips), batch_size):
                videos = [list(clip) for clip in clips[start : start + batch_size]]
                with torch.inference_mode():
                    inputs = processor(videos, return_tensors="pt")
                    out.append(_softmax(model(**inputs).logits))
            return np.concatenate(out)

        return video_probabilities

    processor, model = _hugging_face(folder, "AutoModelForImageClassification")

    def image_probabilities(clips: np.ndarray) -> np.ndarray:
        frames = clips.reshape(-1, *clips.shape[2:])
        out = []
        for start in range(0, len(frames), batch_size):
            with torch.inference_mode():
                inputs = processor(list(frames[start : start + batch_size]), return_tensors="pt")
                out.append(_softmax(model(**inputs).logits))
        return np.concatenate(out).reshape(*clips.shape[:2], -1)

    return image_probabilities
