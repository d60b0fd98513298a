"""Training checkpoints as safetensors + JSON: model, optimiser, scheduler, RNG and history.

Tensors (weights, optimiser moments, the RNG state) go to ``state.safetensors``; everything else
(epoch, history, scheduler counters, optimiser hyper-parameters) to ``state.json``. Nothing is
pickled, so a checkpoint can be inspected and loaded safely.
"""

import hashlib
import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from ..fileio import atomic_path

TENSORS = "state.safetensors"
DOCUMENT = "state.json"


def _split_optimizer(state: dict) -> tuple[dict[str, torch.Tensor], dict]:
    tensors, plain = {}, {"param_groups": state["param_groups"], "state": {}}
    for index, values in state["state"].items():
        plain["state"][str(index)] = {}
        for name, value in values.items():
            if torch.is_tensor(value):
                tensors[f"optimizer.{index}.{name}"] = value.detach().cpu().contiguous()
            else:
                plain["state"][str(index)][name] = value
    return tensors, plain


def _join_optimizer(tensors: dict[str, torch.Tensor], plain: dict) -> dict:
    state: dict[int, dict[str, Any]] = {
        int(index): dict(values) for index, values in plain["state"].items()
    }
    for key, value in tensors.items():
        if key.startswith("optimizer."):
            _, index, name = key.split(".", 2)
            state.setdefault(int(index), {})[name] = value
    return {"state": state, "param_groups": plain["param_groups"]}


def data_fingerprint(*values) -> str:
    """SHA-256 of tensors (nested in tuples; None skipped), so a checkpoint resumes on its data."""
    digest = hashlib.sha256()

    def add(value):
        if value is None:
            return
        if isinstance(value, tuple | list):
            for item in value:
                add(item)
            return
        array = value.detach().cpu().contiguous().numpy()
        digest.update(f"{array.dtype}{array.shape}".encode())
        digest.update(memoryview(array).cast("B"))

    add(values)
    return digest.hexdigest()


def _model_state(model, trainable_only: bool) -> dict[str, torch.Tensor]:
    if not trainable_only:
        return model.state_dict()
    return {name: value for name, value in model.named_parameters() if value.requires_grad}


def save_checkpoint(
    folder: str | Path,
    *,
    model,
    optimizer,
    scheduler,
    epoch: int,
    extra: dict,
    trainable_only: bool = False,
) -> Path:
    """Write everything needed to continue training after ``epoch`` (whole or not at all).

    ``trainable_only`` stores just the parameters that train (a fine-tuned subset of a large
    frozen model); the rest must come from where the model was first loaded.
    """
    tensors = {
        f"model.{name}": value.detach().cpu().contiguous()
        for name, value in _model_state(model, trainable_only).items()
    }
    optimizer_tensors, optimizer_plain = _split_optimizer(optimizer.state_dict())
    tensors.update(optimizer_tensors)
    tensors["rng.torch"] = torch.get_rng_state()
    document = {
        "epoch": epoch,
        "optimizer": optimizer_plain,
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        **extra,
    }
    folder = Path(folder)
    with atomic_path(folder) as temporary:
        temporary.mkdir()
        save_file(tensors, temporary / TENSORS)
        (temporary / DOCUMENT).write_text(json.dumps(document, indent=1, default=float))
    return folder


def load_checkpoint(
    folder: str | Path, *, model, optimizer, scheduler, trainable_only: bool = False
) -> dict:
    """Restore a :func:`save_checkpoint` folder into the given objects; return its JSON part."""
    folder = Path(folder)
    tensors = load_file(folder / TENSORS)
    document = json.loads((folder / DOCUMENT).read_text())
    weights = {
        key[len("model.") :]: value for key, value in tensors.items() if key.startswith("model.")
    }
    if trainable_only:
        expected = set(_model_state(model, trainable_only=True))
        if set(weights) != expected:
            raise ValueError(
                f"The checkpoint in {str(folder)!r} holds other trainable parameters than the "
                f"model has ({len(weights)} against {len(expected)})."
            )
    model.load_state_dict(weights, strict=not trainable_only)
    optimizer.load_state_dict(_join_optimizer(tensors, document["optimizer"]))
    if scheduler is not None and document["scheduler"] is not None:
        scheduler.load_state_dict(document["scheduler"])
    torch.set_rng_state(tensors["rng.torch"])
    return document
