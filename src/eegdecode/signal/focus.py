"""The focus model's features (eeg-shenanigans, spec "focus and calibration" §4.3): per second,
the power of 36 half-hertz bins from 0 to 18 Hz in each of 7 channels, from a 15 s Blackman
window, averaged over the last 15 windows, in decibels.

One function serves training, fine-tuning and live inference, so the live path filters and
smooths exactly as training did (the original server skipped both).
"""

from dataclasses import dataclass

import numpy as np

from .._validation import check_option

# The live montage (spec §2): F4, not the notebooks' AF4.
FOCUS_CHANNELS = ("F7", "F3", "P7", "O1", "O2", "P8", "F4")
# Emotiv EPOC order of the focus, DREAMER and STEW recordings.
EMOTIV_CHANNELS = (
    "AF3",
    "F7",
    "F3",
    "FC5",
    "T7",
    "P7",
    "O1",
    "O2",
    "P8",
    "T8",
    "FC6",
    "F4",
    "F8",
    "AF4",
)


@dataclass(frozen=True)
class FocusFeatureConfig:
    """How raw EEG becomes focus features.

    Parameters
    ----------
    sfreq : float
        Rate the features are computed at (128 Hz); other rates are resampled first.
    band : (float, float)
        Zero-phase Butterworth band-pass in Hz (0.5–45), order 4.
    notch : float | None
        Line frequency to notch (50 Hz), or None.
    window_s, step_s : float
        Blackman window length and hop (15 s, 1 s).
    n_fft : int
        Real FFT length (1024). Shorter than the window, it keeps only the window's first
        ``n_fft`` samples, as numpy's ``rfft(x, n)`` did in the original; set it to the window
        length (1920) to use the whole window.
    bin_hz, fmax : float
        Width of the averaged bins and their upper end (0.5 Hz up to 18 Hz: 36 bins).
    smoothing : int
        Windows averaged per feature vector (15).
    smoothing_mode : 'trailing' | 'centred'
        ``trailing``: the mean of this and the previous ``smoothing - 1`` windows, as live
        inference can compute it; a recording's first ``smoothing - 1`` windows, whose mean
        would be over fewer, give no feature vector, so training, fine-tuning and live
        prediction see the same kind of vector. ``centred``: the original notebook's
        ``convolve(mode='same')`` with zero padding, one vector per window, for parity only.
    """

    sfreq: float = 128.0
    band: tuple[float, float] = (0.5, 45.0)
    notch: float | None = 50.0
    window_s: float = 15.0
    step_s: float = 1.0
    n_fft: int = 1024
    bin_hz: float = 0.5
    fmax: float = 18.0
    smoothing: int = 15
    smoothing_mode: str = "trailing"

    def __post_init__(self):
        object.__setattr__(self, "band", tuple(self.band))
        check_option("smoothing_mode", self.smoothing_mode, ("trailing", "centred"))
        per_bin = self.bin_hz * self.n_fft / self.sfreq
        if abs(per_bin - round(per_bin)) > 1e-9 or round(per_bin) < 1:
            raise ValueError(
                f"bin_hz = {self.bin_hz} must span a whole number of FFT bins "
                f"({self.sfreq / self.n_fft:g} Hz each at n_fft = {self.n_fft})."
            )

    @property
    def window(self) -> int:
        return round(self.window_s * self.sfreq)

    @property
    def step(self) -> int:
        return round(self.step_s * self.sfreq)

    @property
    def n_bins(self) -> int:
        return round(self.fmax / self.bin_hz)

    @property
    def min_samples(self) -> int:
        """Samples of the shortest recording that gives a feature vector: one window, plus
        ``smoothing - 1`` steps for a full trailing mean (15 + 14 s: 29 s by default)."""
        if self.smoothing_mode == "centred":
            return self.window
        return self.window + (self.smoothing - 1) * self.step

    def n_spectra(self, n_times: int) -> int:
        """Blackman windows that fit in ``n_times`` samples."""
        return 0 if n_times < self.window else 1 + (n_times - self.window) // self.step

    def n_vectors(self, n_times: int) -> int:
        """Feature vectors of a recording of ``n_times`` samples."""
        if n_times < self.min_samples:
            return 0
        return 1 + (n_times - self.min_samples) // self.step


def filter_focus_eeg(data: np.ndarray, config: FocusFeatureConfig) -> np.ndarray:
    """Band-pass and notch (zero phase) a continuous (n_channels, n_times) recording."""
    from scipy import signal

    sos = signal.butter(4, config.band, "bandpass", output="sos", fs=config.sfreq)
    filtered = signal.sosfiltfilt(sos, np.asarray(data, dtype=np.float64), axis=-1)
    if config.notch is not None:
        b, a = signal.iirnotch(config.notch, 30.0, fs=config.sfreq)
        filtered = signal.filtfilt(b, a, filtered, axis=-1)
    return filtered


def _smooth(power: np.ndarray, length: int, mode: str) -> np.ndarray:
    """Mean over ``length`` windows along the first axis: centred (as many rows as ``power``)
    or trailing (only the ``len(power) - length + 1`` full means)."""
    if mode == "centred":
        if len(power) < length:
            return power
        kernel = np.ones(length) / length
        return np.apply_along_axis(lambda x: np.convolve(x, kernel, mode="same"), 0, power)
    cumulative = np.cumsum(np.concatenate([np.zeros((1, *power.shape[1:])), power]), axis=0)
    return (cumulative[length:] - cumulative[:-length]) / length


def focus_features(
    data: np.ndarray, config: FocusFeatureConfig = FocusFeatureConfig(), *, filtered: bool = False
) -> np.ndarray:
    """Feature vectors of a continuous recording, one per window step.

    Parameters
    ----------
    data : ndarray, shape (n_channels, n_times)
        EEG in microvolts at ``config.sfreq``, channels in :data:`FOCUS_CHANNELS` order.
    config : FocusFeatureConfig
    filtered : bool
        True when ``data`` already went through :func:`filter_focus_eeg`.

    Returns
    -------
    features : ndarray of float64, shape (config.n_vectors(n_times), n_channels · n_bins)
        Channel-major (all bins of the first channel first), ``10·log10(power + 1e-10)``;
        row ``k`` is the trailing mean of the windows ending at sample
        ``config.min_samples + k · config.step``; zero rows when the recording is shorter than
        ``config.min_samples``.
    """
    data = np.asarray(data, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError(f"data must be (n_channels, n_times), got shape {data.shape}.")
    if not np.all(np.isfinite(data)):
        raise ValueError("data holds NaN or infinite values.")
    n_channels = data.shape[0]
    if config.n_vectors(data.shape[1]) == 0:
        return np.zeros((0, n_channels * config.n_bins))
    n_windows = config.n_spectra(data.shape[1])
    if not filtered:
        data = filter_focus_eeg(data, config)
    starts = np.arange(n_windows) * config.step
    segments = np.stack([data[:, s : s + config.window] for s in starts])
    spectrum = np.fft.rfft(segments * np.blackman(config.window), n=config.n_fft, axis=-1)
    per_bin = round(config.bin_hz * config.n_fft / config.sfreq)
    power = np.abs(spectrum[..., : config.n_bins * per_bin]) ** 2
    power = power.reshape(n_windows, n_channels, config.n_bins, per_bin).mean(axis=-1)
    power = _smooth(power, config.smoothing, config.smoothing_mode)
    return (10 * np.log10(power + 1e-10)).reshape(len(power), -1)
