"""Metrics of generated clips against their ground truth (EEG2Video's, after MinD-Video)."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._validation import ensure_positive_int
from ..artifacts import FRAME_AXES, read_array, read_attrs
from ..training.presentation import to_class_order


def clip_ssim(generated: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """SSIM of each clip: per frame (``data_range=255``, colour axis last), mean over frames.

    Parameters
    ----------
    generated, truth : ndarray of uint8, shape (n_clips, n_frames, height, width, 3)

    Returns
    -------
    ssim : ndarray, shape (n_clips,)
    """
    from skimage.metrics import structural_similarity

    if generated.shape != truth.shape:
        raise ValueError(
            f"Generated clips {generated.shape} and ground truth {truth.shape} differ in shape."
        )
    return np.array(
        [
            np.mean(
                [
                    structural_similarity(g, t, data_range=255, channel_axis=-1)
                    for g, t in zip(clip, reference, strict=True)
                ]
            )
            for clip, reference in zip(generated, truth, strict=True)
        ]
    )


def n_way_chance(n_way: int, top: int = 3) -> float:
    """Accuracy of random predictions in :func:`n_way_accuracy`: top / (top + n_way − 1).

    With three ground-truth ids, 0.75 for 2-way and 3/42 ≈ 0.071 for 40-way (spec §5).
    """
    return top / (top + n_way - 1)


def n_way_accuracy(
    predicted: np.ndarray,
    truth: np.ndarray,
    *,
    n_way: int,
    top: int = 3,
    trials: int = 100,
    seed: int = 0,
) -> np.ndarray:
    """N-way top-1 semantic accuracy of each item, in the classifier's own label space.

    The ``top`` classes the classifier gives the ground truth form its set G. In each trial,
    ``n_way − 1`` other classes are drawn without replacement from the labels outside G; the
    trial succeeds if some class of G gets a higher probability on the prediction than every
    drawn class.

    Parameters
    ----------
    predicted, truth : ndarray, shape (n_items, n_classes)
        Classifier probabilities (or logits) for the generated and the ground-truth item.
    n_way : int
        Candidates per trial, G's best class included (2, 40).
    top : int
        Size of G (3 in EEG2Video).
    trials : int
        Trials per item (100).
    seed : int

    Returns
    -------
    accuracy : ndarray, shape (n_items,)
        Share of successful trials per item.
    """
    n_way = ensure_positive_int(n_way, "n_way")
    if predicted.shape != truth.shape or predicted.ndim != 2:
        raise ValueError(
            f"predicted {predicted.shape} and truth {truth.shape} must be the same "
            f"(n_items, n_classes)."
        )
    n_classes = predicted.shape[1]
    if n_classes - top < n_way - 1:
        raise ValueError(
            f"{n_way}-way trials need {n_way - 1} classes outside the top {top}, but the "
            f"classifier has {n_classes} classes."
        )
    rng = np.random.default_rng(seed)
    ground_truth = np.argsort(truth, axis=1)[:, -top:]
    accuracy = np.empty(len(predicted))
    for item, (scores, best) in enumerate(zip(predicted, ground_truth, strict=True)):
        others = np.setdiff1d(np.arange(n_classes), best)
        drawn = np.argsort(rng.random((trials, len(others))), axis=1)[:, : n_way - 1]
        strongest_other = scores[others[drawn]].max(axis=1)
        accuracy[item] = np.mean(scores[best].max() > strongest_other)
    return accuracy


def evaluate_clips(
    generated: np.ndarray,
    truth: np.ndarray,
    *,
    classify_video,
    classify_frames,
    n_ways=(2, 40),
    top: int = 3,
    trials: int = 100,
    seed: int = 0,
) -> dict:
    """SSIM and video- and frame-based N-way accuracy of generated clips, with chance levels.

    Parameters
    ----------
    generated, truth : ndarray of uint8, shape (n_clips, n_frames, height, width, 3)
        Each generated clip beside the clip that was shown.
    classify_video : callable
        Clips → (n_clips, n_classes) probabilities (see :func:`load_classifier`).
    classify_frames : callable
        Clips → (n_clips, n_frames, n_classes) probabilities.
    n_ways : sequence of int
    top, trials, seed
        See :func:`n_way_accuracy`.

    Returns
    -------
    metrics : dict
        Per metric (``ssim``, ``video_<n>way``, ``frame_<n>way``): ``mean``, ``std`` over
        clips (frames for the frame-based ones) and, for N-way, ``chance``; plus ``per_clip``
        values for SSIM and the video metrics.
    """
    ssim = clip_ssim(generated, truth)
    metrics = {"ssim": {"mean": float(ssim.mean()), "std": float(ssim.std()),
                        "per_clip": ssim.tolist()}}  # fmt: skip
    video = classify_video(generated), classify_video(truth)
    frames = [
        p.reshape(-1, p.shape[-1]) for p in (classify_frames(generated), classify_frames(truth))
    ]
    for n_way in n_ways:
        for name, (predicted, reference) in (("video", video), ("frame", frames)):
            accuracy = n_way_accuracy(
                predicted, reference, n_way=n_way, top=top, trials=trials, seed=seed
            )
            metrics[f"{name}_{n_way}way"] = {
                "mean": float(accuracy.mean()),
                "std": float(accuracy.std()),
                "chance": n_way_chance(n_way, top),
                **({"per_clip": accuracy.tolist()} if name == "video" else {}),
            }
    return metrics


def summarize_generation(reports: list[dict]) -> list[dict]:
    """One row per mode and metric: mean ± std over subjects of the per-subject means.

    Parameters
    ----------
    reports : list of dict
        What ``evaluate_generation`` writes per subject and mode (``mode``, ``metrics``).

    Returns
    -------
    rows : list of dict
        ``mode``, ``metric``, ``mean``, ``std``, ``chance`` (empty for SSIM), ``n_subjects``.
    """
    modes = list(dict.fromkeys(report["mode"] for report in reports))
    rows = []
    for mode in modes:
        chosen = [report["metrics"] for report in reports if report["mode"] == mode]
        for metric in chosen[0]:
            values = np.array([metrics[metric]["mean"] for metrics in chosen])
            rows.append(
                {
                    "mode": mode,
                    "metric": metric,
                    "mean": float(values.mean()),
                    "std": float(values.std()),
                    "chance": chosen[0][metric].get("chance", ""),
                    "n_subjects": len(values),
                }
            )
    return rows


@dataclass
class GenerationEvaluation:
    """What :func:`evaluate_generation` returns.

    Attributes
    ----------
    report : dict
        The per-subject, per-mode metrics document: ``subject``, ``mode``, ``test_block``,
        ``n_clips``, ``clip_order`` and ``metrics`` (see :func:`evaluate_clips`).
    generated, truth : ndarray of uint8, shape (n_classes, n_reps, n_frames, height, width, 3)
        The generated clips and the clips that were shown, both in class order.
    """

    report: dict
    generated: np.ndarray
    truth: np.ndarray


def evaluate_generation(
    clips: str | Path,
    truth: str | Path,
    *,
    classifiers: Mapping[str, str | Path],
    settings: Mapping,
    subject: int,
    mode: str,
) -> GenerationEvaluation:
    """SSIM and N-way accuracy of one subject's generated clips against the test block shown.

    Parameters
    ----------
    clips : str | Path
        What ``generate`` wrote: ``frames`` (class, rep, frame, height, width, rgb) and the
        ``test_block`` attribute.
    truth : str | Path
        The test block's frames artifact: ``frames`` (axes
        :data:`~eegdecode.artifacts.FRAME_AXES`, presentation order) and ``concept_labels``.
    classifiers : dict
        The folder of the ``video`` and of the ``image`` classifier.
    settings : dict
        ``video_classifier`` and ``image_classifier`` (each with its ``kind``, see
        :func:`~eegdecode.evaluation.classifiers.load_classifier`), ``n_ways``, ``top``,
        ``trials``, ``seed`` (``video_diffusion.evaluate``).
    subject : int
    mode : str
        The generation mode, recorded in the report.

    Returns
    -------
    evaluation : GenerationEvaluation
    """
    generated = read_array(
        clips, "frames", axes=("class", "rep", "frame", "height", "width", "rgb")
    ).data
    shown = read_array(truth, "frames", axes=FRAME_AXES).data
    concept_labels = read_array(truth, "concept_labels").data
    n_classes, n_reps = generated.shape[:2]
    if shown.shape[0] != n_classes * n_reps or shown.shape[1:] != generated.shape[2:]:
        raise ValueError(
            f"{clips} holds {n_classes} × {n_reps} clips of {generated.shape[2:]}, but the "
            f"ground truth {truth} has {shown.shape}: the two come from different blocks or "
            f"frame settings."
        )
    # Ground truth in class order, beside each generated clip (spec §5).
    in_class_order = to_class_order(
        shown.reshape(n_classes, n_reps, *shown.shape[1:]), concept_labels
    )
    # Imported here: summarize_generation, beside it, runs without torch.
    from .classifiers import load_classifier

    classify = {
        role: load_classifier(
            role, settings[f"{role}_classifier"]["kind"], classifiers[role],
            n_frames=generated.shape[2],
        )
        for role in ("video", "image")
    }  # fmt: skip
    metrics = evaluate_clips(
        generated.reshape(-1, *generated.shape[2:]),
        in_class_order.reshape(-1, *in_class_order.shape[2:]),
        classify_video=classify["video"], classify_frames=classify["image"],
        n_ways=settings["n_ways"], top=settings["top"], trials=settings["trials"],
        seed=settings["seed"],
    )  # fmt: skip
    report = {
        "subject": int(subject),
        "mode": mode,
        "test_block": int(read_attrs(clips)["test_block"]),
        "n_clips": int(n_classes * n_reps),
        "clip_order": "class order: clip i is concept i // n_reps + 1, repetition i % n_reps",
        "metrics": metrics,
    }
    return GenerationEvaluation(report, generated, in_class_order)
