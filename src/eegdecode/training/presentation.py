"""The presentation-order layout of per-block data on the EEG→video path.

EEG, features and per-block targets are stored in presentation order: block, concept slot,
rep (and window). This module pairs per-block files with the EEG (:func:`check_block_files`),
expands per-clip labels to the clip's windows (:func:`window_labels`), converts a block to
class order (:func:`to_class_order`, spec §2.6) and writes a model's test-block predictions in
class order (:func:`write_test_predictions`).
"""

from pathlib import Path

import numpy as np

from ..splits import BlockSplit


def window_labels(labels: np.ndarray, n_windows: int) -> np.ndarray:
    """Per-clip values repeated over each clip's windows: the windows of a clip share its label.

    Parameters
    ----------
    labels : ndarray, shape (n_blocks, n_concepts, n_reps)
        One value per clip.
    n_windows : int
        Windows per clip.

    Returns
    -------
    labels : ndarray, shape (n_blocks, n_concepts, n_reps, n_windows)
    """
    return np.repeat(labels[..., None], n_windows, axis=-1)


def to_class_order(values: np.ndarray, concept_labels: np.ndarray) -> np.ndarray:
    """Reorder one block's (slot, ...) values into class order (concept id − 1, ...).

    EEG, features and targets are stored in presentation order; the generation stages work in
    class order, where class ``c`` is the slot ``π[c]`` that showed concept ``c + 1`` (spec §2.6).
    """
    order = np.argsort(concept_labels)
    if not np.array_equal(concept_labels[order], np.arange(1, len(concept_labels) + 1)):
        raise ValueError(
            f"concept_labels {concept_labels.tolist()} is not a permutation of "
            f"1..{len(concept_labels)}."
        )
    return values[order]


def check_block_files(
    features_path,
    sample_shape,
    block_paths,
    block_arrays,
    *,
    concept_labels=None,
    block_labels=None,
) -> None:
    """Raise, naming both files, when per-block arrays do not fit (block, concept, rep).

    Parameters
    ----------
    features_path : path
        The subject's EEG artifact the blocks must match.
    sample_shape : (n_blocks, n_concepts, n_reps)
    block_paths, block_arrays : sequences
        One file and its array (clip first) per block.
    concept_labels : ndarray, shape (n_blocks, n_concepts) | None
        The presentation order of the EEG artifact.
    block_labels : sequence of ndarray | None
        The presentation order stored in each block file; must equal ``concept_labels``.
    """
    n_blocks, n_concepts, n_reps = sample_shape
    if len(block_arrays) != n_blocks:
        raise ValueError(
            f"{features_path!s} has {n_blocks} blocks but {len(block_arrays)} per-block files "
            f"were given: {[str(path) for path in block_paths]}."
        )
    for block, (path, array) in enumerate(zip(block_paths, block_arrays, strict=True)):
        if array.shape[0] != n_concepts * n_reps:
            raise ValueError(
                f"{path!s} has {array.shape[0]} clips, but {features_path!s} has {n_concepts} "
                f"concepts × {n_reps} clips = {n_concepts * n_reps} per block: the two come from "
                f"different datasets or protocols."
            )
        if block_labels is not None and not np.array_equal(
            block_labels[block], concept_labels[block]
        ):
            order = np.asarray(block_labels[block]).tolist()
            raise ValueError(
                f"{path!s} presents the concepts in the order {order}, but block {block + 1} of "
                f"{features_path!s} has {concept_labels[block].tolist()}: "
                f"EEG and targets would be paired wrongly."
            )


def write_test_predictions(
    path: str | Path,
    predictions: dict[str, tuple[np.ndarray, tuple[str, ...]]],
    *,
    concept_labels: np.ndarray,
    split: BlockSplit,
    producer: str,
    subject: int,
    parameters: dict,
) -> Path:
    """Write a model's predictions for the test block, in class order, with how they were made.

    Parameters
    ----------
    path : str | Path
        The artifact to write.
    predictions : dict of str to (ndarray, axes)
        Per dataset, values in presentation order (slot first) and the names of their axes
        after the first (e.g. ``("rep", "token", "feature")``).
    concept_labels : ndarray of int, shape (n_concepts,)
        Concept id at each slot of the test block.
    split : BlockSplit
    producer : str
        The rule that made the predictions.
    subject : int
    parameters : dict
        The stage's config, stored as JSON.
    """
    from ..artifacts import AxisArray, write_artifact

    arrays = {
        name: AxisArray(
            to_class_order(values, concept_labels), ("class", *axes), {"order": "class"}
        )
        for name, (values, axes) in predictions.items()
    }
    arrays["concept_ids"] = AxisArray(np.arange(1, len(concept_labels) + 1), ("class",))
    return write_artifact(
        path,
        arrays,
        producer=producer,
        attrs={
            "subject": subject,
            "test_block": split.test + 1,
            "train_blocks": [b + 1 for b in split.train],
        },
        parameters=parameters,
    )
