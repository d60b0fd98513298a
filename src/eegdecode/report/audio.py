"""The audio decoder's report: true against decoded mel spectrograms, and a page to listen on.

Snakemake reports offer WAV files only for download; an HTML page with the audio embedded as
data URLs plays in the report itself.
"""

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from .figures import note_flagged_channels
from .pages import write_media_page


def plot_mel_comparison(
    target: np.ndarray,
    predicted: np.ndarray,
    *,
    frame_rate: float,
    per_bin_r: Sequence[float],
    chance_95: float | None = None,
    title: str = "",
    max_seconds: float = 12.0,
    flagged: Sequence[str] = (),
) -> plt.Figure:
    """The true and the decoded log-mel of the test set (its start), and r per mel bin.

    Parameters
    ----------
    target, predicted : ndarray, shape (n_frames, n_mels)
        The concatenated test windows.
    frame_rate : float
        Mel frames per second.
    per_bin_r : sequence of float
        Pearson r of each bin over the whole test set.
    chance_95 : float | None
        The split-point baseline's 95th percentile, drawn as a dashed line.
    title : str
    max_seconds : float
        Only this much of the test set is drawn, so that words stay visible.
    flagged : sequence of str
        The recording's flat or saturated sEEG channels, listed at the foot.
    """
    n_shown = min(len(target), int(max_seconds * frame_rate))
    figure, axes = plt.subplots(
        3, 1, figsize=(9, 7.5), layout="constrained", height_ratios=[1, 1, 0.8]
    )
    limits = np.quantile(target[:n_shown], [0.01, 0.99])
    extent = (0, n_shown / frame_rate, 0, target.shape[1])
    for row, values, label in ((axes[0], target, "recorded"), (axes[1], predicted, "decoded")):
        image = row.imshow(values[:n_shown].T, origin="lower", aspect="auto", extent=extent,
                           vmin=limits[0], vmax=limits[1], cmap="magma")  # fmt: skip
        row.set(ylabel="mel bin", title=f"{label} log-mel")
    axes[1].set_xlabel("time in the test set (s)")
    figure.colorbar(image, ax=axes[:2], label="log magnitude", shrink=0.8)
    axes[2].plot(np.arange(len(per_bin_r)), per_bin_r, marker=".", label="decoded")
    if chance_95 is not None:
        axes[2].axhline(chance_95, color="grey", linestyle="--", label="chance, 95th percentile")
    axes[2].axhline(0, color="black", linewidth=0.5)
    axes[2].set(xlabel="mel bin", ylabel="Pearson r (whole test set)")
    axes[2].legend(loc="lower right", fontsize=8)
    figure.suptitle(title)
    note_flagged_channels(figure, flagged)
    return figure


def plot_decoded_test_part(predictions, metrics: Mapping, *, title: str = "") -> plt.Figure:
    """:func:`plot_mel_comparison` of one decoder's test part (a
    :class:`~eegdecode.training.audio.MelPredictions`) with its metrics
    (:func:`~eegdecode.evaluation.audio.evaluate_decoders`' entry) and flagged channels."""
    return plot_mel_comparison(
        *predictions.timelines(),
        frame_rate=predictions.frame_rate,
        per_bin_r=metrics["pearson_r"]["per_bin"],
        chance_95=metrics["pearson_r"]["chance_95"],
        title=title,
        flagged=predictions.attrs.get("flagged_channels", []),
    )


def write_utterance_page(
    path: str | Path,
    audio_folder: str | Path,
    *,
    title: str,
    metrics: Mapping[str, Mapping[str, float | None]],
    vocoder: str,
    versions: Sequence[str],
    max_utterances: int = 20,
) -> Path:
    """The page that plays a participant's test utterances, every version side by side.

    Parameters
    ----------
    path : str | Path
        The page (:func:`~eegdecode.report.pages.write_media_page`).
    audio_folder : str | Path
        What :func:`~eegdecode.training.audio.vocode_test_set` wrote: ``utterances.csv`` and
        ``utterances/<utterance>_<version>.wav``.
    title : str
    metrics : dict of str to dict
        By decoder, its headline metrics (:func:`~eegdecode.evaluation.audio.audio_metrics_row`),
        one row each above the players, to three decimals (– where there is none).
    vocoder : str
        The vocoder's name, shown in the table's header.
    versions : sequence of str
        The versions of every utterance, one column each, in order
        (:data:`~eegdecode.training.audio.AUDIO_VERSIONS`).
    max_utterances : int
        The page embeds its audio; only the first utterances are shown, so that a long test
        part does not make it too large to open.
    """
    folder = Path(audio_folder)
    with open(folder / "utterances.csv", newline="") as handle:
        utterances = list(csv.DictReader(handle))
    shown = utterances[:max_utterances]
    columns = list(next(iter(metrics.values())))

    def cell(value):
        if value is None:
            return "–"
        return str(value) if isinstance(value, int) else f"{value:.3f}"

    summary = [
        [f"decoder (audio: {vocoder}; {len(shown)} of {len(utterances)} utterances shown)",
         *columns],
        *([name, *(cell(row[column]) for column in columns)] for name, row in metrics.items()),
    ]  # fmt: skip

    def label(row):
        word = f" {row['word']}" if row.get("word") else ""
        return f"{float(row['start_s']):.1f}–{float(row['stop_s']):.1f} s{word}"

    return write_media_page(
        path,
        title=title,
        summary=summary,
        columns=list(versions),
        rows=[
            (
                label(row),
                {v: folder / "utterances" / f"{row['utterance']}_{v}.wav" for v in versions},
            )
            for row in shown
        ],
    )
