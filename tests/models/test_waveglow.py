import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from eegdecode.models.waveglow import (
    WaveGlow,
    WaveGlowConfig,
    build_tiny_waveglow,
    load_waveglow_checkpoint,
)

TINY = WaveGlowConfig(n_mel_channels=10, n_flows=6, wn_layers=2, wn_channels=8,
                      upsample_kernel=16, upsample_stride=4)  # fmt: skip


def _tiny_model():
    torch.manual_seed(0)
    model = WaveGlow(TINY)
    # The couplings start as the identity; make them act so that inversion is really tested.
    for coupling in model.WN:
        torch.nn.init.normal_(coupling.end.weight, std=0.1)
    return model.eval()


def test_audio_length_is_frames_times_hop():
    mel = torch.randn(2, 10, 12)
    audio = _tiny_model().infer(mel, generator=torch.Generator().manual_seed(0))
    assert audio.shape == (2, 12 * 4)


def test_decode_inverts_forward():
    model = _tiny_model().double()
    mel, audio = (
        torch.randn(2, 10, 12, dtype=torch.float64),
        torch.randn(2, 48, dtype=torch.float64),
    )
    with torch.no_grad():
        latents = model(mel, audio)
        assert [z.shape[1] for z in latents] == [2, 6]  # 2 left early at flow 4, 6 remain
        torch.testing.assert_close(model.decode(mel, latents), audio)


def test_published_checkpoint_layout_loads_to_the_same_vocoder(tmp_path):
    model = _tiny_model()
    state = model.state_dict()
    # NVIDIA's layout: weight_g/weight_v pairs (not equal to the folded weights) and a module.
    # prefix; scaling v must not change the folded weight.
    checkpoint = {}
    for name, value in state.items():
        if name.startswith("WN.") and name.endswith(".weight") and ".end." not in name:
            checkpoint[f"module.{name}_v"] = 3.0 * value
            checkpoint[f"module.{name}_g"] = value.flatten(1).norm(dim=1).view(-1, 1, 1)
        else:
            checkpoint[f"module.{name}"] = value
    torch.save({"state_dict": checkpoint}, tmp_path / "waveglow.pth")
    save_file(state, tmp_path / "waveglow.safetensors")
    mel = torch.randn(1, 10, 8)
    expected = model.infer(mel, generator=torch.Generator().manual_seed(1))
    for name in ("waveglow.pth", "waveglow.safetensors"):
        loaded = load_waveglow_checkpoint(tmp_path / name, TINY)
        torch.testing.assert_close(loaded.infer(mel, generator=torch.Generator().manual_seed(1)),
                                   expected, rtol=1e-4, atol=1e-5)  # fmt: skip


def test_bad_checkpoints_are_refused(tmp_path):
    torch.save(_tiny_model(), tmp_path / "pickled.pt")
    with pytest.raises(ValueError, match="not a tensors-only checkpoint"):
        load_waveglow_checkpoint(tmp_path / "pickled.pt", TINY)
    save_file(_tiny_model().state_dict(), tmp_path / "tiny.safetensors")
    with pytest.raises(ValueError, match="does not fit WaveGlow"):
        load_waveglow_checkpoint(tmp_path / "tiny.safetensors")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_waveglow_checkpoint(tmp_path / "missing.pth")


def test_tiny_checkpoint_is_written_in_nvidias_layout_and_loads(tmp_path):
    folder = build_tiny_waveglow(tmp_path / "tiny-waveglow", seed=0)
    assert sorted(path.name for path in folder.iterdir()) == ["config.json", "waveglow.pt"]
    state = torch.load(folder / "waveglow.pt", weights_only=True)["state_dict"]
    assert all(name.startswith("module.") for name in state)
    assert "module.WN.0.in_layers.0.weight_g" in state and "module.WN.0.end.weight" in state
    config = WaveGlowConfig.from_nvidia_json(folder / "config.json")
    assert (config.n_flows, config.wn_channels, config.n_mel_channels) == (4, 16, 80)
    loaded = load_waveglow_checkpoint(folder / "waveglow.pt", config)
    torch.manual_seed(0)
    original = WaveGlow(config)  # the same seed gives the same random weights
    for coupling in original.WN:
        torch.nn.init.normal_(coupling.end.weight, std=0.05)
    for name, value in original.state_dict().items():
        torch.testing.assert_close(loaded.state_dict()[name], value, rtol=1e-5, atol=1e-6)


def test_a_config_json_that_is_not_waveglows_is_refused(tmp_path):
    (tmp_path / "config.json").write_text('{"model": "tacotron2"}')
    with pytest.raises(ValueError, match=r"is not a WaveGlow config\.json"):
        WaveGlowConfig.from_nvidia_json(tmp_path / "config.json")


def test_vocoder_checks_the_mel_settings_and_is_seeded(tmp_path):
    from eegdecode.models.vocoder import MelVocoder
    from eegdecode.signal import MelConfig

    folder = build_tiny_waveglow(tmp_path / "tiny", seed=0)
    mel = MelConfig()
    vocoder = MelVocoder.from_files(mel, folder / "waveglow.pt", folder / "config.json", seed=3)
    log_mel = np.log(np.random.default_rng(0).uniform(1e-3, 1.0, (20, 80))).astype(np.float32)
    audio = vocoder(log_mel)
    assert vocoder.name == "waveglow" and audio.shape == (20 * 256,) and audio.dtype == np.float32
    np.testing.assert_array_equal(audio, vocoder(log_mel))
    assert np.abs(audio).max() <= 1.0 and audio.std() > 0
    with pytest.raises(ValueError, match="expects 80 mel bins at a hop of 256"):
        MelVocoder.from_files(MelConfig(hop_length=200), folder / "waveglow.pt",
                              folder / "config.json")  # fmt: skip
    griffin = MelVocoder.from_files(mel, None, n_iter=4)
    assert griffin.name == "griffin_lim" and griffin(log_mel).shape == (19 * 256,)
