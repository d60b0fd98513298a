"""One trained-model folder for every network: save and load are exact inverses."""

import json

import numpy as np
import pytest
import torch

from eegdecode.models import (
    CCNN,
    MODEL_CLASSES,
    AudioSeq2Seq,
    AudioSeq2SeqConfig,
    BiLSTM,
    BiLSTMConfig,
    CCNNConfig,
    EEGLSTMEncoder,
    EEGLSTMEncoderConfig,
    FaceEmotionHeads,
    FaceEmotionHeadsConfig,
    FrameClassifier,
    FrameClassifierConfig,
    GLFNet,
    GLFNetConfig,
    GLFNetMLP,
    GLFNetMLPConfig,
    GLMNet,
    GLMNetConfig,
    LinearMelDecoder,
    LinearMelDecoderConfig,
    MLPNet,
    MLPNetConfig,
    SaliencyDiscriminator,
    SaliencyDiscriminatorConfig,
    SaliencyGenerator,
    SaliencyGeneratorConfig,
    SemanticPredictor,
    SemanticPredictorConfig,
    Seq2Seq,
    Seq2SeqConfig,
    ShallowNet,
    ShallowNetConfig,
    SSTEmotionNet,
    SSTEmotionNetConfig,
)
from eegdecode.splits import BlockSplit
from eegdecode.training import Standardizer, TrainedModel

BLOCKS = BlockSplit.make(4, test_block=-1, validation=True).to_dict()
CHRONOLOGICAL = {"boundaries": [810, 900], "window": 40, "context": 40}
SUBJECTS = {"train_subjects": [1, 2, 3], "validation_subjects": [4]}
SMALL_SST = SSTEmotionNetConfig(spectral_depth=7, temporal_depth=7, spectral_growth_rate=4,
                                temporal_growth_rate=4, num_dense_block=1)  # fmt: skip
AUDIO = AudioSeq2SeqConfig(
    n_channels=6, n_frames=12, n_mels=10, hidden=16, encoder_layers=2, prenet_dim=16,
    postnet_channels=16, positional_dim=8, attention_filters=4,
)  # fmt: skip

# a model builder, then per input (name, sample shape, per-channel?), then targets' shape (None: unscaled)
NETWORKS = {
    "GLMNet": (
        lambda: GLMNet(GLMNetConfig(n_chans=8, n_outputs=3, n_times=100, local_channels=(6, 7), branch_dim=8)),
        [("raw", (8, 100), True), ("de", (8, 5), False)], None, BLOCKS,
    ),
    "SemanticPredictor": (
        lambda: SemanticPredictor(SemanticPredictorConfig(n_inputs=40, n_tokens=3, embedding_dim=4, hidden=(16,))),
        [("inputs", (8, 5), False)], (3, 4), BLOCKS,
    ),
    "GLFNetMLP": (
        lambda: GLFNetMLP(GLFNetMLPConfig(n_chans=8, n_outputs=2, local_channels=(6, 7), emb_dim=8)),
        [("inputs", (8, 5), False)], None, BLOCKS,
    ),
    "GLFNet": (
        lambda: GLFNet(GLFNetConfig(n_chans=8, n_outputs=3, n_times=40, local_channels=(6, 7), emb_dim=8)),
        [("inputs", (8, 40), False)], None, BLOCKS,
    ),
    "MLPNet": (lambda: MLPNet(MLPNetConfig(n_inputs=40, n_outputs=3, hidden=(8,))), [("inputs", (8, 5), False)], None, BLOCKS),
    "ShallowNet": (
        lambda: ShallowNet(ShallowNetConfig(n_chans=8, n_outputs=3, n_times=100, n_filters=4)),
        [("inputs", (8, 100), False)], None, BLOCKS,
    ),
    "Seq2Seq": (
        lambda: Seq2Seq(Seq2SeqConfig(n_windows=3, n_frames=2, latent_size=6, n_features=10,
                              d_model=16, n_heads=2, encoder_layers=1, decoder_layers=1, feedforward=16)),
        [("inputs", (3, 10), False)], (2, 6), BLOCKS,
    ),
    "AudioSeq2Seq": (lambda: AudioSeq2Seq(AUDIO), [("envelope", (6, 300), True)], None, CHRONOLOGICAL),
    "LinearMelDecoder": (
        lambda: LinearMelDecoder(LinearMelDecoderConfig(n_features=12, n_components=4, n_mels=5)),
        [("features", (12,), False)], None, CHRONOLOGICAL,
    ),
    "FrameClassifier": (
        lambda: FrameClassifier(FrameClassifierConfig(n_outputs=3, channels=(4, 8))),
        [("inputs", (16, 16, 3), False)], None, BLOCKS,
    ),
    "BiLSTM": (lambda: BiLSTM(BiLSTMConfig(n_scales=4, hidden_size=4)), [("inputs", (7, 4, 6), False)], None, SUBJECTS),
    "CCNN": (lambda: CCNN(CCNNConfig()), [("inputs", (4, 9, 9), False)], None, SUBJECTS),
    "EEGLSTMEncoder": (
        lambda: EEGLSTMEncoder(EEGLSTMEncoderConfig(n_channels=8, hidden_size=6, embedding_dim=4)),
        [("inputs", (8, 30), True)], None, BLOCKS,
    ),
    "SSTEmotionNet": (lambda: SSTEmotionNet(SMALL_SST), [("inputs", (36, 16, 16), False)], None, SUBJECTS),
    "FaceEmotionHeads": (
        lambda: FaceEmotionHeads(FaceEmotionHeadsConfig(in_features=16, main_hidden=(8, 4), auxiliary_hidden=4,
                                                        projection=(8, 4))),
        [("inputs", (16,), False)], None, SUBJECTS,
    ),
    "SaliencyGenerator": (
        lambda: SaliencyGenerator(SaliencyGeneratorConfig(embedding_dim=4, noise_dim=3, base_channels=4,
                                                          image_size=8)),
        [("embedding", (4,), False), ("noise", (3,), False)], None, BLOCKS,
    ),
    "SaliencyDiscriminator": (
        lambda: SaliencyDiscriminator(SaliencyDiscriminatorConfig(embedding_dim=4, base_channels=4, image_size=8)),
        [("images", (3, 8, 8), False), ("embedding", (4,), False)], None, BLOCKS,
    ),
}  # fmt: skip


def test_every_trainable_network_is_covered():
    assert set(NETWORKS) == set(MODEL_CLASSES) - {"WaveGlow"}  # WaveGlow is loaded, not trained


def _trained(name):
    torch.manual_seed(0)
    build, inputs, targets, split = NETWORKS[name]
    model = build()
    rng = np.random.default_rng(0)
    data = [rng.normal(3.0, 2.0, (10, *shape)).astype(np.float32) for _, shape, _ in inputs]
    scalers = {
        key: Standardizer.fit_channels(values) if channels else Standardizer.fit(values)
        for (key, _, channels), values in zip(inputs, data, strict=True)
    }
    if targets is not None:
        scalers["targets"] = Standardizer.fit(rng.normal(size=(10, *targets)))
    # How a model used outside the workflow prepares its inputs (the live cognitive-load model).
    features = {"sfreq": 128.0, "channel_names": ["F7", "F3"]} if name == "BiLSTM" else None
    return TrainedModel(model.eval(), scalers, split, features=features), data


def _outputs(trained, data):
    torch.manual_seed(1)  # the audio decoder's prenet keeps its dropout at inference
    return trained.predict(*data)


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_save_and_load_are_exact_inverses(tmp_path, name):
    trained, data = _trained(name)
    folder = trained.save(tmp_path / "model")
    assert sorted(p.name for p in folder.iterdir()) == [
        "config.json",
        "model.safetensors",
        "normalization.json",
    ]
    again = TrainedModel.load(folder)
    assert type(again.model) is type(trained.model)
    assert again.model.config == trained.model.config
    state, loaded = trained.model.state_dict(), again.model.state_dict()
    assert list(loaded) == list(state)
    for key in state:
        torch.testing.assert_close(loaded[key], state[key], rtol=0, atol=0)
    assert list(again.scalers) == list(trained.scalers)
    for key, scaler in trained.scalers.items():
        np.testing.assert_array_equal(again.scalers[key].mean, scaler.mean)
        np.testing.assert_array_equal(again.scalers[key].scale, scaler.scale)
    assert again.split == trained.split and again.fit is None
    assert again.features == trained.features
    assert again.input_names == trained.input_names
    np.testing.assert_array_equal(_outputs(again, data), _outputs(trained, data))
    # Saving what was loaded writes the same folder again.
    second = again.save(tmp_path / "again")
    for file in ("config.json", "normalization.json", "model.safetensors"):
        assert (second / file).read_bytes() == (folder / file).read_bytes()


def test_unscaled_inputs_and_the_block_split(tmp_path):
    trained, data = _trained("GLFNetMLP")
    trained.scalers["inputs"] = None
    again = TrainedModel.load(trained.save(tmp_path / "model"))
    assert again.scalers == {"inputs": None}
    assert again.block_split == BlockSplit.make(4, test_block=-1, validation=True)
    np.testing.assert_array_equal(again.predict(*data), trained.predict(*data))
    with pytest.raises(ValueError, match=r"takes 1 inputs \['inputs'\], got 2"):
        again.predict(data[0], data[0])


def test_incomplete_folders_are_named(tmp_path):
    trained, _ = _trained("MLPNet")
    folder = trained.save(tmp_path / "model")
    (folder / "normalization.json").unlink()
    with pytest.raises(FileNotFoundError, match=r"model' lacks \['normalization.json'\]"):
        TrainedModel.load(folder)
    folder = trained.save(tmp_path / "model")
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "model": "Nope"}))
    with pytest.raises(ValueError, match=r"names the model 'Nope'; known models are"):
        TrainedModel.load(folder)
    folder = trained.save(tmp_path / "model")
    (folder / "normalization.json").write_text(json.dumps({"inputs": {}}))
    with pytest.raises(ValueError, match=r"must hold 'scalers' and 'split', got \['inputs'\]"):
        TrainedModel.load(folder)
