"""The emotion and cognitive-load networks: published sizes, shapes, and a saved folder."""

import pytest
import torch

from eegdecode.models import (
    CCNN,
    MODEL_CLASSES,
    BiLSTM,
    BiLSTMConfig,
    CCNNConfig,
    SSTEmotionNet,
    SSTEmotionNetConfig,
)


def _n_parameters(model):
    return sum(p.numel() for p in model.parameters())


def _lstm_layer(n_in, hidden):
    """One direction of one LSTM layer: four gates, input and recurrent weights, two biases."""
    return 4 * (n_in * hidden + hidden * hidden + 2 * hidden)


@pytest.mark.parametrize(("n_channels", "expected"), [(7, 987_650), (14, 1_446_402)])
def test_bilstm_has_the_deployed_models_size(n_channels, expected):
    """7 channels: the deployed inference.onnx (3,956,820 bytes ≈ 987,650 floats)."""
    model = BiLSTM(BiLSTMConfig(n_channels=n_channels))
    by_formula = 2 * (_lstm_layer(n_channels * 64, 128) + _lstm_layer(256, 128)) + 256 * 2 + 2
    assert _n_parameters(model) == by_formula == expected


def test_bilstm_classifies_spectra_from_the_last_step():
    model = BiLSTM(BiLSTMConfig(hidden_size=8)).eval()
    x = torch.randn(2, 7, 64, 20)
    assert model(x).shape == (2, 2)
    changed = x.clone()
    changed[..., -1] += 1  # the last step reaches the output through the forward direction
    assert not torch.allclose(model(changed), model(x))
    with pytest.raises(ValueError, match=r"takes \(7 channels, 64 scales, time\) spectra"):
        model(torch.randn(2, 14, 64, 20))


def test_ccnn_has_torcheegs_size_and_keeps_the_grid():
    model = CCNN(CCNNConfig())
    convolutions = sum(a * b * 16 + b for a, b in [(4, 64), (64, 128), (128, 256), (256, 64)])
    assert _n_parameters(model) == convolutions + 64 * 81 * 1024 + 1024 + 1024 * 4 + 4
    assert _n_parameters(model) == 6_235_652
    assert model.features(torch.randn(3, 4, 9, 9)).shape == (3, 64 * 81)
    assert model(torch.randn(3, 4, 9, 9)).shape == (3, 4)


def test_sst_emotionnet_has_torcheegs_size():
    model = SSTEmotionNet(SSTEmotionNetConfig())
    assert _n_parameters(model) == 525_950
    assert model.eval()(torch.randn(2, 36, 16, 16)).shape == (2, 4)
    with pytest.raises(ValueError, match=r"4 spectral \+ 32 temporal maps \(36\), got 30"):
        model(torch.randn(2, 30, 16, 16))
    with pytest.raises(ValueError, match="3N \\+ 4"):
        SSTEmotionNetConfig(spectral_depth=15)


@pytest.mark.parametrize(
    ("config", "shape"),
    [
        (SSTEmotionNetConfig(spectral_depth=7, temporal_depth=7, spectral_growth_rate=4,
                             temporal_growth_rate=4, num_dense_block=1), (3, 36, 16, 16)),
        (CCNNConfig(), (3, 4, 9, 9)),
        (BiLSTMConfig(hidden_size=4, n_scales=8), (3, 7, 8, 16)),
    ],
)  # fmt: skip
def test_saved_folders_load_by_the_name_in_their_config(tmp_path, config, shape):
    torch.manual_seed(0)
    model_class = {SSTEmotionNetConfig: SSTEmotionNet, CCNNConfig: CCNN, BiLSTMConfig: BiLSTM}[
        type(config)
    ]
    model = model_class(config).eval()
    model.save_pretrained(tmp_path / "model")
    name = (tmp_path / "model/config.json").read_text()
    loaded = MODEL_CLASSES[model_class.__name__].from_pretrained(tmp_path / "model").eval()
    assert model_class.__name__ in name and loaded.config == config
    x = torch.randn(*shape)
    torch.testing.assert_close(loaded(x), model(x), rtol=0, atol=0)
