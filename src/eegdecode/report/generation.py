"""Figures of the video diffusion stages: fine-tuning loss, generated clips, metrics; and the
page that plays each shown clip beside what every mode generated for it."""

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from .pages import write_media_page


def plot_finetune_loss(
    history: list[dict],
    *,
    title: str = "Video diffusion fine-tuning",
    ylabel: str = "noise-prediction MSE",
) -> plt.Figure:
    """A step-based training loss (rows with ``step`` and ``loss``) against the optimiser step."""
    figure, axes = plt.subplots(figsize=(6, 3.5), layout="constrained")
    axes.plot([row["step"] for row in history], [row["loss"] for row in history])
    axes.set(xlabel="step", ylabel=ylabel, yscale="log")
    axes.set_title(title)
    return figure


def plot_generated_beside_truth(
    generated: np.ndarray, truth: np.ndarray, *, title: str = ""
) -> plt.Figure:
    """Per concept, the frames of a shown clip (top) above the frames generated for it.

    Parameters
    ----------
    generated, truth : ndarray of uint8, shape (n_concepts, n_frames, height, width, 3)
        One clip per concept, in class order.
    title : str
    """
    n_concepts, n_frames, height, width = generated.shape[:4]
    figure, axes = plt.subplots(
        n_concepts, 1, figsize=(1.4 * n_frames * width / height, 2.6 * n_concepts),
        layout="constrained", squeeze=False,
    )  # fmt: skip
    for concept, row in enumerate(axes[:, 0]):
        strip = np.concatenate(
            [np.concatenate(list(truth[concept]), axis=1),
             np.concatenate(list(generated[concept]), axis=1)]
        )  # fmt: skip
        row.imshow(strip)
        row.set_yticks([height / 2, 1.5 * height], ["shown", "generated"])
        row.set_xticks([])
        row.set_title(f"concept {concept + 1}", fontsize=9)
    figure.suptitle(title)
    return figure


def plot_reconstructions(
    shown: Mapping[str, tuple], *, title: str = "", drawn: str = "reconstructed"
) -> plt.Figure:
    """Per branch, a row of seen images above a row of their reconstructions.

    Parameters
    ----------
    shown : dict of str to (seen, reconstructed)
        Per branch, two uint8 arrays of shape (n_classes, n_per_class, height, width, 3).
    title : str
    drawn : str
        The label of the lower row.
    """
    figure, axes = plt.subplots(len(shown), 1, figsize=(12, 1.6 * len(shown) + 0.6),
                                layout="constrained", squeeze=False)  # fmt: skip
    for row, (branch, (seen, reconstructed)) in zip(axes[:, 0], shown.items(), strict=True):
        height = seen.shape[2]
        strips = [np.concatenate(list(images.reshape(-1, *images.shape[2:])), axis=1)
                  for images in (seen, reconstructed)]  # fmt: skip
        row.imshow(np.concatenate(strips))
        row.set_yticks([height / 2, 1.5 * height], ["seen", drawn])
        row.set_xticks([])
        row.set_title(f"{branch}: test segments, {seen.shape[1]} per class", fontsize=9)
    figure.suptitle(title)
    return figure


def plot_generation_summary(rows: list[dict]) -> plt.Figure:
    """Mean ± std over subjects of every metric, one group of bars per mode, chance dashed.

    A mode without some metric (Seq2Seq's latents have no SSIM) has no bar there.
    """
    metrics = list(dict.fromkeys(row["metric"] for row in rows))
    modes = list(dict.fromkeys(row["mode"] for row in rows))
    figure, axes = plt.subplots(figsize=(1.4 * len(metrics) + 3, 3.8), layout="constrained")
    width = 0.8 / len(modes)
    for index, mode in enumerate(modes):
        chosen = {row["metric"]: row for row in rows if row["mode"] == mode}
        positions = np.arange(len(metrics)) + index * width
        axes.bar(
            positions, [chosen[m]["mean"] if m in chosen else np.nan for m in metrics], width,
            yerr=[chosen[m]["std"] if m in chosen else 0.0 for m in metrics], label=mode,
            capsize=2,
        )  # fmt: skip
    for position, metric in enumerate(metrics):
        chance = next(row["chance"] for row in rows if row["metric"] == metric)
        if chance != "":
            axes.hlines(chance, position - width / 2, position + 0.8 - width / 2, colors="black",
                        linestyles="dashed")  # fmt: skip
    axes.set_xticks(np.arange(len(metrics)) + 0.4 - width / 2, metrics, rotation=20)
    axes.set(ylabel="score", ylim=(0, 1))
    axes.legend(title="mode", fontsize=8)
    axes.set_title("Generated clips and predicted latents (dashed: chance)")
    return figure


def write_generation_page(
    path: str | Path,
    *,
    shown: str | Path,
    generated: Mapping[str, str | Path],
    reports: Sequence[Mapping],
    concept_labels: np.ndarray,
    n_reps: int,
    title: str,
    reps_shown: int = 1,
) -> Path:
    """A page with, per concept of the test block, the shown clip beside every mode's clips.

    Parameters
    ----------
    path : str | Path
        The page (:func:`~eegdecode.report.pages.write_media_page`).
    shown : str | Path
        The test block's ground-truth GIFs, ``{k}.gif`` in presentation order
        (``k = n_reps · slot + rep``).
    generated : dict of str to path
        Per mode, a folder of generated GIFs in class order
        (``i = n_reps · (concept id − 1) + rep``).
    reports : sequence of dict
        What ``evaluate_generation`` wrote per mode (``mode``, ``metrics``): the table above.
    concept_labels : ndarray of int, shape (n_concepts,)
        The concept id at each slot of the test block.
    n_reps : int
        Clips per concept.
    title : str
    reps_shown : int
        Clips shown per concept; the GIFs are embedded, so a page of SEED-DV's 200 full-size
        clips in four versions would be too large to open.
    """
    metrics = list(reports[0]["metrics"])
    summary = [["mode", *metrics]] + [
        [report["mode"], *(f"{report['metrics'][m]['mean']:.3f}" for m in metrics)]
        for report in reports
    ]
    chances = [report_metric.get("chance") for report_metric in reports[0]["metrics"].values()]
    summary.append(["chance", *("" if c is None else f"{c:.3f}" for c in chances)])
    slots = {int(concept): slot for slot, concept in enumerate(np.asarray(concept_labels))}
    rows = [
        (
            f"concept {concept}, clip {rep + 1}",
            {"shown": Path(shown) / f"{n_reps * slots[concept] + rep}.gif",
             **{mode: Path(folder) / f"{n_reps * (concept - 1) + rep}.gif"
                for mode, folder in generated.items()}},
        )
        for concept in sorted(slots)
        for rep in range(min(reps_shown, n_reps))
    ]  # fmt: skip
    return write_media_page(
        path, title=title, summary=summary, columns=["shown", *generated], rows=rows
    )
