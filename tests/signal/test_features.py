import math

import numpy as np
import pytest
import scipy.fftpack
import scipy.signal

from eegdecode.signal import SEED_DV_BANDS, de_psd, hann_matlab

F_START = [1, 4, 8, 14, 31]
F_END = [4, 8, 14, 31, 99]


def _official_de_psd(segment, fs, time_window, stft_n=200):
    """The official DE_PSD.py algorithm (spec §3.3), one channel and band at a time."""
    start = [int(f / fs * stft_n) for f in F_START]
    end = [int(f / fs * stft_n) for f in F_END]
    length = int(time_window * fs)
    window = np.array(
        [0.5 - 0.5 * np.cos(2 * np.pi * n / (length + 1)) for n in range(1, length + 1)]
    )
    de = np.zeros((segment.shape[0], 5))
    psd = np.zeros((segment.shape[0], 5))
    for channel in range(segment.shape[0]):
        spectrum = scipy.fftpack.fft(segment[channel] * window, stft_n)
        magnitude = abs(spectrum[0 : int(stft_n / 2)])
        for band in range(5):
            energy = 0.0
            for k in range(start[band] - 1, end[band]):
                energy += magnitude[k] * magnitude[k]
            energy /= end[band] - start[band] + 1
            psd[channel, band] = energy
            de[channel, band] = math.log(100 * energy, 2)
    return de, psd


@pytest.mark.parametrize(("n_times", "time_window"), [(400, 2), (100, 0.5), (200, 1)])
def test_de_psd_reproduces_official_algorithm(rng, n_times, time_window):
    segments = (10 * rng.standard_normal((3, 2, 62, n_times))).astype(np.float32)
    features = de_psd(segments, 200.0)
    assert features.de.shape == features.psd.shape == (3, 2, 62, 5)
    assert features.de.dtype == np.float32
    reference = [
        _official_de_psd(s.astype(np.float64), 200, time_window)
        for s in segments.reshape(-1, 62, n_times)
    ]
    de_ref = np.stack([r[0] for r in reference]).reshape(features.de.shape)
    psd_ref = np.stack([r[1] for r in reference]).reshape(features.psd.shape)
    np.testing.assert_allclose(features.psd, psd_ref, rtol=2e-6)
    np.testing.assert_allclose(features.de, de_ref, rtol=2e-6)


def test_two_second_features_use_only_the_first_second(rng):
    clips = rng.standard_normal((5, 62, 400))
    changed = clips.copy()
    changed[..., 200:] = rng.standard_normal((5, 62, 200))
    np.testing.assert_array_equal(de_psd(clips, 200.0).de, de_psd(changed, 200.0).de)
    full = de_psd(clips, 200.0, fft_mode="full")
    assert not np.allclose(full.de, de_psd(changed, 200.0, fft_mode="full").de)
    assert full.n_fft == 400


def test_full_mode_is_the_windowed_periodogram(rng):
    clips = rng.standard_normal((3, 400))
    features = de_psd(clips, 200.0, fft_mode="full", bands={"alpha": (8, 14)})
    # Official bin rule at 0.5 Hz bins: int(8·2)−1 = 15 … int(14·2)−1 = 27.
    window = scipy.signal.windows.hann(402)[1:-1]
    power = np.abs(np.fft.fft(clips * window, 400)) ** 2
    np.testing.assert_allclose(features.psd[:, 0], power[:, 15:28].mean(axis=1), rtol=1e-6)


def test_official_band_bins_match_spec():
    features = de_psd(np.ones((1, 400)), 200.0)
    assert features.band_names == tuple(SEED_DV_BANDS)
    # delta 0–3 (DC included), theta 3–7, alpha 7–13, beta 13–30, gamma 30–98: 4/5/7/18/69 bins.
    assert features.band_bin_ranges.tolist() == [[0, 3], [3, 7], [7, 13], [13, 30], [30, 98]]


def test_exact_band_bins_are_half_open():
    features = de_psd(np.ones((1, 100)), 200.0, band_bins="exact")
    assert features.band_bin_ranges.tolist() == [[1, 3], [4, 7], [8, 13], [14, 30], [31, 98]]


def test_sine_power_lands_in_its_band():
    t = np.arange(100) / 200.0
    sine = np.sin(2 * np.pi * 10 * t)[None]
    psd = de_psd(sine, 200.0).psd[0]
    assert np.argmax(psd) == list(SEED_DV_BANDS).index("alpha")


def test_hann_matlab_has_no_zero_endpoints():
    np.testing.assert_allclose(hann_matlab(400), scipy.signal.windows.hann(402)[1:-1])
    assert hann_matlab(5)[0] > 0


def test_flat_channel_warns_and_stays_finite(caplog):
    data = np.zeros((2, 100))
    data[1] = 1.0
    with caplog.at_level("WARNING", logger="eegdecode"):
        features = de_psd(data, 200.0)
    assert np.isfinite(features.de).all()
    assert "zero power" in caplog.text


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"fft_mode": "zeropad"},
            ValueError,
            r"'fft_mode' parameter.*'truncate' and 'full'.*'zeropad'",
        ),
        ({"band_bins": "nearest"}, ValueError, r"'band_bins' parameter"),
        (
            {"bands": {"slow": (0.0, 4.0)}},
            ValueError,
            r"Band 'slow' starts at 0.0 Hz, below one FFT bin",
        ),
        ({"bands": {"ultra": (31.0, 150.0)}}, ValueError, r"only bins 0–99 exist below 100 Hz"),
        ({"bands": {"odd": (8.0, 4.0)}}, ValueError, r"0 <= low < high"),
        ({"n_fft": 0}, ValueError, r"n_fft must be positive"),
    ],
)
def test_de_psd_rejects_bad_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        de_psd(np.zeros((2, 100)), 200.0, **kwargs)


def test_de_psd_rejects_integer_data():
    with pytest.raises(TypeError, match="data must hold floats, got int64"):
        de_psd(np.zeros((2, 100), dtype=np.int64), 200.0)


@pytest.mark.parametrize("n_times", [100, 400])
def test_matrix_and_fft_paths_agree(monkeypatch, rng, n_times):
    from eegdecode.signal import features

    segments = rng.standard_normal((50, 62, n_times))
    monkeypatch.setattr(features, "_MAX_DFT_MATRIX", 0)
    by_fft = de_psd(segments, 200.0)
    monkeypatch.setattr(features, "_MAX_DFT_MATRIX", 1 << 30)
    by_matrix = de_psd(segments, 200.0)
    np.testing.assert_allclose(by_matrix.psd, by_fft.psd, rtol=1e-6)


def test_threads_do_not_change_the_result(monkeypatch, rng):
    from eegdecode.signal import features

    monkeypatch.setattr(features, "_ROWS_PER_CHUNK", 64)  # many chunks for the threads to share
    segments = rng.standard_normal((40, 62, 100))
    np.testing.assert_array_equal(de_psd(segments, 200.0, n_jobs=2).de, de_psd(segments, 200.0).de)


def test_features_artifact_round_trip(tmp_path, rng):
    from eegdecode.artifacts import read_array, read_attrs, write_artifact

    features = de_psd(rng.standard_normal((2, 3, 100)), 200.0)
    path = write_artifact(
        tmp_path / "features.h5",
        features.to_arrays(("window", "channel"), unit="uV"),
        producer="de_psd",
        attrs=features.attributes(),
    )
    de = read_array(path, "de", axes=("window", "channel", "band"))
    np.testing.assert_array_equal(de.data, features.de)
    assert de.attrs["formula"] == "log2(100 * psd)"
    psd = read_array(path, "psd", axes=("window", "channel", "band"))
    assert psd.attrs["unit"] == "uV^2 (mean |FFT|^2 over band bins)"
    attrs = read_attrs(path)
    assert list(attrs["band_names"]) == list(SEED_DV_BANDS)
    np.testing.assert_array_equal(attrs["band_edges_hz"], list(SEED_DV_BANDS.values()))
    np.testing.assert_array_equal(attrs["band_bin_ranges"], features.band_bin_ranges)
    assert attrs["n_fft"] == 200


def test_features_of_eeg_without_a_unit_say_so(rng):
    arrays = de_psd(rng.standard_normal((2, 100)), 200.0).to_arrays(("channel",))
    assert arrays["psd"].attrs["unit"] == "?^2 (mean |FFT|^2 over band bins)"
    assert arrays["de"].axes == ("channel", "band")
