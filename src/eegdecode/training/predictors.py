"""Training a network on the training blocks of a block split, with train-only normalisation.

:func:`train_predictor` serves every block-wise stage: it standardises each input (and, for
regressions, the targets) with statistics of the training blocks alone, keeps the validation
block for model selection when the split has one, never looks at the test block, and returns
a :class:`~eegdecode.training.trained.TrainedModel` that saves as one folder.
"""

from collections.abc import Collection, Mapping
from pathlib import Path

import numpy as np
import torch

from ..splits import BlockSplit, take_blocks
from .loop import TrainConfig, fit
from .scaling import Standardizer
from .trained import TARGETS, TrainedModel

INPUTS = "inputs"


def stage_train_config(settings: Mapping) -> TrainConfig:
    """The :class:`TrainConfig` of a stage's config block: its ``training`` and its ``seed``."""
    return TrainConfig.from_dict({**settings["training"], "seed": settings["seed"]})


def train_predictor(
    model: torch.nn.Module,
    inputs: np.ndarray | Mapping[str, np.ndarray],
    targets: np.ndarray,
    *,
    split: BlockSplit | Mapping[str, np.ndarray],
    loss: str,
    train_config: TrainConfig,
    n_sample_axes: int = 3,
    scale_targets: bool = False,
    per_channel: Collection[str] = (),
    workdir: str | Path | None = None,
) -> TrainedModel:
    """Train a model on the training blocks of ``split``.

    Parameters
    ----------
    model : torch.nn.Module
        Initialised (and seeded) by the caller.
    inputs : ndarray, shape (n_blocks, ..., features...) | dict of str to ndarray
        The model's input, or its named inputs in argument order. The first ``n_sample_axes``
        axes index samples (block, concept, rep[, window]).
    targets : ndarray
        Same sample axes as ``inputs`` (class indices for cross-entropy, values for MSE).
    split : BlockSplit | dict of str to ndarray of int
        Blocks; or, for datasets split by another unit (EEG-ImageNet's released splits by
        image), ``train``, ``validation`` (optional) and ``test`` positions along the first
        axis (``n_sample_axes`` 1), with ``description``, the JSON the model folder keeps.
    loss : 'cross_entropy' | 'mse' | 'triplet'
    train_config : TrainConfig
    n_sample_axes : int
    scale_targets : bool
        Standardise regression targets with training statistics (undone by
        :meth:`TrainedModel.predict`).
    per_channel : collection of str
        Inputs of (..., channel, time) windows, standardised per channel
        (:meth:`Standardizer.fit_channels`) instead of per feature.
    workdir : str | Path | None
        Checkpoints; a rerun on the same data resumes.

    Returns
    -------
    trained : TrainedModel
        Scalers named as ``inputs`` (``"inputs"`` for a single array), and ``"targets"``.
    """
    named = {INPUTS: inputs} if isinstance(inputs, np.ndarray) else dict(inputs)
    for name, values in named.items():
        if values.shape[:n_sample_axes] != targets.shape[:n_sample_axes]:
            what = "inputs" if len(named) == 1 else f"input {name!r}"
            raise ValueError(
                f"{what} {values.shape} and targets {targets.shape} must share their first "
                f"{n_sample_axes} (sample) axes."
            )

    if isinstance(split, BlockSplit):
        parts = {"train": split.train, "validation": split.validation}
        description = split.to_dict()

        def samples(values, part):
            blocks = parts[part]
            return take_blocks(values, blocks if part == "train" else [blocks], n_sample_axes)
    else:
        if n_sample_axes != 1:
            raise ValueError("A split by positions indexes the first axis: n_sample_axes=1.")
        parts, description = split, split["description"]

        def samples(values, part):
            return values[np.asarray(parts[part])]

    train = {name: samples(values, "train") for name, values in named.items()}
    y_train = samples(targets, "train")
    scalers = {
        name: Standardizer.fit_channels(values) if name in per_channel else Standardizer.fit(values)
        for name, values in train.items()
    }
    if scale_targets:
        scalers[TARGETS] = Standardizer.fit(y_train)
    trained = TrainedModel(model=None, scalers=scalers, split=description)

    def tensors(x: dict, y):
        y = scalers[TARGETS].transform(y) if scale_targets else y
        return trained.inputs(*x.values()), torch.from_numpy(np.ascontiguousarray(y))

    validation = None
    if parts.get("validation") is not None:
        validation = tensors(
            {name: samples(values, "validation") for name, values in named.items()},
            samples(targets, "validation"),
        )
    result = fit(
        model,
        tensors(train, y_train),
        validation,
        loss=loss,
        config=train_config,
        workdir=workdir,
        progress=True,
    )
    trained.model, trained.fit = result.model, result
    return trained
