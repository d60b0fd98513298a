"""Splits of one subject's data: by block (samples of one block, and so all windows of one
clip, stay together) and, for continuous recordings, by time.

The one block-wise split type is :class:`BlockSplit` (0-based block indices; 1-based in its
JSON form and in the config, as blocks are named everywhere else). The test block is resolved
from the config by :func:`resolve_test_block` only.
"""

import itertools
import numbers
from dataclasses import dataclass

import numpy as np


def resolve_test_block(n_blocks: int, test_block: int, key: str = "split.test_block") -> int:
    """The 1-based test block that ``test_block`` names among ``n_blocks`` blocks.

    Parameters
    ----------
    n_blocks : int
        Blocks per subject.
    test_block : int
        1-based; a negative number counts from the end (−1: the last block).
    key : str
        The config key it came from, named in the error.

    Returns
    -------
    test_block : int
        In 1..n_blocks.
    """
    if isinstance(test_block, bool) or not isinstance(test_block, numbers.Integral):
        raise ValueError(f"{key} must be an integer block number, got {test_block!r}.")
    test = test_block - 1 if test_block > 0 else n_blocks + test_block
    if not 0 <= test < n_blocks:
        raise ValueError(
            f"{key}={test_block} does not name one of the {n_blocks} blocks: use 1..{n_blocks}, "
            f"or -1..-{n_blocks} to count from the end."
        )
    return int(test + 1)


@dataclass(frozen=True)
class BlockSplit:
    """Blocks (0-based) that train, validate and test one subject's models.

    Attributes
    ----------
    train : tuple of int
    validation : int | None
        The block that selects the model (early stopping), if any.
    test : int
    """

    train: tuple[int, ...]
    validation: int | None
    test: int

    @classmethod
    def make(
        cls, n_blocks: int, *, test_block: int, validation: bool, key: str = "split.test_block"
    ) -> "BlockSplit":
        """The split that tests on ``test_block`` (1-based, see :func:`resolve_test_block`).

        The validation block, when asked for, is the one before the test block (the last one
        when the test block is the first); every other block trains.
        """
        test = resolve_test_block(n_blocks, test_block, key) - 1
        held = {test}
        val = None
        if validation:
            val = (test - 1) % n_blocks
            held.add(val)
        train = tuple(b for b in range(n_blocks) if b not in held)
        if not train:
            raise ValueError(f"No block is left to train on with {n_blocks} blocks.")
        return cls(train=train, validation=val, test=test)

    def to_dict(self) -> dict:
        """1-based, as blocks are named everywhere else."""
        return {
            "train": [b + 1 for b in self.train],
            "validation": None if self.validation is None else self.validation + 1,
            "test": self.test + 1,
        }

    @classmethod
    def from_dict(cls, values: dict) -> "BlockSplit":
        """The inverse of :meth:`to_dict`."""
        validation = values["validation"]
        return cls(
            train=tuple(b - 1 for b in values["train"]),
            validation=None if validation is None else validation - 1,
            test=values["test"] - 1,
        )


def leave_one_block_out(n_blocks: int) -> list[BlockSplit]:
    """EEG-VP's folds: test block ``t``, validation block ``t − 1`` (the last one for ``t = 0``).

    Parameters
    ----------
    n_blocks : int
        Blocks per subject (at least 3).

    Returns
    -------
    folds : list of BlockSplit
        One per test block; train holds the remaining ``n_blocks − 2`` blocks.
    """
    if n_blocks < 3:
        raise ValueError(
            f"Leave-one-block-out with a validation block needs at least 3 blocks, got {n_blocks}."
        )
    return [
        BlockSplit.make(n_blocks, test_block=test + 1, validation=True) for test in range(n_blocks)
    ]


def take_blocks(values: np.ndarray, blocks, n_sample_axes: int = 2) -> np.ndarray:
    """Samples of the given blocks, flattened to one sample axis.

    Parameters
    ----------
    values : ndarray, shape (n_blocks, ...)
        Axis 0 is the block axis; the first ``n_sample_axes`` axes (block included) index
        samples, e.g. 3 for (block, concept, rep, ...features) and 4 with a window axis.
    blocks : sequence of int
        0-based blocks, in the order their samples are wanted.
    n_sample_axes : int

    Returns
    -------
    samples : ndarray, shape (n_samples, ...features)
    """
    selected = values[list(blocks)]
    return selected.reshape(-1, *values.shape[n_sample_axes:]) if selected.ndim > 1 else selected


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


def contiguous_folds(
    n_samples: int, n_folds: int, *, guard: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """K-fold cross-validation over time: each fold tests one contiguous stretch and trains on
    the rest, less ``guard`` samples on each side of the stretch.

    The stretches are those of scikit-learn's ``KFold(n_folds, shuffle=False)`` (the first
    ``n_samples % n_folds`` one sample longer); the guard keeps training samples whose context
    overlaps a test sample out of training (SingleWordProductionDutch's protocol has none).

    Parameters
    ----------
    n_samples : int
    n_folds : int
        At least 2.
    guard : int
        Samples left out of training on each side of the test stretch.

    Returns
    -------
    folds : list of (train, test)
        Index arrays, in time order.
    """
    if isinstance(n_folds, bool) or not isinstance(n_folds, numbers.Integral) or n_folds < 2:
        raise ValueError(f"Cross-validation needs at least 2 folds, got {n_folds!r}.")
    sizes = np.full(n_folds, n_samples // n_folds) + (np.arange(n_folds) < n_samples % n_folds)
    if sizes.min() <= guard:
        raise ValueError(
            f"{n_folds} folds of {n_samples} samples test stretches of {sizes.min()} samples, "
            f"no longer than the guard of {guard} on each side: use fewer folds."
        )
    edges = np.concatenate([[0], np.cumsum(sizes)])
    index = np.arange(n_samples)
    folds = []
    for start, stop in itertools.pairwise(edges):
        train = index[(index < start - guard) | (index >= stop + guard)]
        folds.append((train, index[start:stop]))
    return folds
