"""The embedded brain-to-audio demo: synthetic speech and sEEG whose high gamma follows it.

- **Audio** is formant synthesis of consonant-vowel words: a voiced glottal pulse train (about
  120 Hz with a slow pitch drift) through the three formant resonators of a vowel, preceded by
  a fricative (band-passed noise) or a plosive burst, with silences between words.
- **sEEG** (1024 Hz) on every channel is 1/f background noise and 50 Hz line noise with its
  harmonics, plus a 70–170 Hz noise carrier whose amplitude follows a random mixture of the
  audio's standardised log-mel bins. ``signal_strength`` scales that modulation; at 0 the
  carrier's amplitude is constant and nothing about the audio can be decoded.
"""

from dataclasses import dataclass

import numpy as np
from scipy import signal

from .._logging import logger
from .demo import pink_noise

# F1, F2, F3 in Hz (Peterson & Barney-like values for an adult speaker).
VOWEL_FORMANTS = {
    "a": (730, 1090, 2440),
    "e": (530, 1840, 2480),
    "i": (270, 2290, 3010),
    "o": (570, 840, 2410),
    "u": (300, 870, 2240),
}
# Consonants: fricatives are band-passed noise (band in Hz), plosives a short broadband burst.
FRICATIVES = {"s": (4000, 8000), "f": (1500, 6000), "sh": (2000, 5000)}
PLOSIVES = ("p", "t", "k")
CARRIER_RMS_UV = 3.0


@dataclass(frozen=True)
class SpeechDemo:
    """Synthetic speech and what was said.

    Attributes
    ----------
    audio : ndarray of float32, shape (n_samples,)
        Mono, in [−1, 1].
    sfreq : float
        Its rate in Hz.
    words : list of str
        Consonant-vowel syllables, in order.
    onsets_s : ndarray
        Start of each word in seconds.
    durations_s : ndarray
        Length of each word in seconds.
    """

    audio: np.ndarray
    sfreq: float
    words: list[str]
    onsets_s: np.ndarray
    durations_s: np.ndarray

    def write_events(self, path) -> None:
        """The words as a BIDS ``events.tsv``: ``onset``, ``duration``, ``trial_type``."""
        from ..fileio import write_tsv

        rows = [
            {"onset": f"{onset:.4f}", "duration": f"{duration:.4f}", "trial_type": word}
            for word, onset, duration in zip(
                self.words, self.onsets_s, self.durations_s, strict=True
            )
        ]
        write_tsv(path, rows, ["onset", "duration", "trial_type"])


def _resonate(excitation: np.ndarray, centre: float, bandwidth: float, sfreq: float):
    """A two-pole resonator (one formant)."""
    radius = np.exp(-np.pi * bandwidth / sfreq)
    theta = 2 * np.pi * centre / sfreq
    return signal.lfilter([1 - radius], [1, -2 * radius * np.cos(theta), radius**2], excitation)


def _vowel(rng, vowel: str, seconds: float, sfreq: float) -> np.ndarray:
    n = int(seconds * sfreq)
    pitch = 120 * (1 + 0.08 * np.sin(np.linspace(0, np.pi, n)) + 0.02 * rng.standard_normal())
    phase = np.cumsum(pitch / sfreq)
    pulses = np.diff(np.floor(phase), prepend=0.0)
    sound = sum(
        _resonate(pulses, f, 60 + 0.05 * f, sfreq) * (0.5**k)
        for k, f in enumerate(VOWEL_FORMANTS[vowel])
    )
    return sound * np.hanning(n) ** 0.3


def _consonant(rng, consonant: str, sfreq: float) -> np.ndarray:
    if consonant in FRICATIVES:
        n = int(0.12 * sfreq)
        sos = signal.butter(4, FRICATIVES[consonant], "bandpass", output="sos", fs=sfreq)
        return 0.3 * signal.sosfilt(sos, rng.standard_normal(n)) * np.hanning(n)
    n = int(0.03 * sfreq)
    burst = rng.standard_normal(n) * np.exp(-np.arange(n) / (0.005 * sfreq))
    return np.concatenate([np.zeros(int(0.04 * sfreq)), 0.5 * burst])


def synthesize_speech(
    seconds: float, *, seed: int, sfreq: float = 22050.0, gap_s: tuple[float, float] = (0.15, 0.5)
) -> SpeechDemo:
    """Consonant-vowel words with silences between them, filling ``seconds``.

    Parameters
    ----------
    seconds : float
        Length of the recording.
    seed : int
        Seeds the words, their timing and every noise.
    sfreq : float
        Audio rate in Hz (22,050, the mel target's rate).
    gap_s : (float, float)
        Range of the silences between words.

    Returns
    -------
    speech : SpeechDemo
    """
    rng = np.random.default_rng([seed, 2])
    n_samples = int(seconds * sfreq)
    audio = np.zeros(n_samples)
    consonants = [*FRICATIVES, *PLOSIVES]
    words, onsets, durations = [], [], []
    position = int(rng.uniform(*gap_s) * sfreq)
    while True:
        consonant = consonants[rng.integers(len(consonants))]
        vowel = list(VOWEL_FORMANTS)[rng.integers(len(VOWEL_FORMANTS))]
        word = np.concatenate(
            [_consonant(rng, consonant, sfreq), _vowel(rng, vowel, rng.uniform(0.2, 0.45), sfreq)]
        )
        if position + len(word) > n_samples:
            break
        audio[position : position + len(word)] += word
        words.append(consonant + vowel)
        onsets.append(position / sfreq)
        durations.append(len(word) / sfreq)
        position += len(word) + int(rng.uniform(*gap_s) * sfreq)
    audio = 0.9 * audio / max(np.abs(audio).max(), 1e-9)
    logger.info("synthesised %d words in %.1f s of audio at %g Hz", len(words), seconds, sfreq)
    return SpeechDemo(audio.astype(np.float32), sfreq, words, np.array(onsets), np.array(durations))


def make_demo_seeg(
    speech: SpeechDemo,
    *,
    n_channels: int,
    seed: int,
    signal_strength: float,
    sfreq: float = 1024.0,
    line_freq: float = 50.0,
) -> np.ndarray:
    """sEEG whose high-gamma amplitude follows the speech's log-mel spectrogram.

    Parameters
    ----------
    speech : SpeechDemo
        The audio the sEEG is paired with (same start, same length).
    n_channels : int
        Contacts.
    seed : int
        Seeds the mixing and every noise.
    signal_strength : float
        Depth of the modulation (1: the carrier's amplitude varies by about ±60 %; 0: null).
    sfreq : float
        sEEG rate in Hz (1024).
    line_freq : float
        Line noise frequency; 1, 2 and 3 times it are added.

    Returns
    -------
    seeg : ndarray of float32, shape (n_channels, n_times)
        Microvolts.
    """
    from ..signal.mel import MelConfig, log_mel_spectrogram

    rng = np.random.default_rng([seed, 3])
    n_times = round(len(speech.audio) / speech.sfreq * sfreq)
    config = MelConfig(sfreq=speech.sfreq)
    mel = log_mel_spectrogram(speech.audio, config)
    mel = (mel - mel.mean(axis=0)) / (mel.std(axis=0) + 1e-6)
    mixing = rng.standard_normal((mel.shape[1], n_channels)) / np.sqrt(mel.shape[1])
    drive = mel @ mixing  # (frames, channels)
    drive /= drive.std(axis=0) + 1e-6
    frame_times = np.arange(len(mel)) * config.hop_length / speech.sfreq
    times = np.arange(n_times) / sfreq
    drive = np.stack([np.interp(times, frame_times, d) for d in drive.T])
    amplitude = np.exp(0.5 * signal_strength * np.tanh(drive))
    carrier_sos = signal.butter(4, (70, 170), "bandpass", output="sos", fs=sfreq)
    carrier = signal.sosfiltfilt(carrier_sos, rng.standard_normal((n_channels, n_times)), axis=-1)
    carrier *= CARRIER_RMS_UV / carrier.std(axis=-1, keepdims=True)
    background = pink_noise(rng, (n_channels, n_times), sfreq)
    line = sum(
        (5.0 / k) * np.sin(2 * np.pi * k * line_freq * times + rng.uniform(0, 2 * np.pi))
        for k in (1, 2, 3)
    )
    return (background + amplitude * carrier + line).astype(np.float32)
