"""Metrics of decoded log-mel spectrograms against the spoken ones (brain-to-audio spec §8)."""

import numpy as np
from scipy import fft

from .._validation import ensure_positive_int


def _check_pair(predicted: np.ndarray, target: np.ndarray) -> None:
    if predicted.shape != target.shape:
        raise ValueError(
            f"predicted {predicted.shape} and target {target.shape} mel spectrograms differ in "
            f"shape."
        )


def pearson_per_bin(predicted: np.ndarray, target: np.ndarray, eps: float = 1e-8) -> np.ndarray:
    """Pearson r along time for each mel bin.

    Parameters
    ----------
    predicted, target : ndarray, shape (..., n_frames, n_mels)
        Time on the second-to-last axis; leading axes (windows) are scored separately.
    eps : float
        Added to the denominator: a bin that is constant in a window scores 0, not NaN.

    Returns
    -------
    r : ndarray, shape (..., n_mels)
    """
    _check_pair(predicted, target)
    p = predicted - predicted.mean(axis=-2, keepdims=True)
    t = target - target.mean(axis=-2, keepdims=True)
    numerator = (p * t).sum(axis=-2)
    return numerator / (np.sqrt((p**2).sum(axis=-2) * (t**2).sum(axis=-2)) + eps)


def mel_cepstral_distortion(predicted: np.ndarray, target: np.ndarray, n_coefficients: int = 24):
    """Mean mel-cepstral distortion in dB between two natural-log mel spectrograms.

    Cepstra are the orthonormal DCT-II of each log-mel frame; c0 (loudness) is left out, and
    ``MCD = (10 / ln 10) · sqrt(2 · Σ_{k=1}^{K} (c_k − ĉ_k)²)``, averaged over frames. Computed
    from the 80-bin log-mel rather than from mel-generalised cepstra, so values are comparable
    between runs of this pipeline, not with MCDs computed by speech toolkits.

    Parameters
    ----------
    predicted, target : ndarray, shape (n_frames, n_mels)
    n_coefficients : int
        K, the cepstral coefficients compared after c0.

    Returns
    -------
    mcd : float
    """
    _check_pair(predicted, target)
    n_coefficients = ensure_positive_int(n_coefficients, "n_coefficients")
    difference = fft.dct(predicted - target, type=2, norm="ortho", axis=-1)
    difference = difference[..., 1 : n_coefficients + 1]
    return float(np.mean(10 / np.log(10) * np.sqrt(2 * (difference**2).sum(axis=-1))))


def split_point_baseline(
    predicted: np.ndarray, target: np.ndarray, *, n_shuffles: int = 1000, seed: int = 0
) -> np.ndarray:
    """Chance level of the mean per-bin r: the prediction re-aligned at random split points.

    Each shuffle cuts the predicted sequence at a random frame (away from the ends) and swaps
    the two parts, which keeps its own temporal structure but breaks its alignment with the
    target (SingleWordProductionDutch's control).

    Parameters
    ----------
    predicted, target : ndarray, shape (n_frames, n_mels)
        The concatenated test set.
    n_shuffles : int
        Random split points (1000).
    seed : int

    Returns
    -------
    r : ndarray, shape (n_shuffles,)
        Mean over bins of the per-bin r of each shuffle.
    """
    _check_pair(predicted, target)
    return np.array(
        [
            pearson_per_bin(np.roll(predicted, -point, axis=0), target).mean()
            for point in _split_points(len(predicted), n_shuffles, seed)
        ]
    )


def _split_points(n_frames: int, n_shuffles: int, seed: int) -> np.ndarray:
    """Random split points at least a tenth of the sequence away from either end."""
    margin = max(1, n_frames // 10)
    if n_frames - 2 * margin < 1:
        raise ValueError(f"{n_frames} frames are too few to re-align at random split points.")
    return np.random.default_rng(seed).integers(margin, n_frames - margin, n_shuffles)


def evaluate_mel(
    predicted_windows: np.ndarray,
    target_windows: np.ndarray,
    *,
    n_shuffles: int = 1000,
    seed: int = 0,
) -> dict:
    """Every audio metric of one participant's test windows, with its chance level beside it.

    Parameters
    ----------
    predicted_windows, target_windows : ndarray, shape (n_windows, n_frames, n_mels)
        Non-overlapping test windows in time order, so that they concatenate into the test set.

    Returns
    -------
    metrics : dict
        ``pearson_r`` (per-bin r over the concatenated test set: ``mean`` and ``per_bin``,
        with the split-point baseline's ``chance_mean`` and ``chance_95``),
        ``pearson_r_per_window`` (the reference's metric: mean over windows of the per-window
        r, with ``constant_bins`` counted, and ``chance_mean`` over 100 pairings of each
        prediction with another window's target), and ``mcd_db`` with ``chance`` from the first
        100 of the split-point re-alignments.
    """
    _check_pair(predicted_windows, target_windows)
    if predicted_windows.ndim != 3:
        raise ValueError(
            f"Expected (n_windows, n_frames, n_mels) windows, got {predicted_windows.shape}."
        )
    predicted = predicted_windows.reshape(-1, predicted_windows.shape[-1])
    target = target_windows.reshape(-1, target_windows.shape[-1])
    per_bin = pearson_per_bin(predicted, target)
    chance = split_point_baseline(predicted, target, n_shuffles=n_shuffles, seed=seed)
    # MCD is slower than r; its chance level uses the first 100 of the same split points.
    shifted = [
        mel_cepstral_distortion(np.roll(predicted, -point, axis=0), target)
        for point in _split_points(len(predicted), n_shuffles, seed)[:100]
    ]
    windows = pearson_per_bin(predicted_windows, target_windows)
    rng = np.random.default_rng(seed)
    shuffled_windows = [
        pearson_per_bin(predicted_windows, target_windows[rng.permutation(len(target_windows))])
        for _ in range(100)
    ]
    constant = (target_windows.std(axis=1) == 0) | (predicted_windows.std(axis=1) == 0)
    return {
        "pearson_r": {
            "mean": float(per_bin.mean()),
            "per_bin": per_bin.tolist(),
            "chance_mean": float(chance.mean()),
            "chance_95": float(np.quantile(chance, 0.95)),
        },
        "pearson_r_per_window": {
            "mean": float(windows.mean()),
            "constant_bins": int(constant.sum()),
            "chance_mean": float(np.mean(shuffled_windows)),
        },
        "mcd_db": {
            "mean": mel_cepstral_distortion(predicted, target),
            "chance": float(np.mean(shifted)),
        },
    }


def audio_metrics_row(metrics: dict) -> dict[str, float]:
    """The headline numbers of :func:`evaluate_mel`'s result, each beside its chance level,
    as one flat row (the correlation table's columns)."""
    return {
        "pearson_r": metrics["pearson_r"]["mean"],
        "pearson_r_chance": metrics["pearson_r"]["chance_mean"],
        "pearson_r_chance_95": metrics["pearson_r"]["chance_95"],
        "pearson_r_per_window": metrics["pearson_r_per_window"]["mean"],
        "pearson_r_per_window_chance": metrics["pearson_r_per_window"]["chance_mean"],
        "mcd_db": metrics["mcd_db"]["mean"],
        "mcd_db_chance": metrics["mcd_db"]["chance"],
    }


def evaluate_predictions(predictions, *, n_shuffles: int = 1000, seed: int = 0) -> dict:
    """:func:`evaluate_mel` of a participant's test windows, with their number first.

    Parameters
    ----------
    predictions : eegdecode.training.audio.MelPredictions
        What rule ``train_audio_seq2seq`` wrote.
    n_shuffles, seed
        See :func:`evaluate_mel`.

    Returns
    -------
    metrics : dict
        ``n_test_windows`` and the entries of :func:`evaluate_mel`.
    """
    metrics = evaluate_mel(
        predictions.predicted, predictions.target, n_shuffles=n_shuffles, seed=seed
    )
    return {"n_test_windows": len(predictions.predicted), **metrics}
