"""The training loop, checkpoints, the trained-model folder and train-only standardisation.

The split types live on the ground floor (:mod:`eegdecode.splits`) and are re-exported here.
"""

import lazy_loader

from ..splits import (
    BlockSplit,
    ChronologicalWindows,
    chronological_windows,
    leave_one_block_out,
    resolve_test_block,
    take_blocks,
)

# Submodules load on first use, so that a job pays only for what it calls: segmenting
# EEG does not import torch, plotting a table does not import scipy.stats.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "loop": ["FitResult", "TrainConfig", "evaluate", "fit", "predict"],
        "scaling": ["Standardizer"],
        "trained": ["TrainedModel"],
    },
)
__all__ += [
    "BlockSplit",
    "ChronologicalWindows",
    "chronological_windows",
    "leave_one_block_out",
    "resolve_test_block",
    "take_blocks",
]
