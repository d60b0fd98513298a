"""What every network shares: a frozen config dataclass, and save/load as safetensors + JSON.

``save_pretrained(folder)`` writes ``config.json`` (the model's class name and its config) and
``model.safetensors``; ``from_pretrained(folder)`` is its exact inverse. Loading never unpickles
and never downloads, and rejects config keys the model does not know, by name.
"""

import dataclasses
import json
import math
import typing
from pathlib import Path
from typing import Any, ClassVar

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from ..fileio import atomic_path, load_tensors_only

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """Base of the models' config dataclasses."""

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "ModelConfig":
        """Build from plain values (as in config.json or the workflow config), by field name."""
        fields = {field.name: field for field in dataclasses.fields(cls)}
        unknown = sorted(set(values) - set(fields))
        if unknown:
            raise ValueError(
                f"Unknown {cls.__name__} keys {unknown}; allowed keys are {sorted(fields)}."
            )
        hints = typing.get_type_hints(cls)
        converted = {
            name: tuple(value)
            if isinstance(value, list) and typing.get_origin(hints[name]) is tuple
            else value
            for name, value in values.items()
        }
        return cls(**converted)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class PretrainedModel(nn.Module):
    """An ``nn.Module`` built from one config object, saved and loaded in a folder."""

    config_class: ClassVar[type[ModelConfig]]

    def __init__(self, config: ModelConfig):
        super().__init__()
        if not isinstance(config, self.config_class):
            raise TypeError(
                f"{type(self).__name__} needs a {self.config_class.__name__}, "
                f"got {type(config).__name__}."
            )
        self.config = config

    def save_pretrained(self, folder: str | Path) -> Path:
        """Write ``config.json`` and ``model.safetensors`` into ``folder`` (whole or not at all)."""
        folder = Path(folder)
        state = {
            name: tensor.detach().cpu().contiguous() for name, tensor in self.state_dict().items()
        }
        with atomic_path(folder) as temporary:
            temporary.mkdir()
            document = {"model": type(self).__name__, "config": self.config.to_dict()}
            (temporary / CONFIG_NAME).write_text(json.dumps(document, indent=2) + "\n")
            save_file(state, temporary / WEIGHTS_NAME)
        return folder

    @classmethod
    def from_pretrained(
        cls, folder: str | Path, *, device: torch.device | str = "cpu"
    ) -> "PretrainedModel":
        """Rebuild the model saved in ``folder`` by :meth:`save_pretrained`."""
        folder = Path(folder)
        missing = [name for name in (CONFIG_NAME, WEIGHTS_NAME) if not (folder / name).is_file()]
        if missing:
            raise FileNotFoundError(f"Model folder {str(folder)!r} lacks {missing}.")
        document = json.loads((folder / CONFIG_NAME).read_text())
        if document.get("model") != cls.__name__:
            raise ValueError(
                f"{str(folder / CONFIG_NAME)!r} holds a {document.get('model')!r}, "
                f"not a {cls.__name__}."
            )
        model = cls(cls.config_class.from_dict(document["config"]))
        model.load_state_dict(load_file(folder / WEIGHTS_NAME, device=str(device)))
        return model.to(device)


def load_published_weights(path: str | Path, *, instead: str) -> dict:
    """What a published weights file holds, without unpickling any object.

    ``.safetensors`` files are read with safetensors, anything else with
    ``torch.load(weights_only=True)`` (the ``torch.save`` files that Tune-A-Video and NVIDIA
    publish). A file that needs more than tensors and containers is refused, naming it and
    saying what to do ``instead``.
    """
    path = Path(path)
    if path.suffix == ".safetensors":
        return load_file(path)
    return load_tensors_only(path, instead=instead)


def sinusoidal_encoding(length: int, dim: int) -> torch.Tensor:
    """Transformer positional encodings (Vaswani et al. 2017), shape (length, dim)."""
    position = torch.arange(length)[:, None]
    frequency = torch.exp(torch.arange(0, dim, 2) * (-math.log(10000.0) / dim))
    table = torch.zeros(length, dim)
    table[:, 0::2] = torch.sin(position * frequency)
    table[:, 1::2] = torch.cos(position * frequency[: dim // 2])
    return table
