"""Block-wise splits: samples of one block (and so all windows of one clip) stay together."""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Fold:
    """One leave-one-block-out fold, by 0-based block index."""

    test: int
    validation: int
    train: tuple[int, ...]


def leave_one_block_out(n_blocks: int) -> list[Fold]:
    """EEG-VP's folds: test block ``t``, validation block ``t − 1`` (the last one for ``t = 0``).

    Parameters
    ----------
    n_blocks : int
        Blocks per subject (at least 3).

    Returns
    -------
    folds : list of Fold
        One per test block; train holds the remaining ``n_blocks − 2`` blocks.
    """
    if n_blocks < 3:
        raise ValueError(
            f"Leave-one-block-out with a validation block needs at least 3 blocks, got {n_blocks}."
        )
    folds = []
    for test in range(n_blocks):
        validation = (test - 1) % n_blocks
        train = tuple(b for b in range(n_blocks) if b not in (test, validation))
        folds.append(Fold(test=test, validation=validation, train=train))
    return folds


def take_blocks(values: np.ndarray, blocks) -> np.ndarray:
    """Samples of the given blocks (axis 0 is the block axis), flattened to one sample axis."""
    selected = values[list(blocks)]
    return selected.reshape(-1, *values.shape[2:]) if selected.ndim > 1 else selected
