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
    noised, timesteps, noise_returned = dana(latents, np.full(400, fast), config)
    scale = np.sqrt(1 - config.alphas_cumprod()[499])
    noise = noised / scale
    assert noise.var() == pytest.approx(1.0, abs=0.01)
    # Frames of one clip share β of their variance.
    correlation = np.mean(noise[:, 0] * noise[:, 3]) / noise.var()
    assert correlation == pytest.approx(beta, abs=0.02)
    assert (timesteps == 499).all()
    np.testing.assert_allclose(noised, scale * noise_returned, rtol=1e-5, atol=1e-6)


def test_signal_is_scaled_by_sqrt_alpha_bar_of_each_clips_timestep():
    rng = np.random.default_rng(0)
    latents = rng.standard_normal((50, 6, 4, 2, 2)) * 100  # dwarfs the noise
    noised, timesteps, _ = dana(latents, np.zeros(50, bool))
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
    with pytest.raises(
        ValueError, match=r"timestep must be 'random', 'sampler' or an integer in \[0, 500\)"
    ):
        DanaConfig(timestep=500)


def test_with_the_sampler_timestep_the_latents_stay_and_the_noise_is_the_same():
    # timestep 'sampler' hands ε to the sampler: the latents come back as they are, and ε is
    # the one a fixed timestep mixes in (same seed, same draws).
    rng = np.random.default_rng(1)
    latents = rng.standard_normal((5, 6, 4, 2, 2))
    fast = np.array([True, False, True, True, False])
    kept, timesteps, noise = dana(latents, fast, DanaConfig(timestep="sampler"))
    assert timesteps is None and kept.dtype == np.float32
    np.testing.assert_allclose(kept, latents, rtol=1e-6)
    noised, _, fixed_noise = dana(latents, fast, DanaConfig(timestep=250))
    np.testing.assert_array_equal(noise, fixed_noise)
    alpha_bar = DanaConfig().alphas_cumprod()[250]
    np.testing.assert_allclose(
        noised, np.sqrt(alpha_bar) * latents + np.sqrt(1 - alpha_bar) * noise, atol=1e-5
    )


def test_dana_from_predictions_writes_what_its_timestep_calls_for(tmp_path):
    from eegdecode.artifacts import AxisArray, array_names, read_array, write_artifact
    from eegdecode.diffusion import dana_from_predictions

    axes = ("class", "rep", "frame", "channel", "height", "width")
    latents = np.random.default_rng(3).standard_normal((2, 3, 6, 4, 2, 2)).astype(np.float32)
    fast = np.array([[True, False, True], [False, False, True]])
    write_artifact(tmp_path / "latents.h5", {"latents": AxisArray(latents, axes),
                   "concept_ids": AxisArray(np.array([1, 2]), ("class",))},
                   producer="seq2seq", attrs={"subject": 2})  # fmt: skip
    write_artifact(tmp_path / "fast.h5", {"fast": AxisArray(fast, ("class", "rep"))},
                   producer="dynamic")  # fmt: skip
    inputs = tmp_path / "latents.h5", tmp_path / "fast.h5"
    settings = {"beta_fast": 0.2, "beta_slow": 0.3, "n_steps": 500, "seed": 3}
    dana_from_predictions(*inputs, tmp_path / "z.h5", {**settings, "timestep": 40})
    dana_from_predictions(*inputs, tmp_path / "eps.h5", {**settings, "timestep": "sampler"})
    assert "timesteps" in array_names(tmp_path / "z.h5")
    assert "noise" not in array_names(tmp_path / "z.h5")
    assert "timesteps" not in array_names(tmp_path / "eps.h5")
    np.testing.assert_array_equal(read_array(tmp_path / "eps.h5", "latents").data, latents)
    expected, _, noise = dana(latents.reshape(6, 6, 4, 2, 2), fast.reshape(6),
                              DanaConfig(**settings, timestep=40))  # fmt: skip
    np.testing.assert_array_equal(
        read_array(tmp_path / "z.h5", "latents").data.reshape(expected.shape), expected
    )
    np.testing.assert_array_equal(
        read_array(tmp_path / "eps.h5", "noise", axes=axes).data.reshape(noise.shape), noise
    )
    write_artifact(tmp_path / "fast.h5", {"fast": AxisArray(fast[:, :2], ("class", "rep"))},
                   producer="dynamic")  # fmt: skip
    with pytest.raises(ValueError, match=r"fast\.h5 has fast/slow labels of shape \(2, 2\)"):
        dana_from_predictions(*inputs, tmp_path / "bad.h5", {**settings, "timestep": 40})
    assert not (tmp_path / "bad.h5").exists()
