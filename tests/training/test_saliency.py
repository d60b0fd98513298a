"""NeuroImagen's pixel-level branch: SSIM as skimage computes it, the mode-seeking term, and a
conditional GAN that draws each class's image from its embedding."""

import numpy as np
import pytest
import torch
from skimage.metrics import structural_similarity

from eegdecode.models import SaliencyDiscriminator, SaliencyGenerator, SaliencyGeneratorConfig
from eegdecode.training.saliency import (
    SaliencyGANConfig,
    generate_saliency,
    mode_seeking_loss,
    ssim_per_image,
    train_saliency_gan,
)


@pytest.mark.parametrize("size", [32, 9])
def test_ssim_is_skimages_gaussian_ssim(size):
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (3, 3, size, size)).astype(np.float32)
    y = np.clip(x + rng.normal(0, 0.2, x.shape), 0, 1).astype(np.float32)
    ours = ssim_per_image(torch.from_numpy(x), torch.from_numpy(y)).numpy()
    window = 11 if size >= 11 else size
    reference = [
        structural_similarity(a.transpose(1, 2, 0), b.transpose(1, 2, 0), channel_axis=-1,
                              gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                              data_range=1.0, win_size=window, truncate=(window // 2) / 1.5)
        for a, b in zip(x, y, strict=True)
    ]  # fmt: skip
    if size >= 11:
        np.testing.assert_allclose(ours, reference, atol=1e-5)
    np.testing.assert_allclose(ssim_per_image(torch.from_numpy(x), torch.from_numpy(x)), 1.0,
                               atol=1e-6)  # fmt: skip


def test_mode_seeking_loss_penalises_a_generator_that_ignores_its_noise():
    noise_a, noise_b = torch.zeros(4, 2), torch.ones(4, 2)
    images = torch.rand(4, 3, 8, 8)
    collapsed = mode_seeking_loss(images, images, noise_a, noise_b)
    diverse = mode_seeking_loss(images, images + 0.5, noise_a, noise_b)
    # 1 / (0.5 / 1 + eps) per pair, against 1 / eps.
    torch.testing.assert_close(diverse, torch.tensor(1 / (0.5 + 1e-5)))
    assert collapsed > 1e4 * diverse
    with pytest.raises(ValueError, match="4 image pairs but 3 noise pairs"):
        mode_seeking_loss(images, images, noise_a[:3], noise_b[:3])


def _classes(n, seed):
    # Four classes, each a one-hot embedding (plus noise) and one flat-coloured image.
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 4
    embeddings = np.eye(4, dtype=np.float32)[labels] + rng.normal(0, 0.1, (n, 4))
    colours = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]], np.float32) * 0.8 + 0.1
    images = np.broadcast_to(colours[labels][:, :, None, None], (n, 3, 16, 16)).copy()
    images[:, :, 4:12, 4:12] *= 0.5  # a square, so that there is structure to match
    return embeddings.astype(np.float32), images, labels


def test_the_gan_draws_each_embeddings_class_and_resumes(tmp_path):
    embeddings, images, _ = _classes(96, 0)
    generator_config = SaliencyGeneratorConfig(embedding_dim=4, noise_dim=4, base_channels=8,
                                               image_size=16)  # fmt: skip
    config = SaliencyGANConfig(epochs=80, batch_size=16, lr_generator=3e-3, lr_discriminator=1e-3,
                               noise_dim=4, ssim_weight=10.0)  # fmt: skip
    split = {"train": np.arange(64), "validation": np.arange(64, 96)}
    result = train_saliency_gan(embeddings, images, **split, generator_config=generator_config,
                                config=config, workdir=tmp_path / "work")  # fmt: skip
    assert isinstance(result.discriminator, SaliencyDiscriminator)
    assert result.history[result.best_epoch]["val_ssim"] > 0.5
    test_embeddings, test_images, test_labels = _classes(40, 1)
    drawn = generate_saliency(result.generator, test_embeddings, seed=3)
    assert drawn.shape == (40, 16, 16, 3) and drawn.dtype == np.uint8
    # Each drawn image is most similar (by SSIM, the loss it was trained on) to its own
    # class's image (chance 0.25).
    drawn_unit = torch.from_numpy(drawn.transpose(0, 3, 1, 2) / 255).float()
    similarity = torch.stack([ssim_per_image(drawn_unit, torch.from_numpy(reference).expand_as(
        drawn_unit)) for reference in test_images[:4]], dim=1)  # fmt: skip
    assert (similarity.argmax(1).numpy() == test_labels).mean() > 0.9
    np.testing.assert_array_equal(generate_saliency(result.generator, test_embeddings, seed=3,
                                                    batch_size=7), drawn)  # fmt: skip
    # A finished run in the same folder resumes at its end: the same generator, no training.
    again = train_saliency_gan(embeddings, images, **split, generator_config=generator_config,
                               config=config, workdir=tmp_path / "work")  # fmt: skip
    assert again.history == result.history
    np.testing.assert_array_equal(generate_saliency(again.generator, test_embeddings, seed=3),
                                  drawn)  # fmt: skip


def test_bad_inputs_are_named():
    embeddings, images, _ = _classes(8, 0)
    generator_config = SaliencyGeneratorConfig(embedding_dim=4, noise_dim=4, base_channels=8,
                                               image_size=16)  # fmt: skip
    config = SaliencyGANConfig(epochs=1, noise_dim=4)
    kwargs = {"generator_config": generator_config, "config": config}
    with pytest.raises(ValueError, match="images must lie in \\[0, 1\\]"):
        train_saliency_gan(embeddings, images * 255, train=np.arange(4),
                           validation=np.arange(4, 8), **kwargs)  # fmt: skip
    with pytest.raises(ValueError, match="share 2 samples"):
        train_saliency_gan(embeddings, images, train=np.arange(5), validation=np.arange(3, 8),
                           **kwargs)  # fmt: skip
    with pytest.raises(ValueError, match="noise_dim"):
        train_saliency_gan(embeddings, images, train=np.arange(4), validation=np.arange(4, 8),
                           generator_config=generator_config, config=SaliencyGANConfig())  # fmt: skip
    with pytest.raises(ValueError, match="power of two"):
        SaliencyGeneratorConfig(image_size=24)
    with pytest.raises(ValueError, match="shape \\(batch, 4\\)"):
        SaliencyGenerator(generator_config)(torch.zeros(2, 5), torch.zeros(2, 4))
