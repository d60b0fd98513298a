"""Cutting raw block recordings into clips, and clips into overlapping windows."""

import numpy as np

from .._logging import logger, verbose
from .._validation import ensure_positive_float, samples
from ..protocol import Protocol


@verbose
def segment(raw: np.ndarray, protocol: Protocol, *, verbose=None) -> np.ndarray:
    """Cut each block into its clips and drop the hints, keeping presentation order.

    Concept slot ``c`` of a block starts at ``c × concept_samples``; its hint fills the first
    ``hint_samples`` and clip ``r`` follows at ``hint_samples + r × clip_samples``. For SEED-DV
    at 200 Hz that is ``start = 2600 c + 600 + 400 r`` (spec §3.1).

    Parameters
    ----------
    raw : ndarray, shape (n_blocks, n_channels, block_samples)
        One subject's recording, as checked by :func:`eegdecode.datasets.load_raw_eeg`.
    protocol : Protocol
        The presentation timing.
    verbose : bool | str | int | None
        Log level for this call.

    Returns
    -------
    clips : ndarray of float32, shape (n_blocks, n_concepts, n_reps, n_channels, n_times)
        Axes (block, concept, rep, channel, time), with ``n_reps = clips_per_concept`` and
        ``n_times = clip_samples``; concepts in presentation order.
    """
    if raw.ndim != 3 or raw.shape[0] != protocol.n_blocks or raw.shape[2] != protocol.block_samples:
        raise ValueError(
            f"raw must have shape ({protocol.n_blocks}, n_channels, {protocol.block_samples}) "
            f"for {protocol.describe_block()}, got {raw.shape}."
        )
    n_blocks, n_channels, _ = raw.shape
    # Block → (concept, concept_samples) is a free reshape; the hint is a slice of it and the
    # clips a second reshape, so no sample is copied twice and no index arithmetic can slip.
    per_concept = raw.reshape(n_blocks, n_channels, protocol.n_concepts, protocol.concept_samples)
    shown = per_concept[..., protocol.hint_samples :]
    clips = shown.reshape(
        n_blocks, n_channels, protocol.n_concepts, protocol.clips_per_concept, protocol.clip_samples
    )
    logger.info(
        "segmented %d blocks into %d concepts × %d clips of %d samples, dropping %d-sample hints",
        n_blocks,
        protocol.n_concepts,
        protocol.clips_per_concept,
        protocol.clip_samples,
        protocol.hint_samples,
    )
    return np.ascontiguousarray(clips.transpose(0, 2, 3, 1, 4), dtype=np.float32)


@verbose
def sliding_windows(
    data: np.ndarray, sfreq: float, *, length_s: float, step_s: float, verbose=None
) -> np.ndarray:
    """Cut the last axis into overlapping windows.

    Parameters
    ----------
    data : ndarray, shape (..., n_channels, n_times)
        Clips; the windows are taken along the last axis.
    sfreq : float
        Sampling rate in Hz.
    length_s : float
        Window length in seconds (0.5 in EEG2Video).
    step_s : float
        Distance between window starts in seconds (0.25).
    verbose : bool | str | int | None
        Log level for this call.

    Returns
    -------
    windows : ndarray, shape (..., n_windows, n_channels, window_samples)
        ``n_windows = 1 + (n_times - window_samples) // step_samples``: 7 for 400-sample clips,
        100-sample windows and a 50-sample step. Trailing samples that do not fill a window
        are dropped.
    """
    sfreq = ensure_positive_float(sfreq, "sfreq")
    length = samples(ensure_positive_float(length_s, "length_s"), sfreq, "length_s")
    step = samples(ensure_positive_float(step_s, "step_s"), sfreq, "step_s")
    if data.ndim < 2:
        raise ValueError(f"data must have at least (channel, time) axes, got shape {data.shape}.")
    n_times = data.shape[-1]
    if length > n_times:
        raise ValueError(
            f"length_s = {length_s!r} s is {length} samples, longer than the {n_times}-sample "
            f"segments."
        )
    n_windows = 1 + (n_times - length) // step
    dropped = n_times - ((n_windows - 1) * step + length)
    logger.info(
        "cutting %d-sample clips into %d windows of %d samples every %d samples%s",
        n_times,
        n_windows,
        length,
        step,
        f" ({dropped} trailing samples unused)" if dropped else "",
    )
    view = np.lib.stride_tricks.sliding_window_view(data, length, axis=-1)[..., ::step, :]
    # view: (..., channel, window, time) → (..., window, channel, time)
    return np.ascontiguousarray(np.swapaxes(view, -3, -2))
