"""Classification metrics and the chance levels to read them against."""

import numpy as np
import torch
from scipy.stats import binom


def top_k_accuracy(logits: torch.Tensor, targets: torch.Tensor, k: int) -> float:
    """Share of samples whose target is among the ``k`` highest logits (k capped at n_classes)."""
    k = min(k, logits.shape[1])
    return float((logits.topk(k, dim=1).indices == targets[:, None]).any(dim=1).float().mean())


def chance_levels(labels: np.ndarray, n_classes: int) -> dict[str, float]:
    """``uniform`` (1 / n_classes) and ``majority`` (share of the most frequent class)."""
    counts = np.bincount(np.ravel(labels), minlength=n_classes)
    return {"uniform": 1.0 / n_classes, "majority": float(counts.max() / counts.sum())}


def binomial_interval(p: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Range of accuracies a classifier at chance ``p`` reaches on ``n`` independent trials.

    Returns the central ``confidence`` interval of Binomial(n, p) / n.
    """
    tail = (1 - confidence) / 2
    return float(binom.ppf(tail, n, p) / n), float(binom.isf(tail, n, p) / n)


def confusion_matrix(targets: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts (n_classes, n_classes): row = true class, column = predicted class."""
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (np.ravel(targets), np.ravel(predicted)), 1)
    return counts


def classification_scores(confusion: np.ndarray) -> dict[str, float]:
    """Accuracy, balanced accuracy and macro-F1 of a confusion matrix.

    Balanced accuracy is the mean recall over the classes that occur; macro-F1 the mean F1
    over the same classes, a class never predicted counting F1 = 0 (scikit-learn's
    ``balanced_accuracy_score`` and ``f1_score(average='macro', labels=present)``).
    """
    confusion = np.asarray(confusion, dtype=np.float64)
    true_counts, predicted_counts = confusion.sum(axis=1), confusion.sum(axis=0)
    hits = np.diag(confusion)
    present = true_counts > 0
    recall = hits[present] / true_counts[present]
    denominator = true_counts[present] + predicted_counts[present]
    f1 = np.divide(2 * hits[present], denominator, out=np.zeros_like(recall), where=denominator > 0)
    return {
        "accuracy": float(hits.sum() / confusion.sum()),
        "balanced_accuracy": float(recall.mean()),
        "macro_f1": float(f1.mean()),
    }
