"""The per-subject quality-control figure of the band features."""

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import mne
import numpy as np
import scipy.signal

from .._logging import logger, verbose
from .figures import note_flagged_channels


def standard_positions(
    channel_names: Sequence[str], montage: str, aliases: Mapping[str, str] | None = None
) -> mne.channels.DigMontage:
    """Scalp positions of ``channel_names`` from an MNE built-in montage.

    Parameters
    ----------
    channel_names : sequence of str
        Channels to place.
    montage : str
        Name of an MNE built-in montage (``mne.channels.get_builtin_montages()``).
    aliases : dict of str to str | None
        Channels to draw at another position's place, e.g. ``{"CB1": "I1"}`` for electrodes
        the montage does not know.

    Returns
    -------
    montage : DigMontage
        Positions of exactly ``channel_names``.
    """
    aliases = dict(aliases or {})
    builtin = mne.channels.get_builtin_montages()
    if montage not in builtin:
        raise ValueError(f"Unknown montage {montage!r}; MNE's built-in montages are {builtin}.")
    reference = mne.channels.make_standard_montage(montage)
    positions = reference.get_positions()
    known = {name.lower(): position for name, position in positions["ch_pos"].items()}
    missing = [name for name in channel_names if aliases.get(name, name).lower() not in known]
    if missing:
        raise ValueError(
            f"Montage {montage!r} has no position for channels {missing}; map them to a known "
            f"position with dataset.channels.montage_aliases (e.g. {{CB1: I1}})."
        )
    return mne.channels.make_dig_montage(
        ch_pos={name: known[aliases.get(name, name).lower()] for name in channel_names},
        nasion=positions["nasion"],
        lpa=positions["lpa"],
        rpa=positions["rpa"],
        coord_frame="head",
    )


@verbose
def plot_feature_qc(
    de: np.ndarray,
    clips: np.ndarray,
    labels: np.ndarray,
    sfreq: float,
    *,
    channel_names: Sequence[str],
    band_names: Sequence[str],
    occipital: Sequence[str],
    montage: str,
    montage_aliases: Mapping[str, str] | None = None,
    welch_s: float = 1.0,
    title: str = "",
    flagged: Sequence[str] = (),
    verbose=None,
) -> plt.Figure:
    """Draw mean DE per band as scalp maps, and the power spectrum of each concept.

    Parameters
    ----------
    de : ndarray, shape (n_blocks, n_concepts, n_reps, n_channels, n_bands)
        DE of the clips.
    clips : ndarray, shape (n_blocks, n_concepts, n_reps, n_channels, n_times)
        The clips, for the spectra.
    labels : ndarray of int, shape (n_blocks, n_concepts)
        Concept id at each presentation slot.
    sfreq : float
        Sampling rate in Hz.
    channel_names, band_names : sequence of str
        Names along the channel and band axes.
    occipital : sequence of str
        Channels whose spectra are averaged.
    montage, montage_aliases
        Where the channels sit; see :func:`standard_positions`.
    welch_s : float
        Welch segment length in seconds.
    title : str
        Figure title.
    flagged : sequence of str
        The recording's flat or saturated channels (``"<name> (<problem>)"``): marked on the
        scalp maps and listed at the foot.
    verbose : bool | str | int | None
        Log level for this call.

    Returns
    -------
    figure : matplotlib.figure.Figure
        Scalp maps on top, spectra below.
    """
    if de.shape[:4] != clips.shape[:4] or de.shape[-1] != len(band_names):
        raise ValueError(
            f"de {de.shape} must share (block, concept, rep, channel) with clips {clips.shape} "
            f"and have one entry per band {list(band_names)}."
        )
    if labels.shape != de.shape[:2]:
        raise ValueError(f"labels {labels.shape} must be (block, concept) = {de.shape[:2]}.")
    info = mne.create_info(list(channel_names), sfreq, ch_types="eeg")
    info.set_montage(standard_positions(channel_names, montage, montage_aliases))

    figure = plt.figure(figsize=(3.2 * max(len(band_names), 3), 7.5), layout="constrained")
    top, bottom = figure.subfigures(2, 1, height_ratios=[1, 1.2])
    mean_de = de.mean(axis=(0, 1, 2))
    flagged_names = {entry.split(" (")[0] for entry in flagged}
    marked = np.array([name in flagged_names for name in channel_names])
    for band, axes in enumerate(np.atleast_1d(top.subplots(1, len(band_names)))):
        values = mean_de[:, band]
        # MNE anchors positive data at 0, which flattens a map of DE values around 20.
        limits = (values.min(), values.max())
        image, _ = mne.viz.plot_topomap(
            values, info, axes=axes, show=False, cmap="viridis", vlim=limits, mask=marked,
            mask_params={"marker": "x", "markeredgecolor": "tab:red", "markersize": 8},
        )  # fmt: skip
        axes.set_title(f"{band_names[band]} DE")
        top.colorbar(image, ax=axes, shrink=0.7)

    picks = [list(channel_names).index(name) for name in occipital]
    n_per_segment = min(clips.shape[-1], round(welch_s * sfreq))
    frequencies, power = scipy.signal.welch(
        clips[..., picks, :], sfreq, nperseg=n_per_segment, axis=-1
    )
    per_slot = power.mean(axis=(2, 3))  # (block, slot, frequency)
    axes = bottom.subplots()
    colours = plt.get_cmap("turbo")(np.linspace(0, 1, labels.max()))
    for concept in np.unique(labels):
        spectrum = per_slot[labels == concept].mean(axis=0)
        axes.semilogy(
            frequencies, spectrum, color=colours[concept - 1], label=f"concept {concept}", lw=1
        )
    axes.set(xlabel="frequency (Hz)", ylabel="power (unit²/Hz)", xlim=(0, sfreq / 2))
    axes.set_title(f"Welch spectrum per concept, mean over {len(picks)} occipital channels")
    if labels.max() <= 20:
        axes.legend(ncols=4, fontsize="small")
    figure.suptitle(title)
    note_flagged_channels(figure, flagged)
    logger.info(
        "QC figure: %d bands, spectra of %d concepts", len(band_names), len(np.unique(labels))
    )
    return figure
