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
    with pytest.raises(ValueError, match="does not hold tensors, numbers and containers only"):
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


# NVIDIA DeepLearningExamples' WaveGlow (the torch-hub checkpoints), at a tiny size: its
# upsampling is fixed at kernel 1024, stride 256; everything else comes from "config".
DLE_CONFIG = {"n_mel_channels": 10, "n_flows": 6, "n_group": 8, "n_early_every": 4,
              "n_early_size": 2, "WN_config": {"n_layers": 3, "kernel_size": 3, "n_channels": 8}}  # fmt: skip


def _deep_learning_examples_state(seed=0):
    """Random weights under exactly the names and shapes DeepLearningExamples' WaveGlow saves:
    one weight-normalised conditioning conv per WN layer (``cond_layers.i``)."""
    generator = torch.Generator().manual_seed(seed)
    c, wn = DLE_CONFIG, DLE_CONFIG["WN_config"]
    n_mel, width, n_layers = c["n_mel_channels"], wn["n_channels"], wn["n_layers"]

    def randn(*shape, scale=0.1):  # float32, as the fp32 checkpoint
        return scale * torch.randn(*shape, generator=generator)

    state = {
        "upsample.weight": randn(n_mel, n_mel, 1024, scale=0.01),
        "upsample.bias": randn(n_mel),
    }
    remaining = c["n_group"]
    for k in range(c["n_flows"]):
        if k % c["n_early_every"] == 0 and k > 0:
            remaining -= c["n_early_size"]
        half = remaining // 2
        rotation = torch.linalg.qr(randn(remaining, remaining, scale=1.0))[0]
        state[f"convinv.{k}.conv.weight"] = rotation[:, :, None]

        def weight_normed(name, n_out, n_in, kernel, flow=k):
            state[f"WN.{flow}.{name}.bias"] = randn(n_out)
            state[f"WN.{flow}.{name}.weight_g"] = 0.5 + randn(n_out, 1, 1).abs()
            state[f"WN.{flow}.{name}.weight_v"] = randn(n_out, n_in, kernel)

        weight_normed("start", width, half, 1)
        for i in range(n_layers):
            weight_normed(f"in_layers.{i}", 2 * width, width, wn["kernel_size"])
            weight_normed(f"cond_layers.{i}", 2 * width, n_mel * c["n_group"], 1)
            weight_normed(f"res_skip_layers.{i}", 2 * width if i < n_layers - 1 else width,
                          width, 1)  # fmt: skip
        state[f"WN.{k}.end.weight"] = randn(2 * half, width, 1)
        state[f"WN.{k}.end.bias"] = randn(2 * half)
    return state


def _reference_decode(state, mel, latents):
    """DeepLearningExamples' inference, computed directly from its per-layer weights (weight
    norm by torch's own ``_weight_norm``) in float64, on given latents instead of fresh noise."""
    from torch.nn import functional as F

    state = {name: tensor.double() for name, tensor in state.items()}

    c, wn = DLE_CONFIG, DLE_CONFIG["WN_config"]
    width, n_group = wn["n_channels"], c["n_group"]

    def conv(x, name, **options):
        weight = (torch._weight_norm(state[f"{name}.weight_v"], state[f"{name}.weight_g"], 0)
                  if f"{name}.weight_v" in state else state[f"{name}.weight"])  # fmt: skip
        return F.conv1d(x, weight, state[f"{name}.bias"], **options)

    spect = F.conv_transpose1d(mel, state["upsample.weight"], state["upsample.bias"], stride=256)
    spect = spect[:, :, : -(1024 - 256)]
    spect = spect.unfold(2, n_group, n_group).permute(0, 2, 1, 3)
    spect = spect.reshape(len(mel), spect.shape[1], -1).permute(0, 2, 1)
    early, audio = list(latents[:-1]), latents[-1]
    for k in reversed(range(c["n_flows"])):
        half = audio.shape[1] // 2
        x, skips = conv(audio[:, :half], f"WN.{k}.start"), 0
        for i in range(wn["n_layers"]):
            dilation = 2**i
            acts = conv(x, f"WN.{k}.in_layers.{i}", dilation=dilation,
                        padding=dilation * (wn["kernel_size"] - 1) // 2)  # fmt: skip
            acts = acts + conv(spect, f"WN.{k}.cond_layers.{i}")
            acts = torch.tanh(acts[:, :width]) * torch.sigmoid(acts[:, width:])
            res_skip = conv(acts, f"WN.{k}.res_skip_layers.{i}")
            if i < wn["n_layers"] - 1:
                x, skips = x + res_skip[:, :width], skips + res_skip[:, width:]
            else:
                skips = skips + res_skip
        output = conv(skips, f"WN.{k}.end")
        unscaled = (audio[:, half:] - output[:, :half]) / torch.exp(output[:, half:])
        audio = torch.cat([audio[:, :half], unscaled], dim=1)
        inverse = torch.linalg.inv(state[f"convinv.{k}.conv.weight"].squeeze(-1))
        audio = F.conv1d(audio, inverse[:, :, None])
        if k % c["n_early_every"] == 0 and k > 0:
            audio = torch.cat([early.pop(), audio], dim=1)
    return audio.permute(0, 2, 1).reshape(len(mel), -1)


def test_a_deep_learning_examples_checkpoint_loads_and_vocodes_as_its_own_layers(tmp_path):
    state = _deep_learning_examples_state()
    # The torch-hub file: no extension, a DistributedDataParallel prefix, its hyper-parameters.
    path = tmp_path / "nvidia_waveglowpyt_fp32_20190427"
    torch.save({"state_dict": {f"module.{name}": t for name, t in state.items()},
                "config": DLE_CONFIG, "iteration": 1000}, path)  # fmt: skip
    model = load_waveglow_checkpoint(path).double()
    assert model.config == WaveGlowConfig(n_mel_channels=10, n_flows=6, wn_layers=3,
                                          wn_channels=8)  # fmt: skip
    mel = torch.randn(2, 10, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    latents = model._noise(mel, 0.6, torch.Generator().manual_seed(3))
    torch.testing.assert_close(model.decode(mel, latents), _reference_decode(state, mel, latents))
    audio = model.infer(mel, generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(audio, _reference_decode(state, mel, latents))
    assert audio.shape == (2, 5 * 256) and audio.abs().max() > 0

    with pytest.raises(ValueError, match=r"contradicts the configured .*waveglow_config"):
        load_waveglow_checkpoint(path, WaveGlowConfig(n_mel_channels=10, n_flows=6))
    del state["WN.3.cond_layers.1.bias"], state["WN.3.cond_layers.1.weight_g"]
    del state["WN.3.cond_layers.1.weight_v"]
    torch.save({"state_dict": state, "config": DLE_CONFIG}, tmp_path / "holed.pth")
    with pytest.raises(ValueError, match=r"WN.3.cond_layers has layers \[0, 2\], not 0..n-1"):
        load_waveglow_checkpoint(tmp_path / "holed.pth")
