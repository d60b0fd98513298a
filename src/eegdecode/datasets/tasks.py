"""Per-clip labels of EEG2Video's EEG-VP classification tasks (spec §4.3 and §2.2)."""

from collections.abc import Mapping, Sequence

import numpy as np

from .._validation import check_option

EEGVP_TASKS = ("concept", "coarse", "color", "fast_slow", "obj_number", "human", "face")
# Meta-info file behind each task that is read from one (names as SEED-DV releases them).
_META_INFO = {
    "color": "color",
    "fast_slow": "optical_flow_score",
    "obj_number": "obj_number",
    "human": "human_apperance",
    "face": "face_apperance",
}


def coarse_class_index(coarse_classes: Sequence[Sequence[int]], n_concepts: int) -> np.ndarray:
    """Coarse class (0-based) of each concept id 1..n_concepts; every concept exactly once."""
    index = np.full(n_concepts + 1, -1)
    for coarse, members in enumerate(coarse_classes):
        for concept in members:
            if not 1 <= concept <= n_concepts or index[concept] >= 0:
                raise ValueError(
                    f"coarse_classes must place each concept 1..{n_concepts} in exactly one class; "
                    f"concept {concept} is out of range or listed twice."
                )
            index[concept] = coarse
    missing = [concept for concept in range(1, n_concepts + 1) if index[concept] < 0]
    if missing:
        raise ValueError(f"coarse_classes leaves concepts {missing} without a class.")
    return index


def eegvp_labels(
    task: str,
    concept_labels: np.ndarray,
    meta_info: Mapping[str, np.ndarray],
    *,
    clips_per_concept: int,
    coarse_classes: Sequence[Sequence[int]] | None = None,
    fast_threshold: float | str = "median",
) -> tuple[np.ndarray, list[str]]:
    """Class of every clip for one EEG-VP task.

    Parameters
    ----------
    task : str
        One of ``EEGVP_TASKS``.
    concept_labels : ndarray of int, shape (n_blocks, n_concepts)
        Concept id at each presentation slot.
    meta_info : dict of str to ndarray, shape (n_blocks, n_clips)
        SEED-DV's per-clip annotations by name (``color``, ``optical_flow_score``, ...),
        presentation order.
    clips_per_concept : int
        Clips per presentation slot.
    coarse_classes : sequence of sequence of int | None
        Concept ids of each coarse class (needed for ``'coarse'``).
    fast_threshold : float | 'median'
        Optical-flow score from which a clip counts as fast (SEED-DV's median is 1.799).

    Returns
    -------
    labels : ndarray of int, shape (n_blocks, n_concepts, clips_per_concept)
        Class index 0..n_classes − 1 of each clip.
    class_names : list of str
        What each class index stands for.
    """
    check_option("task", task, EEGVP_TASKS)
    n_blocks, n_concepts = concept_labels.shape
    shape = (n_blocks, n_concepts, clips_per_concept)
    if task == "concept":
        return np.broadcast_to((concept_labels - 1)[..., None], shape).copy(), [
            str(c) for c in range(1, n_concepts + 1)
        ]
    if task == "coarse":
        if coarse_classes is None:
            raise ValueError("The 'coarse' task needs dataset.coarse_classes.")
        index = coarse_class_index(coarse_classes, n_concepts)
        return np.broadcast_to(index[concept_labels][..., None], shape).copy(), [
            str(k) for k in range(len(coarse_classes))
        ]
    name = _META_INFO[task]
    if name not in meta_info:
        raise ValueError(
            f"The {task!r} task needs the meta-info array {name!r}, which was not given."
        )
    values = np.asarray(meta_info[name], dtype=float)
    expected = (n_blocks, n_concepts * clips_per_concept)
    if values.shape != expected:
        raise ValueError(
            f"Meta-info {name!r} has shape {values.shape}, expected {expected} (block, clip) to "
            f"match the concept labels."
        )
    values = values.reshape(shape)
    if task == "fast_slow":
        threshold = (
            float(np.median(values)) if fast_threshold == "median" else float(fast_threshold)
        )
        return (values >= threshold).astype(np.int64), [
            f"slow (< {threshold:.3g})",
            f"fast (>= {threshold:.3g})",
        ]
    classes, labels = np.unique(values, return_inverse=True)
    return labels.reshape(shape).astype(np.int64), [f"{value:g}" for value in classes]
