"""Metrics of reconstructed images (NeuroImagen's, spec Part B.4) and the block-design
baseline that reads the class from the time of the segment alone."""

import numpy as np

from ..artifacts import IMAGE_AXES
from .video import clip_ssim, n_way_accuracy, n_way_chance


def inception_score(probabilities: np.ndarray, eps: float = 1e-12) -> float:
    """``exp(E_x KL(p(y|x) ‖ p(y)))`` over one set of images (Salimans et al. 2016).

    Parameters
    ----------
    probabilities : ndarray, shape (n_images, n_classes)
        The classifier's class probabilities of each image (rows sum to 1).
    eps : float
        Keeps ``log 0`` finite.

    Returns
    -------
    score : float
        1 when every image gets the same distribution, ``n_classes`` at most (confident and
        evenly spread). The paper's 33.50 is over ImageNet's 1,000 classes; the demo's
        classifier has as many classes as the demo.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 2 or not np.allclose(p.sum(axis=1), 1, atol=1e-3):
        raise ValueError(f"Expected probabilities (n_images, n_classes), got {p.shape}.")
    marginal = p.mean(axis=0, keepdims=True)
    kl = (p * (np.log(p + eps) - np.log(marginal + eps))).sum(axis=1)
    return float(np.exp(kl.mean()))


def evaluate_images(
    reconstructed: np.ndarray,
    seen: np.ndarray,
    labels: np.ndarray,
    *,
    classify,
    n_ways=(2,),
    top: int = 3,
    trials: int = 100,
    seed: int = 0,
) -> dict:
    """ACC, N-way accuracy, SSIM and IS of reconstructions, each beside its chance level.

    Parameters
    ----------
    reconstructed, seen : ndarray of uint8, shape (n, height, width, 3)
        Each reconstruction beside the image the subject saw.
    labels : ndarray of int, shape (n,)
        The seen image's class, in the classifier's label order.
    classify : callable
        Images (n, 1, height, width, 3) → probabilities (n, 1, n_classes)
        (:func:`~eegdecode.evaluation.classifiers.load_classifier`, role ``image``).
    n_ways, top, trials, seed
        See :func:`~eegdecode.evaluation.video.n_way_accuracy`.

    Returns
    -------
    metrics : dict
        ``accuracy`` (top-1 class of the reconstruction = the seen image's class; chance
        1 / n_classes), ``<n>way``, ``ssim`` (against the seen image; its chance is the SSIM
        of each reconstruction with another item's seen image, shifted by one), and
        ``inception_score`` (chance 1: one image for every input); each with ``mean``,
        ``std`` over images where it has one, and ``chance``.
    """
    predicted = classify(reconstructed[:, None])[:, 0]
    reference = classify(seen[:, None])[:, 0]
    n_classes = predicted.shape[1]
    correct = predicted.argmax(axis=1) == labels
    ssim = clip_ssim(reconstructed[:, None], seen[:, None])
    shuffled = clip_ssim(reconstructed[:, None], np.roll(seen, 1, axis=0)[:, None])
    metrics = {
        "accuracy": {"mean": float(correct.mean()), "std": float(correct.std()),
                     "chance": 1.0 / n_classes},
        "ssim": {"mean": float(ssim.mean()), "std": float(ssim.std()),
                 "chance": float(shuffled.mean())},
        "inception_score": {"mean": inception_score(predicted), "chance": 1.0},
    }  # fmt: skip
    for n_way in n_ways:
        accuracy = n_way_accuracy(predicted, reference, n_way=n_way, top=top, trials=trials,
                                  seed=seed)  # fmt: skip
        metrics[f"{n_way}way"] = {"mean": float(accuracy.mean()), "std": float(accuracy.std()),
                                  "chance": n_way_chance(n_way, top)}  # fmt: skip
    return metrics


def time_only_baseline(
    positions: np.ndarray,
    subjects: np.ndarray,
    labels: np.ndarray,
    *,
    train: np.ndarray,
    test: np.ndarray,
) -> dict:
    """Name each test segment's class from its place in the recording alone.

    The class of the training segment of the same subject nearest in position (ties: the
    earlier one). It knows nothing of the EEG or the image; on a block design, where a class's
    images are shown one after another, it is right whenever the test segment's neighbours in
    time are of its class, which a split by image leaves them.

    Parameters
    ----------
    positions, subjects, labels : ndarray of int, shape (n_segments,)
        Each segment's rank in its subject's recording
        (:func:`~eegdecode.datasets.eeg_imagenet.segment_positions`), subject and class.
    train, test : ndarray of int
        Positions in those arrays.

    Returns
    -------
    baseline : dict
        ``accuracy`` with ``mean``, ``std`` and ``chance`` (1 / n_classes).
    """
    predicted = np.empty(len(test), dtype=np.int64)
    for i, segment in enumerate(test):
        same_subject = train[subjects[train] == subjects[segment]]
        if same_subject.size == 0:
            raise ValueError(f"Subject {subjects[segment]} has no training segment.")
        distance = np.abs(positions[same_subject] - positions[segment])
        predicted[i] = labels[same_subject[np.argmin(distance)]]
    correct = predicted == labels[test]
    n_classes = len(np.unique(labels))
    return {"accuracy": {"mean": float(correct.mean()), "std": float(correct.std()),
                         "chance": 1.0 / n_classes}}  # fmt: skip


RECONSTRUCTION_AXES = ("segment", "height", "width", "rgb")


def _classifier(folder):
    from .classifiers import load_classifier

    return load_classifier("image", "trained", folder)


def _stimuli(stimuli):
    from ..artifacts import read_array

    return (read_array(stimuli, "images", axes=IMAGE_AXES).data,
            read_array(stimuli, "image_labels", axes=("image",)).data)  # fmt: skip


def select_strength(
    model, vae_folder, saliency, captions, stimuli, classifier, *, settings: dict
) -> dict:
    """Rule ``select_strength``: the img2img strength of ``settings['strengths']`` whose
    reconstructions of the validation segments (both branches) the classifier names best
    (ties: the lower strength, the one that keeps more of the saliency map).

    Returns ``{"strength": chosen, "validation": [{"strength", "accuracy", "ssim"}, ...]}``.
    """
    from ..artifacts import read_array, read_attrs
    from ..diffusion.img2img import reconstruct_part

    images, _ = _stimuli(stimuli)
    classify = _classifier(classifier)
    segment_images = read_array(saliency, "images", axes=("segment",)).data
    labels = read_array(saliency, "labels", axes=("segment",)).data
    rows = []
    for strength in sorted(settings["strengths"]):
        chosen, reconstructed = reconstruct_part(
            model, vae_folder, saliency, captions, branch="both", part=1,
            image_size=images.shape[1], strength=strength, settings=settings,
            image_names=read_attrs(stimuli)["image_names"],
        )  # fmt: skip
        metrics = evaluate_images(reconstructed, images[segment_images[chosen]], labels[chosen],
                                  classify=classify, n_ways=())  # fmt: skip
        rows.append({"strength": strength, "accuracy": metrics["accuracy"]["mean"],
                     "ssim": metrics["ssim"]["mean"]})  # fmt: skip
    best = max(rows, key=lambda row: (row["accuracy"], -row["strength"]))
    return {"strength": best["strength"], "validation": rows}


def per_class(labels: np.ndarray, most: int = 4) -> np.ndarray:
    """Positions of the first ``most`` items of each class, as (n_classes, k) with k the
    fewest any class has (at most ``most``), classes in label order."""
    members = [np.flatnonzero(labels == c)[:most] for c in np.unique(labels)]
    keep = min(len(index) for index in members)
    return np.stack([index[:keep] for index in members])


def write_reconstructions(
    output, pngs, model, vae_folder, saliency, captions, stimuli, *, branch: str,
    strength: float, settings: dict,
) -> None:  # fmt: skip
    """Rule ``reconstruct_images``: one branch's reconstruction of every test segment, as an
    artifact and as one PNG per segment in the folder ``pngs``
    (``<segment>_<image name>.png``)."""
    from PIL import Image

    from ..artifacts import AxisArray, read_array, read_attrs, write_artifact
    from ..diffusion.img2img import reconstruct_part
    from ..fileio import atomic_path

    images, _ = _stimuli(stimuli)
    chosen, reconstructed = reconstruct_part(
        model, vae_folder, saliency, captions, branch=branch, part=2,
        image_size=images.shape[1], strength=strength, settings=settings,
        image_names=read_attrs(stimuli)["image_names"],
    )  # fmt: skip
    arrays = {"images": AxisArray(reconstructed, RECONSTRUCTION_AXES),
              "segments": AxisArray(chosen.astype(np.int64), ("segment",))}  # fmt: skip
    for name in ("labels", "images", "subjects", "positions"):
        arrays[f"segment_{name}"] = AxisArray(
            read_array(saliency, name, axes=("segment",)).data[chosen], ("segment",)
        )
    attrs = {"branch": branch, "strength": float(strength)}
    write_artifact(output, arrays, producer="reconstruct_images", attrs=attrs,
                   parameters=settings)  # fmt: skip
    names = read_attrs(stimuli)["image_names"]
    with atomic_path(pngs) as folder:
        folder.mkdir(parents=True)
        for segment, image, picture in zip(chosen, arrays["segment_images"].data, reconstructed,
                                           strict=True):  # fmt: skip
            Image.fromarray(picture).save(folder / f"{segment}_{names[image]}.png")


def evaluate_eeg2image(
    reconstructions: dict, stimuli, segments, classifier, *, settings: dict, dataset: str
) -> tuple[dict, dict]:
    """Rule ``evaluate_eeg2image``: every branch's metrics on the test segments
    (:func:`evaluate_images`) and the time-only baseline on the same segments.

    Returns the report and, per branch, (seen, reconstructed) images of up to four test
    segments per class for the figure.
    """
    from ..artifacts import read_array, read_attrs

    images, _ = _stimuli(stimuli)
    classify = _classifier(classifier)
    report = {"dataset": dataset, "branches": {}}
    shown = {}
    for branch, path in reconstructions.items():
        reconstructed = read_array(path, "images", axes=RECONSTRUCTION_AXES).data
        seen = images[read_array(path, "segment_images", axes=("segment",)).data]
        labels = read_array(path, "segment_labels", axes=("segment",)).data
        report["branches"][branch] = {
            "strength": read_attrs(path)["strength"] if branch != "sample" else None,
            "metrics": evaluate_images(reconstructed, seen, labels, classify=classify,
                                       n_ways=settings["n_ways"], top=settings["top"],
                                       trials=settings["trials"], seed=settings["seed"]),
        }  # fmt: skip
        order = per_class(labels)
        shown[branch] = (seen[order], reconstructed[order])
    parts = read_array(segments, "parts", axes=("segment",)).data
    columns = {name: read_array(segments, name, axes=("segment",)).data
               for name in ("positions", "subjects", "labels")}  # fmt: skip
    report["time_only"] = time_only_baseline(
        columns["positions"], columns["subjects"], columns["labels"],
        train=np.flatnonzero(parts == 0), test=np.flatnonzero(parts == 2),
    )  # fmt: skip
    report["n_test_segments"] = int((parts == 2).sum())
    return report, shown


def summarize_eeg2image(reports: list[dict]) -> list[dict]:
    """One row per dataset and branch (and the time-only baseline): each metric's mean
    beside its chance level."""
    rows = []
    for report in reports:
        entries = [(branch, entry["metrics"]) for branch, entry in report["branches"].items()]
        entries.append(("time_only", report["time_only"]))
        for branch, metrics in entries:
            row = {"dataset": report["dataset"], "branch": branch,
                   "n_test_segments": report["n_test_segments"]}  # fmt: skip
            for name, value in metrics.items():
                row[name] = round(value["mean"], 4)
                row[f"{name}_chance"] = round(value["chance"], 4)
            rows.append(row)
    columns = list(dict.fromkeys(key for row in rows for key in row))
    return [{key: row.get(key, "") for key in columns} for row in rows]
