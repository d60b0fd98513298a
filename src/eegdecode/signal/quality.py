"""Flat and saturated channels, flagged where a recording enters each path.

A flat channel (a disconnected electrode, an all-zero column) gives band features far from
every other channel's (DE of −1015 against 17–26); a saturated one (an amplifier at its rail)
carries its clipping into every feature. Neither stops a decoder by itself, so each is named
in the log and on the path's QC figure, or stops the job with ``features.on_flat_channel:
error``.
"""

from collections.abc import Sequence

import numpy as np

from .._logging import logger
from .._validation import check_option

#: A channel whose standard deviation is below this fraction of the median channel's is flat.
FLAT_RELATIVE_STD = 1e-6
#: A channel with at least this fraction of its samples at its maximum or at its minimum is
#: saturated.
SATURATED_FRACTION = 0.01


def channel_problems(data: np.ndarray, channel_names: Sequence[str]) -> dict[str, str]:
    """What is wrong with each flat or saturated channel.

    Parameters
    ----------
    data : ndarray, shape (..., n_channels, n_times)
        Leading axes (blocks, trials) are pooled per channel.
    channel_names : sequence of str

    Returns
    -------
    problems : dict of str to str
        Channel name → ``"flat"`` or ``"saturated: 3.1 % of samples at its limit"``, in
        channel order; empty when all channels look alive.
    """
    data = np.asarray(data)
    if data.ndim < 2 or data.shape[-2] != len(channel_names):
        raise ValueError(
            f"data of shape {data.shape} must be (..., n_channels, n_times) with "
            f"{len(channel_names)} channels."
        )
    per_channel = np.moveaxis(data, -2, 0).reshape(len(channel_names), -1)
    spread = per_channel.std(axis=1)
    alive = spread[spread > 0]
    reference = np.median(alive) if len(alive) else 0.0
    problems = {}
    for name, values, std in zip(channel_names, per_channel, spread, strict=True):
        if std == 0 or std <= FLAT_RELATIVE_STD * reference:
            problems[name] = "flat"
            continue
        at_limit = max(np.mean(values == values.max()), np.mean(values == values.min()))
        if at_limit >= SATURATED_FRACTION:
            problems[name] = f"saturated: {100 * at_limit:.1f} % of samples at its limit"
    return problems


def check_channels(
    data: np.ndarray,
    channel_names: Sequence[str],
    *,
    source: str,
    on_flat_channel: str = "warn",
) -> list[str]:
    """Flag flat and saturated channels of a recording (:func:`channel_problems`).

    Parameters
    ----------
    data : ndarray, shape (..., n_channels, n_times)
    channel_names : sequence of str
    source : str
        The file, named in the message.
    on_flat_channel : 'warn' | 'error'
        Config key ``features.on_flat_channel``: log a warning, or raise.

    Returns
    -------
    flagged : list of str
        ``"<name> (<problem>)"`` per flagged channel, for the outputs' ``flagged_channels``
        attribute and the QC figures.
    """
    check_option("features.on_flat_channel", on_flat_channel, ("warn", "error"))
    flagged = [
        f"{name} ({problem})" for name, problem in channel_problems(data, channel_names).items()
    ]
    if flagged:
        message = f"{source}: {len(flagged)} channel(s) look broken: {', '.join(flagged)}"
        if on_flat_channel == "error":
            raise ValueError(
                f"{message}. Repair or leave them out, or set features.on_flat_channel: warn "
                f"to go on with them flagged."
            )
        logger.warning("%s; going on (features.on_flat_channel: warn)", message)
    return flagged
