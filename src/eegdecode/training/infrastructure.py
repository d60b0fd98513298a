"""What every training loop of the project shares: one :class:`TrainingRun` per run.

A run owns the device, mixed precision (autocast and loss scaling), the optimiser step with
optional gradient clipping, gradient checkpointing, the seeded batch generator, and the work
folder: resumable checkpoints (``last/``, see :mod:`eegdecode.training.checkpoints`), extra
weight files beside them and ``metrics.csv``. The loops themselves (:func:`~eegdecode.training.fit`,
:func:`~eegdecode.diffusion.finetune_video_unet`, :func:`~eegdecode.stimulus.fit_vae`) keep only
what they compute.

A checkpoint is resumed when it was made with the same settings (the config, as JSON) and the
same data (a SHA-256 of the tensors); otherwise the run starts afresh and says so in the log.
Without a work folder nothing is written and nothing changes in the numbers: a run draws from
its generator exactly as the loop would on its own.
"""

import dataclasses
import json
from pathlib import Path

import torch

from .._logging import logger
from ..devices import resolve_device
from ..fileio import atomic_path, write_csv
from .checkpoints import DOCUMENT, data_fingerprint, load_checkpoint, save_checkpoint

LAST = "last"
METRICS = "metrics.csv"


def _as_json(config) -> dict:
    values = dataclasses.asdict(config) if dataclasses.is_dataclass(config) else dict(config)
    return json.loads(json.dumps(values))


def _model_identity(model: torch.nn.Module) -> dict:
    """What a training run starts from besides its settings and data: the model's class, its
    config (where it has one; dropout changes no weight) and a SHA-256 of its weights (the
    architecture, the initialisation seed, a base model to fine-tune)."""
    config = getattr(model, "config", None)
    if hasattr(config, "to_dict"):
        config = config.to_dict()
    if isinstance(config, dict):
        # diffusers' private keys (_name_or_path: where it was loaded from) are no settings.
        config = {key: value for key, value in config.items() if not key.startswith("_")}
    return {
        "class": type(model).__name__,
        "config": json.loads(json.dumps(config, default=str)),
        "weights": data_fingerprint(tuple(model.state_dict().values())),
    }


class TrainingRun:
    """Device, precision, RNG, checkpoints and metrics of one training run.

    Parameters
    ----------
    config : dataclass | dict
        The run's settings; stored in every checkpoint under ``config_key`` and compared on
        resume.
    data : tuple
        The training data (tensors, nested in tuples; None skipped); its fingerprint is stored
        and compared on resume. Only read when there is a work folder.
    workdir : str | Path | None
        Where ``last/`` (the checkpoint), extra weight files and ``metrics.csv`` go. None: the
        run writes nothing and never resumes.
    device : 'auto' | 'cpu' | 'cuda' | torch.device
    mixed_precision : bool
        Autocast on CUDA, in bf16 where the GPU supports it, else in fp16 with loss scaling
        (a ``GradScaler``). Ignored on CPU.
    gradient_checkpointing : bool
        On CUDA, call the model's ``enable_gradient_checkpointing()`` in :meth:`prepare`, where
        the model has one (recomputing activations in the backward pass only costs time on a
        CPU).
    seed : int
        Seeds :attr:`generator`, from which the loop draws its batches and noise.
    config_key : str
        The checkpoint document's key for ``config`` (``train_config``, ``finetune_config``…).

    Attributes
    ----------
    device : torch.device
    generator : torch.Generator
        On CPU; saved in and restored from every checkpoint.
    autocast_dtype : torch.dtype | None
        The autocast precision, None when autocast is off.
    """

    def __init__(
        self,
        config,
        data: tuple,
        *,
        workdir: str | Path | None = None,
        device: str | torch.device = "auto",
        mixed_precision: bool = True,
        gradient_checkpointing: bool = False,
        seed: int = 0,
        config_key: str = "train_config",
    ):
        self.device = device if isinstance(device, torch.device) else resolve_device(device)
        amp = mixed_precision and self.device.type == "cuda"
        bf16 = amp and torch.cuda.is_bf16_supported()
        self.autocast_dtype = (torch.bfloat16 if bf16 else torch.float16) if amp else None
        self.scaler = torch.amp.GradScaler("cuda", enabled=amp and not bf16)
        self.gradient_checkpointing = gradient_checkpointing
        self.generator = torch.Generator().manual_seed(seed)
        self.workdir = Path(workdir) if workdir is not None else None
        self.config_key = config_key
        self.config = _as_json(config)
        self.fingerprint = data_fingerprint(*data) if self.workdir is not None else None
        self.starting_model: dict | None = None  # set by resume()

    def prepare(self, model: torch.nn.Module) -> torch.nn.Module:
        """Move ``model`` to the device; turn on gradient checkpointing where asked and able."""
        model = model.to(self.device)
        if (
            self.gradient_checkpointing
            and self.device.type == "cuda"
            and hasattr(model, "enable_gradient_checkpointing")
        ):
            model.enable_gradient_checkpointing()
        return model

    def autocast(self):
        """The forward pass's context: mixed precision on CUDA when asked, else a no-op."""
        return torch.autocast(
            self.device.type,
            dtype=self.autocast_dtype or torch.float16,
            enabled=self.autocast_dtype is not None,
        )

    def step(self, loss: torch.Tensor, optimizer, *, max_norm: float | None = None) -> None:
        """One optimiser step on ``loss``: zero the gradients, backward (scaled in fp16),
        clip the gradient norm of the optimiser's parameters to ``max_norm`` (None: no
        clipping), step and update the loss scale."""
        optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        if max_norm is not None:
            self.scaler.unscale_(optimizer)
            parameters = [p for group in optimizer.param_groups for p in group["params"]]
            torch.nn.utils.clip_grad_norm_(parameters, max_norm)
        self.scaler.step(optimizer)
        self.scaler.update()

    def due(self, done: int, total: int, every: int = 1) -> bool:
        """Whether a checkpoint is due after ``done`` of ``total`` units: every ``every`` and
        at the end, and only with a work folder."""
        return self.workdir is not None and (done % every == 0 or done == total)

    def resume(
        self, model, optimizer, scheduler=None, *, trainable_only: bool = False, unit="epoch"
    ) -> dict | None:
        """Restore the work folder's checkpoint into the given objects and :attr:`generator`.

        Call it before training, on the model as built: its class, config and weights then
        are the starting model that :meth:`save` records. Returns the checkpoint's document
        (its ``epoch`` and what :meth:`save` got as ``extra``), or None when there is no work
        folder, no checkpoint, or one of other settings, data or starting model (which is then
        ignored, with a log line): a model of another architecture, config (dropout…),
        initialisation or base weights trains afresh.
        ``unit`` names what the checkpoint's ``epoch`` counts, for the log.
        """
        if self.workdir is None:
            return None
        self.starting_model = _model_identity(model)
        if not (self.workdir / LAST).is_dir():
            return None
        saved = json.loads((self.workdir / LAST / DOCUMENT).read_text())
        if (
            saved.get(self.config_key) != self.config
            or saved.get("data") != self.fingerprint
            or saved.get("starting_model") != self.starting_model
        ):
            logger.info(
                "the checkpoint in %s was made with other settings, data or starting model; "
                "starting afresh",
                self.workdir,
            )
            return None
        document = load_checkpoint(
            self.workdir / LAST,
            model=model,
            optimizer=optimizer,
            scheduler=scheduler,
            trainable_only=trainable_only,
        )
        self.generator.set_state(torch.tensor(document["generator"], dtype=torch.uint8))
        logger.info(
            "resuming from the checkpoint of %s %d in %s", unit, document["epoch"], self.workdir
        )
        return document

    def read(self, name: str) -> dict[str, torch.Tensor]:
        """Tensors of an extra file that :meth:`save` wrote, on the device."""
        from safetensors.torch import load_file

        return {k: v.to(self.device) for k, v in load_file(self.workdir / name).items()}

    def save(
        self,
        model,
        optimizer,
        scheduler=None,
        *,
        position: int,
        history: list[dict],
        extra: dict | None = None,
        files: dict[str, dict[str, torch.Tensor]] | None = None,
        trainable_only: bool = False,
    ) -> None:
        """Write a checkpoint to resume from after ``position``; nothing without a work folder.

        ``files`` (name → tensors) are written first, each atomically, so the checkpoint never
        points past them; then ``last/`` with ``history``, ``extra``, the generator's state,
        the config and the data fingerprint; then ``metrics.csv`` from ``history``.
        """
        if self.workdir is None:
            return
        from safetensors.torch import save_file

        self.workdir.mkdir(parents=True, exist_ok=True)
        for name, tensors in (files or {}).items():
            with atomic_path(self.workdir / name) as temporary:
                save_file({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, temporary)
        document = {
            "history": history,
            **(extra or {}),
            "generator": self.generator.get_state().tolist(),
            self.config_key: self.config,
            "data": self.fingerprint,
            "starting_model": self.starting_model,
        }
        save_checkpoint(
            self.workdir / LAST,
            model=model,
            optimizer=optimizer,
            scheduler=scheduler,
            epoch=position,
            extra=document,
            trainable_only=trainable_only,
        )
        if history:
            write_csv(self.workdir / METRICS, history)
