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


@dataclass(frozen=True)
class ChronologicalWindows:
    """Windows with context cut from one continuous recording, split by time.

    Attributes
    ----------
    starts : dict of str to ndarray of int
        ``train``, ``validation``, ``test``: the first sample of each window's input span, in
        time order.
    window : int
        Samples of the target window.
    context : int
        Samples of context on each side; the input span is ``window + 2 · context``.
    boundaries : (int, int)
        Samples where validation and test begin, before the guard gaps.
    """

    starts: dict[str, np.ndarray]
    window: int
    context: int
    boundaries: tuple[int, int]

    @property
    def span(self) -> int:
        return self.window + 2 * self.context

    def target_starts(self, split: str) -> np.ndarray:
        """First sample of each window's target (the span without its context)."""
        return self.starts[split] + self.context


def chronological_windows(
    n_samples: int,
    sfreq: float,
    *,
    window_s: float = 0.4,
    context_windows: float = 1.0,
    hop_s: float = 0.025,
    fractions: tuple[float, float, float] = (0.81, 0.09, 0.10),
) -> ChronologicalWindows:
    """Split a recording by time into training, validation and test windows with guard gaps.

    Training and validation windows advance by ``hop_s``; test windows by one whole window, so
    every test target is scored once and the test targets tile the test part. Every input span
    lies inside its own part, and a gap of one input span separates the parts: no sample, of
    the input or of the target, is shared across splits (brain-to-audio spec §4).

    Parameters
    ----------
    n_samples : int
        Length of the recording.
    sfreq : float
        Its sampling rate in Hz.
    window_s : float
        Target window (0.4 s).
    context_windows : float
        Context on each side, in windows (1: the input is three windows long).
    hop_s : float
        Hop of training and validation windows (25 ms).
    fractions : (float, float, float)
        Shares of the recording for training, validation and test, in this order in time.

    Returns
    -------
    windows : ChronologicalWindows
    """
    if len(fractions) != 3 or min(fractions) <= 0 or not np.isclose(sum(fractions), 1):
        raise ValueError(f"fractions must be three positive shares summing to 1, got {fractions}.")
    window = round(window_s * sfreq)
    context = round(context_windows * window)
    hop = round(hop_s * sfreq)
    if window < 1 or hop < 1:
        raise ValueError(
            f"window_s = {window_s} and hop_s = {hop_s} must each span at least one sample "
            f"at {sfreq} Hz."
        )
    span = window + 2 * context
    first_validation = round(fractions[0] * n_samples)
    first_test = round((fractions[0] + fractions[1]) * n_samples)
    parts = {
        "train": (0, first_validation, hop),
        "validation": (first_validation + span, first_test, hop),
        "test": (first_test + span, n_samples, window),
    }
    starts = {}
    for name, (begin, end, step) in parts.items():
        starts[name] = np.arange(begin, end - span + 1, step)
        if len(starts[name]) == 0:
            raise ValueError(
                f"The {name} part ({max(end - begin, 0)} samples after its guard gap) is "
                f"shorter than one input span of {span} samples ({span / sfreq:.2f} s): the "
                f"recording ({n_samples / sfreq:.1f} s) is too short for these windows."
            )
    return ChronologicalWindows(starts, window, context, (first_validation, first_test))
