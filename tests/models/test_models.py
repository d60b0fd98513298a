import json

import numpy as np
import pytest
import torch

from eegdecode.models import (
    EEGLSTMEncoder,
    EEGLSTMEncoderConfig,
    GLFNetMLP,
    GLFNetMLPConfig,
    MLPNet,
    MLPNetConfig,
)


def _n_parameters(model):
    return sum(p.numel() for p in model.parameters())


def _linear(n_in, n_out):
    return n_in * n_out + n_out


def test_mlpnet_shape_and_size():
    model = MLPNet(MLPNetConfig(n_inputs=310, n_outputs=40))
    assert model(torch.randn(3, 62, 5)).shape == (3, 40)
    assert _n_parameters(model) == _linear(310, 512) + _linear(512, 256) + _linear(256, 40)


def test_glfnet_mlp_shape_and_size():
    model = GLFNetMLP(GLFNetMLPConfig(n_chans=62, n_outputs=40))
    assert model(torch.randn(3, 62, 5)).shape == (3, 40)
    branch = _linear(512, 256) + _linear(256, 64)
    expected = _linear(310, 512) + branch + _linear(60, 512) + branch + _linear(128, 40)
    assert _n_parameters(model) == expected == 491_176


def test_glfnet_mlp_local_branch_reads_only_the_local_channels():
    model = GLFNetMLP(GLFNetMLPConfig(n_chans=8, n_outputs=3, local_channels=(6, 7))).eval()
    seen = []
    model.local_branch.register_forward_hook(lambda module, inputs, output: seen.append(inputs[0]))
    x = torch.randn(4, 8, 5)
    model(x)
    torch.testing.assert_close(seen[0], x[:, 6:], rtol=0, atol=0)


@pytest.mark.parametrize(
    ("model_class", "config"),
    [
        (MLPNet, MLPNetConfig(n_inputs=20, n_outputs=3)),
        (GLFNetMLP, GLFNetMLPConfig(n_chans=4, n_outputs=3, local_channels=(2, 3))),
        (EEGLSTMEncoder, EEGLSTMEncoderConfig(n_channels=4, hidden_size=8, embedding_dim=6)),
    ],
)
def test_save_and_load_round_trip(tmp_path, model_class, config):
    torch.manual_seed(1)
    model = model_class(config).eval()
    model.save_pretrained(tmp_path / "model")
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == [
        "config.json",
        "model.safetensors",
    ]
    loaded = model_class.from_pretrained(tmp_path / "model").eval()
    assert loaded.config == config
    x = torch.randn(5, 4, 5)
    torch.testing.assert_close(loaded(x), model(x), rtol=0, atol=0)


def test_loading_rejects_unknown_keys_and_other_models(tmp_path):
    MLPNet(MLPNetConfig(n_inputs=10, n_outputs=2)).save_pretrained(tmp_path / "model")
    with pytest.raises(ValueError, match=r"holds a 'MLPNet', not a GLFNetMLP"):
        GLFNetMLP.from_pretrained(tmp_path / "model")
    document = json.loads((tmp_path / "model/config.json").read_text())
    document["config"]["n_hidden"] = 3
    (tmp_path / "model/config.json").write_text(json.dumps(document))
    with pytest.raises(ValueError, match=r"Unknown MLPNetConfig keys \['n_hidden'\]"):
        MLPNet.from_pretrained(tmp_path / "model")
    with pytest.raises(FileNotFoundError, match=r"lacks \['config.json', 'model.safetensors'\]"):
        MLPNet.from_pretrained(tmp_path / "nothing")


def test_local_channels_must_exist():
    with pytest.raises(ValueError, match=r"local_channels must index 0..61, got \[60, 62\]"):
        GLFNetMLPConfig(n_chans=62, n_outputs=2, local_channels=(60, 62))


def test_shallownet_takes_any_window_length():
    from eegdecode.models import ShallowNet, ShallowNetConfig

    for n_times in (100, 200, 400):
        model = ShallowNet(ShallowNetConfig(n_chans=62, n_outputs=40, n_times=n_times))
        assert model(torch.randn(2, 62, n_times)).shape == (2, 40)
    # conv 1→40 (1×25), conv 40→40 (62×1), BatchNorm(40), linear 40·26 → 40
    assert _n_parameters(model) == (25 * 40 + 40) + (40 * 40 * 62 + 40) + 2 * 40 + _linear(
        40 * 26, 40
    )
    with pytest.raises(ValueError, match="n_times=20 is shorter than temporal_kernel=25"):
        ShallowNetConfig(n_chans=62, n_outputs=2, n_times=20)


def test_glmnet_embedding_and_round_trip(tmp_path):
    from eegdecode.models import GLMNet, GLMNetConfig

    model = GLMNet(GLMNetConfig(n_chans=62, n_outputs=9, n_times=100)).eval()
    raw, de = torch.randn(3, 62, 100), torch.randn(3, 62, 5)
    assert model.embed(raw, de).shape == (3, 512)
    assert model(raw, de).shape == (3, 9)
    model.save_pretrained(tmp_path / "glmnet")
    loaded = GLMNet.from_pretrained(tmp_path / "glmnet").eval()
    torch.testing.assert_close(loaded.embed(raw, de), model.embed(raw, de), rtol=0, atol=0)
    assert loaded.config.local_channels == tuple(range(50, 62))


def test_seq2seq_shapes_and_eegnet_embedding():
    from eegdecode.models import Seq2Seq, Seq2SeqConfig

    config = Seq2SeqConfig(
        n_windows=7, n_frames=6, latent_size=20, source="raw_windows", n_chans=62, n_times=100,
        d_model=32, feedforward=64,
    )  # fmt: skip
    model = Seq2Seq(config).eval()
    # EEGNet: 16 maps × (100 // 4 // 8 = 3) steps = 48 values per window (spec §4.4)
    assert model.embedding.projection.in_features == 48
    assert model(torch.randn(2, 7, 62, 100)).shape == (2, 6, 20)
    with pytest.raises(ValueError, match="n_times=20 is too short for the EEGNet embedding"):
        Seq2SeqConfig(
            n_windows=7, n_frames=6, latent_size=20, source="raw_windows", n_chans=62, n_times=20
        )


def test_seq2seq_reads_glmnet_embeddings_through_a_linear_projection():
    from eegdecode.models import Seq2Seq, Seq2SeqConfig

    torch.manual_seed(0)
    model = Seq2Seq(
        Seq2SeqConfig(n_windows=7, n_frames=6, latent_size=20, n_features=512, d_model=32,
                      feedforward=64)
    ).eval()  # fmt: skip
    assert isinstance(model.embedding, torch.nn.Linear)
    assert model.embedding.in_features == 512
    embeddings = torch.randn(2, 7, 512)
    assert model(embeddings).shape == (2, 6, 20)
    # The tokens the encoder reads are the projected embeddings, window by window.
    seen = []
    model.transformer.encoder.register_forward_pre_hook(lambda module, args: seen.append(args[0]))
    model(embeddings)
    expected = embeddings @ model.embedding.weight.T + model.embedding.bias + model.positions[:7]
    torch.testing.assert_close(seen[0], expected)
    with pytest.raises(ValueError, match="n_features >= 1"):
        Seq2SeqConfig(n_windows=7, n_frames=6, latent_size=20)


def test_seq2seq_official_token_offset_predicts_frame_zero_from_the_bias():
    from eegdecode.models import Seq2Seq, Seq2SeqConfig

    options = {
        "source": "raw_windows",
        "n_chans": 8,
        "n_times": 64,
        "n_windows": 3,
        "n_frames": 4,
        "latent_size": 5,
        "d_model": 16,
        "feedforward": 32,
        "decoding": "autoregressive",
    }
    official = Seq2Seq(Seq2SeqConfig(**options, official_token_offset=True)).eval()
    frames = official(torch.randn(3, 3, 8, 64))
    torch.testing.assert_close(frames[:, 0], official.head.bias.expand(3, -1))
    fixed = Seq2Seq(Seq2SeqConfig(**options)).eval()
    first = fixed(torch.randn(3, 3, 8, 64))[:, 0]
    assert not torch.allclose(first, fixed.head.bias.expand(3, -1))


def test_seq2seq_round_trip(tmp_path):
    from eegdecode.models import Seq2Seq, Seq2SeqConfig

    model = Seq2Seq(
        Seq2SeqConfig(
            source="raw_windows",
            n_chans=8,
            n_times=64,
            n_windows=3,
            n_frames=2,
            latent_size=5,
            d_model=16,
            feedforward=32,
        )
    ).eval()
    model.save_pretrained(tmp_path / "seq2seq")
    x = torch.randn(2, 3, 8, 64)
    torch.testing.assert_close(
        Seq2Seq.from_pretrained(tmp_path / "seq2seq").eval()(x), model(x), rtol=0, atol=0
    )


def test_glfnet_on_raw_eeg(tmp_path):
    from eegdecode.models import GLFNet, GLFNetConfig

    model = GLFNet(GLFNetConfig(n_chans=62, n_outputs=40, n_times=200)).eval()
    assert model(torch.randn(2, 62, 200)).shape == (2, 40)
    seen = []
    model.local_branch.register_forward_hook(lambda module, inputs, output: seen.append(inputs[0]))
    x = torch.randn(2, 62, 200)
    model(x)
    torch.testing.assert_close(seen[0], x[:, 50:62], rtol=0, atol=0)
    model.save_pretrained(tmp_path / "glfnet")
    torch.testing.assert_close(
        GLFNet.from_pretrained(tmp_path / "glfnet").eval()(x), model(x), rtol=0, atol=0
    )


def _teacher_forced_seq2seq():
    from eegdecode.models import Seq2Seq, Seq2SeqConfig

    torch.manual_seed(0)
    config = Seq2SeqConfig(
        source="raw_windows", n_chans=8, n_times=64, n_windows=3, n_frames=4, latent_size=5,
        d_model=16, feedforward=32, decoding="teacher_forcing",
    )  # fmt: skip
    return Seq2Seq(config).eval()


def test_seq2seq_teacher_forcing_sees_only_earlier_true_frames():
    model = _teacher_forced_seq2seq()
    assert model.trains_with_targets
    windows, targets = torch.randn(2, 3, 8, 64), torch.randn(2, 4, 5)
    forced = model(windows, targets=targets)
    changed = targets.clone()
    changed[:, 2] += 1.0
    forced_changed = model(windows, targets=changed)
    # Frame i is decoded from true frames 0..i−1: changing frame 2 moves frame 3 only.
    torch.testing.assert_close(forced_changed[:, :3], forced[:, :3], rtol=0, atol=0)
    assert not torch.allclose(forced_changed[:, 3], forced[:, 3])


def test_seq2seq_teacher_forcing_predicts_by_feeding_back_its_own_frames():
    model = _teacher_forced_seq2seq()
    windows = torch.randn(2, 3, 8, 64)
    predicted = model(windows)
    # Fed its own predictions as if they were the truth, the one-pass decoder reproduces them.
    torch.testing.assert_close(model(windows, targets=predicted), predicted)


def test_seq2seq_official_offset_needs_autoregressive_decoding():
    from eegdecode.models import Seq2SeqConfig

    with pytest.raises(ValueError, match="cannot be combined with decoding='teacher_forcing'"):
        Seq2SeqConfig(
            n_windows=3, n_frames=4, latent_size=5, n_features=8, decoding="teacher_forcing",
            official_token_offset=True,
        )  # fmt: skip
    with pytest.raises(ValueError, match="decoding"):
        Seq2SeqConfig(n_windows=3, n_frames=4, latent_size=5, n_features=8, decoding="x")


def test_the_linear_mel_decoder_is_pca_then_least_squares(tmp_path):
    """Against scikit-learn's PCA and LinearRegression, the reference decoder's own classes."""
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LinearRegression

    from eegdecode.models import LinearMelDecoder
    from eegdecode.training import TrainedModel
    from eegdecode.training.linear_baseline import fit_linear_decoder

    rng = np.random.default_rng(0)
    features = rng.standard_normal((400, 30)) @ rng.standard_normal((30, 30)) + 3.0
    targets = features[:, :5] @ rng.standard_normal((5, 4)) + rng.normal(0, 0.1, (400, 4))
    trained = fit_linear_decoder(features[:300], targets[:300], n_components=8)
    mu, sigma = features[:300].mean(axis=0), features[:300].std(axis=0)
    pca = PCA().fit((features[:300] - mu) / sigma)
    project = pca.components_[:8].T  # the reference projects without re-centring
    regression = LinearRegression().fit((features[:300] - mu) / sigma @ project, targets[:300])
    expected = regression.predict((features[300:] - mu) / sigma @ project)
    np.testing.assert_allclose(trained.predict(features[300:]), expected, rtol=1e-4, atol=1e-4)
    reloaded = TrainedModel.load(trained.save(tmp_path / "baseline"))
    assert isinstance(reloaded.model, LinearMelDecoder)
    np.testing.assert_allclose(reloaded.predict(features[300:]), expected, rtol=1e-4, atol=1e-4)
    assert LinearMelDecoder.fit(features[:5], targets[:5], 50).config.n_components == 5


def test_the_lstm_encoder_pools_its_last_or_mean_output():
    x = torch.randn(3, 4, 9)
    for pooling in ("last", "mean"):
        torch.manual_seed(0)
        model = EEGLSTMEncoder(EEGLSTMEncoderConfig(n_channels=4, hidden_size=8, embedding_dim=6,
                                                    pooling=pooling))  # fmt: skip
        outputs, _ = model.lstm(x.transpose(1, 2))
        pooled = outputs[:, -1] if pooling == "last" else outputs.sum(1) / outputs.shape[1]
        torch.testing.assert_close(model(x), model.output(pooled))
    with pytest.raises(ValueError, match="pooling"):
        EEGLSTMEncoderConfig(pooling="max")
