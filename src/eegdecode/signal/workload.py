"""The cognitive-load model's features on STEW, as eeg-shenanigans computes them (spec "focus
and calibration" §4.2): a recording band-passed 0.5–45 Hz and notched at 50 Hz with MNE's
defaults, cut into non-overlapping 4 s clips (:func:`~eegdecode.signal.emotion.chunk_trial`),
and per clip the Morlet continuous wavelet transform at 64 scales (PyWavelets' ``cwt``, real
coefficients), standardised by the clip's own mean and std.

The scales are ``2·f_c·64 / k`` for k = 1 … 64 (``f_c`` = 0.8125, the Morlet wavelet's centre
frequency): row k − 1 is centred on ``k · sfreq / 128`` Hz, so at 128 Hz the rows run from
1 Hz to 64 Hz, lowest first.
"""

import numpy as np

WAVELET = "morl"


def filter_recording(
    eeg: np.ndarray, sfreq: float, *, band: tuple[float, float] = (0.5, 45.0), notch: float = 50.0
) -> np.ndarray:
    """MNE's default zero-phase FIR band-pass, then its notch, of (n_channels, n_times)."""
    from mne.filter import filter_data, notch_filter

    filtered = filter_data(eeg, sfreq, band[0], band[1], verbose="error")
    if notch < sfreq / 2:
        filtered = notch_filter(filtered, sfreq, notch, verbose="error")
    return filtered


def cwt_scales(n_scales: int = 64) -> np.ndarray:
    """``2·f_c·n_scales / k`` for k = 1 … n_scales (torcheeg's ``CWTSpectrum``)."""
    import pywt

    return 2 * pywt.central_frequency(WAVELET) * n_scales / np.arange(1, n_scales + 1)


def cwt_spectrum(clips: np.ndarray, n_scales: int = 64) -> np.ndarray:
    """Morlet CWT coefficients of (..., n_times) clips, (..., n_scales, n_times), each clip
    (the leading axis) standardised by its own mean and std over channels, scales and time."""
    import pywt

    from .emotion import standardise_each

    coefficients, _ = pywt.cwt(clips, cwt_scales(n_scales), WAVELET, axis=-1)
    return standardise_each(np.moveaxis(coefficients, 0, -2)).astype(np.float32)
