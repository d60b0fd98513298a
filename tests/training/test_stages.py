import numpy as np
import pytest

from eegdecode.artifacts import read_array
from eegdecode.datasets import Protocol
from eegdecode.datasets.demo import make_demo_eeg, plan_demo
from eegdecode.signal import de_psd, segment, sliding_windows
from eegdecode.splits import BlockSplit
from eegdecode.training import TrainConfig, TrainedModel, predict
from eegdecode.training.eeg2video import (
    fit_glmnet,
    glmnet_embeddings,
    save_stage,
    train_clip_classifier,
    train_dynamic,
    train_glmnet,
    train_semantic,
    train_seq2seq,
)
from eegdecode.training.presentation import to_class_order

DEMO = Protocol(sfreq=200.0, n_blocks=4, n_concepts=8, clips_per_concept=5, hint_s=3.0, clip_s=2.0)
OCCIPITAL = list(range(50, 62))


def _windows(strength, subject=1):
    plan = plan_demo(DEMO, seed=0)
    eeg = make_demo_eeg(plan, 62, OCCIPITAL, subject=subject, seed=0, signal_strength=strength)
    windows = sliding_windows(segment(eeg, DEMO), DEMO.sfreq, length_s=0.5, step_s=0.25)
    labels = np.broadcast_to((plan.labels - 1)[..., None], (4, 8, 5)).copy()
    return windows, de_psd(windows, DEMO.sfreq).de, labels


def _test_accuracy(trained, windows, de, labels):
    test = trained.block_split.test
    inputs = trained.inputs(windows[test].reshape(-1, 62, 100), de[test].reshape(-1, 62, 5))
    predicted = predict(trained.model, inputs).argmax(dim=1).numpy()
    return float((predicted == np.repeat(labels[test].ravel(), windows.shape[3])).mean())


def _seq2seq_retrieval(trained_glmnet, windows, de, labels):
    """Seq2Seq from the GLMNet's embeddings to concept-specific stand-in latents, as the design
    chains them: the share of test clips whose predicted latents are nearest to the mean latent
    of their own concept's test clips."""
    rng = np.random.default_rng(0)
    # Per concept a latent clip; each shown clip adds its own variation (position, count).
    concept_latents = rng.standard_normal((8, 6, 2, 2, 4)).astype(np.float32)
    latents = concept_latents[labels] + rng.standard_normal((4, 8, 5, 6, 2, 2, 4)).astype(
        np.float32
    )
    settings = {"source": "glmnet_embeddings", "standardize_targets": True, "d_model": 64,
                "n_heads": 4, "encoder_layers": 2, "decoder_layers": 4, "feedforward": 128,
                "dropout": 0.1, "decoding": "teacher_forcing", "official_token_offset": False,
                "seed": 0, "training": {"epochs": 30, "batch_size": 32, "lr": 2e-3,
                "scheduler": "cosine", "monitor": "train_loss", "keep": "last",
                "device": "cpu"}}  # fmt: skip
    result = train_seq2seq(
        glmnet_embeddings(trained_glmnet, windows, de), labels[:, :, 0] + 1,
        list(latents.reshape(4, 40, 6, 2, 2, 4)), settings=settings, test_block=-1,
    )  # fmt: skip
    predicted = result.predictions["latents"][0].reshape(8, 5, -1)  # presentation slots
    means = latents[3].reshape(8, 5, -1).mean(axis=1)
    nearest = ((predicted[:, :, None] - means[None, None]) ** 2).sum(-1).argmin(-1)
    return float((nearest == np.arange(8)[:, None]).mean())


@pytest.mark.slow
def test_glmnet_and_its_seq2seq_learn_the_planted_concepts_and_not_noise():
    # Measured with 8 epochs: 0.62 planted, 0.12 null (15 epochs took twice as long).
    config = TrainConfig(epochs=8, batch_size=200, optimizer="adam", lr=1e-3)
    split = BlockSplit.make(4, test_block=-1, validation=True)
    options = {
        "n_classes": 8,
        "local_channels": OCCIPITAL,
        "split": split,
        "train_config": config,
        "branch_dim": 32,
    }
    planted = fit_glmnet(*_windows(1.0), **options)
    null = fit_glmnet(*_windows(0.0), **options)
    assert _test_accuracy(planted, *_windows(1.0)) > 0.35  # chance 0.125
    assert _test_accuracy(null, *_windows(0.0)) < 0.25  # 95 % of chance runs on 40 test clips
    # Seq2Seq on the embeddings (the design's path): measured 0.50 planted, 0.10 null.
    assert _seq2seq_retrieval(planted, *_windows(1.0)) > 0.3
    assert _seq2seq_retrieval(null, *_windows(0.0)) < 0.25


def test_saved_glmnet_gives_the_same_embeddings(tmp_path):
    windows, de, labels = _windows(1.0)
    split = BlockSplit.make(4, test_block=-1, validation=True)
    trained = fit_glmnet(
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
    again = TrainedModel.load(tmp_path / "glmnet")
    np.testing.assert_array_equal(glmnet_embeddings(again, windows, de), embeddings)
    assert again.block_split == split


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
    honest = fit_glmnet(windows, de, labels, **options)
    other = fit_glmnet(poisoned_windows, poisoned_de, labels, **options)
    np.testing.assert_array_equal(honest.scalers["raw"].mean, other.scalers["raw"].mean)
    np.testing.assert_array_equal(honest.scalers["de"].scale, other.scalers["de"].scale)


def test_mismatched_inputs_are_named():
    windows, de, labels = _windows(1.0)
    with pytest.raises(
        ValueError,
        match=r"raw windows \(4, 8, 5, 7, 62, 100\), DE \(4, 8, 5, 6, 62, 5\) and labels",
    ):
        fit_glmnet(
            windows, de[:, :, :, :6], labels, n_classes=8, local_channels=OCCIPITAL,
            split=BlockSplit.make(4, test_block=-1, validation=True), train_config=TrainConfig(epochs=1),
        )  # fmt: skip


def _stage_data():
    rng = np.random.default_rng(0)
    n_blocks, n_concepts, n_reps, n_windows, n_chans = 4, 4, 3, 3, 8
    concept_labels = np.stack([rng.permutation(n_concepts) + 1 for _ in range(n_blocks)])
    shape = (n_blocks, n_concepts, n_reps)
    return {
        "concept_labels": concept_labels,
        "raw": rng.standard_normal((*shape, n_windows, n_chans, 100)).astype(np.float32),
        "de": rng.standard_normal((*shape, n_windows, n_chans, 5)).astype(np.float32),
        "clip_de": rng.standard_normal((*shape, n_chans, 5)).astype(np.float32),
        "text": [rng.standard_normal((12, 3, 4)).astype(np.float32) for _ in range(n_blocks)],
        "latents": [rng.standard_normal((12, 2, 2, 2, 3)).astype(np.float32) for _ in range(4)],
        "meta": {"optical_flow_score": rng.random((n_blocks, 12))},
        "frames": [rng.integers(0, 255, (12, 2, 8, 8, 3), dtype=np.uint8) for _ in range(4)],
    }


ONE_EPOCH = {"training": {"epochs": 1, "batch_size": 16, "device": "cpu"}, "seed": 0}
# Stages without a validation block keep the last epoch.
LAST_EPOCH = {**ONE_EPOCH, "training": {**ONE_EPOCH["training"], "monitor": "train_loss"}}


def test_stage_entry_points_predict_the_test_block_and_save_one_folder(tmp_path):
    data, labels = _stage_data(), _stage_data()["concept_labels"]
    settings = {**ONE_EPOCH, "task": "concept", "branch_dim": 8}
    glmnet = train_glmnet(
        data["raw"], data["de"], labels, {}, settings=settings, test_block=-1,
        local_channels=(6, 7),
    )  # fmt: skip
    assert glmnet.predictions is None and glmnet.trained.block_split.validation == 2
    semantic = train_semantic(
        data["clip_de"], labels, data["text"], test_block=2,
        settings={**LAST_EPOCH, "target": "first_clip", "hidden": [8]},
    )  # fmt: skip
    assert semantic.trained.block_split == BlockSplit.make(4, test_block=2, validation=False)
    assert semantic.predictions["embeddings"][0].shape == (4, 3, 3, 4)
    np.testing.assert_array_equal(semantic.concept_labels, labels[1])
    dynamic = train_dynamic(
        data["de"], labels, data["meta"], settings={**ONE_EPOCH, "emb_dim": 8}, test_block=4,
        local_channels=(6, 7),
    )  # fmt: skip
    assert sorted(dynamic.predictions) == ["fast", "probability", "true_fast"]
    architecture = {"d_model": 8, "n_heads": 2, "encoder_layers": 1, "decoder_layers": 1,
                    "feedforward": 8, "dropout": 0.0, "decoding": "autoregressive",
                    "official_token_offset": False, "source": "raw_windows",
                    "standardize_targets": True}  # fmt: skip
    block_labels = list(labels)
    seq2seq = train_seq2seq(
        data["raw"], labels, data["latents"], block_labels, settings={**LAST_EPOCH, **architecture},
        test_block=4,
    )  # fmt: skip
    assert seq2seq.predictions["latents"][0].shape == (4, 3, 2, 2, 2, 3)
    assert seq2seq.trained.model.config.source == "raw_windows"
    design = {**architecture, "source": "glmnet_embeddings", "decoding": "teacher_forcing"}
    embeddings = glmnet_embeddings(glmnet.trained, data["raw"], data["de"])
    from_embeddings = train_seq2seq(
        embeddings, labels, data["latents"], block_labels, settings={**LAST_EPOCH, **design},
        test_block=4,
    )  # fmt: skip
    assert from_embeddings.trained.model.config.n_features == embeddings.shape[-1] == 16
    assert from_embeddings.predictions["latents"][0].shape == (4, 3, 2, 2, 2, 3)
    clips = train_clip_classifier(
        data["frames"], block_labels, settings={**ONE_EPOCH, "channels": [4]}, test_block=4
    )
    assert clips.trained.block_split.train == (0, 1)
    with pytest.raises(ValueError, match=r"block file 2 presents the concepts in the order"):
        train_seq2seq(
            data["raw"], labels, data["latents"], [labels[0]] * 4,
            settings={**LAST_EPOCH, **architecture}, test_block=4,
        )  # fmt: skip

    outputs = {name: tmp_path / name for name in ("model", "metrics.csv", "curves.png", "p.h5")}
    save_stage(
        semantic, model=outputs["model"], metrics=outputs["metrics.csv"],
        curves=outputs["curves.png"], predictions=outputs["p.h5"], title="Semantic",
        producer="train_semantic", subject=1, parameters={"target": "first_clip"},
    )  # fmt: skip
    assert all(path.exists() for path in outputs.values())
    predicted = read_array(outputs["p.h5"], "embeddings", axes=("class", "rep", "token", "feature"))
    np.testing.assert_array_equal(
        predicted.data, to_class_order(semantic.predictions["embeddings"][0], labels[1])
    )
    again = TrainedModel.load(outputs["model"])
    test = data["clip_de"][1].reshape(-1, 8, 5)
    np.testing.assert_array_equal(again.predict(test), semantic.trained.predict(test))
    with pytest.raises(ValueError, match="No predictions were made to write to"):
        save_stage(glmnet, model=tmp_path / "glmnet", predictions=tmp_path / "nothing.h5")
