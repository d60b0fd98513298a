"""Learning curves of a training run."""

import matplotlib.pyplot as plt


def plot_learning_curves(history: list[dict], *, title: str = "") -> plt.Figure:
    """Losses per epoch (left) and validation accuracy and learning rate (right).

    Parameters
    ----------
    history : list of dict
        ``FitResult.history``: ``epoch``, ``train_loss``, ``lr`` and, with a validation split,
        ``val_loss`` and ``val_accuracy``.
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
