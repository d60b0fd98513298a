"""The semantic and dynamic predictor stages: block splits, class order, save and reload."""

import numpy as np
import pytest
import torch

from eegdecode.datasets import Protocol
from eegdecode.datasets.demo import make_demo_eeg, plan_demo
from eegdecode.models import GLFNetMLP, GLFNetMLPConfig, SemanticPredictor, SemanticPredictorConfig
from eegdecode.signal import de_psd, segment
from eegdecode.splits import BlockSplit
from eegdecode.training import TrainConfig, TrainedModel
from eegdecode.training.eeg2video import caption_targets
from eegdecode.training.predictors import train_predictor
from eegdecode.training.presentation import check_block_files, to_class_order

DEMO = Protocol(sfreq=200.0, n_blocks=4, n_concepts=8, clips_per_concept=5, hint_s=3.0, clip_s=2.0)
SEMANTIC = TrainConfig(
    epochs=60,
    batch_size=32,
    optimizer="adam",
    lr=5e-4,
    scheduler="cosine",
    monitor="train_loss",
    keep="last",
)


def test_class_order_inverts_the_presentation_order():
    labels = np.array([3, 1, 2])  # slot 0 showed concept 3, ...
    values = np.array(["slot0", "slot1", "slot2"])
    assert to_class_order(values, labels).tolist() == ["slot1", "slot2", "slot0"]
    with pytest.raises(ValueError, match=r"\[1, 1, 2\] is not a permutation of 1..3"):
        to_class_order(values, np.array([1, 1, 2]))


def test_caption_targets():
    embeddings = np.arange(6 * 2 * 3).reshape(6, 2, 3)  # 2 slots × 3 clips
    first = caption_targets(embeddings, clips_per_concept=3)
    assert first.shape == (2, 3, 2, 3)
    np.testing.assert_array_equal(first[1, 2], embeddings[3])
    np.testing.assert_array_equal(
        caption_targets(embeddings, clips_per_concept=3, target="per_clip")[1, 2], embeddings[5]
    )
    with pytest.raises(ValueError, match="Invalid value for the 'target' parameter"):
        caption_targets(embeddings, clips_per_concept=3, target="per_class_prompt")


def test_block_files_must_fit_the_features():
    check_block_files(
        "sub1_2s.h5", (2, 4, 5), ["block1.h5", "block2.h5"], [np.zeros((20, 7)), np.zeros((20, 7))]
    )
    with pytest.raises(
        ValueError,
        match=r"block2.h5 has 19 clips, but sub1_2s.h5 has 4 concepts × 5 clips = 20 per block",
    ):
        check_block_files(
            "sub1_2s.h5",
            (2, 4, 5),
            ["block1.h5", "block2.h5"],
            [np.zeros((20, 7)), np.zeros((19, 7))],
        )
    with pytest.raises(ValueError, match=r"sub1_2s\.h5 has 2 blocks but 1 per-block files"):
        check_block_files("sub1_2s.h5", (2, 4, 5), ["block1.h5"], [np.zeros((20, 7))])


def _de(strength):
    plan = plan_demo(DEMO, seed=0)
    eeg = make_demo_eeg(plan, 62, range(50, 62), subject=1, seed=0, signal_strength=strength)
    return de_psd(segment(eeg, DEMO), DEMO.sfreq).de, plan.labels


def _semantic(strength, concept_embeddings):
    de, labels = _de(strength)
    targets = np.broadcast_to(concept_embeddings[labels - 1][:, :, None], (4, 8, 5, 77, 16)).copy()
    split = BlockSplit.make(4, test_block=-1, validation=False)
    torch.manual_seed(0)
    model = SemanticPredictor(
        SemanticPredictorConfig(n_inputs=310, embedding_dim=16, hidden=(128, 128))
    )
    trained = train_predictor(
        model, de, targets, split=split, loss="mse", train_config=SEMANTIC, scale_targets=True
    )
    predicted = trained.predict(de[split.test].reshape(-1, 62, 5)).reshape(8, 5, 77, 16)
    in_class_order = to_class_order(predicted, labels[split.test])
    distances = ((in_class_order[:, :, None] - concept_embeddings[None, None]) ** 2).sum(
        axis=(-1, -2)
    )
    return trained, float((distances.argmin(axis=-1) == np.arange(8)[:, None]).mean()), de


def test_semantic_predictor_retrieves_planted_concepts_and_not_noise(tmp_path):
    concept_embeddings = np.random.default_rng(0).standard_normal((8, 77, 16)).astype(np.float32)
    trained, planted, de = _semantic(1.0, concept_embeddings)
    _, null, _ = _semantic(0.0, concept_embeddings)
    assert planted > 0.4  # chance 0.125
    assert null < 0.3  # 40 test clips of 8 concepts
    trained.save(tmp_path / "semantic")
    again = TrainedModel.load(tmp_path / "semantic")
    np.testing.assert_array_equal(
        again.predict(de[3].reshape(-1, 62, 5)), trained.predict(de[3].reshape(-1, 62, 5))
    )
    assert again.block_split.test == 3 and again.scalers["targets"] is not None


def test_training_sees_only_the_training_blocks():
    de, labels = _de(1.0)
    targets = np.broadcast_to((labels % 2)[..., None], (4, 8, 5)).copy()
    split = BlockSplit.make(4, test_block=-1, validation=True)
    poisoned = de.copy()
    poisoned[split.test] = np.nan
    config = TrainConfig(epochs=3, batch_size=64)
    outputs = []
    for features in (de, poisoned):
        torch.manual_seed(0)
        model = GLFNetMLP(GLFNetMLPConfig(n_chans=62, n_outputs=2))
        trained = train_predictor(
            model, features, targets, split=split, loss="cross_entropy", train_config=config
        )
        outputs.append(trained.predict(de[split.validation].reshape(-1, 62, 5)))
    np.testing.assert_array_equal(outputs[0], outputs[1])


def test_inputs_and_targets_must_share_samples():
    with pytest.raises(
        ValueError, match=r"inputs \(4, 8, 5, 62, 5\) and targets \(4, 8, 4\) must share"
    ):
        train_predictor(
            GLFNetMLP(GLFNetMLPConfig(n_chans=62, n_outputs=2)), np.zeros((4, 8, 5, 62, 5)), np.zeros((4, 8, 4)),
            split=BlockSplit.make(4, test_block=-1, validation=False), loss="mse", train_config=TrainConfig(epochs=1),
        )  # fmt: skip


def test_block_files_in_another_order_are_refused():
    labels = np.array([[1, 2], [2, 1]])
    arrays = [np.zeros((4, 3)), np.zeros((4, 3))]
    check_block_files(
        "sub1.h5",
        (2, 2, 2),
        ["b1.h5", "b2.h5"],
        arrays,
        concept_labels=labels,
        block_labels=[labels[0], labels[1]],
    )
    with pytest.raises(
        ValueError,
        match=r"b2.h5 presents the concepts in the order \[1, 2\], but block 2 of sub1.h5 has \[2, 1\]",
    ):
        check_block_files(
            "sub1.h5",
            (2, 2, 2),
            ["b1.h5", "b2.h5"],
            arrays,
            concept_labels=labels,
            block_labels=[labels[0], labels[0]],
        )


def test_a_split_by_positions_trains_on_its_training_positions_only():
    # EEG-ImageNet's splits are by image, not block: positions along the first axis.
    de, labels = _de(1.0)
    features = de.reshape(-1, 62, 5)
    targets = np.broadcast_to((labels % 2)[..., None], de.shape[:3]).reshape(-1)
    order = np.random.default_rng(0).permutation(len(targets))
    split = {"train": order[:100], "validation": order[100:140], "test": order[140:],
             "description": {"by": "image"}}  # fmt: skip
    poisoned = features.copy()
    poisoned[split["test"]] = np.nan
    config = TrainConfig(epochs=3, batch_size=64)
    outputs = []
    for values in (features, poisoned):
        torch.manual_seed(0)
        model = GLFNetMLP(GLFNetMLPConfig(n_chans=62, n_outputs=2))
        trained = train_predictor(model, values, targets, split=split, loss="cross_entropy",
                                  train_config=config, n_sample_axes=1)  # fmt: skip
        outputs.append(trained.predict(features[split["validation"]]))
    np.testing.assert_array_equal(outputs[0], outputs[1])
    assert trained.split == {"by": "image"}
    with pytest.raises(ValueError, match="n_sample_axes=1"):
        train_predictor(model, de, de[..., 0, 0], split=split, loss="cross_entropy",
                        train_config=config)  # fmt: skip
