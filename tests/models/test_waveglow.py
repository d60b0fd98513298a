import pytest
import torch
from safetensors.torch import save_file

from eegdecode.models.waveglow import WaveGlow, WaveGlowConfig, load_waveglow_checkpoint

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


def _weight_normed(state):
    """The layout of NVIDIA's checkpoints: weight_g/weight_v pairs, a module. prefix."""
    converted = {}
    for name, value in state.items():
        if name.startswith("WN.") and name.endswith(".weight") and ".end." not in name:
            v = 3.0 * value
            converted[f"module.{name}_v"] = v
            converted[f"module.{name}_g"] = value.flatten(1).norm(dim=1).view(-1, 1, 1)
        else:
            converted[f"module.{name}"] = value
    return converted


def test_published_checkpoint_layout_loads_to_the_same_vocoder(tmp_path):
    model = _tiny_model()
    state = _weight_normed(model.state_dict())
    assert any(name.endswith("weight_g") for name in state)
    torch.save({"state_dict": state}, tmp_path / "waveglow.pth")
    save_file(model.state_dict(), tmp_path / "waveglow.safetensors")
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
