import numpy as np
import pytest
import torch

from eegdecode.datasets import Protocol
from eegdecode.datasets.demo import make_demo_eeg, plan_demo
from eegdecode.signal import de_psd, segment, sliding_windows
from eegdecode.training import TrainConfig, predict
from eegdecode.training.stages import BlockSplit, TrainedGLMNet, glmnet_embeddings, train_glmnet

DEMO = Protocol(sfreq=200.0, n_blocks=4, n_concepts=8, clips_per_concept=5, hint_s=3.0, clip_s=2.0)
OCCIPITAL = list(range(50, 62))


def _windows(strength, subject=1):
    plan = plan_demo(DEMO, seed=0)
    eeg = make_demo_eeg(plan, 62, OCCIPITAL, subject=subject, seed=0, signal_strength=strength)
    windows = sliding_windows(segment(eeg, DEMO), DEMO.sfreq, length_s=0.5, step_s=0.25)
    labels = np.broadcast_to((plan.labels - 1)[..., None], (4, 8, 5)).copy()
    return windows, de_psd(windows, DEMO.sfreq).de, labels


def test_block_split():
    split = BlockSplit.make(7, test_block=-1, validation=True)
    assert (split.train, split.validation, split.test) == ((0, 1, 2, 3, 4), 5, 6)
    assert split.to_dict() == {"train": [1, 2, 3, 4, 5], "validation": 6, "test": 7}
    assert BlockSplit.from_dict(split.to_dict()) == split
    assert BlockSplit.make(4, test_block=1, validation=False).train == (1, 2, 3)
    with pytest.raises(ValueError, match="test_block=8 does not name one of the 7 blocks"):
        BlockSplit.make(7, test_block=8, validation=True)


def _test_accuracy(trained, windows, de, labels):
    test = trained.split.test
    inputs = trained.inputs(windows[test].reshape(-1, 62, 100), de[test].reshape(-1, 62, 5))
    predicted = predict(trained.model, inputs).argmax(dim=1).numpy()
    return float((predicted == np.repeat(labels[test].ravel(), windows.shape[3])).mean())


@pytest.mark.slow
def test_glmnet_learns_the_planted_concepts_and_not_noise():
    torch.set_num_threads(2)
    config = TrainConfig(epochs=15, batch_size=200, optimizer="adam", lr=1e-3)
    split = BlockSplit.make(4, test_block=-1, validation=True)
    options = {
        "n_classes": 8,
        "local_channels": OCCIPITAL,
        "split": split,
        "train_config": config,
        "branch_dim": 32,
    }
    planted = train_glmnet(*_windows(1.0), **options)
    null = train_glmnet(*_windows(0.0), **options)
    assert _test_accuracy(planted, *_windows(1.0)) > 0.35  # chance 0.125
    assert _test_accuracy(null, *_windows(0.0)) < 0.25  # 95 % of chance runs on 40 test clips


def test_saved_glmnet_gives_the_same_embeddings(tmp_path):
    windows, de, labels = _windows(1.0)
    split = BlockSplit.make(4, test_block=-1, validation=True)
    trained = train_glmnet(
        windows, de, labels, n_classes=8, local_channels=OCCIPITAL, split=split,
        train_config=TrainConfig(epochs=1, batch_size=200), branch_dim=8,
    )  # fmt: skip
    embeddings = glmnet_embeddings(trained, windows, de)
    assert embeddings.shape == (4, 8, 5, 7, 16)
    trained.save(tmp_path / "glmnet")
    assert sorted(p.name for p in (tmp_path / "glmnet").iterdir()) == [
        "config.json",
        "model.safetensors",
        "normalization.json",
    ]
    again = TrainedGLMNet.load(tmp_path / "glmnet")
    np.testing.assert_array_equal(glmnet_embeddings(again, windows, de), embeddings)
    assert again.split == split


def test_normalisation_is_fitted_on_training_blocks_only():
    windows, de, labels = _windows(1.0)
    split = BlockSplit.make(4, test_block=-1, validation=True)
    poisoned_windows, poisoned_de = windows.copy(), de.copy()
    for held in (split.validation, split.test):
        poisoned_windows[held] = 1e6
        poisoned_de[held] = 1e6
    options = {
        "n_classes": 8,
        "local_channels": OCCIPITAL,
        "split": split,
        "train_config": TrainConfig(epochs=1, batch_size=200),
        "branch_dim": 8,
    }
    honest = train_glmnet(windows, de, labels, **options)
    other = train_glmnet(poisoned_windows, poisoned_de, labels, **options)
    np.testing.assert_array_equal(honest.raw_scaler.mean, other.raw_scaler.mean)
    np.testing.assert_array_equal(honest.de_scaler.scale, other.de_scaler.scale)


def test_mismatched_inputs_are_named():
    windows, de, labels = _windows(1.0)
    with pytest.raises(
        ValueError,
        match=r"raw windows \(4, 8, 5, 7, 62, 100\), DE \(4, 8, 5, 6, 62, 5\) and labels",
    ):
        train_glmnet(
            windows, de[:, :, :, :6], labels, n_classes=8, local_channels=OCCIPITAL,
            split=BlockSplit.make(4, test_block=-1, validation=True), train_config=TrainConfig(epochs=1),
        )  # fmt: skip
