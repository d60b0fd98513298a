"""The one training loop every network of the project trains with.

Data live in memory as tensors and batches are index slices, so a step never waits on Python
per sample. Per epoch the loop records training loss, validation loss and accuracy and the
learning rate; it keeps the weights of the best epoch by ``monitor``, stops early when asked,
and, given a work folder, writes ``metrics.csv`` and a resumable checkpoint (safetensors + JSON)
after every epoch, so a rerun after a crash continues where it stopped. Device, mixed precision,
the optimiser step, the batch generator and the checkpoints are those of
:class:`~eegdecode.training.infrastructure.TrainingRun`, which the other loops share.
"""

import math
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.nn import functional

from .._logging import logger
from .._validation import check_option, dataclass_from_dict
from .infrastructure import TrainingRun

OPTIMIZERS = ("adam", "adamw")
SCHEDULERS = ("none", "steplr", "multistep", "reducelronplateau", "cosine")
LOSSES = ("cross_entropy", "mse", "triplet")
MONITORS = ("val_accuracy", "val_macro_f1", "val_loss", "train_loss")
# Monitored scores that are better when larger.
_MAXIMISED = ("val_accuracy", "val_macro_f1")
BEST = "best.safetensors"


@dataclass(frozen=True)
class TrainConfig:
    """How to train.

    Parameters
    ----------
    epochs : int
        Passes over the training split.
    batch_size : int
        Samples per step.
    optimizer : 'adam' | 'adamw'
    lr, weight_decay : float
        Optimiser settings.
    scheduler : 'none' | 'steplr' | 'multistep' | 'reducelronplateau' | 'cosine'
        ``steplr`` multiplies the rate by ``gamma`` every ``step_size`` epochs; ``multistep``
        by ``gamma`` at each epoch in ``milestones``;
        ``reducelronplateau`` by ``plateau_factor`` after ``plateau_patience`` epochs without
        improvement of ``monitor``; ``cosine`` anneals to ``min_lr`` over all steps, stepped per
        batch.
    step_size, milestones, gamma, plateau_factor, plateau_patience, min_lr
        Scheduler settings.
    grad_clip : float | None
        Largest gradient norm; larger gradients are scaled down to it. None: no clipping.
    monitor : 'val_accuracy' | 'val_macro_f1' | 'val_loss' | 'train_loss'
        What picks the best epoch (and drives the plateau scheduler and early stopping).
        ``val_macro_f1`` is the mean F1 over the validation split's classes.
    keep : 'best' | 'last'
        Weights returned: the best epoch by ``monitor``, or the last one (a fixed training
        length, when no split may choose, as EEG2Video's generation models do).
    early_stopping : int | None
        Stop after this many epochs without improvement; None trains all epochs.
    seed : int
        Seeds the batch order (the caller seeds the initial weights).
    device : 'auto' | 'cpu' | 'cuda'
    mixed_precision : bool
        bf16 (or fp16 with loss scaling) autocast on CUDA; ignored on CPU.
    triplet_margin : float
        The margin β of the ``triplet`` loss (:func:`semi_hard_triplet_loss`).
    """

    epochs: int = 100
    batch_size: int = 256
    optimizer: str = "adamw"
    lr: float = 1e-3
    weight_decay: float = 0.0
    scheduler: str = "none"
    step_size: int = 30
    milestones: tuple[int, ...] = ()
    gamma: float = 0.1
    plateau_factor: float = 0.5
    plateau_patience: int = 10
    min_lr: float = 0.0
    grad_clip: float | None = None
    monitor: str = "val_accuracy"
    keep: str = "best"
    early_stopping: int | None = None
    seed: int = 0
    device: str = "auto"
    mixed_precision: bool = True
    triplet_margin: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "milestones", tuple(self.milestones))
        check_option("optimizer", self.optimizer, OPTIMIZERS)
        check_option("scheduler", self.scheduler, SCHEDULERS)
        check_option("monitor", self.monitor, MONITORS)
        check_option("keep", self.keep, ("best", "last"))
        for name in ("epochs", "batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)!r}.")
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr!r}.")
        if self.grad_clip is not None and not self.grad_clip > 0:
            raise ValueError(f"grad_clip must be positive or None, got {self.grad_clip!r}.")
        if not self.triplet_margin > 0:
            raise ValueError(f"triplet_margin must be positive, got {self.triplet_margin!r}.")
        if self.scheduler == "multistep" and not self.milestones:
            raise ValueError("scheduler 'multistep' needs at least one epoch in milestones.")

    @classmethod
    def from_dict(cls, values: dict) -> "TrainConfig":
        return dataclass_from_dict(cls, values, "training")


@dataclass
class FitResult:
    """What :func:`fit` returns.

    The model holds the weights of ``kept_epoch``: the best epoch by the monitored score with
    ``keep='best'``, the last one with ``keep='last'``.
    """

    model: torch.nn.Module
    best_epoch: int
    best_score: float
    history: list[dict]
    kept_epoch: int


def _optimizer(model, config):
    kind = torch.optim.AdamW if config.optimizer == "adamw" else torch.optim.Adam
    groups = getattr(model, "parameter_groups", None)
    parameters = groups(config.lr) if groups is not None else model.parameters()
    return kind(parameters, lr=config.lr, weight_decay=config.weight_decay)


def _scheduler(optimizer, config, steps_per_epoch):
    if config.scheduler == "steplr":
        return torch.optim.lr_scheduler.StepLR(optimizer, config.step_size, config.gamma)
    if config.scheduler == "multistep":
        return torch.optim.lr_scheduler.MultiStepLR(
            optimizer, list(config.milestones), config.gamma
        )
    if config.scheduler == "reducelronplateau":
        mode = "max" if config.monitor in _MAXIMISED else "min"
        return torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer,
            mode=mode,
            factor=config.plateau_factor,
            patience=config.plateau_patience,
            min_lr=config.min_lr,
        )
    if config.scheduler == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(
            optimizer, config.epochs * steps_per_epoch, config.min_lr
        )
    return None


def semi_hard_triplet_loss(
    embeddings: torch.Tensor, labels: torch.Tensor, margin: float = 1.0
) -> torch.Tensor:
    """Triplet loss with semi-hard online mining (Schroff et al. 2015), over one batch.

    Every anchor-positive pair (two samples of one class) takes as its negative the sample of
    another class that is nearest to the anchor among those farther from it than the positive
    (semi-hard); an anchor with no such negative takes its farthest negative. The loss of a
    triplet is ``max(0, margin + ‖a − p‖² − ‖a − n‖²)``, averaged over the pairs.

    Parameters
    ----------
    embeddings : Tensor, shape (batch, features)
    labels : Tensor of int, shape (batch,)
    margin : float
        β, which keeps the embedding from collapsing.

    Returns
    -------
    loss : Tensor, scalar
        0 (still attached to the graph) for a batch without a positive pair or a negative.
    """
    distances = torch.cdist(embeddings, embeddings).square()
    same = labels[:, None] == labels[None, :]
    positive = same & ~torch.eye(len(labels), dtype=torch.bool, device=labels.device)
    negative = ~same
    # Each anchor's negative distances in ascending order (non-negatives last, as +inf); the
    # first one beyond a positive's distance is its semi-hard negative. O(batch²) memory, so
    # that validation can mine over a whole split.
    ascending = distances.masked_fill(~negative, float("inf")).sort(dim=1).values
    n_negatives = negative.sum(dim=1, keepdim=True)
    beyond = torch.searchsorted(ascending.detach(), distances.detach().contiguous(), right=True)
    semi_hard = ascending.gather(1, beyond.clamp(max=len(labels) - 1))
    farthest = ascending.gather(1, (n_negatives - 1).clamp(min=0)).expand_as(distances)
    chosen = torch.where(beyond < n_negatives, semi_hard, farthest)
    pairs = positive & (n_negatives > 0)
    if not pairs.any():
        return embeddings.sum() * 0.0
    return functional.relu(margin + distances - chosen)[pairs].mean()


def _loss(kind, outputs, targets, triplet_margin=1.0):
    if kind == "cross_entropy":
        return functional.cross_entropy(outputs, targets)
    if kind == "triplet":
        return semi_hard_triplet_loss(outputs, targets, triplet_margin)
    return functional.mse_loss(outputs, targets)


Inputs = torch.Tensor | tuple[torch.Tensor, ...]


def _as_tuple(inputs: Inputs) -> tuple[torch.Tensor, ...]:
    return inputs if isinstance(inputs, tuple) else (inputs,)


def _rows(inputs: Inputs, index, device) -> tuple[torch.Tensor, ...]:
    return tuple(tensor[index].to(device, non_blocking=True) for tensor in _as_tuple(inputs))


def predict(model: torch.nn.Module, inputs: Inputs, *, batch_size: int = 1024) -> torch.Tensor:
    """Outputs in eval mode, in batches on the model's device, returned on CPU.

    ``inputs`` is a tensor, or a tuple of tensors for a model that takes several arguments.
    """
    device = next(model.parameters()).device
    model.eval()
    batches = torch.arange(len(_as_tuple(inputs)[0])).split(batch_size)
    with torch.inference_mode():
        return torch.cat([model(*_rows(inputs, index, device)).float().cpu() for index in batches])


def evaluate(model, inputs, targets, loss: str, *, triplet_margin=1.0) -> dict[str, float]:
    """Loss (and accuracy and macro-F1 for classification) of ``model`` on a split.

    The ``triplet`` loss mines its triplets over the whole split, as one batch.
    """
    from ..evaluation.classification import classification_scores, confusion_matrix

    outputs = predict(model, inputs)
    scores = {"loss": float(_loss(loss, outputs, targets, triplet_margin))}
    if loss == "cross_entropy":
        confusion = confusion_matrix(targets.numpy(), outputs.argmax(dim=1).numpy(),
                                     outputs.shape[1])  # fmt: skip
        scores["accuracy"] = float((outputs.argmax(dim=1) == targets).float().mean())
        scores["macro_f1"] = classification_scores(confusion)["macro_f1"]
    return scores


def _better(score, best, monitor):
    if math.isnan(best):
        return True
    return score > best if monitor in _MAXIMISED else score < best


def _copy(model) -> dict[str, torch.Tensor]:
    return {name: value.detach().clone() for name, value in model.state_dict().items()}


def _step_epoch_scheduler(scheduler, config, score) -> None:
    if config.scheduler == "reducelronplateau":
        scheduler.step(score)
    elif config.scheduler in ("steplr", "multistep"):
        scheduler.step()


def _train_epoch(model, train, loss, config, run, optimizer, scheduler) -> float:
    """One pass over the training split in shuffled batches; the mean training loss."""
    inputs, targets = train
    # A model that decodes with teacher forcing sees the targets in its training steps only;
    # validation and prediction run it on its own outputs. A model with its own training
    # objective (auxiliary heads, mixup) computes it from the batch.
    teacher_forced = getattr(model, "trains_with_targets", False)
    own_loss = getattr(model, "training_loss", None)
    model.train()
    total = 0.0
    for batch in torch.randperm(len(targets), generator=run.generator).split(config.batch_size):
        x, y = _rows(inputs, batch, run.device), targets[batch].to(run.device, non_blocking=True)
        with run.autocast():
            if own_loss is not None:
                value = own_loss(*x, targets=y)
            else:
                outputs = model(*x, targets=y) if teacher_forced else model(*x)
                value = _loss(loss, outputs, y, config.triplet_margin)
        run.step(value, optimizer, max_norm=config.grad_clip)
        if config.scheduler == "cosine":
            scheduler.step()
        total += float(value.detach()) * len(batch)
    return total / len(targets)


def fit(
    model: torch.nn.Module,
    train: tuple[Inputs, torch.Tensor],
    validation: tuple[Inputs, torch.Tensor] | None,
    *,
    loss: str,
    config: TrainConfig,
    workdir: str | Path | None = None,
    progress: bool = False,
) -> FitResult:
    """Train ``model`` on ``train``, choosing the best epoch on ``validation``.

    Parameters
    ----------
    model : torch.nn.Module
        Initialised (and seeded) by the caller; moved to the configured device. A model whose
        ``trains_with_targets`` is true is called as ``model(*inputs, targets=targets)`` in
        training steps (teacher forcing); a model with a ``training_loss(*inputs, targets=...)``
        method computes its training steps' loss itself (``loss`` still scores validation); one
        with ``parameter_groups(lr)`` gives the optimiser its groups (e.g. a backbone at a lower
        rate). A model with ``enable_gradient_checkpointing()`` gets gradient checkpointing on
        CUDA.
    train, validation : (inputs, targets)
        Whole splits in memory; ``inputs`` is a tensor, or a tuple of tensors passed to the model
        as separate arguments. ``validation`` may be None when ``monitor`` is 'train_loss'.
    loss : 'cross_entropy' | 'mse' | 'triplet'
        ``triplet``: :func:`semi_hard_triplet_loss` of the model's outputs (embeddings) with
        the class labels as targets, margin ``config.triplet_margin``.
    config : TrainConfig
    workdir : str | Path | None
        Where ``metrics.csv`` and the checkpoints (``last/``, ``best.safetensors``) go; a
        checkpoint found there is resumed if it was made with the same config and the same data
        (by a SHA-256 of the tensors), and ignored otherwise (see :class:`TrainingRun`).
    progress : bool
        Show a progress bar over epochs.

    Returns
    -------
    result : FitResult
    """
    from tqdm.auto import tqdm

    check_option("loss", loss, LOSSES)
    if validation is None and config.monitor != "train_loss":
        raise ValueError(
            f"monitor={config.monitor!r} needs a validation split; use 'train_loss' without one."
        )
    if config.monitor in _MAXIMISED and loss != "cross_entropy":
        raise ValueError(
            f"monitor={config.monitor!r} is a classification score, which the {loss!r} loss "
            f"does not record; monitor 'val_loss' (or 'train_loss') instead."
        )
    run = TrainingRun(
        config, (train, validation), workdir=workdir, device=config.device,
        mixed_precision=config.mixed_precision, gradient_checkpointing=True, seed=config.seed,
    )  # fmt: skip
    model = run.prepare(model)
    optimizer = _optimizer(model, config)
    scheduler = _scheduler(optimizer, config, math.ceil(len(train[1]) / config.batch_size))
    history, best_epoch, best_score, best_state = [], -1, float("nan"), _copy(model)
    if (resumed := run.resume(model, optimizer, scheduler)) is not None:
        history, best_epoch, best_score = map(resumed.get, ("history", "best_epoch", "best_score"))
        best_state = run.read(BEST)
    first = resumed["epoch"] + 1 if resumed is not None else 0
    epochs = tqdm(range(first, config.epochs), disable=not progress, desc="training", unit="epoch")
    for epoch in epochs:
        started = time.perf_counter()
        train_loss = _train_epoch(model, train, loss, config, run, optimizer, scheduler)
        record = {"epoch": epoch, "train_loss": train_loss, "lr": optimizer.param_groups[0]["lr"]}
        if validation is not None:
            scores = evaluate(model, *validation, loss, triplet_margin=config.triplet_margin)
            record.update({f"val_{k}": v for k, v in scores.items()})
        score = record[config.monitor]
        _step_epoch_scheduler(scheduler, config, score)
        if _better(score, best_score, config.monitor):
            best_epoch, best_score, best_state = epoch, score, _copy(model)
        history.append({**record, "seconds": time.perf_counter() - started})
        epochs.set_postfix({config.monitor: f"{score:.4g}"})
        run.save(model, optimizer, scheduler, position=epoch, history=history,
                 extra={"best_epoch": best_epoch, "best_score": best_score},
                 files={BEST: best_state})  # fmt: skip
        if config.early_stopping is not None and epoch - best_epoch >= config.early_stopping:
            logger.info("early stop after epoch %d: no better %s since epoch %d",
                        epoch, config.monitor, best_epoch)  # fmt: skip
            break
    if config.keep == "best":
        model.load_state_dict(best_state)
    logger.info(
        "best %s %.4g at epoch %d of %d", config.monitor, best_score, best_epoch, len(history)
    )
    kept_epoch = best_epoch if config.keep == "best" else history[-1]["epoch"]
    return FitResult(model, best_epoch, best_score, history, kept_epoch)
