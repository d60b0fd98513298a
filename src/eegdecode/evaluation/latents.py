"""How much of the shown concept Seq2Seq's predicted latents carry, before any diffusion.

Each predicted test clip is compared, by Pearson correlation over all its latent values, with
the mean latent clip of every concept in Seq2Seq's training blocks; it counts as correct when
the nearest mean is its own concept's. With ``n`` concepts chance is ``1 / n``.
"""

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..artifacts import LATENT_AXES, read_array, read_attrs

PREDICTION_AXES = ("class", "rep", *LATENT_AXES[1:])


def nearest_concept(predicted: np.ndarray, concept_means: np.ndarray) -> np.ndarray:
    """Index of the concept mean each prediction correlates with best.

    Parameters
    ----------
    predicted : ndarray, shape (n_clips, ...)
    concept_means : ndarray, shape (n_concepts, ...)
        Same trailing shape as ``predicted``.

    Returns
    -------
    nearest : ndarray of int, shape (n_clips,)
    """

    def standardised(values: np.ndarray) -> np.ndarray:
        flat = values.reshape(len(values), -1).astype(np.float64)
        flat = flat - flat.mean(axis=1, keepdims=True)
        return flat / np.linalg.norm(flat, axis=1, keepdims=True)

    return (standardised(predicted) @ standardised(concept_means).T).argmax(axis=1)


def evaluate_latent_retrieval(
    predictions: str | Path, latent_paths: Sequence[str | Path], *, subject: int
) -> dict:
    """Concept retrieval from one subject's predicted test-block latents.

    Parameters
    ----------
    predictions : str | Path
        What ``train_seq2seq`` wrote: ``latents`` (class, rep, frame, channel, height, width),
        ``concept_ids``, and the ``test_block`` and ``train_blocks`` attributes.
    latent_paths : sequence of path
        Every block's VAE latents (``latents``, clips in presentation order, and
        ``concept_labels``), block 1 first; only the training blocks' are read.
    subject : int

    Returns
    -------
    report : dict
        ``subject``, ``mode`` ('seq2seq_latents'), ``test_block``, ``n_clips`` and ``metrics``
        with ``latent_{n}way``: ``mean``, ``chance`` and ``per_clip`` (0/1, class order).
    """
    predicted = read_array(predictions, "latents", axes=PREDICTION_AXES).data
    concept_ids = read_array(predictions, "concept_ids").data
    attrs = read_attrs(predictions)
    test_block, train_blocks = int(attrs["test_block"]), [int(b) for b in attrs["train_blocks"]]
    if test_block in train_blocks or not set(train_blocks) <= set(range(1, len(latent_paths) + 1)):
        raise ValueError(
            f"{predictions} names training blocks {train_blocks} and test block {test_block}; "
            f"{len(latent_paths)} blocks of latents were given."
        )
    n_classes, n_reps = predicted.shape[:2]
    sums, counts = np.zeros((n_classes, *predicted.shape[2:])), np.zeros(n_classes)
    for block in train_blocks:
        path = latent_paths[block - 1]
        latents = read_array(path, "latents", axes=LATENT_AXES).data
        labels = read_array(path, "concept_labels").data
        if latents.shape[1:] != predicted.shape[2:] or len(latents) != len(labels) * n_reps:
            raise ValueError(
                f"{path} holds {len(latents)} latent clips of {latents.shape[1:]}, but "
                f"{predictions} predicts {n_reps} clips of {predicted.shape[2:]} for each of "
                f"{len(labels)} concepts."
            )
        clips = latents.reshape(len(labels), n_reps, *latents.shape[1:])
        for slot, concept in enumerate(labels):
            index = int(np.flatnonzero(concept_ids == concept)[0])
            sums[index] += clips[slot].sum(axis=0)
            counts[index] += n_reps
    if not counts.all():
        raise ValueError(f"Some concepts of {predictions} appear in no training block.")
    nearest = nearest_concept(
        predicted.reshape(-1, *predicted.shape[2:]), sums / counts[:, None, None, None, None]
    )
    correct = (nearest == np.repeat(np.arange(n_classes), n_reps)).astype(float)
    return {
        "subject": subject,
        "mode": "seq2seq_latents",
        "test_block": test_block,
        "n_clips": len(correct),
        "metrics": {
            f"latent_{n_classes}way": {
                "mean": float(correct.mean()),
                "chance": 1.0 / n_classes,
                "per_clip": correct.tolist(),
            }
        },
    }
