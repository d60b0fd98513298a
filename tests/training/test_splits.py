import numpy as np
import pytest

from eegdecode.splits import (
    BlockSplit,
    chronological_windows,
    leave_one_block_out,
    resolve_test_block,
    take_blocks,
)
from eegdecode.training import Standardizer


def test_block_split():
    split = BlockSplit.make(7, test_block=-1, validation=True)
    assert (split.train, split.validation, split.test) == ((0, 1, 2, 3, 4), 5, 6)
    assert split.to_dict() == {"train": [1, 2, 3, 4, 5], "validation": 6, "test": 7}
    assert BlockSplit.from_dict(split.to_dict()) == split
    assert BlockSplit.make(4, test_block=1, validation=False).train == (1, 2, 3)
    with pytest.raises(ValueError, match="test_block=8 does not name one of the 7 blocks"):
        BlockSplit.make(7, test_block=8, validation=True)


def test_folds_follow_eeg_vp():
    folds = leave_one_block_out(7)
    assert [(f.test, f.validation) for f in folds] == [
        (0, 6),
        (1, 0),
        (2, 1),
        (3, 2),
        (4, 3),
        (5, 4),
        (6, 5),
    ]
    for fold in folds:
        assert len(fold.train) == 5
        assert fold.test not in fold.train and fold.validation not in fold.train
    with pytest.raises(ValueError, match="needs at least 3 blocks, got 2"):
        leave_one_block_out(2)


def test_resolve_test_block():
    assert resolve_test_block(7, -1) == 7
    assert resolve_test_block(7, 3) == 3
    assert resolve_test_block(7, -7) == 1
    for bad in (0, 8, -8):
        with pytest.raises(ValueError, match=rf"split.test_block={bad} does not name one of the 7"):
            resolve_test_block(7, bad)
    with pytest.raises(ValueError, match=r"seq2seq.test_block must be an integer block number"):
        resolve_test_block(7, "last", key="seq2seq.test_block")


def test_folds_are_block_splits_with_validation():
    folds = leave_one_block_out(4)
    assert folds[0] == BlockSplit(train=(1, 2), validation=3, test=0)
    assert folds == [BlockSplit.make(4, test_block=t, validation=True) for t in (1, 2, 3, 4)]


def test_take_blocks_with_more_sample_axes():
    values = np.arange(3 * 2 * 4 * 5).reshape(3, 2, 4, 5)  # (block, clip, window, feature)
    taken = take_blocks(values, [2, 0], n_sample_axes=3)
    assert taken.shape == (16, 5)
    np.testing.assert_array_equal(taken[:8], values[2].reshape(8, 5))


def test_take_blocks_keeps_clips_whole():
    values = np.arange(4 * 3 * 2).reshape(4, 3, 2)  # (block, sample, feature)
    taken = take_blocks(values, [1, 3])
    assert taken.shape == (6, 2)
    np.testing.assert_array_equal(taken[:3], values[1])


def test_standardizer_uses_only_what_it_was_fitted_on(rng):
    train = rng.normal(5, 2, (200, 3))
    test = rng.normal(-50, 9, (50, 3))
    scaler = Standardizer.fit(train)
    np.testing.assert_allclose(scaler.transform(train).mean(axis=0), 0, atol=1e-6)
    np.testing.assert_allclose(scaler.mean, train.mean(axis=0))
    assert scaler.transform(test).mean() < -20  # test statistics never enter
    again = Standardizer.from_dict(scaler.to_dict())
    np.testing.assert_array_equal(again.transform(test), scaler.transform(test))


def test_standardizer_guards():
    constant = np.ones((10, 2))
    np.testing.assert_array_equal(Standardizer.fit(constant).transform(constant), 0)
    with pytest.raises(ValueError, match="NaN or infinite"):
        Standardizer.fit(np.array([[1.0], [np.nan]]))
    with pytest.raises(
        ValueError, match=r"Features of shape \(3,\) do not match the fitted \(2,\)"
    ):
        Standardizer.fit(constant).transform(np.ones((4, 3)))


def test_chronological_windows_keep_the_parts_apart():
    sfreq, n_samples = 1024.0, 1024 * 120
    windows = chronological_windows(n_samples, sfreq)
    assert (windows.window, windows.context, windows.span) == (410, 410, 1230)
    covered = {
        name: np.unique(np.concatenate([np.arange(s, s + windows.span) for s in starts]))
        for name, starts in windows.starts.items()
    }
    # No sample of any input span is shared, and one span separates consecutive parts.
    assert covered["train"].max() < windows.boundaries[0]
    assert covered["validation"].min() >= covered["train"].max() + windows.span
    assert covered["test"].min() >= covered["validation"].max() + windows.span
    assert covered["test"].max() < n_samples
    assert np.all(np.diff(windows.starts["train"]) == 26)  # 25 ms at 1024 Hz
    # Test targets tile the test part without overlap.
    targets = windows.target_starts("test")
    assert np.all(np.diff(targets) == windows.window)
    assert windows.boundaries == (round(0.81 * n_samples), round(0.9 * n_samples))


def test_chronological_windows_refuse_a_recording_too_short():
    with pytest.raises(ValueError, match=r"validation part .* shorter than one input span of 1230"):
        chronological_windows(1024 * 12, 1024.0)
    with pytest.raises(ValueError, match="fractions must be three positive shares summing to 1"):
        chronological_windows(10_000, 1024.0, fractions=(0.8, 0.1, 0.2))


def test_contiguous_folds_are_kfolds_stretches_with_guard_gaps():
    from sklearn.model_selection import KFold

    from eegdecode.splits import contiguous_folds

    folds = contiguous_folds(103, 10, guard=3)
    for (train, test), (_, reference) in zip(folds, KFold(10).split(np.arange(103)), strict=True):
        np.testing.assert_array_equal(test, reference)
        expected = [i for i in range(103) if i < test[0] - 3 or i > test[-1] + 3]
        np.testing.assert_array_equal(train, expected)
    with pytest.raises(ValueError, match="use fewer folds"):
        contiguous_folds(100, 10, guard=10)
    with pytest.raises(ValueError, match="at least 2 folds"):
        contiguous_folds(100, 1)
