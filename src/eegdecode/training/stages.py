"""Per-subject training stages of the EEG→video path, split by block.

Every stage trains on the blocks before the test block (by default the last one), keeps the
block just before the test block for validation when it selects a model, fits normalisation on
the training blocks only, and stores model and statistics together (safetensors + JSON), so
predictions can be made again from the folder alone.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .._logging import logger
from .._validation import check_option
from ..fileio import atomic_path, write_json
from ..models import GLMNet, GLMNetConfig
from .loop import FitResult, TrainConfig, fit, predict
from .scaling import Standardizer
from .splits import take_blocks

NORMALIZATION = "normalization.json"


@dataclass(frozen=True)
class BlockSplit:
    """Blocks (0-based) that train, validate and test one subject's models."""

    train: tuple[int, ...]
    validation: int | None
    test: int

    @classmethod
    def make(cls, n_blocks: int, *, test_block: int, validation: bool) -> "BlockSplit":
        """``test_block`` is 1-based (negative counts from the end).

        The validation block, when asked for, is the one before the test block.
        """
        test = test_block - 1 if test_block > 0 else n_blocks + test_block
        if not 0 <= test < n_blocks:
            raise ValueError(f"test_block={test_block} does not name one of the {n_blocks} blocks.")
        held = {test}
        val = None
        if validation:
            val = (test - 1) % n_blocks
            held.add(val)
        train = tuple(b for b in range(n_blocks) if b not in held)
        if not train:
            raise ValueError(f"No block is left to train on with {n_blocks} blocks.")
        return cls(train=train, validation=val, test=test)

    def to_dict(self) -> dict:
        # 1-based, as blocks are named everywhere else.
        return {
            "train": [b + 1 for b in self.train],
            "validation": None if self.validation is None else self.validation + 1,
            "test": self.test + 1,
        }

    @classmethod
    def from_dict(cls, values: dict) -> "BlockSplit":
        """The inverse of :meth:`to_dict`."""
        validation = values["validation"]
        return cls(
            train=tuple(b - 1 for b in values["train"]),
            validation=None if validation is None else validation - 1,
            test=values["test"] - 1,
        )


def _read_normalization(folder: Path) -> dict:
    if not (folder / NORMALIZATION).is_file():
        raise FileNotFoundError(f"Model folder {str(folder)!r} lacks {NORMALIZATION}.")
    return json.loads((folder / NORMALIZATION).read_text())


@dataclass
class TrainedGLMNet:
    """A trained GLMNet with the statistics its inputs are normalised by."""

    model: GLMNet
    raw_scaler: Standardizer
    de_scaler: Standardizer
    split: BlockSplit
    fit: FitResult | None = None

    def save(self, folder: str | Path) -> Path:
        """Write ``config.json``, ``model.safetensors`` and ``normalization.json``, atomically."""
        folder = Path(folder)
        with atomic_path(folder) as temporary:
            self.model.save_pretrained(temporary)
            write_json(
                temporary / NORMALIZATION,
                {
                    "raw": self.raw_scaler.to_dict(),
                    "de": self.de_scaler.to_dict(),
                    "split": self.split.to_dict(),
                },
            )
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> "TrainedGLMNet":
        folder = Path(folder)
        stats = _read_normalization(folder)
        return cls(
            model=GLMNet.from_pretrained(folder),
            raw_scaler=Standardizer.from_dict(stats["raw"]),
            de_scaler=Standardizer.from_dict(stats["de"]),
            split=BlockSplit.from_dict(stats["split"]),
        )

    def inputs(self, raw: np.ndarray, de: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        """Normalised model inputs from (n, channel, time) windows and (n, channel, band) DE."""
        return (
            torch.from_numpy(self.raw_scaler.transform_channels(raw)),
            torch.from_numpy(self.de_scaler.transform(de)),
        )


def _windows_and_labels(raw, de, labels, blocks):
    n_windows = raw.shape[3]
    x_raw = take_blocks(raw, blocks).reshape(-1, *raw.shape[-2:])
    x_de = take_blocks(de, blocks).reshape(-1, *de.shape[-2:])
    y = np.repeat(take_blocks(labels, blocks).reshape(-1), n_windows)
    return x_raw, x_de, y


def train_glmnet(
    raw: np.ndarray,
    de: np.ndarray,
    labels: np.ndarray,
    *,
    n_classes: int,
    local_channels,
    split: BlockSplit,
    train_config: TrainConfig,
    branch_dim: int = 256,
    seed: int = 0,
    workdir: str | Path | None = None,
) -> TrainedGLMNet:
    """Train GLMNet to classify windows, on the training blocks of ``split``.

    Parameters
    ----------
    raw : ndarray, shape (n_blocks, n_concepts, n_reps, n_windows, n_channels, n_times)
        Raw EEG windows (EEG2Video: 0.5 s).
    de : ndarray, shape (n_blocks, n_concepts, n_reps, n_windows, n_channels, n_bands)
        DE of the same windows.
    labels : ndarray of int, shape (n_blocks, n_concepts, n_reps)
        Class of every clip; its windows share it.
    n_classes, local_channels, branch_dim
        See :class:`eegdecode.models.GLMNetConfig`.
    split : BlockSplit
    train_config : TrainConfig
    seed : int
        Seeds the initial weights.
    workdir : str | Path | None
        Checkpoints and ``metrics.csv``; a rerun resumes there.

    Returns
    -------
    trained : TrainedGLMNet
    """
    if raw.shape[:4] != de.shape[:4] or raw.shape[:3] != labels.shape:
        raise ValueError(
            f"raw windows {raw.shape}, DE {de.shape} and labels {labels.shape} must share "
            f"(block, concept, rep[, window])."
        )
    raw_train, de_train, y_train = _windows_and_labels(raw, de, labels, split.train)
    trained = TrainedGLMNet(
        model=None,
        raw_scaler=Standardizer.fit_channels(raw_train),
        de_scaler=Standardizer.fit(de_train),
        split=split,
    )
    validation = None
    if split.validation is not None:
        raw_val, de_val, y_val = _windows_and_labels(raw, de, labels, [split.validation])
        validation = (trained.inputs(raw_val, de_val), torch.from_numpy(y_val))
    torch.manual_seed(seed)
    config = GLMNetConfig(
        n_chans=raw.shape[-2], n_outputs=n_classes, n_times=raw.shape[-1], n_bands=de.shape[-1],
        local_channels=tuple(local_channels), branch_dim=branch_dim,
    )  # fmt: skip
    train = (trained.inputs(raw_train, de_train), torch.from_numpy(y_train))
    result = fit(
        GLMNet(config),
        train,
        validation,
        loss="cross_entropy",
        config=train_config,
        workdir=workdir,
        progress=True,
    )
    trained.model, trained.fit = result.model, result
    logger.info(
        "GLMNet: best %s %.3f at epoch %d",
        train_config.monitor,
        result.best_score,
        result.best_epoch,
    )
    return trained


def glmnet_embeddings(trained: TrainedGLMNet, raw: np.ndarray, de: np.ndarray) -> np.ndarray:
    """The embedding of every window.

    Returns an array of shape (n_blocks, n_concepts, n_reps, n_windows, 2 · branch_dim).
    """
    leading = raw.shape[:4]
    inputs = trained.inputs(raw.reshape(-1, *raw.shape[-2:]), de.reshape(-1, *de.shape[-2:]))
    model = trained.model.eval()
    embed = _Embedder(model)
    return predict(embed, inputs).numpy().reshape(*leading, -1)


class _Embedder(torch.nn.Module):
    """Calls ``embed`` instead of ``forward``, so the shared ``predict`` batches it."""

    def __init__(self, model: GLMNet):
        super().__init__()
        self.model = model

    def forward(self, raw, de):
        return self.model.embed(raw, de)


def to_class_order(values: np.ndarray, concept_labels: np.ndarray) -> np.ndarray:
    """Reorder one block's (slot, ...) values into class order (concept id − 1, ...).

    EEG, features and targets are stored in presentation order; the generation stages work in
    class order, where class ``c`` is the slot ``π[c]`` that showed concept ``c + 1`` (spec §2.6).
    """
    order = np.argsort(concept_labels)
    if not np.array_equal(concept_labels[order], np.arange(1, len(concept_labels) + 1)):
        raise ValueError(
            f"concept_labels {concept_labels.tolist()} is not a permutation of "
            f"1..{len(concept_labels)}."
        )
    return values[order]


def _flatten_samples(values: np.ndarray, blocks, n_sample_axes: int) -> np.ndarray:
    selected = values[list(blocks)]
    return selected.reshape(-1, *selected.shape[n_sample_axes:])


@dataclass
class TrainedPredictor:
    """A single-input model with the standardisation of its inputs (and targets) from training."""

    model: torch.nn.Module
    input_scaler: Standardizer
    target_scaler: Standardizer | None
    split: BlockSplit
    fit: FitResult | None = None

    def save(self, folder: str | Path) -> Path:
        """Write ``config.json``, ``model.safetensors`` and ``normalization.json``, atomically."""
        with atomic_path(folder) as temporary:
            self.model.save_pretrained(temporary)
            write_json(
                temporary / NORMALIZATION,
                {
                    "inputs": self.input_scaler.to_dict(),
                    "targets": None if self.target_scaler is None else self.target_scaler.to_dict(),
                    "split": self.split.to_dict(),
                },
            )
        return Path(folder)

    @classmethod
    def load(cls, folder: str | Path) -> "TrainedPredictor":
        from ..models import MODEL_CLASSES

        folder = Path(folder)
        stats = _read_normalization(folder)
        name = json.loads((folder / "config.json").read_text())["model"]
        return cls(
            model=MODEL_CLASSES[name].from_pretrained(folder),
            input_scaler=Standardizer.from_dict(stats["inputs"]),
            target_scaler=None
            if stats["targets"] is None
            else Standardizer.from_dict(stats["targets"]),
            split=BlockSplit.from_dict(stats["split"]),
        )

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        """Outputs for samples (n, ...features), in target units."""
        outputs = predict(self.model, torch.from_numpy(self.input_scaler.transform(inputs))).numpy()
        if self.target_scaler is not None:
            outputs = outputs * self.target_scaler.scale + self.target_scaler.mean
        return outputs


def train_predictor(
    model: torch.nn.Module,
    inputs: np.ndarray,
    targets: np.ndarray,
    *,
    split: BlockSplit,
    loss: str,
    train_config: TrainConfig,
    n_sample_axes: int = 3,
    scale_targets: bool = False,
    workdir: str | Path | None = None,
) -> TrainedPredictor:
    """Train a single-input model on the training blocks of ``split``.

    Parameters
    ----------
    model : torch.nn.Module
        Initialised (and seeded) by the caller.
    inputs : ndarray, shape (n_blocks, ..., features...)
        The first ``n_sample_axes`` axes index samples (block, concept, rep[, window]).
    targets : ndarray
        Same sample axes as ``inputs`` (class indices for cross-entropy, values for MSE).
    split : BlockSplit
    loss : 'cross_entropy' | 'mse'
    train_config : TrainConfig
    n_sample_axes : int
    scale_targets : bool
        Standardise regression targets with training statistics (undone by ``predict``).
    workdir : str | Path | None
        Checkpoints; a rerun on the same data resumes.

    Returns
    -------
    trained : TrainedPredictor
    """
    if inputs.shape[:n_sample_axes] != targets.shape[:n_sample_axes]:
        raise ValueError(
            f"inputs {inputs.shape} and targets {targets.shape} must share their first "
            f"{n_sample_axes} (sample) axes."
        )
    x_train = _flatten_samples(inputs, split.train, n_sample_axes)
    y_train = _flatten_samples(targets, split.train, n_sample_axes)
    input_scaler = Standardizer.fit(x_train)
    target_scaler = Standardizer.fit(y_train) if scale_targets else None

    def tensors(x, y):
        y = target_scaler.transform(y) if target_scaler is not None else y
        return torch.from_numpy(input_scaler.transform(x)), torch.from_numpy(
            np.ascontiguousarray(y)
        )

    validation = None
    if split.validation is not None:
        validation = tensors(
            *(_flatten_samples(v, [split.validation], n_sample_axes) for v in (inputs, targets))
        )
    result = fit(
        model,
        tensors(x_train, y_train),
        validation,
        loss=loss,
        config=train_config,
        workdir=workdir,
        progress=True,
    )
    return TrainedPredictor(result.model, input_scaler, target_scaler, split, result)


def caption_targets(
    embeddings: np.ndarray, *, clips_per_concept: int, target: str = "first_clip"
) -> np.ndarray:
    """Per-clip regression targets of the semantic predictor from one block's caption embeddings.

    Parameters
    ----------
    embeddings : ndarray, shape (n_clips, n_tokens, n_features)
        A block's caption embeddings in presentation order (clip ``reps · slot + rep``).
    clips_per_concept : int
    target : 'first_clip' | 'per_clip'
        ``first_clip`` (EEG2Video): every clip of a concept slot learns the embedding of the
        slot's first caption; ``per_clip``: each clip its own caption.

    Returns
    -------
    targets : ndarray, shape (n_concepts, clips_per_concept, n_tokens, n_features)
    """
    check_option("target", target, ("first_clip", "per_clip"))
    if embeddings.shape[0] % clips_per_concept:
        raise ValueError(
            f"{embeddings.shape[0]} caption embeddings do not split into slots of "
            f"{clips_per_concept} clips."
        )
    per_slot = embeddings.reshape(-1, clips_per_concept, *embeddings.shape[1:])
    if target == "first_clip":
        return np.repeat(per_slot[:, :1], clips_per_concept, axis=1)
    return per_slot


def check_block_files(
    features_path,
    sample_shape,
    block_paths,
    block_arrays,
    *,
    concept_labels=None,
    block_labels=None,
) -> None:
    """Raise, naming both files, when per-block arrays do not fit (block, concept, rep).

    Parameters
    ----------
    features_path : path
        The subject's EEG artifact the blocks must match.
    sample_shape : (n_blocks, n_concepts, n_reps)
    block_paths, block_arrays : sequences
        One file and its array (clip first) per block.
    concept_labels : ndarray, shape (n_blocks, n_concepts) | None
        The presentation order of the EEG artifact.
    block_labels : sequence of ndarray | None
        The presentation order stored in each block file; must equal ``concept_labels``.
    """
    n_blocks, n_concepts, n_reps = sample_shape
    if len(block_arrays) != n_blocks:
        raise ValueError(
            f"{features_path!s} has {n_blocks} blocks but {len(block_arrays)} per-block files "
            f"were given: {[str(path) for path in block_paths]}."
        )
    for block, (path, array) in enumerate(zip(block_paths, block_arrays, strict=True)):
        if array.shape[0] != n_concepts * n_reps:
            raise ValueError(
                f"{path!s} has {array.shape[0]} clips, but {features_path!s} has {n_concepts} "
                f"concepts × {n_reps} clips = {n_concepts * n_reps} per block: the two come from "
                f"different datasets or protocols."
            )
        if block_labels is not None and not np.array_equal(
            block_labels[block], concept_labels[block]
        ):
            order = np.asarray(block_labels[block]).tolist()
            raise ValueError(
                f"{path!s} presents the concepts in the order {order}, but block {block + 1} of "
                f"{features_path!s} has {concept_labels[block].tolist()}: "
                f"EEG and targets would be paired wrongly."
            )


def write_test_predictions(
    path: str | Path,
    predictions: dict[str, tuple[np.ndarray, tuple[str, ...]]],
    *,
    concept_labels: np.ndarray,
    split: BlockSplit,
    producer: str,
    subject: int,
    parameters: dict,
) -> Path:
    """Write a model's predictions for the test block, in class order, with how they were made.

    Parameters
    ----------
    path : str | Path
        The artifact to write.
    predictions : dict of str to (ndarray, axes)
        Per dataset, values in presentation order (slot first) and the names of their axes
        after the first (e.g. ``("rep", "token", "feature")``).
    concept_labels : ndarray of int, shape (n_concepts,)
        Concept id at each slot of the test block.
    split : BlockSplit
    producer : str
        The rule that made the predictions.
    subject : int
    parameters : dict
        The stage's config, stored as JSON.
    """
    from ..artifacts import AxisArray, write_artifact

    arrays = {
        name: AxisArray(
            to_class_order(values, concept_labels), ("class", *axes), {"order": "class"}
        )
        for name, (values, axes) in predictions.items()
    }
    arrays["concept_ids"] = AxisArray(np.arange(1, len(concept_labels) + 1), ("class",))
    return write_artifact(
        path,
        arrays,
        producer=producer,
        attrs={
            "subject": subject,
            "test_block": split.test + 1,
            "train_blocks": [b + 1 for b in split.train],
        },
        parameters=parameters,
    )
