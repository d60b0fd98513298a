"""The EEG-VP summary figure."""

import matplotlib.pyplot as plt
import numpy as np


def plot_eegvp(rows: list[dict], *, title: str = "") -> plt.Figure:
    """Top-1 accuracy per task (mean ± std over subjects) beside its chance level.

    Parameters
    ----------
    rows : list of dict
        :func:`eegdecode.evaluation.summarize_eegvp` output.
    title : str

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    tasks = [row["task"] for row in rows]
    positions = np.arange(len(rows))
    figure, axes = plt.subplots(figsize=(1.3 * len(rows) + 2, 4), layout="constrained")
    axes.bar(
        positions,
        [row["top1_mean"] for row in rows],
        yerr=[row["top1_std"] for row in rows],
        color="tab:blue",
        capsize=4,
        label="top-1 (mean ± std over subjects)",
    )
    axes.scatter(
        positions,
        [row["chance_majority"] for row in rows],
        marker="_",
        s=900,
        color="black",
        zorder=3,
        label="chance (majority class)",
    )
    axes.set_xticks(
        positions,
        [f"{task}\n({row['n_classes']} classes)" for task, row in zip(tasks, rows, strict=True)],
        fontsize=8,
    )
    axes.set(ylim=(0, 1), ylabel="test accuracy")
    axes.legend(fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False)
    figure.suptitle(title or "EEG-VP, leave one block out")
    return figure
