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
