"""DEAP's per-trial differential entropy: the formula on Hamming windows, and the 3 s
baseline excluded, subtracted or (the original's) included."""

import numpy as np
import pytest

from eegdecode.datasets.deap import DEAP_SFREQ
from eegdecode.signal.emotion import (
    trial_differential_entropy,
    windowed_differential_entropy,
)

N_BASELINE = 384


def test_de_is_the_mean_over_hamming_windows_of_half_log_two_pi_e_variance():
    rng = np.random.default_rng(0)
    eeg = rng.standard_normal((2, 3, 640))
    expected = np.empty((2, 3))
    window = np.hamming(128)
    for index in np.ndindex(2, 3):
        values = [0.5 * np.log(2 * np.pi * np.e * np.var(eeg[index][start : start + 128] * window))
                  for start in range(0, 640 - 128 + 1, 64)]  # fmt: skip
        expected[index] = np.mean(values)
    np.testing.assert_allclose(windowed_differential_entropy(eeg, DEAP_SFREQ), expected)


def test_a_gaussian_signal_of_variance_s2_has_the_gaussian_de():
    # White noise of variance σ² under a Hamming window w has variance σ²·mean(w²) across a
    # window's samples, so DE ≈ ½ ln(2πe σ² mean(w²)) (the log of a 128-sample variance
    # estimate falls short of the log of its mean by ~0.02).
    rng = np.random.default_rng(1)
    sigma = 3.0
    de = windowed_differential_entropy(sigma * rng.standard_normal((1, 128 * 200)), DEAP_SFREQ)
    window = np.hamming(128)
    gain = np.mean(window**2)
    assert de[0] == pytest.approx(0.5 * np.log(2 * np.pi * np.e * sigma**2 * gain), abs=0.04)


def test_the_baseline_is_excluded_subtracted_or_included():
    rng = np.random.default_rng(2)
    trials = rng.standard_normal((2, 4, N_BASELINE + 640))
    trials[..., :N_BASELINE] *= 10  # a loud baseline: visible wherever it gets in
    de = lambda x: windowed_differential_entropy(x, DEAP_SFREQ)  # noqa: E731
    options = {"n_baseline": N_BASELINE}
    exclude = trial_differential_entropy(trials, DEAP_SFREQ, baseline="exclude", **options)
    np.testing.assert_allclose(exclude, de(trials[..., N_BASELINE:]))
    subtract = trial_differential_entropy(trials, DEAP_SFREQ, baseline="subtract", **options)
    np.testing.assert_allclose(subtract, exclude - de(trials[..., :N_BASELINE]))
    include = trial_differential_entropy(trials, DEAP_SFREQ, baseline="include", **options)
    assert (include > exclude + 0.5).all()
    with pytest.raises(ValueError, match="baseline"):
        trial_differential_entropy(trials, DEAP_SFREQ, baseline="drop", **options)
