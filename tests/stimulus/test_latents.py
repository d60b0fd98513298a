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
    # The same noise per clip whatever the batch; the convolutions may sum in another order for
    # another batch size (on one thread they differ by 6e-8), other noise would differ by ~0.1.
    np.testing.assert_allclose(
        encode_frames(frames, vae, batch_size=1), encode_frames(frames, vae, batch_size=4),
        rtol=0, atol=1e-6,
    )  # fmt: skip
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


def _blobs(n_images: int, seed: int) -> np.ndarray:
    """Dark images with one square of a random saturated colour: what the demo shows."""
    rng = np.random.default_rng(seed)
    images = np.full((n_images, 16, 16, 3), 25, np.uint8)
    for image in images:
        top, left = rng.integers(0, 8, 2)
        image[top : top + 8, left : left + 8] = rng.choice([40, 220], 3)
    return images


def test_fitted_vae_reconstructs_what_the_random_one_cannot(tiny_sd, tmp_path):
    from eegdecode.stimulus import fit_vae, save_vae

    train, held_out = _blobs(64, seed=0), _blobs(16, seed=1)

    def reconstruction_error(vae):
        clips = held_out[:, None]
        decoded = decode_latents(encode_frames(clips, vae, seed=0), vae)
        return np.abs(decoded.astype(float) - clips).mean()

    vae = load_vae(tiny_sd)
    before = reconstruction_error(vae)
    losses = fit_vae(vae, train, steps=150, batch_size=16, lr=3e-3, seed=0)
    assert losses.shape == (150,) and losses[-10:].mean() < 0.5 * losses[:10].mean()
    assert reconstruction_error(vae) < 0.6 * before
    # The scaling that gives the fitted VAE's latents unit variance, as 0.18215 does SD's.
    from eegdecode.stimulus.latents import unit_variance_scaling

    clips = train.reshape(16, 4, *train.shape[1:])
    vae.register_to_config(scaling_factor=unit_variance_scaling(vae, clips, seed=0))
    assert encode_frames(clips, vae, seed=0).std() == pytest.approx(1.0, rel=1e-4)
    # Written as the vae/ part of a Stable Diffusion folder, read back by the same loader.
    reloaded = load_vae(save_vae(vae, tmp_path / "fitted"))
    for (name, a), b in zip(vae.state_dict().items(), reloaded.state_dict().values(),
                            strict=True):  # fmt: skip
        torch.testing.assert_close(a, b, rtol=0, atol=0, msg=name)


def test_fit_vae_rejects_clips_and_floats(tiny_sd):
    from eegdecode.stimulus import fit_vae

    vae = load_vae(tiny_sd)
    with pytest.raises(ValueError, match=r"uint8 \(image, height, width, 3\)"):
        fit_vae(vae, _blobs(4, 0)[:, None], steps=1)
    with pytest.raises(ValueError, match="uint8"):
        fit_vae(vae, _blobs(4, 0).astype(np.float32), steps=1)


def test_fit_vae_resumes_after_a_crash_to_the_same_weights(tiny_sd, tmp_path, caplog):
    from eegdecode.stimulus import fit_vae

    images, options = _blobs(8, seed=2), {"steps": 4, "batch_size": 4, "lr": 3e-3, "seed": 1}
    straight = load_vae(tiny_sd)
    losses = fit_vae(straight, images, **options)
    crashing, calls = load_vae(tiny_sd), []
    decode = crashing.decode

    def crash_at_step_4(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:  # after the checkpoint of step 2
            raise KeyboardInterrupt
        return decode(*args, **kwargs)

    crashing.decode = crash_at_step_4
    with pytest.raises(KeyboardInterrupt):
        fit_vae(crashing, images, **options, workdir=tmp_path, checkpoint_every=2)
    resumed = load_vae(tiny_sd)
    with caplog.at_level("INFO", logger="eegdecode"):
        again = fit_vae(resumed, images, **options, workdir=tmp_path, checkpoint_every=2)
    assert "resuming from the checkpoint of step 2" in caplog.text
    np.testing.assert_array_equal(again, losses)
    for (name, a), b in zip(straight.state_dict().items(), resumed.state_dict().values(),
                            strict=True):  # fmt: skip
        torch.testing.assert_close(a, b, rtol=0, atol=0, msg=name)
    assert (tmp_path / "metrics.csv").read_text().splitlines()[0] == "step,loss"
    assert len((tmp_path / "metrics.csv").read_text().splitlines()) == 1 + 4


def _frames_artifact(path, frames, block):
    from eegdecode.artifacts import FRAME_AXES, AxisArray, write_artifact

    labels = AxisArray(np.array([2, 1, 3]), ("concept",), {"order": "presentation"})
    return write_artifact(
        path, {"frames": AxisArray(frames, FRAME_AXES), "concept_labels": labels},
        producer="extract_gifs", attrs={"dataset": "demo", "block": block},
    )  # fmt: skip


def test_block_latents_are_written_with_how_they_were_made(tiny_sd, frames, tmp_path):
    from eegdecode.artifacts import LATENT_AXES, read_array, read_attrs
    from eegdecode.stimulus.latents import write_block_latents

    source = _frames_artifact(tmp_path / "frames.h5", frames, block=4)
    settings = {"seed": 2, "batch_size": 2, "device": "cpu"}
    write_block_latents(source, tiny_sd, tmp_path / "latents.h5", settings=settings)
    latents = read_array(tmp_path / "latents.h5", "latents", axes=LATENT_AXES)
    # The block number joins the seed, so each block draws its own noise.
    np.testing.assert_array_equal(
        latents.data, encode_frames(frames, load_vae(tiny_sd), seed=[2, 4], batch_size=2)
    )
    assert latents.attrs == {"scaling_factor": 0.18215, "order": "presentation"}
    attrs = read_attrs(tmp_path / "latents.h5")
    assert attrs["block"] == 4 and attrs["model"] == str(tiny_sd)
    assert attrs["device"] == "cpu (torch.float32)" and attrs["producer"] == "vae_latents"
    labels = read_array(tmp_path / "latents.h5", "concept_labels", axes=("concept",))
    np.testing.assert_array_equal(labels.data, [2, 1, 3])


def test_vae_fitted_to_blocks_is_saved_as_a_stable_diffusion_folder(tiny_sd, tmp_path):
    from eegdecode.stimulus import fit_vae
    from eegdecode.stimulus.latents import fit_vae_to_blocks

    clips = _blobs(12, seed=3).reshape(2, 6, 16, 16, 3)
    paths = [_frames_artifact(tmp_path / f"block{b}.h5", clips[b - 1 : b], b) for b in (1, 2)]
    settings = {"steps": 3, "batch_size": 4, "lr": 1e-3, "kl_weight": 1e-6, "seed": 0}
    history = fit_vae_to_blocks(tiny_sd, paths, tmp_path / "fitted", settings=settings)
    expected = load_vae(tiny_sd)
    losses = fit_vae(expected, clips.reshape(-1, 16, 16, 3), **settings)
    assert history == [{"step": step + 1, "loss": loss} for step, loss in enumerate(losses)]
    fitted = load_vae(tmp_path / "fitted")
    for (name, a), b in zip(expected.state_dict().items(), fitted.state_dict().values(),
                            strict=True):  # fmt: skip
        torch.testing.assert_close(a, b, rtol=0, atol=0, msg=name)
