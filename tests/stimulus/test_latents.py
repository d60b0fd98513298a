import numpy as np
import pytest
import torch

from eegdecode.stimulus import decode_latents, encode_frames, load_vae


@pytest.fixture(scope="module")
def frames():
    rng = np.random.default_rng(1)
    return rng.integers(0, 256, (5, 6, 32, 48, 3), dtype=np.uint8)


def test_latent_shape_and_type(tiny_sd, frames):
    latents = encode_frames(frames, load_vae(tiny_sd), seed=0)
    assert latents.shape == (5, 6, 4, 4, 6) and latents.dtype == np.float32


def test_reloaded_model_gives_identical_latents(tiny_sd, frames, tmp_path):
    vae = load_vae(tiny_sd)
    vae.save_pretrained(tmp_path / "vae", safe_serialization=True)
    (tmp_path / "vae").rename(tmp_path / "copy")
    (tmp_path / "sd").mkdir()
    (tmp_path / "copy").rename(tmp_path / "sd/vae")
    np.testing.assert_array_equal(
        encode_frames(frames, vae, seed=3), encode_frames(frames, load_vae(tmp_path / "sd"), seed=3)
    )


def test_latents_do_not_depend_on_the_batch_size(tiny_sd, frames):
    vae = load_vae(tiny_sd)
    np.testing.assert_array_equal(
        encode_frames(frames, vae, batch_size=1), encode_frames(frames, vae, batch_size=4)
    )
    assert not np.array_equal(
        encode_frames(frames, vae, seed=[0, 1]), encode_frames(frames, vae, seed=[0, 2])
    )


def test_latents_are_a_scaled_sample_of_the_posterior(tiny_sd, frames):
    vae = load_vae(tiny_sd)
    latents = encode_frames(frames, vae, seed=0)
    pixels = torch.from_numpy(frames).flatten(0, 1).permute(0, 3, 1, 2).float() / 127.5 - 1
    with torch.no_grad():
        posterior = vae.encode(pixels).latent_dist
    mean = posterior.mean.numpy().reshape(latents.shape)
    std = posterior.std.numpy().reshape(latents.shape)
    z = (latents / 0.18215 - mean) / std  # the noise that was drawn
    assert abs(z.mean()) < 0.1 and abs(z.std() - 1) < 0.1


def test_scaling_factor_is_applied_once_and_undone_at_decode(tiny_sd, frames):
    vae = load_vae(tiny_sd)
    latents = encode_frames(frames, vae, seed=0)
    decoded = decode_latents(latents, vae)
    vae.register_to_config(scaling_factor=2 * 0.18215)
    doubled = encode_frames(frames, vae, seed=0)
    np.testing.assert_allclose(doubled, 2 * latents, rtol=1e-6)
    np.testing.assert_array_equal(decode_latents(doubled, vae), decoded)
    assert decoded.shape == frames.shape and decoded.dtype == np.uint8


def test_frames_must_fit_the_vae(tiny_sd):
    with pytest.raises(
        ValueError, match=r"Frame size 30 × 32 must be divisible by the VAE's downsampling factor 8"
    ):
        encode_frames(np.zeros((1, 6, 32, 30, 3), np.uint8), load_vae(tiny_sd))
    with pytest.raises(
        ValueError, match=r"frames must be uint8 \(clip, frame, height, width, 3\), got float64"
    ):
        encode_frames(np.zeros((1, 6, 32, 32, 3)), load_vae(tiny_sd))
