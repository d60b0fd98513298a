"""The per-block figure of ground-truth frames."""

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from ..stimulus.video import concept_strips


def plot_frame_strips(
    frames: np.ndarray,
    concept_labels: np.ndarray,
    captions: Sequence[str],
    *,
    clips_per_concept: int,
    title: str = "",
) -> plt.Figure:
    """One row per concept slot: the frames of its first clip, with its concept id and caption.

    Parameters
    ----------
    frames : ndarray of uint8, shape (n_clips, n_frames, height, width, 3)
        A block's ground-truth frames, presentation order.
    concept_labels : ndarray of int, shape (n_concepts,)
        Concept id at each presentation slot.
    captions : sequence of str
        One caption per clip.
    clips_per_concept : int
        Clips per concept slot.
    title : str
        Figure title.

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    n_concepts = len(concept_labels)
    if frames.shape[0] != n_concepts * clips_per_concept or len(captions) != frames.shape[0]:
        raise ValueError(
            f"{frames.shape[0]} clips and {len(captions)} captions do not fit {n_concepts} "
            f"concepts × {clips_per_concept} clips."
        )
    strips = concept_strips(frames, clips_per_concept)
    height, width = strips[0].shape[:2]
    row_inches = max(0.9, 9 * height / width)
    figure, axes = plt.subplots(
        n_concepts, 1, figsize=(10, row_inches * n_concepts + 0.6), squeeze=False
    )
    for slot, (strip, ax) in enumerate(zip(strips, axes[:, 0], strict=True)):
        ax.imshow(strip)
        ax.set_axis_off()
        caption = captions[slot * clips_per_concept]
        ax.set_title(
            f"slot {slot}: concept {concept_labels[slot]} — {caption}", fontsize=8, loc="left"
        )
    figure.suptitle(title)
    figure.tight_layout()
    return figure
