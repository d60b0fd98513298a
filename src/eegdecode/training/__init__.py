"""The training loop, checkpoints, the trained-model folder and train-only standardisation.

The split types live on the ground floor (:mod:`eegdecode.splits`) and are re-exported here.
"""

from ..splits import (
    BlockSplit,
    ChronologicalWindows,
    chronological_windows,
    leave_one_block_out,
    resolve_test_block,
    take_blocks,
)
from .loop import FitResult, TrainConfig, evaluate, fit, predict
from .scaling import Standardizer
from .trained import TrainedModel

__all__ = [
    "BlockSplit",
    "ChronologicalWindows",
    "FitResult",
    "Standardizer",
    "TrainConfig",
    "TrainedModel",
    "chronological_windows",
    "evaluate",
    "fit",
    "leave_one_block_out",
    "predict",
    "resolve_test_block",
    "take_blocks",
]
