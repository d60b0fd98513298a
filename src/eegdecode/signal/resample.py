"""Changing a signal's sampling rate with an anti-alias filter."""

from fractions import Fraction

import numpy as np


def resample(data: np.ndarray, sfreq: float, target_sfreq: float, *, axis: int = -1) -> np.ndarray:
    """Polyphase resampling (scipy's ``resample_poly``, Kaiser-windowed anti-alias filter).

    The rate ratio is taken as the nearest fraction with a denominator up to 10,000
    (48,000 → 22,050 Hz is exactly 147/320). Equal rates return the data as float64.
    """
    from scipy import signal

    data = np.asarray(data, dtype=np.float64)
    if np.isclose(sfreq, target_sfreq):
        return data
    ratio = Fraction(target_sfreq / sfreq).limit_denominator(10_000)
    return signal.resample_poly(data, ratio.numerator, ratio.denominator, axis=axis)
