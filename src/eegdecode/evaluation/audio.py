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


def audio_metrics_row(metrics: dict) -> dict[str, float | None]:
    """The headline numbers of one decoder's metrics (:func:`evaluate_decoders`), each beside
    its chance level, as one flat row (the correlation table's columns); the word columns are
    None without word markers."""
    words = metrics.get("word_identification", {})
    return {
        "pearson_r": metrics["pearson_r"]["mean"],
        "pearson_r_chance": metrics["pearson_r"]["chance_mean"],
        "pearson_r_chance_95": metrics["pearson_r"]["chance_95"],
        "pearson_r_per_window": metrics["pearson_r_per_window"]["mean"],
        "pearson_r_per_window_chance": metrics["pearson_r_per_window"]["chance_mean"],
        "mcd_db": metrics["mcd_db"]["mean"],
        "mcd_db_chance": metrics["mcd_db"]["chance"],
        "word_accuracy": words.get("accuracy"),
        "word_accuracy_chance": words.get("chance"),
        "word_accuracy_chance_95": words.get("chance_95"),
        "n_test_words": words.get("n_words"),
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


def identify_words(
    predicted: np.ndarray,
    target: np.ndarray,
    frame_times: np.ndarray,
    words,
    *,
    n_frames: int = 32,
    n_random: int = 1000,
    seed: int = 0,
) -> dict:
    """Which cued word each decoded stretch is, among the true stretches of the test words.

    Each decoder's time line and the true one are z-scored per bin and each frame's mean over
    bins is removed, so that neither the spectral tilt nor the loudness contour, which all
    words share, decides: words are compared by spectral shape over time. Each word's frames
    (those whose time lies in its cue) are resampled to ``n_frames`` by linear interpolation,
    and every decoded word is compared with
    every true word by the Pearson correlation of the two ``n_frames × n_mels`` arrays. The
    word with the highest correlation is the answer; it is right when it is the same word (a
    word cued twice counts either time).

    Parameters
    ----------
    predicted, target : ndarray, shape (n_frames, n_mels)
        Time lines of the test part.
    frame_times : ndarray, shape (n_frames,)
        Their frames' times in seconds.
    words : WordMarkers
        The cues; those lying wholly within the time line are the test words.
    n_frames : int
        Frames each word is resampled to.
    n_random : int
        Random guessers whose accuracies give ``chance_95``.

    Returns
    -------
    result : dict
        ``n_words`` (test words) and ``n_distinct``; with two or more, ``accuracy`` (top-1),
        ``chance`` (the expected accuracy of a random guess: ``1 / n_words`` when no word
        repeats) and ``chance_95`` (95th percentile of ``n_random`` random guessers), else
        None for those.
    """
    _check_pair(predicted, target)
    n_frames = ensure_positive_int(n_frames, "n_frames")
    step = np.median(np.diff(frame_times)) if len(frame_times) > 1 else 0.0
    inside = (words.intervals[:, 0] >= frame_times[0] - step / 2) & (
        words.intervals[:, 1] <= frame_times[-1] + step / 2
    )
    segments = [
        np.flatnonzero((frame_times >= start) & (frame_times < stop))
        for start, stop in words.intervals[inside]
    ]
    labels = [word for word, keep in zip(words.words, inside, strict=True) if keep]
    kept = [i for i, frames in enumerate(segments) if len(frames) >= 2]
    labels, segments = [labels[i] for i in kept], [segments[i] for i in kept]
    result = {"n_words": len(labels), "n_distinct": len(set(labels)), "n_frames": n_frames}
    if len(labels) < 2:
        return {**result, "accuracy": None, "chance": None, "chance_95": None}

    def standardised(timeline):
        z = (timeline - timeline.mean(axis=0)) / (timeline.std(axis=0) + 1e-8)
        return z - z.mean(axis=1, keepdims=True)

    def resampled(timeline, frames):
        where = np.linspace(0, len(frames) - 1, n_frames)
        segment = np.stack(
            [np.interp(where, np.arange(len(frames)), column) for column in timeline[frames].T]
        )
        segment = segment.ravel() - segment.mean()
        return segment / (np.linalg.norm(segment) + 1e-12)

    decoded = np.stack([resampled(standardised(predicted), frames) for frames in segments])
    spoken = np.stack([resampled(standardised(target), frames) for frames in segments])
    answers = np.argmax(decoded @ spoken.T, axis=1)
    labels = np.asarray(labels)
    same = labels[:, None] == labels[None, :]
    guesses = np.random.default_rng(seed).integers(0, len(labels), (n_random, len(labels)))
    return {
        **result,
        "accuracy": float(np.mean(labels[answers] == labels)),
        "chance": float(same.mean()),
        "chance_95": float(np.quantile(same[np.arange(len(labels)), guesses].mean(axis=1), 0.95)),
    }


#: What each decoder of :func:`evaluate_decoders` is tested on, as the summary table says it.
TEST_SETS = {
    "seq2seq": "test part",
    "linear_baseline": "test part",
    "linear_baseline_cv": "whole recording (cross-validated)",
}


def evaluate_decoders(
    predictions, words=None, *, n_shuffles: int = 1000, seed: int = 0, word_frames: int = 32
) -> dict:
    """Every decoder's metrics (:func:`evaluate_predictions`) and, with word markers, its word
    identification (:func:`identify_words`).

    Parameters
    ----------
    predictions : dict of str to MelPredictions
        By decoder name (``seq2seq``, ``linear_baseline``, ``linear_baseline_cv``).
    words : WordMarkers | None
        The recording's cued words.
    n_shuffles, seed
        See :func:`evaluate_mel`.
    word_frames : int
        ``n_frames`` of :func:`identify_words`.

    Returns
    -------
    metrics : dict of str to dict
        By decoder; each also names its ``test_set``.
    """
    result = {}
    for name, decoded in predictions.items():
        metrics = evaluate_predictions(decoded, n_shuffles=n_shuffles, seed=seed)
        if words is not None and words.words:
            target, predicted = decoded.timelines()
            metrics["word_identification"] = identify_words(
                predicted, target, decoded.frame_times(), words, n_frames=word_frames, seed=seed
            )
        result[name] = {"test_set": TEST_SETS.get(name, ""), **metrics}
    return result
