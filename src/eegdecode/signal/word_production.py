"""SingleWordProductionDutch's reference features (brain-to-audio spec §11): high-gamma means in
short frames with stacked context for the sEEG, and a 23-bin log-mel of the audio in the same
frames. The linear baseline (:mod:`eegdecode.training.linear_baseline`) decodes one from the
other.

Both are framed alike: frame ``w`` covers ``[w · shift_s, w · shift_s + window_s)``, so the
sEEG's and the audio's frames share one time grid whatever their rates.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class WordProductionFeatures:
    """The reference's feature settings (config key ``audio.linear_baseline``).

    Parameters
    ----------
    window_s, shift_s : float
        Frame length and shift (50 ms every 10 ms).
    band : (float, float)
        High-gamma band-pass in Hz (70–170).
    band_stops : sequence of (float, float)
        Band-stop filters for the line-noise harmonics inside the band (98–102, 148–152 Hz).
    order : int
        Order of each IIR (Butterworth) filter (4).
    model_order, step_size : int
        Context: frames ``i − model_order · step_size … i + model_order · step_size`` every
        ``step_size`` are stacked (4 and 5: nine frames, ±200 ms).
    audio_sfreq : float
        Rate the audio is resampled to before the mel (16,000 Hz).
    n_mels : int
        Mel bins (23).
    """

    window_s: float = 0.05
    shift_s: float = 0.01
    band: tuple[float, float] = (70.0, 170.0)
    band_stops: tuple[tuple[float, float], ...] = ((98.0, 102.0), (148.0, 152.0))
    order: int = 4
    model_order: int = 4
    step_size: int = 5
    audio_sfreq: float = 16000.0
    n_mels: int = 23

    def __post_init__(self):
        object.__setattr__(self, "band", tuple(self.band))
        object.__setattr__(self, "band_stops", tuple(tuple(stop) for stop in self.band_stops))
        if not 0 < self.shift_s <= self.window_s:
            raise ValueError(
                f"shift_s = {self.shift_s} must be positive and at most window_s = {self.window_s}."
            )

    @property
    def context_frames(self) -> int:
        """Frames of context on each side of a stacked frame (20)."""
        return self.model_order * self.step_size

    @property
    def guard_frames(self) -> int:
        """Frames by which two stacked frames must differ to share no sample: the stacked
        span and the frames a window overlaps (44 for the defaults)."""
        overlap = int(np.ceil(self.window_s / self.shift_s - 1e-9)) - 1
        return 2 * self.context_frames + overlap


def n_frames(n_samples: int, sfreq: float, window_s: float, shift_s: float) -> int:
    """Whole frames in ``n_samples`` (the reference's count)."""
    return max(0, int(np.floor((n_samples - window_s * sfreq) / (shift_s * sfreq))))


def _frame_bounds(count: int, sfreq: float, window_s: float, shift_s: float):
    starts = np.floor(np.arange(count) * shift_s * sfreq).astype(int)
    return starts, np.floor(starts + window_s * sfreq).astype(int)


def framed_highgamma(
    seeg: np.ndarray,
    sfreq: float,
    *,
    window_s: float = 0.05,
    shift_s: float = 0.01,
    band: tuple[float, float] = (70.0, 170.0),
    band_stops: Sequence[tuple[float, float]] = ((98.0, 102.0), (148.0, 152.0)),
    order: int = 4,
) -> np.ndarray:
    """Mean high-gamma envelope of each channel in each frame.

    Linear detrend; a Butterworth band-pass and band-stops of ``order``, each zero phase
    (``sosfiltfilt``); the Hilbert magnitude; its mean over each frame.

    Parameters
    ----------
    seeg : ndarray, shape (n_channels, n_times)
    sfreq : float

    Returns
    -------
    frames : ndarray of float64, shape (n_frames, n_channels)
    """
    from scipy import fft, signal

    data = signal.detrend(np.asarray(seeg, dtype=np.float64), axis=-1)
    nyquist = sfreq / 2
    filters = [(band, "bandpass"), *((stop, "bandstop") for stop in band_stops)]
    for (low, high), kind in filters:
        if not 0 < low < high < nyquist:
            raise ValueError(
                f"The {kind} {low:g}–{high:g} Hz does not fit below the Nyquist frequency "
                f"({nyquist:g} Hz) of a recording at {sfreq:g} Hz."
            )
        sos = signal.iirfilter(order, [low / nyquist, high / nyquist], btype=kind, output="sos")
        data = signal.sosfiltfilt(sos, data, axis=-1)
    n_times = data.shape[-1]
    envelope = np.abs(signal.hilbert(data, fft.next_fast_len(n_times), axis=-1)[..., :n_times])
    count = n_frames(n_times, sfreq, window_s, shift_s)
    starts, stops = _frame_bounds(count, sfreq, window_s, shift_s)
    cumulative = np.concatenate([np.zeros((len(data), 1)), np.cumsum(envelope, axis=-1)], axis=1)
    return ((cumulative[:, stops] - cumulative[:, starts]) / (stops - starts)).T


def stack_context(frames: np.ndarray, *, model_order: int = 4, step_size: int = 5) -> np.ndarray:
    """Each frame with its context: frames ``i − model_order · step_size … i + model_order ·
    step_size`` every ``step_size``, flattened offset by offset.

    Parameters
    ----------
    frames : ndarray, shape (n_frames, n_channels)

    Returns
    -------
    stacked : ndarray, shape (n_frames − 2 · context, (2 · model_order + 1) · n_channels)
        With ``context = model_order · step_size``; row ``j`` is centred on frame
        ``j + context``.
    """
    context = model_order * step_size
    n_stacked = len(frames) - 2 * context
    if n_stacked < 1:
        raise ValueError(f"{len(frames)} frames are too few to stack ±{context} frames of context.")
    offsets = np.arange(-context, context + 1, step_size)
    centres = np.arange(context, context + n_stacked)
    return frames[centres[:, None] + offsets[None, :]].reshape(n_stacked, -1)


def framed_log_mel(
    audio: np.ndarray,
    sfreq: float,
    *,
    window_s: float = 0.05,
    shift_s: float = 0.01,
    n_mels: int = 23,
    floor: float = 1e-5,
) -> np.ndarray:
    """Log-mel spectrogram in the same frames: a periodic Hann window, the magnitude spectrum,
    ``n_mels`` triangular filters on the HTK mel scale from 0 Hz to Nyquist (librosa, not
    normalised), and the natural log of the filter outputs floored at ``floor``.

    Parameters
    ----------
    audio : ndarray, shape (n_samples,)
    sfreq : float
        Its rate (the reference: 16,000 Hz).

    Returns
    -------
    log_mel : ndarray of float64, shape (n_frames, n_mels)
    """
    import librosa
    from scipy import signal

    length = int(np.floor(window_s * sfreq))
    count = n_frames(len(audio), sfreq, window_s, shift_s)
    starts, _ = _frame_bounds(count, sfreq, window_s, shift_s)
    window = signal.get_window("hann", length, fftbins=True)
    segments = np.asarray(audio, dtype=np.float64)[starts[:, None] + np.arange(length)]
    magnitude = np.abs(np.fft.rfft(segments * window, axis=-1))
    filters = librosa.filters.mel(
        sr=sfreq, n_fft=length, n_mels=n_mels, fmin=0.0, fmax=sfreq / 2, htk=True, norm=None
    )
    return np.log(np.maximum(magnitude @ filters.T, floor))
