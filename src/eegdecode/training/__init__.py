"""The training loop, checkpoints, block-wise and chronological splits, and train-only
standardisation."""

from .loop import FitResult, TrainConfig, evaluate, fit, predict
from .scaling import Standardizer
from .splits import (
    ChronologicalWindows,
    Fold,
    chronological_windows,
    leave_one_block_out,
    take_blocks,
)

__all__ = [
    "ChronologicalWindows",
    "FitResult",
    "Fold",
    "Standardizer",
    "TrainConfig",
    "chronological_windows",
    "evaluate",
    "fit",
    "leave_one_block_out",
    "predict",
    "take_blocks",
]
