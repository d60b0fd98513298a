"""The emotion and cognitive-load evaluation's figure: the confusion matrix over all folds."""

import matplotlib.pyplot as plt
import numpy as np


def plot_confusion(metrics: dict, *, title: str = "") -> plt.Figure:
    """The test confusion matrix summed over folds, each row as shares of its true class.

    Parameters
    ----------
    metrics : dict
        :func:`eegdecode.training.mental_state.cross_validate` output.
    title : str
        Shown above the scores; the protocol is named, and a leaky one labelled so.

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    counts = np.sum([fold["confusion"] for fold in metrics["folds"]], axis=0)
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    names = metrics["class_names"]
    figure, axes = plt.subplots(figsize=(1.1 * len(names) + 2.4, 1.0 * len(names) + 1.8),
                                layout="constrained")  # fmt: skip
    image = axes.imshow(shares, vmin=0, vmax=1, cmap="Blues")
    for (row, column), count in np.ndenumerate(counts):
        colour = "white" if shares[row, column] > 0.6 else "black"
        axes.text(column, row, f"{count}", ha="center", va="center", color=colour, fontsize=9)
    ticks = np.arange(len(names))
    axes.set_xticks(ticks, names, fontsize=8)
    axes.set_yticks(ticks, names, fontsize=8)
    axes.set(xlabel="predicted", ylabel="true")
    figure.colorbar(image, ax=axes, label="share of the true class", shrink=0.8)
    mean, std = metrics["mean"], metrics["std"]
    protocol = metrics["protocol"] + (" (leaky, parity only)" if metrics["leaky"] else "")
    figure.suptitle(
        f"{title}\n{protocol}, {len(metrics['folds'])} fold(s): accuracy "
        f"{mean['accuracy']:.2f} ± {std['accuracy']:.2f}, macro-F1 {mean['macro_f1']:.2f}; "
        f"chance {metrics['chance']['uniform']:.2f} (majority {metrics['chance']['majority']:.2f})",
        fontsize=9,
    )
    return figure
