"""NeuroImagen's reconstruction as one-frame clips of the video diffusion code.

Covers :func:`~eegdecode.diffusion.img2img.resize_images` (against a mean-pool and a bilinear
reference), :func:`~eegdecode.diffusion.img2img.finetune_image_diffusion` (the model folder,
the images it records, the same weights as fine-tuning the video UNet on the VAE's latents
directly), :func:`~eegdecode.diffusion.img2img.check_unseen`, and
:func:`~eegdecode.diffusion.img2img.reconstruct_images` for every branch of ``BRANCHES``
(shapes, seeds, the sampler call each branch stands for, the pull of the saliency map at a
small strength, and the inputs each branch needs). All on the tiny Stable Diffusion folder.
"""

import json
import logging

import numpy as np
import pytest
import torch

from eegdecode.diffusion import (
    FinetuneConfig,
    VideoUNet,
    finetune_video_unet,
    generate_clips,
    load_video_diffusion,
)
from eegdecode.diffusion.img2img import (
    BRANCHES,
    TRAINING_IMAGES,
    check_unseen,
    finetune_image_diffusion,
    reconstruct_images,
    resize_images,
)
from eegdecode.stimulus import (
    embed_captions,
    load_scheduler,
    load_text_encoder,
    load_vae,
    save_vae,
)
from eegdecode.stimulus.latents import decode_latents, encode_frames

SIZE = 32  # the tiny VAE downsamples 8×: 4 × 4 latents
NAMES = ["n90000001_1", "n90000001_2", "n90000002_1", "n90000002_2"]
TRAINING = {"steps": 2, "batch_size": 2, "lr": 1e-3, "log_every": 1, "device": "cpu"}
SAMPLER = {"image_size": SIZE, "steps": 10, "guidance": 2.0, "device": "cpu"}


def _pictures(n, seed):
    """A square of a random colour at a random place on grey."""
    rng = np.random.default_rng(seed)
    pictures = np.full((n, SIZE, SIZE, 3), 128, np.uint8)
    for picture in pictures:
        top, left = rng.integers(0, SIZE // 2, 2)
        picture[top : top + SIZE // 2, left : left + SIZE // 2] = rng.integers(0, 256, 3)
    return pictures


@pytest.fixture(scope="module")
def vae_folder(tiny_sd, tmp_path_factory):
    """The tiny VAE with the scaling factor that gives its latents of the pictures unit
    variance, as 0.18215 does for SD 1.4's (the demo's VAE is fitted to its images): with the
    random VAE's own factor its latents are about 0.2 wide and any noise drowns them."""
    vae = load_vae(tiny_sd)
    latents = encode_frames(_pictures(8, 0)[:, None], vae) / vae.config.scaling_factor
    vae.register_to_config(scaling_factor=float(1 / latents.std()))
    return save_vae(vae, tmp_path_factory.mktemp("vae") / "fitted")


@pytest.fixture(scope="module")
def captions(tiny_sd):
    _, embeddings = embed_captions(
        ["An image of red square", "An image of red square", "An image of blue", "blue"],
        *load_text_encoder(tiny_sd),
    )
    return embeddings


@pytest.fixture(scope="module")
def model(tiny_sd, vae_folder, captions, tmp_path_factory):
    output = tmp_path_factory.mktemp("img2img") / "model"
    history = finetune_image_diffusion(
        _pictures(4, 0), captions, tiny_sd, vae_folder, output, training=TRAINING,
        image_names=NAMES,
    )  # fmt: skip
    return output, history


def test_resizing_keeps_the_size_it_has_and_averages_or_interpolates_to_another():
    images = np.random.default_rng(0).integers(0, 256, (3, 16, 16, 3), dtype=np.uint8)
    assert resize_images(images, 16) is images
    small = resize_images(images, 8)
    assert small.shape == (3, 8, 8, 3) and small.dtype == np.uint8
    pooled = images.reshape(3, 8, 2, 8, 2, 3).astype(float).mean(axis=(2, 4))
    np.testing.assert_allclose(small, pooled, atol=0.5)
    big = resize_images(images, 40)
    assert big.shape == (3, 40, 40, 3) and big.dtype == np.uint8
    # Bilinear with pixel centres at (i + 0.5) · 16 / 40 − 0.5, edges repeated.
    centres = (np.arange(40) + 0.5) * 16 / 40 - 0.5
    rows = np.apply_along_axis(lambda v: np.interp(centres, np.arange(16), v), 1, images / 1.0)
    bilinear = np.apply_along_axis(lambda v: np.interp(centres, np.arange(16), v), 2, rows)
    np.testing.assert_allclose(big, bilinear, atol=1.0)


def test_finetuning_writes_a_diffusion_folder_that_names_its_training_images(
    tiny_sd, vae_folder, captions, model
):
    output, history = model
    assert [row["step"] for row in history] == [1, 2]
    assert json.loads((output / TRAINING_IMAGES).read_text()) == {"images": NAMES}
    unet, negative, scheduler = load_video_diffusion(output)
    assert type(scheduler).__name__ == "PNDMScheduler"
    np.testing.assert_array_equal(
        negative.numpy(), embed_captions([""], *load_text_encoder(tiny_sd))[1]
    )
    # The same weights as fine-tuning the video UNet on the fitted VAE's one-frame latents.
    config = FinetuneConfig(**TRAINING)
    latents = encode_frames(_pictures(4, 0)[:, None], load_vae(vae_folder), seed=config.seed)
    expected = VideoUNet.from_stable_diffusion(tiny_sd)
    finetune_video_unet(
        expected, torch.from_numpy(latents), torch.from_numpy(captions),
        load_scheduler(tiny_sd, "DDPMScheduler"), config, negative_embedding=negative,
    )  # fmt: skip
    base = VideoUNet.from_stable_diffusion(tiny_sd).state_dict()
    changed = 0
    for (name, a), b in zip(expected.state_dict().items(), unet.state_dict().values(),
                            strict=True):  # fmt: skip
        torch.testing.assert_close(a, b, rtol=0, atol=0, msg=name)
        changed += not torch.equal(b, base[name])
    assert changed > 0
    with pytest.raises(ValueError, match="4 images, 3 caption embeddings and 4 names must match"):
        finetune_image_diffusion(
            _pictures(4, 0), captions[:3], tiny_sd, vae_folder, output, training=TRAINING,
            image_names=NAMES,
        )  # fmt: skip


def test_an_image_that_trained_the_model_is_refused_and_unseen_ones_pass(model, tmp_path, caplog):
    output, _ = model
    with pytest.raises(ValueError, match=r"fine-tuned on 1 of the images .*'n90000002_1'") as error:
        check_unseen(output, ["n90000003_1", "n90000002_1"])
    assert str(output) in str(error.value)
    with pytest.raises(
        ValueError, match=r"on 2 of the images to reconstruct \(e\.g\. 'n90000001_1'\)"
    ):
        check_unseen(output, NAMES[:2])
    check_unseen(output, ["n90000003_1", "n90000001_10"])
    with caplog.at_level(logging.WARNING, logger="eegdecode"):
        check_unseen(tmp_path, NAMES)
    assert "does not say which images trained it" in caplog.text


def test_each_branch_reconstructs_uint8_images_reproducibly_for_a_seed(model, vae_folder, captions):
    output, _ = model
    saliency, embeddings = _pictures(3, 1), captions[:3]
    for branch in BRANCHES:
        options = {"branch": branch, "saliency": saliency, "embeddings": embeddings,
                   "strength": 0.5, **SAMPLER}  # fmt: skip
        images = reconstruct_images(output, vae_folder, **options)
        assert images.shape == (3, SIZE, SIZE, 3) and images.dtype == np.uint8, branch
        np.testing.assert_array_equal(reconstruct_images(output, vae_folder, **options), images)
        other = reconstruct_images(output, vae_folder, **options, seed=1)
        assert not np.array_equal(other, images), branch


def test_branches_are_the_sampler_calls_they_stand_for(tiny_sd, model, vae_folder, captions):
    output, _ = model
    saliency, embeddings = _pictures(3, 1), captions[:3]
    unet, negative, scheduler = load_video_diffusion(output)
    vae = load_vae(vae_folder)
    initial = encode_frames(saliency[:, None], vae, seed=4)
    common = {"steps": 10, "seed": 4, "batch_size": 16}

    def reconstructed(branch, **inputs):
        return reconstruct_images(output, vae_folder, branch=branch, strength=0.3, seed=4,
                                  **SAMPLER, **inputs)  # fmt: skip

    # pixel: the saliency latents, noised to the strength, with the empty prompt, no guidance.
    pixel = generate_clips(
        unet.eval(), vae, scheduler, np.repeat(negative.numpy(), 3, axis=0), negative.numpy(),
        initial_latents=initial, strength=0.3, guidance=1.0, **common,
    )[:, 0]  # fmt: skip
    np.testing.assert_array_equal(reconstructed("pixel", saliency=saliency, embeddings=None), pixel)
    np.testing.assert_array_equal(
        reconstructed("pixel", saliency=saliency, embeddings=embeddings), pixel
    )
    # both: the same start, conditioned on the predicted captions with guidance.
    both = generate_clips(
        unet, vae, scheduler, embeddings, negative.numpy(), initial_latents=initial,
        strength=0.3, guidance=2.0, **common,
    )[:, 0]  # fmt: skip
    np.testing.assert_array_equal(
        reconstructed("both", saliency=saliency, embeddings=embeddings), both
    )
    # sample: Gaussian noise, every step, whatever the strength and saliency.
    sample = generate_clips(
        unet, vae, scheduler, embeddings, negative.numpy(),
        latent_shape=(1, 4, SIZE // 8, SIZE // 8), guidance=2.0, **common,
    )[:, 0]  # fmt: skip
    np.testing.assert_array_equal(
        reconstructed("sample", saliency=None, embeddings=embeddings), sample
    )
    np.testing.assert_array_equal(
        reconstructed("sample", saliency=saliency, embeddings=embeddings), sample
    )
    # Saliency maps of another size are resized to image_size first.
    np.testing.assert_array_equal(
        reconstructed("pixel", saliency=resize_images(saliency, 16), embeddings=None),
        reconstructed("pixel", saliency=resize_images(resize_images(saliency, 16), SIZE),
                      embeddings=None),
    )  # fmt: skip


def test_a_small_strength_stays_near_the_saliency_map_and_noise_does_not(
    model, vae_folder, captions
):
    output, _ = model
    saliency, embeddings = _pictures(3, 1), captions[:3]
    vae = load_vae(vae_folder)
    # What the initial latents decode to: the random VAE cannot draw the map itself.
    start = decode_latents(encode_frames(saliency[:, None], vae), vae)[:, 0].astype(float)

    def distance(branch, strength):
        images = reconstruct_images(
            output, vae_folder, branch=branch, saliency=saliency, embeddings=embeddings,
            strength=strength, **SAMPLER,
        )  # fmt: skip
        return float(np.abs(images - start).mean())

    distances = {strength: distance("pixel", strength) for strength in (0.1, 0.2, 0.5)}
    sample = distance("sample", 0.2)
    # Measured: pixel 21.9, 26.8 and 32.5 at strengths 0.1, 0.2, 0.5; sample 33.8.
    assert distances[0.1] < distances[0.2] < distances[0.5], distances
    assert distances[0.2] < 0.9 * sample, (distances, sample)


def test_a_branch_without_its_inputs_or_an_unknown_branch_is_refused(model, vae_folder, captions):
    output, _ = model
    saliency, embeddings = _pictures(2, 1), captions[:2]
    options = {"strength": 0.5, **SAMPLER}
    for branch in ("both", "pixel"):
        with pytest.raises(ValueError, match=f"The '{branch}' branch needs saliency maps"):
            reconstruct_images(output, vae_folder, branch=branch, saliency=None,
                               embeddings=embeddings, **options)  # fmt: skip
    for branch in ("both", "sample"):
        with pytest.raises(ValueError, match=f"The '{branch}' branch needs predicted caption"):
            reconstruct_images(output, vae_folder, branch=branch, saliency=saliency,
                               embeddings=None, **options)  # fmt: skip
    with pytest.raises(ValueError, match="branch"):
        reconstruct_images(output, vae_folder, branch="eeg", saliency=saliency,
                           embeddings=embeddings, **options)  # fmt: skip
    with pytest.raises(ValueError, match="image_size 20 must be a multiple of the VAE's"):
        reconstruct_images(output, vae_folder, branch="sample", saliency=None,
                           embeddings=embeddings, **{**options, "image_size": 20})  # fmt: skip
