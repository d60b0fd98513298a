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

# Submodules load on first use (see eegdecode/__init__.py).
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
