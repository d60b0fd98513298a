"""The video UNet has Tune-A-Video's structure and reads and writes its folders."""

import json

import numpy as np
import pytest
import torch

from eegdecode.diffusion import VideoUNet, finetune_video_diffusion, load_video_diffusion
from eegdecode.diffusion.video_unet import ClipGroupNorm, VideoTransformerBlock

from .test_video_unet import PROTOCOL, _block_files

# Keys of Tune-A-Video's UNet3DConditionModel config (its __init__'s arguments).
TUNE_A_VIDEO_CONFIG_KEYS = (
    "sample_size", "in_channels", "out_channels", "center_input_sample", "flip_sin_to_cos",
    "freq_shift", "down_block_types", "mid_block_type", "up_block_types",
    "only_cross_attention", "block_out_channels", "layers_per_block", "downsample_padding",
    "mid_block_scale_factor", "act_fn", "norm_num_groups", "norm_eps", "cross_attention_dim",
    "attention_head_dim", "dual_cross_attention", "use_linear_projection", "class_embed_type",
    "num_class_embeds", "upcast_attention", "resnet_time_scale_shift",
)  # fmt: skip
# Names as Tune-A-Video's save_pretrained writes them, for the tiny UNet's two levels.
TUNE_A_VIDEO_NAMES = (
    "conv_in.weight",
    "time_embedding.linear_1.weight",
    "down_blocks.0.resnets.0.norm1.weight",
    "down_blocks.0.attentions.0.norm.weight",
    "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight",
    "down_blocks.0.attentions.0.transformer_blocks.0.attn_temp.to_out.0.weight",
    "down_blocks.0.attentions.0.transformer_blocks.0.norm_temp.bias",
    "down_blocks.0.attentions.0.transformer_blocks.0.ff.net.0.proj.weight",
    "down_blocks.0.downsamplers.0.conv.weight",
    "down_blocks.0.downsamplers.0.Conv2d_0.weight",
    "mid_block.attentions.0.transformer_blocks.0.attn_temp.to_q.weight",
    "up_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight",
    "conv_norm_out.weight",
)


def _random_weights(model: VideoUNet, seed: int) -> dict[str, torch.Tensor]:
    """Every weight of ``model`` redrawn, temporal ones non-zero, so that each one matters."""
    generator = torch.Generator().manual_seed(seed)
    return {
        name: 0.2 * torch.randn(value.shape, generator=generator)
        for name, value in model.unet.state_dict().items()
    }


def _write_tune_a_video_folder(folder, tiny_sd, *, seed=1):
    """A UNet folder as Tune-A-Video (diffusers 0.11) saves one: config.json and a .bin."""
    reference = VideoUNet.from_stable_diffusion(tiny_sd)
    weights = _random_weights(reference, seed)
    reference.unet.load_state_dict(weights)
    image_config = json.loads((tiny_sd / "unet" / "config.json").read_text())
    config = {key: image_config[key] for key in TUNE_A_VIDEO_CONFIG_KEYS}
    config["down_block_types"] = ["CrossAttnDownBlock3D", "DownBlock3D"]
    config["mid_block_type"] = "UNetMidBlock3DCrossAttn"
    config["up_block_types"] = ["UpBlock3D", "CrossAttnUpBlock3D"]
    config.update(_class_name="UNet3DConditionModel", _diffusers_version="0.11.1")
    state = dict(weights)
    # diffusers 0.11 registers each downsampler's conv twice and saves it under both names.
    for name, value in weights.items():
        if ".downsamplers." in name:
            state[name.replace(".conv.", ".Conv2d_0.")] = value
    assert set(TUNE_A_VIDEO_NAMES) <= set(state)
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps(config))
    torch.save(state, folder / "diffusion_pytorch_model.bin")
    return folder, reference.eval()


def test_a_transformer_block_runs_attention_cross_attention_feed_forward_then_time():
    from diffusers.models.attention import BasicTransformerBlock

    torch.manual_seed(0)
    block = VideoTransformerBlock(BasicTransformerBlock(16, 2, 8, cross_attention_dim=12)).eval()
    torch.nn.init.normal_(block.attn_temp.to_out[0].weight)
    torch.nn.init.normal_(block.norm_temp.weight)
    n_clips, n_frames, length = 2, 3, 5
    hidden, text = torch.randn(n_clips * n_frames, length, 16), torch.randn(6, 7, 12)
    with torch.no_grad():
        out = block(hidden, encoder_hidden_states=text,
                    cross_attention_kwargs={"num_frames": n_frames})  # fmt: skip
        # Tune-A-Video's BasicTransformerBlock.forward, one step at a time.
        h = hidden + block.attn1(block.norm1(hidden), num_frames=n_frames)
        h = h + block.attn2(block.norm2(h), encoder_hidden_states=text)
        h = h + block.ff(block.norm3(h))
        expected = h.clone()
        for clip in range(n_clips):
            frames = slice(clip * n_frames, (clip + 1) * n_frames)
            for position in range(length):
                sequence = h[frames, position][None]  # (1, frames, channels)
                expected[frames, position] = (
                    sequence + block.attn_temp(block.norm_temp(sequence))
                )[0]
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=1e-5)


def test_clip_group_norm_pools_its_statistics_over_the_frames():
    torch.manual_seed(0)
    norm = torch.nn.GroupNorm(2, 6, eps=1e-6)
    torch.nn.init.normal_(norm.weight), torch.nn.init.normal_(norm.bias)
    clip_norm = ClipGroupNorm.adopt(norm)
    assert clip_norm.weight is norm.weight and clip_norm.bias is norm.bias
    n_clips, n_frames = 2, 4
    frames = torch.randn(n_clips * n_frames, 6, 3, 5) * torch.arange(1, 9).view(-1, 1, 1, 1)
    clip_norm.num_frames = n_frames
    with torch.no_grad():
        out = clip_norm(frames).numpy()
    # numpy: per clip and group of 3 channels, the mean and variance over frames, channels
    # and pixels together.
    x = frames.numpy().reshape(n_clips, n_frames, 2, 3, 3, 5)
    mean = x.mean(axis=(1, 3, 4, 5), keepdims=True)
    variance = x.var(axis=(1, 3, 4, 5), keepdims=True)
    normalised = ((x - mean) / np.sqrt(variance + 1e-6)).reshape(n_clips * n_frames, 6, 3, 5)
    expected = normalised * norm.weight.detach().numpy()[:, None, None] + norm.bias.detach(
    ).numpy()[:, None, None]  # fmt: skip
    np.testing.assert_allclose(out, expected, atol=1e-5)
    clip_norm.num_frames = 1
    with torch.no_grad():
        torch.testing.assert_close(clip_norm(frames), norm(frames))


def test_resnet_and_output_norms_span_the_clip_and_transformer_norms_the_frame(tiny_sd):
    unet = VideoUNet.from_stable_diffusion(tiny_sd)
    norms = {name: type(module) for name, module in unet.unet.named_modules()
             if isinstance(module, torch.nn.GroupNorm)}  # fmt: skip
    clip = {name for name, kind in norms.items() if kind is ClipGroupNorm}
    assert "conv_norm_out" in clip and "down_blocks.0.resnets.0.norm1" in clip
    assert clip == {name for name in norms if ".attentions." not in name}
    assert "mid_block.attentions.0.norm" in set(norms) - clip


def test_a_tune_a_video_folder_loads_and_computes_what_its_weights_say(tiny_sd, tmp_path):
    folder, reference = _write_tune_a_video_folder(tmp_path / "unet", tiny_sd)
    loaded = VideoUNet.from_pretrained(folder).eval()
    written = torch.load(folder / "diffusion_pytorch_model.bin", weights_only=True)
    for name, value in loaded.unet.state_dict().items():
        torch.testing.assert_close(value, written[name], rtol=0, atol=0, msg=name)
    torch.manual_seed(0)
    sample, text = torch.randn(2, 4, 3, 8, 16), torch.randn(2, 77, 32)
    with torch.no_grad():
        out = loaded(sample, torch.tensor([10, 500]), text)
        # The same weights placed by name into a UNet inflated from the SD folder.
        torch.testing.assert_close(out, reference(sample, torch.tensor([10, 500]), text))
        # The temporal layers and the clip-wide norms are at work: frames are not independent.
        shuffled = loaded(sample[:, :, [1, 0, 2]], torch.tensor([10, 500]), text)
    assert out.shape == sample.shape
    assert not torch.allclose(shuffled[:, :, 2], out[:, :, 2], atol=1e-4)


def test_a_saved_video_unet_is_a_tune_a_video_folder(tiny_sd, tmp_path):
    unet = VideoUNet.from_stable_diffusion(tiny_sd)
    unet.unet.load_state_dict(_random_weights(unet, 2))
    unet.save_pretrained(tmp_path / "unet")
    config = json.loads((tmp_path / "unet" / "config.json").read_text())
    assert config["_class_name"] == "UNet3DConditionModel"
    assert config["down_block_types"] == ["CrossAttnDownBlock3D", "DownBlock3D"]
    assert config["mid_block_type"] == "UNetMidBlock3DCrossAttn"
    assert sorted(p.name for p in (tmp_path / "unet").iterdir()) == [
        "config.json", "diffusion_pytorch_model.safetensors"
    ]  # fmt: skip
    again = VideoUNet.from_pretrained(tmp_path / "unet")
    for (name, a), b in zip(unet.unet.state_dict().items(), again.unet.state_dict().values(),
                            strict=True):  # fmt: skip
        torch.testing.assert_close(a, b, rtol=0, atol=0, msg=name)


class _NotATensor:
    pass


def test_folders_that_are_not_tune_a_video_unets_are_refused(tiny_sd, tmp_path):
    folder, _ = _write_tune_a_video_folder(tmp_path / "unet", tiny_sd)
    config = json.loads((folder / "config.json").read_text())

    (folder / "config.json").write_text(
        json.dumps(dict(config, _class_name="UNet2DConditionModel"))
    )
    with pytest.raises(ValueError, match="not Tune-A-Video's 'UNet3DConditionModel'"):
        VideoUNet.from_pretrained(folder)
    (folder / "config.json").write_text(json.dumps(config))

    state = torch.load(folder / "diffusion_pytorch_model.bin", weights_only=True)
    torch.save({k: v for k, v in state.items() if "attn_temp" not in k},
               folder / "diffusion_pytorch_model.bin")  # fmt: skip
    with pytest.raises(ValueError, match=r"do not fit the UNet .* missing \(e\.g\. \[.*attn_temp"):
        VideoUNet.from_pretrained(folder)

    torch.save({"model": _NotATensor()}, folder / "diffusion_pytorch_model.bin")
    with pytest.raises(
        ValueError,
        match=r"never unpickled further\. Save .* as diffusion_pytorch_model\.safetensors",
    ):
        VideoUNet.from_pretrained(folder)
    (folder / "diffusion_pytorch_model.bin").unlink()
    with pytest.raises(FileNotFoundError, match="holds neither"):
        VideoUNet.from_pretrained(folder)


def test_fine_tuning_can_start_from_a_published_unet_and_keep_it(tiny_sd, tmp_path):
    folder, reference = _write_tune_a_video_folder(tmp_path / "published", tiny_sd)
    paths = _block_files(tmp_path)
    history = finetune_video_diffusion(
        paths["latents"], paths["text"], tiny_sd, tmp_path / "model", protocol=PROTOCOL,
        clips_per_concept=2, training={"steps": 0, "device": "cpu"}, unet=folder,
    )  # fmt: skip
    assert history == []
    unet, _, _ = load_video_diffusion(tmp_path / "model")
    for (name, a), b in zip(reference.unet.state_dict().items(), unet.unet.state_dict().values(),
                            strict=True):  # fmt: skip
        torch.testing.assert_close(a, b, rtol=0, atol=0, msg=name)
    # One step moves it.
    finetune_video_diffusion(
        paths["latents"], paths["text"], tiny_sd, tmp_path / "tuned", protocol=PROTOCOL,
        clips_per_concept=2, training={"steps": 1, "lr": 1e-2, "device": "cpu"}, unet=folder,
    )  # fmt: skip
    tuned, _, _ = load_video_diffusion(tmp_path / "tuned")
    name = "down_blocks.0.attentions.0.transformer_blocks.0.attn_temp.to_q.weight"
    assert not torch.equal(tuned.unet.state_dict()[name], reference.unet.state_dict()[name])
