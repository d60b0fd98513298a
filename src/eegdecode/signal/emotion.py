"""The emotion model's features on DREAMER, as eeg-shenanigans computes them with torcheeg
(spec "focus and calibration" §4.1), written here without torcheeg.

Per 1 s chunk (14, 128): subtract the clip's baseline (the mean of its 61 one-second baseline
chunks, in the time domain); then per electrode four band differential entropies,
standardised by the chunk's own mean and std, beside the chunk downsampled to 32 points and
min-max scaled by its own range (36 values per electrode); interpolate each of the 36 maps
onto the electrode grid (Clough-Tocher cubic, 0 outside the electrodes' hull; from torcheeg's
hand-placed cells, or from MNE's standard montage with ``grid_positions='montage'``) and
resize the grid bilinearly to 16 × 16. CCNN's input is the band DE alone, placed on the 9 × 9 grid.
"""

from collections.abc import Mapping
from functools import partial

import numpy as np

from .focus import EMOTIV_CHANNELS

# torcheeg's default bands, in this order (Hz).
DE_BANDS = {"theta": (4.0, 8.0), "alpha": (8.0, 14.0), "beta": (14.0, 31.0), "gamma": (31.0, 49.0)}
# The Emotiv electrodes on torcheeg's 9 × 9 DREAMER grid (row, column).
DREAMER_GRID = {
    "AF3": (1, 3),
    "F7": (2, 0),
    "F3": (2, 2),
    "FC5": (3, 1),
    "T7": (4, 0),
    "P7": (6, 0),
    "O1": (8, 3),
    "O2": (8, 5),
    "P8": (6, 8),
    "T8": (4, 8),
    "FC6": (3, 7),
    "F4": (2, 6),
    "F8": (2, 8),
    "AF4": (1, 5),
}


GRID_POSITIONS = ("torcheeg", "montage")


def montage_positions(
    montage: str = "colin27_1020", names: tuple[str, ...] = EMOTIV_CHANNELS
) -> dict[str, tuple[float, float]]:
    """The electrodes where an MNE standard montage puts them, seen from above, in the span
    of the DREAMER grid: rows 1 … 8 from the front to the back, columns 0 … 8 from left to
    right, so that :func:`interpolate_to_grid` samples the same 9 × 9 lattice as it does
    from :data:`DREAMER_GRID`'s hand-placed cells."""
    import mne

    positions = mne.channels.make_standard_montage(montage).get_positions()["ch_pos"]
    xy = np.array([positions[name][:2] for name in names])
    rows = 1 + 7 * (xy[:, 1].max() - xy[:, 1]) / np.ptp(xy[:, 1])
    cols = 8 * (xy[:, 0] - xy[:, 0].min()) / np.ptp(xy[:, 0])
    return {name: (float(r), float(c)) for name, r, c in zip(names, rows, cols, strict=True)}


def grid_locations(kind: str) -> Mapping[str, tuple[float, float]]:
    """:data:`DREAMER_GRID` (``'torcheeg'``, the original's) or :func:`montage_positions`."""
    from .._validation import check_option

    check_option("grid_positions", kind, GRID_POSITIONS)
    return DREAMER_GRID if kind == "torcheeg" else montage_positions()


def chunk_trial(eeg: np.ndarray, chunk: int) -> np.ndarray:
    """Non-overlapping chunks (n_chunks, n_channels, chunk) of (n_channels, n_times); a last
    partial chunk is dropped, as torcheeg does."""
    n_chunks = eeg.shape[-1] // chunk
    return eeg[:, : n_chunks * chunk].reshape(eeg.shape[0], n_chunks, chunk).swapaxes(0, 1)


def mean_baseline(baseline: np.ndarray, chunk: int, n_chunks: int = 61) -> np.ndarray:
    """The mean of the first ``n_chunks`` chunks of a clip's baseline, (n_channels, chunk)."""
    if baseline.shape[-1] < n_chunks * chunk:
        raise ValueError(
            f"A baseline of {baseline.shape[-1]} samples is shorter than {n_chunks} chunks of "
            f"{chunk}."
        )
    return chunk_trial(baseline[:, : n_chunks * chunk], chunk).mean(axis=0)


def band_differential_entropy(
    chunks: np.ndarray, sfreq: float, bands: Mapping[str, tuple[float, float]] = DE_BANDS
) -> np.ndarray:
    """½·log₂(2πe·σ²) of each chunk band-passed by a causal order-5 Butterworth.

    The filter starts from rest in every chunk (torcheeg's ``lfilter``; second-order sections
    here, the same filter). Base 2 is torcheeg's; any other base scales every value by one
    constant, which the per-chunk standardisation that follows removes.

    Parameters
    ----------
    chunks : ndarray, shape (..., n_times)
    sfreq : float
    bands : dict of str to (float, float)

    Returns
    -------
    de : ndarray, shape (..., n_bands)
    """
    from scipy import signal

    values = []
    for low, high in bands.values():
        sos = signal.butter(5, [low, high], btype="bandpass", fs=sfreq, output="sos")
        values.append(0.5 * np.log2(2 * np.pi * np.e * signal.sosfilt(sos, chunks).var(axis=-1)))
    return np.stack(values, axis=-1)


def standardise_each(values: np.ndarray) -> np.ndarray:
    """Each sample (axis 0) by its own mean and std over all its values (torcheeg's
    ``MeanStdNormalize`` without statistics); a constant sample keeps std 1."""
    axes = tuple(range(1, values.ndim))
    std = values.std(axis=axes, keepdims=True)
    return (values - values.mean(axis=axes, keepdims=True)) / np.where(std > 0, std, 1.0)


def _min_max_each(values: np.ndarray) -> np.ndarray:
    axes = tuple(range(1, values.ndim))
    low, high = values.min(axis=axes, keepdims=True), values.max(axis=axes, keepdims=True)
    return (values - low) / np.where(high > low, high - low, 1.0)


def downsample_points(n_times: int, n_points: int) -> np.ndarray:
    """torcheeg's ``Downsample``: ``n_points`` indices from first to last sample, floored."""
    return np.linspace(0, n_times - 1, n_points).astype(int)


def interpolate_to_grid(
    values: np.ndarray, locations: Mapping[str, tuple[int, int]] = DREAMER_GRID
) -> np.ndarray:
    """Electrode values (n, n_channels, n_maps) on the electrodes' grid, (n, n_maps, rows, cols).

    torcheeg's ``ToInterpolatedGrid``: the grid spans the occupied rows and columns, as many
    points as the largest row and column index + 1, evenly spaced between the smallest and the
    largest (for DREAMER rows 1…8 in 9 steps, columns 0…8); values come from Clough-Tocher
    cubic interpolation (SciPy's ``griddata(method='cubic')``) and are 0 outside the hull.
    """
    from scipy.interpolate import CloughTocher2DInterpolator

    points = np.array([locations[name] for name in EMOTIV_CHANNELS], dtype=np.float64)
    n_rows, n_cols = np.rint(points.max(axis=0)).astype(int) + 1
    rows = np.linspace(points[:, 0].min(), points[:, 0].max(), n_rows)
    cols = np.linspace(points[:, 1].min(), points[:, 1].max(), n_cols)
    n, n_channels, n_maps = values.shape
    flat = np.moveaxis(values, 1, 0).reshape(n_channels, n * n_maps)
    interpolator = CloughTocher2DInterpolator(points, flat, fill_value=0.0)
    grid_rows, grid_cols = np.meshgrid(rows, cols, indexing="ij")
    grid = interpolator(grid_rows, grid_cols)  # (rows, cols, n · n_maps)
    return np.moveaxis(grid.reshape(n_rows, n_cols, n, n_maps), (2, 3), (0, 1))


def place_on_grid(
    values: np.ndarray, locations: Mapping[str, tuple[int, int]] = DREAMER_GRID
) -> np.ndarray:
    """torcheeg's ``ToGrid``: (n, n_channels, n_maps) → (n, n_maps, rows, cols), 0 elsewhere."""
    index = np.array([locations[name] for name in EMOTIV_CHANNELS])
    n_rows, n_cols = index.max(axis=0) + 1
    grid = np.zeros((values.shape[0], values.shape[2], n_rows, n_cols))
    grid[:, :, index[:, 0], index[:, 1]] = np.moveaxis(values, 1, 2)
    return grid


def resize_grids(grids: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Bilinear resize of the last two axes (torch's ``interpolate``, align_corners=False)."""
    import torch
    from torch.nn import functional

    tensor = torch.from_numpy(np.ascontiguousarray(grids, dtype=np.float32))
    resized = functional.interpolate(tensor, size=tuple(size), mode="bilinear", align_corners=False)
    return resized.numpy()


def sst_inputs(
    chunks: np.ndarray,
    baseline: np.ndarray,
    sfreq: float,
    *,
    n_points: int = 32,
    grid_size: tuple[int, int] = (16, 16),
    locations: Mapping[str, tuple[float, float]] = DREAMER_GRID,
) -> np.ndarray:
    """SST-EmotionNet's input for the chunks of one clip.

    Parameters
    ----------
    chunks : ndarray, shape (n, 14, chunk)
        Emotiv order.
    baseline : ndarray, shape (14, chunk)
        The clip's :func:`mean_baseline`.
    sfreq : float
    n_points : int
        Samples kept of each chunk (32).
    grid_size : (int, int)
    locations : dict of str to (float, float)
        Where the electrodes are interpolated from (:func:`grid_locations`).

    Returns
    -------
    inputs : ndarray of float32, shape (n, n_bands + n_points, *grid_size)
        The band maps first.
    """
    removed = chunks - baseline
    de = standardise_each(band_differential_entropy(removed, sfreq))
    samples = _min_max_each(removed[..., downsample_points(removed.shape[-1], n_points)])
    grids = interpolate_to_grid(np.concatenate([de, samples], axis=-1), locations)
    return resize_grids(grids, grid_size)


def ccnn_inputs(chunks: np.ndarray, baseline: np.ndarray, sfreq: float) -> np.ndarray:
    """CCNN's input: the band DE of the baseline-removed chunks on the 9 × 9 grid, (n, 4, 9, 9)."""
    de = band_differential_entropy(chunks - baseline, sfreq)
    return place_on_grid(de).astype(np.float32)


BASELINE_HANDLING = ("exclude", "subtract", "include")


def windowed_differential_entropy(
    eeg: np.ndarray,
    sfreq: float,
    *,
    window_s: float = 1.0,
    step_s: float = 0.5,
    bands: Mapping[str, tuple[float, float]] | None = None,
) -> np.ndarray:
    """Mean over Hamming-windowed segments of ``½·ln(2πe·σ²)``, per channel (and band).

    Parameters
    ----------
    eeg : ndarray, shape (..., n_times)
    sfreq : float
    window_s, step_s : float
        Segment length and step (1 s and 0.5 s: 128 samples every 64 at DEAP's 128 Hz).
    bands : dict of str to (float, float) | None
        None: the signal as it is (one value per channel); else each band after a zero-phase
        order-4 Butterworth band-pass, on a last axis.

    Returns
    -------
    de : ndarray, shape (...) or (..., n_bands)
    """
    from scipy import signal

    window, step = round(window_s * sfreq), round(step_s * sfreq)
    if eeg.shape[-1] < window:
        raise ValueError(f"{eeg.shape[-1]} samples are fewer than one {window_s} s window.")
    if bands is not None:
        eeg = np.stack([
            signal.sosfiltfilt(signal.butter(4, limits, btype="bandpass", fs=sfreq,
                                             output="sos"), eeg)
            for limits in bands.values()
        ], axis=-2)  # fmt: skip
    segments = np.lib.stride_tricks.sliding_window_view(eeg, window, axis=-1)[..., ::step, :]
    variance = (segments * np.hamming(window)).var(axis=-1)
    de = (0.5 * np.log(2 * np.pi * np.e * variance)).mean(axis=-1)
    return de


def trial_differential_entropy(
    trials: np.ndarray,
    sfreq: float,
    *,
    n_baseline: int,
    baseline: str = "exclude",
    bands: Mapping[str, tuple[float, float]] | None = None,
    window_s: float = 1.0,
    step_s: float = 0.5,
) -> np.ndarray:
    """Per-trial DE (:func:`windowed_differential_entropy`) with the pre-trial baseline handled.

    Parameters
    ----------
    trials : ndarray, shape (n_trials, n_channels, n_times)
        Each trial's first ``n_baseline`` samples are its baseline.
    sfreq : float
    n_baseline : int
    baseline : 'exclude' | 'subtract' | 'include'
        ``exclude``: the DE of the samples after the baseline; ``subtract``: that minus the
        DE of the baseline; ``include``: of all samples (the original's, which lets the
        baseline's seconds into every trial's feature).
    bands, window_s, step_s
        As in :func:`windowed_differential_entropy`.
    """
    from .._validation import check_option

    check_option("baseline", baseline, BASELINE_HANDLING)
    de = partial(windowed_differential_entropy, sfreq=sfreq, bands=bands, window_s=window_s,
                 step_s=step_s)  # fmt: skip
    if baseline == "include":
        return de(trials)
    during = de(trials[..., n_baseline:])
    return during - de(trials[..., :n_baseline]) if baseline == "subtract" else during
