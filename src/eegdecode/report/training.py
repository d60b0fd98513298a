"""Learning curves of a training run."""

from pathlib import Path

import matplotlib.pyplot as plt

from ..fileio import write_csv
from .figures import save_figure


def plot_learning_curves(
    history: list[dict], *, kept_epoch: int | None = None, title: str = ""
) -> plt.Figure:
    """Losses per epoch (left) and validation accuracy and learning rate (right).

    Parameters
    ----------
    history : list of dict
        ``FitResult.history``: ``epoch``, ``train_loss``, ``lr`` and, with a validation split,
        ``val_loss`` and ``val_accuracy``.
    kept_epoch : int | None
        The epoch whose weights were kept, marked by a vertical line.
    title : str

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    epochs = [row["epoch"] for row in history]
    figure, (losses, right) = plt.subplots(1, 2, figsize=(10, 3.5), layout="constrained")
    losses.plot(epochs, [row["train_loss"] for row in history], label="training")
    if "val_loss" in history[0]:
        losses.plot(epochs, [row["val_loss"] for row in history], label="validation")
    losses.set(xlabel="epoch", ylabel="loss", yscale="log")
    if kept_epoch is not None:
        for axes in (losses, right):
            axes.axvline(kept_epoch, color="black", linewidth=0.8, linestyle=":")
        losses.plot([], [], color="black", linewidth=0.8, linestyle=":", label="kept weights")
    losses.legend()
    if "val_accuracy" in history[0]:
        right.plot(epochs, [row["val_accuracy"] for row in history], color="tab:green")
        right.set(xlabel="epoch", ylabel="validation accuracy", ylim=(0, 1))
        rate = right.twinx()
    else:
        rate = right
    rate.plot(epochs, [row["lr"] for row in history], color="tab:gray", linestyle="--")
    rate.set(ylabel="learning rate (dashed)", xlabel="epoch")
    figure.suptitle(title)
    return figure


def save_training_record(result, *, metrics: str | Path, figure: str | Path, title: str) -> None:
    """Write a run's metrics per epoch as CSV and its learning curves as a figure.

    Parameters
    ----------
    result : eegdecode.training.FitResult
    metrics, figure : str | Path
        The CSV and the image to write.
    title : str
        The figure's title.
    """
    write_csv(metrics, result.history)
    save_figure(
        plot_learning_curves(result.history, kept_epoch=result.kept_epoch, title=title), figure
    )
