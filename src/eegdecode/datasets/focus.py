"""Focus data: the Kaggle mental-attention recordings (Acı et al. 2019) and a synthetic
stand-in in the same layout, whose mental states show as spectral peaks.

A Kaggle record ``eeg_record{N}.mat`` holds a struct ``o`` whose ``data`` field is
(n_times, 25), with the 14 Emotiv channels at 128 Hz in columns 3–16. Each record runs through
three states of ``state_minutes`` each: focused, unfocused, drowsy.
"""

import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import io, signal

from ..signal.focus import EMOTIV_CHANNELS, FOCUS_CHANNELS

FOCUS_STATES = ("focused", "unfocused", "drowsy")
KAGGLE_SFREQ = 128.0
KAGGLE_EEG_COLUMNS = slice(3, 17)
# The records of each participant the original notebook used (spec §3.3).
KAGGLE_SUBJECT_RECORDS = {
    1: [3, 4, 5, 6, 7],
    2: [10, 11, 12, 13, 14],
    3: [17, 18, 19, 20, 21],
    4: [24, 25, 26, 27, 28],
    5: [31, 32, 33, 34],
}
# Paul Kellet's pink-noise filter: white noise through it has a 1/f spectrum above ~1 Hz.
_PINK_B = np.array([0.049922035, -0.095993537, 0.050612699, -0.004408786])
_PINK_A = np.array([1.0, -2.494956002, 2.017265875, -0.522189400])
_BACKGROUND_UV = 10.0


def load_attention_record(
    path: str | Path, channels: tuple[str, ...] = FOCUS_CHANNELS
) -> np.ndarray:
    """The EEG of one Kaggle record as (n_channels, n_times) microvolts, in ``channels`` order."""
    from .matlab import load_matlab

    mat = load_matlab(path, "Focus record")
    try:
        data = np.asarray(mat["o"]["data"][0, 0], dtype=np.float64)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise ValueError(
            f"{path} is not a mental-attention record (a .mat file with o.data of shape "
            f"(n_times, 25)): {error!r}"
        ) from error
    if data.ndim != 2 or data.shape[1] < KAGGLE_EEG_COLUMNS.stop:
        raise ValueError(f"{path}: o.data must be (n_times, 25), got {data.shape}.")
    eeg = data[:, KAGGLE_EEG_COLUMNS].T
    if not np.all(np.isfinite(eeg)):
        raise ValueError(f"{path} holds NaN or infinite EEG samples.")
    return eeg[[EMOTIV_CHANNELS.index(name) for name in channels]]


def write_attention_record(path: str | Path, eeg: np.ndarray) -> Path:
    """Write 14-channel Emotiv-order EEG (14, n_times) as a Kaggle-layout record."""
    from ..fileio import atomic_path

    if eeg.shape[0] != len(EMOTIV_CHANNELS):
        raise ValueError(f"A record holds the 14 Emotiv channels, got {eeg.shape[0]}.")
    data = np.zeros((eeg.shape[1], 25))
    data[:, KAGGLE_EEG_COLUMNS] = eeg.T
    with atomic_path(path) as temporary:
        io.savemat(temporary, {"o": {"data": data, "sampFreq": KAGGLE_SFREQ}})
    return Path(path)


def record_states(n_times: int, sfreq: float, state_minutes: float) -> list[tuple[str, int, int]]:
    """(state, first sample, end sample) of each state of a record, in order."""
    length = round(state_minutes * 60 * sfreq)
    if n_times < 3 * length:
        raise ValueError(
            f"A record of {n_times / sfreq / 60:.1f} min is shorter than three states of "
            f"{state_minutes} min."
        )
    return [(state, k * length, (k + 1) * length) for k, state in enumerate(FOCUS_STATES)]


#: How much high cognitive load changes a simulated user's frontal theta and posterior
#: alpha (:class:`FocusEEGSource`): the demo STEW's effect.
WORKLOAD_EFFECT = 2.0


@dataclass(frozen=True)
class FocusSignature:
    """How a person's mental state shows in their EEG: three rhythms whose amplitudes depend
    on the state, and a gain per channel.

    Attributes
    ----------
    frequencies : (float, float, float)
        Theta-, alpha- and beta-like peak frequencies in Hz.
    amplitudes : dict of str to (float, float, float)
        Peak amplitudes in microvolts in each state.
    channel_gains : ndarray, shape (n_channels,)
    """

    frequencies: tuple[float, float, float]
    amplitudes: dict
    channel_gains: np.ndarray

    @classmethod
    def population(cls, n_channels: int, *, seed: int, jitter_hz: float = 0.3):
        """The base data's signature (6, 10, 15 Hz; focus lowers alpha and raises beta), with
        each subject's peaks moved by up to ``jitter_hz``."""
        rng = np.random.default_rng([seed, 11])
        return cls(
            tuple(np.array([6.0, 10.0, 15.0]) + rng.uniform(-jitter_hz, jitter_hz, 3)),
            {
                "focused": (1.5, 1.5, 4.0),
                "unfocused": (2.0, 5.0, 1.5),
                "drowsy": (5.0, 2.5, 1.0),
            },
            rng.uniform(0.7, 1.3, n_channels),
        )

    @classmethod
    def for_user(cls, user: str, n_channels: int):
        """A user whose rhythms sit elsewhere (4–5, 7.5–8.5, 12–13 Hz), so a model of the
        population reads them poorly; the same name gives the same signature."""
        rng = np.random.default_rng([zlib.crc32(user.encode()), 12])
        population = cls.population(n_channels, seed=0, jitter_hz=0.0)
        return cls(
            (rng.uniform(4, 5), rng.uniform(7.5, 8.5), rng.uniform(12, 13)),
            population.amplitudes,
            rng.uniform(0.7, 1.3, n_channels),
        )


class FocusEEGSource:
    """Continuous synthetic EEG whose rhythms follow the current state, chunk by chunk.

    Phases and the noise filter carry over between chunks, so the concatenation of chunks
    equals one long call.

    Parameters
    ----------
    signature : FocusSignature
    sfreq : float
    seed : int
    channel_names : sequence of str | None
        Needed for ``workload``: high cognitive load raises the theta-like rhythm on frontal
        channels and lowers the alpha-like one on posterior channels by the factor
        ``1 + WORKLOAD_EFFECT``, as the demo STEW's test does
        (:func:`~eegdecode.datasets.mental_state_demo.write_demo_stew`).
    """

    def __init__(self, signature: FocusSignature, sfreq: float, *, seed: int, channel_names=None):
        self.signature, self.sfreq = signature, sfreq
        self.n_channels = len(signature.channel_gains)
        self._rng = np.random.default_rng([seed, 13])
        self._phases = self._rng.uniform(0, 2 * np.pi, (self.n_channels, 3))
        self._noise_state = np.zeros((self.n_channels, len(_PINK_A) - 1))
        self.channel_names = None if channel_names is None else list(channel_names)

    def _workload_factors(self) -> np.ndarray:
        """(n_channels, 3) amplitude factors of high load."""
        from .mental_state_demo import FRONTAL_CHANNELS, POSTERIOR_CHANNELS

        if self.channel_names is None:
            raise ValueError("A source simulates cognitive load only with its channel_names.")
        factors = np.ones((self.n_channels, 3))
        for row, name in enumerate(self.channel_names):
            factors[row, 0] *= 1 + WORKLOAD_EFFECT * (name in FRONTAL_CHANNELS)
            factors[row, 1] /= 1 + WORKLOAD_EFFECT * (name in POSTERIOR_CHANNELS)
        return factors

    def next(self, n_samples: int, state: str, *, workload: bool = False) -> np.ndarray:
        """The next ``n_samples`` of EEG, (n_channels, n_samples) microvolts; ``workload``:
        under high cognitive load."""
        amplitudes = np.broadcast_to(self.signature.amplitudes[state], (self.n_channels, 3))
        if workload:
            amplitudes = amplitudes * self._workload_factors()
        steps = np.arange(1, n_samples + 1) / self.sfreq
        frequencies = np.asarray(self.signature.frequencies)
        # Each rhythm waxes and wanes a little, as real rhythms do.
        wobble = 1 + 0.2 * self._rng.standard_normal((1, 3, 1))
        phases = self._phases[..., None] + 2 * np.pi * frequencies[None, :, None] * steps
        rhythms = (amplitudes[..., None] * wobble * np.sin(phases)).sum(axis=1)
        self._phases = np.mod(phases[..., -1], 2 * np.pi)
        white = self._rng.standard_normal((self.n_channels, n_samples))
        pink, self._noise_state = signal.lfilter(
            _PINK_B, _PINK_A, white, axis=-1, zi=self._noise_state
        )
        return self.signature.channel_gains[:, None] * rhythms + _BACKGROUND_UV * 5 * pink


def synthesize_attention_record(
    signature: FocusSignature, *, state_minutes: float, seed: int, sfreq: float = KAGGLE_SFREQ
) -> np.ndarray:
    """A record of the three states in order, (n_channels, 3 · state_minutes · 60 · sfreq)."""
    source = FocusEEGSource(signature, sfreq, seed=seed)
    length = round(state_minutes * 60 * sfreq)
    return np.concatenate([source.next(length, state) for state in FOCUS_STATES], axis=1)
