import json
import shutil

import pytest

from eegdecode.stimulus import (
    STABLE_DIFFUSION_PARTS,
    check_stable_diffusion_folder,
    load_text_encoder,
    load_vae,
)


def test_tiny_folder_has_the_stable_diffusion_layout(tiny_sd):
    for part, names in STABLE_DIFFUSION_PARTS.items():
        for name in names:
            assert (tiny_sd / part / name).is_file(), f"{part}/{name}"
    assert not list(tiny_sd.rglob("*.bin")), "weights must be safetensors only"
    index = json.loads((tiny_sd / "model_index.json").read_text())
    assert index["vae"] == ["diffusers", "AutoencoderKL"]
    assert index["unet"] == ["diffusers", "UNet2DConditionModel"]
    assert index["text_encoder"] == ["transformers", "CLIPTextModel"]
    assert index["scheduler"] == ["diffusers", "PNDMScheduler"]
    vae = json.loads((tiny_sd / "vae/config.json").read_text())
    assert vae["scaling_factor"] == 0.18215 and vae["latent_channels"] == 4
    assert len(vae["block_out_channels"]) == 4  # 8× downsampling, as SD's VAE
    assert sum(p.stat().st_size for p in tiny_sd.rglob("*") if p.is_file()) < 10_000_000


def test_missing_folder_says_how_to_fix_it(tmp_path):
    with pytest.raises(
        FileNotFoundError,
        match=r"'.*nowhere' does not exist. Point pretrained.stable_diffusion at a local copy",
    ):
        check_stable_diffusion_folder(tmp_path / "nowhere")


def test_incomplete_folder_lists_what_is_missing(tiny_sd, tmp_path):
    copy = shutil.copytree(tiny_sd, tmp_path / "sd")
    (copy / "vae/diffusion_pytorch_model.safetensors").unlink()
    shutil.rmtree(copy / "tokenizer")
    with pytest.raises(FileNotFoundError) as error:
        check_stable_diffusion_folder(copy)
    message = str(error.value)
    assert (
        "missing: vae/diffusion_pytorch_model.safetensors, tokenizer/vocab.json, tokenizer/merges.txt, tokenizer/tokenizer_config.json"
        in message
    )
    assert "Weights must be safetensors" in message
    with pytest.raises(FileNotFoundError, match=r"vae/diffusion_pytorch_model\.safetensors"):
        load_vae(copy)
    # Parts that are complete still load.
    check_stable_diffusion_folder(copy, ["unet", "scheduler", "text_encoder"])


def test_pickled_weights_are_not_accepted(tiny_sd, tmp_path):
    copy = shutil.copytree(tiny_sd, tmp_path / "sd")
    weights = copy / "text_encoder/model.safetensors"
    weights.rename(weights.with_name("pytorch_model.bin"))
    with pytest.raises(FileNotFoundError, match=r"missing: text_encoder/model\.safetensors"):
        load_text_encoder(copy)


def test_tokenizer_loads_from_the_original_vocab_and_merges(tiny_sd, tmp_path):
    # SD 1.4 as published has vocab.json and merges.txt but no tokenizer.json.
    copy = shutil.copytree(tiny_sd, tmp_path / "sd")
    (copy / "tokenizer/tokenizer.json").unlink(missing_ok=True)
    original, _ = load_text_encoder(copy)
    current, _ = load_text_encoder(tiny_sd)
    caption = ["red circle: two moving slowly left on a dark background"]
    assert original(caption).input_ids == current(caption).input_ids
    assert original.model_max_length == 77
