"""The EEG-VP benchmark: leave-one-block-out decoding of what was on screen (spec §4.3).

For test block ``t`` the validation block is ``t − 1`` and the model trains on the rest. The
scaler is fitted on the training blocks only (the original fitted one per split, which leaks
test statistics; ``scaler='transductive'`` reproduces that for parity). The epoch with the best
validation accuracy is kept and only then is the test block scored. The test block reaches
neither the scaler nor the model selection; a test feeds NaN test features to prove it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import torch

from .._logging import logger, verbose
from .._validation import check_option
from ..datasets.tasks import eegvp_labels
from ..models import GLFNetMLP, GLFNetMLPConfig
from ..splits import BlockSplit, leave_one_block_out, take_blocks
from ..training import Standardizer, TrainConfig, fit, predict
from ..training.predictors import stage_train_config
from ..training.presentation import window_labels
from .classification import chance_levels, top_k_accuracy

SCALERS = ("train", "transductive")


@dataclass(frozen=True)
class FoldResult:
    """Scores of one fold."""

    test_block: int
    validation_block: int
    top1: float
    top5: float
    best_epoch: int
    validation_accuracy: float
    n_test: int

    def to_dict(self) -> dict:
        return asdict(self)


def _samples(features: np.ndarray, labels: np.ndarray, blocks: Sequence[int]):
    """Features (n, channel, band) and labels (n,) of ``blocks``; a clip's windows share a label."""
    x = take_blocks(features, blocks, n_sample_axes=4)
    y = take_blocks(window_labels(labels, features.shape[3]), blocks, n_sample_axes=4)
    return x, y


def eegvp_fold(
    features: np.ndarray,
    labels: np.ndarray,
    fold: BlockSplit,
    *,
    n_classes: int,
    local_channels: Sequence[int],
    train_config: TrainConfig,
    emb_dim: int = 64,
    scaler: str = "train",
    seed: int = 0,
) -> FoldResult:
    """Train GLFNet-MLP on one fold's training blocks and score its test block.

    Parameters
    ----------
    features : ndarray, shape (n_blocks, n_concepts, n_reps, n_windows, n_channels, n_bands)
        Band features of each clip's windows (EEG-VP: DE of the two 1 s halves).
    labels : ndarray of int, shape (n_blocks, n_concepts, n_reps)
        Class of every clip.
    fold : BlockSplit
        Which blocks train, validate and test.
    n_classes : int
    local_channels : sequence of int
        Occipital channel indices for the local branch.
    train_config : TrainConfig
    emb_dim : int
        Branch width of GLFNet-MLP.
    scaler : 'train' | 'transductive'
        Fit the standardizer on the training blocks only, or (original, leaky) on each split.
    seed : int
        Seeds the initial weights.

    Returns
    -------
    result : FoldResult
    """
    check_option("scaler", scaler, SCALERS)
    x_train, y_train = _samples(features, labels, fold.train)
    x_val, y_val = _samples(features, labels, [fold.validation])
    x_test, y_test = _samples(features, labels, [fold.test])
    standardizer = Standardizer.fit(x_train)
    if scaler == "train":
        x_val, x_test = standardizer.transform(x_val), standardizer.transform(x_test)
    else:
        x_val, x_test = (
            Standardizer.fit(x_val).transform(x_val),
            Standardizer.fit(x_test).transform(x_test),
        )
    x_train = standardizer.transform(x_train)

    torch.manual_seed(seed)
    n_chans, n_bands = features.shape[-2:]
    config = GLFNetMLPConfig(
        n_chans=n_chans,
        n_outputs=n_classes,
        n_bands=n_bands,
        local_channels=tuple(local_channels),
        emb_dim=emb_dim,
    )
    result = fit(
        GLFNetMLP(config),
        (torch.from_numpy(x_train), torch.from_numpy(y_train)),
        (torch.from_numpy(x_val), torch.from_numpy(y_val)),
        loss="cross_entropy",
        config=train_config,
    )
    # Only now, with the model chosen, is the test block looked at.
    logits = predict(result.model, torch.from_numpy(x_test))
    targets = torch.from_numpy(y_test)
    return FoldResult(
        test_block=fold.test + 1,
        validation_block=fold.validation + 1,
        top1=top_k_accuracy(logits, targets, 1),
        top5=top_k_accuracy(logits, targets, 5),
        best_epoch=result.best_epoch,
        validation_accuracy=result.best_score,
        n_test=len(y_test),
    )


@verbose
def run_eegvp(
    features: np.ndarray,
    labels: np.ndarray,
    *,
    n_classes: int,
    local_channels: Sequence[int],
    train_config: TrainConfig,
    emb_dim: int = 64,
    scaler: str = "train",
    seed: int = 0,
    verbose=None,
) -> list[FoldResult]:
    """All leave-one-block-out folds of one task for one subject (see :func:`eegvp_fold`)."""
    if features.shape[:3] != labels.shape:
        raise ValueError(
            f"features {features.shape} and labels {labels.shape} must share (block, concept, rep)."
        )
    results = []
    for fold in leave_one_block_out(features.shape[0]):
        results.append(
            eegvp_fold(
                features, labels, fold, n_classes=n_classes, local_channels=local_channels,
                train_config=train_config, emb_dim=emb_dim, scaler=scaler, seed=seed + fold.test,
            )
        )  # fmt: skip
        logger.info(
            "fold test block %d: top-1 %.3f, top-5 %.3f",
            results[-1].test_block,
            results[-1].top1,
            results[-1].top5,
        )
    return results


def eegvp_report(
    features: np.ndarray,
    tasks: dict[str, tuple[np.ndarray, list[str]]],
    **options,
) -> dict:
    """Run every task for one subject and collect folds, means and chance levels.

    Parameters
    ----------
    features : ndarray, shape (n_blocks, n_concepts, n_reps, n_windows, n_channels, n_bands)
    tasks : dict of str to (labels, class_names)
        Per task, the labels of every clip (see ``eegdecode.datasets.tasks.eegvp_labels``).
    **options
        Passed to :func:`run_eegvp` (``local_channels``, ``train_config``, ``emb_dim``, ...).

    Returns
    -------
    report : dict
        Per task: ``classes``, ``chance`` (uniform and majority), ``folds``, and the fold means
        ``top1`` and ``top5``.
    """
    report = {}
    for task, (labels, class_names) in tasks.items():
        folds = run_eegvp(features, labels, n_classes=len(class_names), **options)
        report[task] = {
            "classes": class_names,
            "chance": chance_levels(labels, len(class_names)),
            "folds": [fold.to_dict() for fold in folds],
            "top1": float(np.mean([fold.top1 for fold in folds])),
            "top5": float(np.mean([fold.top5 for fold in folds])),
        }
        logger.info(
            "%s: top-1 %.3f (chance %.3f)",
            task,
            report[task]["top1"],
            report[task]["chance"]["majority"],
        )
    return report


def eegvp_subject(
    features: np.ndarray,
    concept_labels: np.ndarray,
    meta_info: Mapping[str, np.ndarray],
    *,
    settings: Mapping,
    local_channels: Sequence[int],
    coarse_classes=None,
) -> dict:
    """The ``eegvp`` stage: every task of ``settings['tasks']`` for one subject.

    Parameters
    ----------
    features : ndarray, shape (n_blocks, n_concepts, n_reps, n_windows, n_channels, n_bands)
    concept_labels : ndarray of int, shape (n_blocks, n_concepts)
    meta_info : dict of str to ndarray
        SEED-DV's per-clip annotations (see ``eegdecode.datasets.tasks.eegvp_labels``).
    settings : dict
        The ``eegvp`` config block: ``tasks``, ``fast_threshold``, ``emb_dim``, ``scaler``,
        ``seed``, ``training``.
    local_channels : sequence of int
    coarse_classes : sequence of sequence of int | None

    Returns
    -------
    report : dict
        :func:`eegvp_report`.
    """
    options = {
        "clips_per_concept": features.shape[2],
        "coarse_classes": coarse_classes,
        "fast_threshold": settings["fast_threshold"],
    }
    tasks = {
        task: eegvp_labels(task, concept_labels, meta_info, **options) for task in settings["tasks"]
    }
    return eegvp_report(
        features, tasks, local_channels=local_channels,
        train_config=stage_train_config(settings), emb_dim=settings["emb_dim"],
        scaler=settings["scaler"], seed=settings["seed"],
    )  # fmt: skip


def summarize_eegvp(reports: dict[str, dict]) -> list[dict]:
    """One row per task: mean ± std over subjects of the fold-mean top-1 and top-5, and chance.

    Parameters
    ----------
    reports : dict of str to dict
        :func:`eegvp_report` per subject.

    Returns
    -------
    rows : list of dict
        Keys ``task``, ``n_classes``, ``n_subjects``, ``top1_mean``, ``top1_std``, ``top5_mean``,
        ``top5_std``, ``chance_majority``, ``chance_uniform``.
    """
    tasks = list(next(iter(reports.values())))
    rows = []
    for task in tasks:
        per_subject = [report[task] for report in reports.values()]
        top1 = np.array([entry["top1"] for entry in per_subject])
        top5 = np.array([entry["top5"] for entry in per_subject])
        rows.append(
            {
                "task": task,
                "n_classes": len(per_subject[0]["classes"]),
                "n_subjects": len(per_subject),
                "top1_mean": float(top1.mean()),
                "top1_std": float(top1.std()),
                "top5_mean": float(top5.mean()),
                "top5_std": float(top5.std()),
                "chance_majority": float(
                    np.mean([entry["chance"]["majority"] for entry in per_subject])
                ),
                "chance_uniform": per_subject[0]["chance"]["uniform"],
            }
        )
    return rows
