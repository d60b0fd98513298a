"""One folder format for every trained network: the model, its normalisation and its split.

A trained folder holds ``config.json`` and ``model.safetensors`` (written by
:meth:`~eegdecode.models.base.PretrainedModel.save_pretrained`) and ``normalization.json``::

    {"scalers": {"<input name>": {"mean": [...], "scale": [...]} | null, ...},
     "split": {...} | null,
     "features": {...}}

``scalers`` are the standardisations fitted on the training data only, one per named input
(and ``"targets"`` for standardised regression targets); ``split`` says which data trained,
validated and tested the model (:meth:`eegdecode.splits.BlockSplit.to_dict`, or chronological
boundaries); ``features`` (optional) how new data must be prepared for a model that runs outside
the workflow (the live cognitive-load model). :meth:`TrainedModel.load` is the exact inverse of
:meth:`TrainedModel.save`.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..fileio import atomic_path, write_json
from ..models.base import CONFIG_NAME, WEIGHTS_NAME, PretrainedModel
from ..splits import BlockSplit
from .loop import FitResult, predict
from .scaling import Standardizer

NORMALIZATION = "normalization.json"
TARGETS = "targets"


@dataclass
class TrainedModel:
    """A trained network with the statistics its inputs (and targets) are normalised by.

    Attributes
    ----------
    model : PretrainedModel
    scalers : dict of str to Standardizer | None
        One per model input, in the order of the model's arguments; ``None`` leaves that input
        as it is. The key ``"targets"`` (optional) holds the standardisation of regression
        targets, undone by :meth:`predict`.
    split : dict | None
        JSON description of the split (e.g. :meth:`BlockSplit.to_dict`).
    fit : FitResult | None
        The training history; not saved.
    features : dict | None
        How new data must be prepared for the model (rate, channels, window, ...), for a model
        used outside the workflow.
    """

    model: PretrainedModel
    scalers: dict[str, Standardizer | None]
    split: dict | None = None
    fit: FitResult | None = None
    features: dict | None = None

    @property
    def input_names(self) -> tuple[str, ...]:
        """The model's inputs, in argument order (every scaler but ``"targets"``)."""
        return tuple(name for name in self.scalers if name != TARGETS)

    @property
    def block_split(self) -> BlockSplit:
        """:attr:`split` as a :class:`~eegdecode.splits.BlockSplit`."""
        if self.split is None:
            raise ValueError("This trained model was saved without a split.")
        return BlockSplit.from_dict(self.split)

    def transform(self, name: str, values: np.ndarray) -> np.ndarray:
        """Standardise samples (n, ...) of the input ``name`` with its training statistics.

        A scaler whose statistics have the shape of one sample standardises each feature; a
        per-channel one (:meth:`Standardizer.fit_channels`) each channel of (n, ..., channel,
        time) windows.
        """
        if name not in self.scalers:
            raise ValueError(f"No scaler named {name!r}; this model has {list(self.scalers)}.")
        scaler = self.scalers[name]
        if scaler is None:
            return np.ascontiguousarray(values)
        if scaler.mean.shape == values.shape[1:] or scaler.mean.ndim != 1 or values.ndim < 3:
            return scaler.transform(values)
        if values.shape[-2] != len(scaler.mean):
            raise ValueError(
                f"Input {name!r} of shape {values.shape} has {values.shape[-2]} channels; its "
                f"scaler was fitted on {len(scaler.mean)}."
            )
        return scaler.transform_channels(values)

    def inputs(self, *values: np.ndarray) -> torch.Tensor | tuple[torch.Tensor, ...]:
        """Standardised model inputs as tensors: one array per :attr:`input_names`, in order."""
        names = self.input_names
        if len(values) != len(names):
            raise ValueError(
                f"The model takes {len(names)} inputs {list(names)}, got {len(values)}."
            )
        tensors = tuple(
            torch.from_numpy(self.transform(name, array))
            for name, array in zip(names, values, strict=True)
        )
        return tensors[0] if len(tensors) == 1 else tensors

    def predict(self, *values: np.ndarray, batch_size: int = 1024) -> np.ndarray:
        """Outputs for samples of each input (see :meth:`inputs`), in target units."""
        outputs = predict(self.model, self.inputs(*values), batch_size=batch_size).numpy()
        targets = self.scalers.get(TARGETS)
        if targets is not None:
            outputs = outputs * targets.scale + targets.mean
        return outputs

    def save(self, folder: str | Path) -> Path:
        """Write ``config.json``, ``model.safetensors`` and ``normalization.json``, atomically."""
        folder = Path(folder)
        scalers = {
            name: None if scaler is None else scaler.to_dict()
            for name, scaler in self.scalers.items()
        }
        with atomic_path(folder) as temporary:
            self.model.save_pretrained(temporary)
            document = {"scalers": scalers, "split": self.split}
            if self.features is not None:
                document["features"] = self.features
            write_json(temporary / NORMALIZATION, document)
        return folder

    @classmethod
    def load(cls, folder: str | Path, *, device: torch.device | str = "cpu") -> "TrainedModel":
        """Read what :meth:`save` wrote (the training history is not kept)."""
        from ..models import MODEL_CLASSES

        folder = Path(folder)
        missing = [
            name
            for name in (CONFIG_NAME, WEIGHTS_NAME, NORMALIZATION)
            if not (folder / name).is_file()
        ]
        if missing:
            raise FileNotFoundError(f"Trained model folder {str(folder)!r} lacks {missing}.")
        name = json.loads((folder / CONFIG_NAME).read_text()).get("model")
        if name not in MODEL_CLASSES:
            raise ValueError(
                f"{str(folder / CONFIG_NAME)!r} names the model {name!r}; known models are "
                f"{sorted(MODEL_CLASSES)}."
            )
        stats = json.loads((folder / NORMALIZATION).read_text())
        if not isinstance(stats, dict) or not {"scalers", "split"} <= set(stats):
            raise ValueError(
                f"{str(folder / NORMALIZATION)!r} must hold 'scalers' and 'split', got "
                f"{sorted(stats) if isinstance(stats, dict) else type(stats).__name__}."
            )
        scalers = {
            key: None if values is None else Standardizer.from_dict(values)
            for key, values in stats["scalers"].items()
        }
        model = MODEL_CLASSES[name].from_pretrained(folder, device=device)
        return cls(
            model=model, scalers=scalers, split=stats["split"], features=stats.get("features")
        )
