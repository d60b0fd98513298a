"""The emotion and cognitive-load features against references computed another way."""

import numpy as np
import pytest
from scipy import interpolate, signal

from eegdecode.signal.emotion import (
    DE_BANDS,
    DREAMER_GRID,
    band_differential_entropy,
    ccnn_inputs,
    chunk_trial,
    downsample_points,
    grid_locations,
    interpolate_to_grid,
    mean_baseline,
    place_on_grid,
    sst_inputs,
)
from eegdecode.signal.focus import EMOTIV_CHANNELS
from eegdecode.signal.workload import cwt_scales, cwt_spectrum

SFREQ = 128.0


def test_chunks_drop_the_partial_last_one_and_the_baseline_is_their_mean():
    eeg = np.arange(2 * 300, dtype=float).reshape(2, 300)
    chunks = chunk_trial(eeg, 128)
    assert chunks.shape == (2, 2, 128)
    np.testing.assert_array_equal(chunks[1, 0], eeg[0, 128:256])
    baseline = np.random.default_rng(0).normal(size=(14, 61 * 128 + 64))
    expected = np.mean([baseline[:, k * 128 : (k + 1) * 128] for k in range(61)], axis=0)
    np.testing.assert_allclose(mean_baseline(baseline, 128), expected)
    with pytest.raises(ValueError, match="shorter than 61 chunks of 128"):
        mean_baseline(baseline[:, :1000], 128)


def test_band_de_is_the_gaussian_entropy_of_the_lfilter_band():
    chunks = np.random.default_rng(1).normal(size=(3, 14, 128))
    de = band_differential_entropy(chunks, SFREQ)
    assert de.shape == (3, 14, 4)
    for band, (low, high) in enumerate(DE_BANDS.values()):
        b, a = signal.butter(5, [low / 64, high / 64], btype="bandpass")
        filtered = signal.lfilter(b, a, chunks, axis=-1)
        expected = 0.5 * np.log2(2 * np.pi * np.e * np.var(filtered, axis=-1))
        np.testing.assert_allclose(de[..., band], expected, rtol=1e-6)


def test_downsampling_takes_torcheegs_indices():
    np.testing.assert_array_equal(downsample_points(128, 32)[:4], [0, 4, 8, 12])
    assert downsample_points(128, 32)[-1] == 127 and len(downsample_points(128, 32)) == 32


@pytest.mark.parametrize("kind", ["torcheeg", "montage"])
def test_interpolated_grid_is_scipys_cubic_griddata_per_map(kind):
    values = np.random.default_rng(2).normal(size=(2, 14, 3))
    locations = grid_locations(kind)
    grids = interpolate_to_grid(values, locations)
    assert grids.shape == (2, 3, 9, 9)
    points = np.array([locations[name] for name in EMOTIV_CHANNELS], dtype=float)
    rows, cols = np.meshgrid(np.linspace(1, 8, 9), np.arange(9.0), indexing="ij")
    for sample in range(2):
        for band in range(3):
            expected = interpolate.griddata(
                points, values[sample, :, band], (rows, cols), method="cubic", fill_value=0
            )
            np.testing.assert_allclose(grids[sample, band], expected, atol=1e-12)


def test_montage_positions_keep_the_hand_placed_grids_layout():
    """Front to back and left to right in the same order as torcheeg's cells, in the same
    span (rows 1-8, columns 0-8), and mirror images across the midline."""
    montage = grid_locations("montage")
    names = list(EMOTIV_CHANNELS)
    for axis in (0, 1):
        for a in names:
            for b in names:
                if DREAMER_GRID[a][axis] < DREAMER_GRID[b][axis] - 1:
                    assert montage[a][axis] < montage[b][axis], (a, b, axis)
    rows, cols = np.array([montage[name] for name in names]).T
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == pytest.approx((1, 8, 0, 8))
    assert montage["O1"][1] + montage["O2"][1] == pytest.approx(8, abs=0.2)


def test_the_plain_grid_puts_each_electrode_at_its_cell():
    values = np.arange(14, dtype=float).reshape(1, 14, 1)
    grid = place_on_grid(values)[0, 0]
    assert grid[2, 6] == EMOTIV_CHANNELS.index("F4") and grid[8, 3] == EMOTIV_CHANNELS.index("O1")
    assert np.count_nonzero(grid) == 13  # AF3 is channel 0


def test_model_inputs_have_the_published_shapes_and_per_sample_scales():
    rng = np.random.default_rng(3)
    chunks, baseline = rng.normal(size=(5, 14, 128)), rng.normal(size=(14, 128))
    sst = sst_inputs(chunks, baseline, SFREQ)
    assert sst.shape == (5, 36, 16, 16) and sst.dtype == np.float32
    assert ccnn_inputs(chunks, baseline, SFREQ).shape == (5, 4, 9, 9)


@pytest.mark.parametrize(
    ("frequency", "tolerance"), [(6, 0.01), (10, 0.02), (20, 0.05), (31, 0.11)]
)
def test_cwt_of_a_cosine_is_the_analytic_morlet_response(frequency, tolerance):
    """For x = cos(ωt) the real Morlet transform at scale s (samples) is, exactly,
    √s·√(π/2)·(e^(−(ωs−5)²/2) + e^(−(ωs+5)²/2))·cos(ωτ): the integral done by hand.
    PyWavelets differentiates the integrated wavelet, sampled at the nearest of 1024 points:
    its amplitude is within 1 % at 6 Hz and 10 % at 31 Hz (short scales are sampled coarsely),
    its phase within about half a sample (the difference); rows whose wavelet outlasts the middle of
    the signal are left out."""
    import pywt

    n_times, omega = 1024, 2 * np.pi * frequency / SFREQ
    time = np.arange(n_times)
    scales = cwt_scales(64)
    coefficients, _ = pywt.cwt(np.cos(omega * time), scales, "morl")
    standardised = (coefficients - coefficients.mean()) / coefficients.std()
    spectrum = cwt_spectrum(np.cos(omega * time)[None, None], 64)[0, 0]
    np.testing.assert_allclose(spectrum, standardised, atol=1e-5)
    middle = slice(300, n_times - 300)
    basis = np.stack([np.cos(omega * time[middle]), np.sin(omega * time[middle])], axis=1)
    expected = (
        np.sqrt(scales)
        * np.sqrt(np.pi / 2)
        * (np.exp(-((omega * scales - 5) ** 2) / 2) + np.exp(-((omega * scales + 5) ** 2) / 2))
    )
    for row in np.flatnonzero((8 * scales < 300) & (expected > 0.1 * expected.max())):
        (a, b), *_ = np.linalg.lstsq(basis, coefficients[row, middle], rcond=None)
        assert np.hypot(a, b) == pytest.approx(expected[row], rel=tolerance)
        assert abs(np.arctan2(b, a) / omega) < 0.6  # phase lag, in samples


def test_cwt_rows_are_centred_on_k_hertz_at_128_hz():
    import pywt

    centres = pywt.scale2frequency("morl", cwt_scales(64)) * SFREQ
    np.testing.assert_allclose(centres, np.arange(1, 65), rtol=1e-12)


def test_cwt_spectra_are_standardised_per_clip():
    clips = (
        np.random.default_rng(4).normal(size=(3, 2, 256)) * np.array([1, 10, 100])[:, None, None]
    )
    spectra = cwt_spectrum(clips, n_scales=8)
    assert spectra.shape == (3, 2, 8, 256) and spectra.dtype == np.float32
    np.testing.assert_allclose(spectra.reshape(3, -1).mean(axis=1), 0, atol=1e-5)
    np.testing.assert_allclose(spectra.reshape(3, -1).std(axis=1), 1, rtol=1e-4)
