"""Tacotron 2 log-mel spectrograms: the decoder's target and the vocoder's input (brain-to-audio
spec §5)."""

from dataclasses import dataclass

import numpy as np

from .._validation import check_option


@dataclass(frozen=True)
class MelConfig:
    """The mel spectrogram a pretrained WaveGlow expects.

    Parameters
    ----------
    sfreq : float
        Audio sampling rate in Hz (22,050).
    n_fft, hop_length, win_length : int
        STFT size, hop and Hann window length in samples (1024, 256, 1024).
    n_mels : int
        Mel bins (80).
    fmin, fmax : float
        Frequency range of the filter bank in Hz (0, 8000).
    filterbank : 'slaney' | 'htk'
        ``slaney``: librosa's Slaney-scale, area-normalised filters, as Tacotron 2 and WaveGlow
        were trained with. ``htk``: HTK scale without normalisation, as the BrainKaraoke
        refactor computes it (parity only).
    floor : float
        Magnitudes are clipped below this before the natural log (1e-5).
    """

    sfreq: float = 22050.0
    n_fft: int = 1024
    hop_length: int = 256
    win_length: int = 1024
    n_mels: int = 80
    fmin: float = 0.0
    fmax: float = 8000.0
    filterbank: str = "slaney"
    floor: float = 1e-5

    def __post_init__(self):
        check_option("filterbank", self.filterbank, ("slaney", "htk"))
        if not 0 <= self.fmin < self.fmax <= self.sfreq / 2:
            raise ValueError(
                f"fmin = {self.fmin} and fmax = {self.fmax} Hz must satisfy 0 ≤ fmin < fmax ≤ "
                f"Nyquist ({self.sfreq / 2:g} Hz)."
            )
        if self.win_length > self.n_fft:
            raise ValueError(f"win_length {self.win_length} exceeds n_fft {self.n_fft}.")

    def filters(self) -> np.ndarray:
        """The filter bank, shape (n_mels, n_fft // 2 + 1)."""
        import librosa

        slaney = self.filterbank == "slaney"
        return librosa.filters.mel(
            sr=self.sfreq, n_fft=self.n_fft, n_mels=self.n_mels, fmin=self.fmin, fmax=self.fmax,
            htk=not slaney, norm="slaney" if slaney else None,
        )  # fmt: skip

    def n_frames(self, n_samples: int) -> int:
        """Frames of a centred STFT of ``n_samples`` samples."""
        return 1 + n_samples // self.hop_length


def log_mel_spectrogram(audio: np.ndarray, config: MelConfig = MelConfig()) -> np.ndarray:
    """``log(max(mel · |STFT(audio)|, floor))``, as Tacotron 2's ``TacotronSTFT.mel_spectrogram``.

    The STFT is centred (reflect padding by ``n_fft // 2``) with a periodic Hann window; the
    magnitude, not the power, is mel-filtered.

    Parameters
    ----------
    audio : ndarray, shape (n_samples,)
        Mono audio at ``config.sfreq``, in [−1, 1].
    config : MelConfig

    Returns
    -------
    mel : ndarray of float32, shape (n_frames, n_mels)
        Time first, ``n_frames = 1 + n_samples // hop_length``.
    """
    import librosa

    audio = np.asarray(audio)
    if audio.ndim != 1:
        raise ValueError(f"audio must be mono (n_samples,), got shape {audio.shape}.")
    if not np.all(np.isfinite(audio)):
        raise ValueError("audio holds NaN or infinite values.")
    peak = float(np.abs(audio).max(initial=0.0))
    if peak > 1.0:
        raise ValueError(
            f"audio must lie in [-1, 1] (as read from a WAV file); its peak is {peak:.3g}."
        )
    magnitude = np.abs(
        librosa.stft(
            audio.astype(np.float32), n_fft=config.n_fft, hop_length=config.hop_length,
            win_length=config.win_length, window="hann", center=True, pad_mode="reflect",
        )
    )  # fmt: skip
    mel = config.filters() @ magnitude
    return np.log(np.maximum(mel, config.floor)).T.astype(np.float32)


def griffin_lim(
    log_mel: np.ndarray, config: MelConfig = MelConfig(), *, n_iter: int = 60, seed: int = 0
) -> np.ndarray:
    """Audio from a log-mel spectrogram: the filter bank's pseudo-inverse, then Griffin-Lim.

    The vocoder of the demo and the fallback when no WaveGlow checkpoint is configured; its
    phase is estimated, so it sounds buzzy, but it needs no weights.

    Parameters
    ----------
    log_mel : ndarray, shape (n_frames, n_mels)
        As :func:`log_mel_spectrogram` returns it.
    config : MelConfig
        The settings it was computed with.
    n_iter : int
        Griffin-Lim iterations.
    seed : int
        Seeds the initial phase.

    Returns
    -------
    audio : ndarray of float32, shape ((n_frames − 1) · hop_length,)
        In [−1, 1].
    """
    import librosa

    if log_mel.ndim != 2 or log_mel.shape[1] != config.n_mels:
        raise ValueError(f"log_mel must be (n_frames, {config.n_mels}), got shape {log_mel.shape}.")
    slaney = config.filterbank == "slaney"
    magnitude = librosa.feature.inverse.mel_to_stft(
        np.exp(log_mel.T.astype(np.float64)), sr=config.sfreq, n_fft=config.n_fft, power=1.0,
        fmin=config.fmin, fmax=config.fmax, htk=not slaney, norm="slaney" if slaney else None,
    )  # fmt: skip
    audio = librosa.griffinlim(
        magnitude, n_iter=n_iter, hop_length=config.hop_length, win_length=config.win_length,
        n_fft=config.n_fft, window="hann", center=True, pad_mode="reflect",
        random_state=np.random.default_rng(seed),
    )  # fmt: skip
    return np.clip(audio, -1.0, 1.0).astype(np.float32)
