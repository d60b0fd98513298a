import numpy as np
import pytest

from eegdecode.diffusion.dana import DanaConfig, dana


def test_alphas_cumprod_is_the_running_product():
    config = DanaConfig()
    betas = 1e-4 + (0.02 - 1e-4) * np.arange(500) / 499
    product, expected = 1.0, []
    for beta in betas:
        product *= 1 - beta
        expected.append(product)
    np.testing.assert_allclose(config.alphas_cumprod(), expected, rtol=1e-12)


@pytest.mark.parametrize(("fast", "beta"), [(True, 0.2), (False, 0.3)])
def test_noise_has_unit_variance_and_the_planned_share_across_frames(fast, beta):
    # With ẑ0 = 0 and t fixed at the last step the output is almost pure DANA noise.
    latents = np.zeros((400, 6, 4, 6, 8))
    config = DanaConfig(timestep=499)
    noised, timesteps = dana(latents, np.full(400, fast), config)
    scale = np.sqrt(1 - config.alphas_cumprod()[499])
    noise = noised / scale
    assert noise.var() == pytest.approx(1.0, abs=0.01)
    # Frames of one clip share β of their variance.
    correlation = np.mean(noise[:, 0] * noise[:, 3]) / noise.var()
    assert correlation == pytest.approx(beta, abs=0.02)
    assert (timesteps == 499).all()


def test_signal_is_scaled_by_sqrt_alpha_bar_of_each_clips_timestep():
    rng = np.random.default_rng(0)
    latents = rng.standard_normal((50, 6, 4, 2, 2)) * 100  # dwarfs the noise
    noised, timesteps = dana(latents, np.zeros(50, bool))
    assert timesteps.min() >= 0 and timesteps.max() < 500 and len(set(timesteps)) > 20
    alpha_bar = DanaConfig().alphas_cumprod()[timesteps]
    ratio = (noised * latents).sum(axis=(1, 2, 3, 4)) / (latents**2).sum(axis=(1, 2, 3, 4))
    np.testing.assert_allclose(ratio, np.sqrt(alpha_bar), rtol=0.02)


def test_same_seed_same_noise_and_bad_inputs():
    latents = np.zeros((3, 6, 4, 2, 2))
    np.testing.assert_array_equal(dana(latents, np.ones(3))[0], dana(latents, np.ones(3))[0])
    with pytest.raises(
        ValueError,
        match=r"one fast/slow label per clip; got latents \(3, 6, 4, 2, 2\) and labels \(2,\)",
    ):
        dana(latents, np.ones(2))
    with pytest.raises(ValueError, match="beta_fast must lie in"):
        DanaConfig(beta_fast=1.5)
    with pytest.raises(ValueError, match=r"timestep must be 'random' or an integer in \[0, 500\)"):
        DanaConfig(timestep=500)
