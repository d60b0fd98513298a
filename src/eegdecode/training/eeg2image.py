"""The EEG-side stages of NeuroImagen on EEG-ImageNet (spec Part B.3), on the released splits
by image: the triplet-trained EEG encoder ``f_θ`` of the pixel-level branch, the regression of
the EEG onto the caption's CLIP text embedding of the sample-level branch, and the demo's image
classifier. Every model trains on the split's training part, is selected on its validation part
and normalises the EEG per channel with training statistics only.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from .._validation import ensure_positive_int
from ..datasets.eeg_imagenet import EEGImageNet, load_block_splits, load_eeg_imagenet
from ..models import EEGLSTMEncoder, EEGLSTMEncoderConfig, FrameClassifier, FrameClassifierConfig
from .predictors import stage_train_config, train_predictor
from .trained import TrainedModel

#: The parts of a split as this project names them (the release's ``val`` is ``validation``).
PARTS = ("train", "validation", "test")


@dataclass(frozen=True)
class SplitDataset:
    """An EEG-ImageNet file with one of its splits by image.

    Attributes
    ----------
    dataset : EEGImageNet
    parts : dict of str to ndarray of int
        ``train``, ``validation``, ``test``: positions in the dataset's arrays.
    description : dict
        What a trained model folder records of the split: the files, the split's number, and
        the images of each part.
    """

    dataset: EEGImageNet
    parts: dict[str, np.ndarray]
    description: dict

    def split(self) -> dict:
        """The split as :func:`~eegdecode.training.predictors.train_predictor` takes it."""
        return {**self.parts, "description": self.description}

    def image_parts(self) -> dict[str, np.ndarray]:
        """The distinct images of each part, sorted."""
        return {part: np.unique(self.dataset.images[index]) for part, index in self.parts.items()}


def load_split_dataset(
    eeg: str | Path, splits: str | Path, *, split: int = 0, decimate: int = 1
) -> SplitDataset:
    """Read an ``eeg_*_std.pth`` file and split ``split`` of a ``block_splits_by_image_*.pth``.

    Parameters
    ----------
    eeg, splits : str | Path
    split : int
        Which of the file's splits (``eeg2image.split``; the reference uses 0).
    decimate : int
        Keep every ``decimate``-th sample after a zero-phase anti-aliasing filter
        (``scipy.signal.decimate``): 1 keeps the 440 samples at 1 kHz, as the reference; 10
        gives 44 at 100 Hz.

    Returns
    -------
    data : SplitDataset
    """
    dataset = load_eeg_imagenet(eeg)
    decimate = ensure_positive_int(decimate, "eeg2image.decimate")
    if decimate > 1:
        from scipy.signal import decimate as decimated

        samples = decimated(dataset.eeg, decimate, axis=-1, zero_phase=True)
        dataset = replace(dataset, eeg=np.ascontiguousarray(samples, dtype=np.float32))
    released = load_block_splits(splits, dataset, split=split)
    parts = dict(zip(PARTS, (released["train"], released["val"], released["test"]), strict=True))
    for part, index in parts.items():
        if index.size < 2:
            raise ValueError(
                f"{str(splits)!r}: splits[{split}][{part!r}] leaves {index.size} usable "
                f"segment(s); every part needs at least 2."
            )
    names = dataset.image_names
    description = {
        "by": "image",
        "eeg": Path(eeg).name,
        "splits": Path(splits).name,
        "split": int(split),
        "decimate": decimate,
        "images": {
            part: [names[i] for i in np.unique(dataset.images[index])]
            for part, index in parts.items()
        },
    }
    return SplitDataset(dataset, parts, description)


def _eeg_lstm(settings: Mapping, embedding_dim: int | None = None) -> EEGLSTMEncoder:
    torch.manual_seed(settings["seed"])
    model = dict(settings["model"])
    if embedding_dim is not None:
        model["embedding_dim"] = embedding_dim
    return EEGLSTMEncoder(EEGLSTMEncoderConfig(**model))


def train_eeg_encoder(
    data: SplitDataset, *, settings: Mapping, workdir: str | Path | None = None
) -> TrainedModel:
    """Train ``f_θ``, the pixel-level branch's EEG encoder, with the triplet loss.

    Semi-hard online triplet mining in each batch, positives of the anchor's class, margin
    ``settings["training"]["triplet_margin"]`` (β); the epoch with the lowest validation loss
    is kept.

    Parameters
    ----------
    data : SplitDataset
    settings : dict
        ``eeg2image.encoder``: ``model`` (:class:`EEGLSTMEncoderConfig` but ``n_channels``),
        ``seed`` and ``training`` (:class:`~eegdecode.training.TrainConfig`).
    workdir : str | Path | None
        Checkpoints; a rerun on the same data resumes.

    Returns
    -------
    trained : TrainedModel
    """
    return train_predictor(
        _eeg_lstm(settings), data.dataset.eeg, data.dataset.labels.astype(np.int64),
        split=data.split(), loss="triplet", train_config=stage_train_config(settings),
        n_sample_axes=1, per_channel=("inputs",), workdir=workdir,
    )  # fmt: skip


def caption_targets(data: SplitDataset, caption_embeddings: np.ndarray) -> np.ndarray:
    """Each segment's caption embedding (n_segments, tokens, features), by its class."""
    n_classes = len(data.dataset.synsets)
    if caption_embeddings.ndim != 3 or len(caption_embeddings) != n_classes:
        raise ValueError(
            f"Caption embeddings must be (class, token, feature) for the {n_classes} classes "
            f"of {str(data.dataset.path)!r}, got {caption_embeddings.shape}."
        )
    return caption_embeddings[data.dataset.labels].astype(np.float32)


def train_caption_regressor(
    data: SplitDataset,
    caption_embeddings: np.ndarray,
    *,
    settings: Mapping,
    workdir: str | Path | None = None,
) -> TrainedModel:
    """Train the sample-level branch: an EEG encoder whose output, reshaped to (tokens,
    features), regresses the CLIP text embedding of the segment's caption (mean squared error).

    Parameters
    ----------
    data : SplitDataset
    caption_embeddings : ndarray, shape (n_classes, tokens, features)
        The embedding of each class's caption.
    settings : dict
        ``eeg2image.caption_regressor``: ``model`` (the encoder's ``hidden_size`` and
        ``num_layers``), ``standardize_targets``, ``seed``, ``training``.
    workdir : str | Path | None

    Returns
    -------
    trained : TrainedModel
        Predicts flattened embeddings (n, tokens · features); see :func:`predict_captions`.
    """
    targets = caption_targets(data, caption_embeddings)
    model = _eeg_lstm(settings, embedding_dim=int(np.prod(targets.shape[1:])))
    return train_predictor(
        model, data.dataset.eeg, targets.reshape(len(targets), -1), split=data.split(),
        loss="mse", train_config=stage_train_config(settings), n_sample_axes=1,
        scale_targets=settings["standardize_targets"], per_channel=("inputs",), workdir=workdir,
    )  # fmt: skip


def predict_captions(trained: TrainedModel, eeg: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Predicted caption embeddings (n, tokens, features) of segments (n, channels, time)."""
    return trained.predict(eeg).reshape(len(eeg), *shape).astype(np.float32)


def train_image_classifier(
    images: np.ndarray,
    labels: np.ndarray,
    parts: Mapping[str, np.ndarray],
    *,
    settings: Mapping,
    workdir: str | Path | None = None,
) -> TrainedModel:
    """The demo's classifier of seen images for the evaluation's accuracy (a local ImageNet
    classifier plays this role on the real data): the EEG→video path's frame classifier on
    the training images, selected on the validation images.

    Parameters
    ----------
    images : ndarray of uint8, shape (n_images, height, width, 3)
    labels : ndarray of int, shape (n_images,)
    parts : dict
        ``train`` and ``validation`` image indices, and optionally ``description``, recorded
        as the model's split (None without it).
    settings : dict
        ``eeg2image.classifier``: ``channels``, ``seed``, ``training``.
    workdir : str | Path | None
    """
    torch.manual_seed(settings["seed"])
    model = FrameClassifier(
        FrameClassifierConfig(n_outputs=int(labels.max()) + 1, channels=tuple(settings["channels"]))
    )
    return train_predictor(
        model, images.astype(np.float32), labels.astype(np.int64),
        split={"description": None, **parts}, loss="cross_entropy",
        train_config=stage_train_config(settings), n_sample_axes=1, workdir=workdir,
    )  # fmt: skip
