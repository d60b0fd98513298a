import numpy as np
import pytest

from eegdecode.training import Standardizer, leave_one_block_out, take_blocks


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
