"""High-gamma envelopes of intracranial recordings (brain-to-audio spec §3).

Each channel is notch-filtered at the line frequency and its harmonics, band-passed to high
gamma, and reduced to the magnitude of its analytic signal. All filters run forward and
backward (zero phase), so the envelope is not delayed relative to the audio.
"""

from collections.abc import Sequence

import numpy as np

from .._logging import logger, verbose

#: BrainKaraoke's band: 70–170 Hz.
HIGH_GAMMA_BAND = (70.0, 170.0)
# Half width of every line-noise notch, in Hz.
NOTCH_HALF_WIDTH = 0.5


def line_noise_frequencies(
    line_freq: float, band: Sequence[float] = HIGH_GAMMA_BAND, *, sfreq: float | None = None
) -> list[float]:
    """The line frequency and its harmonics up to the band's upper edge (and below Nyquist).

    50 Hz line noise and the 70–170 Hz band give 50, 100 and 150 Hz: the reference code notched
    only 50 and 100 Hz and left the 150 Hz harmonic inside the band.
    """
    if line_freq <= 0:
        raise ValueError(f"line_freq must be positive, got {line_freq!r}.")
    top = band[1] if sfreq is None else min(band[1], sfreq / 2)
    return [line_freq * k for k in range(1, int(top // line_freq) + 1)]


def highgamma_filter(
    sfreq: float,
    *,
    band: Sequence[float] = HIGH_GAMMA_BAND,
    notches: Sequence[float] = (50.0, 100.0, 150.0),
    notch_half_width: float = NOTCH_HALF_WIDTH,
    order: int = 8,
    notch_ripple_db: float = 0.5,
    notch_attenuation_db: float = 60.0,
) -> np.ndarray:
    """Second-order sections of the notches followed by the band-pass, as one cascade.

    Parameters
    ----------
    sfreq : float
        Sampling rate in Hz (BrainKaraoke: 1024).
    band : (float, float)
        Butterworth band-pass edges in Hz.
    notches : sequence of float
        Centre frequencies of the elliptic band-stop filters, in Hz.
    notch_half_width : float
        Half width of each stop band in Hz (±0.5).
    order : int
        Design order of every filter (scipy's ``N``; band filters have twice as many poles).
    notch_ripple_db, notch_attenuation_db : float
        Pass-band ripple and stop-band attenuation of the elliptic notches.

    Returns
    -------
    sos : ndarray, shape (n_sections, 6)
    """
    from scipy import signal

    _check_band_and_notches(sfreq, band, notches, notch_half_width)
    sections = []
    for centre in notches:
        edges = (centre - notch_half_width, centre + notch_half_width)
        sections.append(
            signal.ellip(
                order,
                notch_ripple_db,
                notch_attenuation_db,
                edges,
                btype="bandstop",
                output="sos",
                fs=sfreq,
            )
        )
    sections.append(signal.butter(order, band, btype="bandpass", output="sos", fs=sfreq))
    return np.concatenate(sections)


def _check_band_and_notches(
    sfreq: float, band: Sequence[float], notches: Sequence[float], notch_half_width: float
) -> None:
    """Refuse a band or a notch that does not fit between 0 Hz and Nyquist."""
    nyquist = sfreq / 2
    low, high = band
    if not 0 < low < high < nyquist:
        raise ValueError(
            f"The band {low}–{high} Hz must lie between 0 Hz and Nyquist ({nyquist:g} Hz at "
            f"{sfreq:g} Hz)."
        )
    for centre in notches:
        if not 0 < centre - notch_half_width < centre + notch_half_width < nyquist:
            raise ValueError(
                f"The notch at {centre} Hz (±{notch_half_width} Hz) does not fit below Nyquist "
                f"({nyquist:g} Hz)."
            )


def check_highgamma_input(
    sfreq: float,
    n_times: int | None,
    *,
    band: Sequence[float] = HIGH_GAMMA_BAND,
    notches: Sequence[float] = (50.0, 100.0, 150.0),
    order: int = 8,
    source: str = "The recording",
) -> None:
    """Refuse a recording whose rate cannot hold the band and notches, or that is too short
    for the zero-phase filter, naming ``source``, the rate, the band and the minimum length.

    Parameters
    ----------
    sfreq : float
    n_times : int | None
        None checks the rate only.
    band, notches, order
        See :func:`highgamma_filter`.
    source : str
        What to name in the error (the file, or the config key of its rate).
    """
    try:
        # The rate alone (the workflow's parse-time check) needs no filter design, nor SciPy.
        if n_times is None:
            _check_band_and_notches(sfreq, band, notches, notch_half_width=NOTCH_HALF_WIDTH)
            return
        sos = highgamma_filter(sfreq, band=band, notches=notches, order=order)
    except ValueError as error:
        raise ValueError(
            f"{source} is sampled at {sfreq:g} Hz, which cannot hold the high-gamma band "
            f"{band[0]:g}–{band[1]:g} Hz with notches at {list(notches)} Hz (it needs more than "
            f"{2 * max(band[1], *notches, 0.0):g} Hz): {error}"
        ) from None
    # scipy's sosfiltfilt pads each end by this many samples and needs more than that.
    padlen = 3 * (2 * len(sos) + 1 - min((sos[:, 2] == 0).sum(), (sos[:, 5] == 0).sum()))
    if n_times <= padlen:
        raise ValueError(
            f"{source} holds {n_times} samples ({n_times / sfreq:.3f} s at {sfreq:g} Hz); the "
            f"high-gamma filter needs more than {padlen} ({padlen / sfreq:.3f} s)."
        )


@verbose
def highgamma_envelope(
    data: np.ndarray,
    sfreq: float,
    *,
    band: Sequence[float] = HIGH_GAMMA_BAND,
    notches: Sequence[float] = (50.0, 100.0, 150.0),
    order: int = 8,
    verbose=None,
) -> np.ndarray:
    """Zero-phase high-gamma envelope of every channel.

    Parameters
    ----------
    data : ndarray, shape (n_channels, n_times)
        Raw intracranial signals, channels first (as MNE holds them).
    sfreq : float
        Sampling rate in Hz.
    band, notches, order
        See :func:`highgamma_filter`.
    verbose : bool | str | int | None
        Log level for this call.

    Returns
    -------
    envelope : ndarray of float32, shape (n_channels, n_times)
        ``|hilbert(filtered)|`` at the input rate.

    Notes
    -----
    The whole cascade runs in one ``sosfiltfilt`` over all channels at once, and the Hilbert
    transform pads to a fast FFT length; both agree with filtering each channel through each
    filter in turn except within a few hundred milliseconds of the recording's ends.
    """
    from scipy import fft, signal

    data = np.asarray(data)
    if data.ndim != 2:
        raise ValueError(f"data must be (n_channels, n_times), got shape {data.shape}.")
    if not np.all(np.isfinite(data)):
        bad = sorted(set(np.nonzero(~np.isfinite(data))[0].tolist()))
        raise ValueError(f"data holds NaN or infinite values, in channels {bad[:10]}.")
    sos = highgamma_filter(sfreq, band=band, notches=notches, order=order)
    logger.info(
        "high gamma %g–%g Hz, notches at %s Hz, %d channels × %d samples at %g Hz",
        band[0], band[1], ", ".join(f"{f:g}" for f in notches) or "none", *data.shape, sfreq,
    )  # fmt: skip
    filtered = signal.sosfiltfilt(sos, data.astype(np.float64), axis=-1)
    n_times = data.shape[-1]
    analytic = signal.hilbert(filtered, N=fft.next_fast_len(n_times), axis=-1)[:, :n_times]
    return np.abs(analytic).astype(np.float32)
