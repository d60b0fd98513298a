"""The training loop, checkpoints, block-wise splits and train-only standardisation."""

from .loop import FitResult, TrainConfig, evaluate, fit, predict
from .scaling import Standardizer
from .splits import Fold, leave_one_block_out, take_blocks

__all__ = [
    "FitResult",
    "Fold",
    "Standardizer",
    "TrainConfig",
    "evaluate",
    "fit",
    "leave_one_block_out",
    "predict",
    "take_blocks",
]
