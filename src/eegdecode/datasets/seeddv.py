"""The SEED-DV layout and presentation protocol, and validated readers for its raw files.

SEED-DV (Liu et al., NeurIPS 2024) stores one array per subject, ``EEG/sub{N}.npy`` of shape
(block, channel, sample) at 200 Hz. Each block presents every concept once, in a block-specific
order (``All_video_label.npy``): a hint of 3 s, then 5 clips of 2 s. The protocol is parameters
(:class:`Protocol`), so the demo and other datasets with the same structure reuse the code.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._logging import logger
from .._validation import check_option, ensure_positive_int
from ..protocol import Protocol, _from_mapping

# SEED-DV's 62 channels in recording order (spec §2.3).
SEED_DV_CHANNELS = (
    "Fp1 Fpz Fp2 AF3 AF4 F7 F5 F3 F1 Fz F2 F4 F6 F8 FT7 FC5 FC3 FC1 FCz FC2 FC4 FC6 FT8 T7 C5 C3 "
    "C1 Cz C2 C4 C6 T8 TP7 CP5 CP3 CP1 CPz CP2 CP4 CP6 TP8 P7 P5 P3 P1 Pz P2 P4 P6 P8 PO7 PO5 "
    "PO3 POz PO4 PO6 PO8 CB1 O1 Oz O2 CB2"
).split()

# Concept id (1..40) of each presented concept, per block: the table the official scripts
# hard-code as GT_label, identical to the released All_video_label.npy (spec §2.5).
SEED_DV_PRESENTATION_ORDER = np.array(
    [
        [23, 22, 9, 6, 18, 14, 5, 36, 25, 19, 28, 35, 3, 16, 24, 40, 15, 27, 38, 33,
         34, 4, 39, 17, 1, 26, 20, 29, 13, 32, 37, 2, 11, 12, 30, 31, 8, 21, 7, 10],
        [27, 33, 22, 28, 31, 12, 38, 4, 18, 17, 35, 39, 40, 5, 24, 32, 15, 13, 2, 16,
         34, 25, 19, 30, 23, 3, 8, 29, 7, 20, 11, 14, 37, 6, 21, 1, 10, 36, 26, 9],
        [15, 36, 31, 1, 34, 3, 37, 12, 4, 5, 21, 24, 14, 16, 39, 20, 28, 29, 18, 32,
         2, 27, 8, 19, 13, 10, 30, 40, 17, 26, 11, 9, 33, 25, 35, 7, 38, 22, 23, 6],
        [16, 28, 23, 1, 39, 10, 35, 14, 19, 27, 37, 31, 5, 18, 11, 25, 29, 13, 20, 24,
         7, 34, 26, 4, 40, 12, 8, 22, 21, 30, 17, 2, 38, 9, 3, 36, 33, 6, 32, 15],
        [18, 29, 7, 35, 22, 19, 12, 36, 8, 15, 28, 1, 34, 23, 20, 13, 37, 9, 16, 30,
         2, 33, 27, 21, 14, 38, 10, 17, 31, 3, 24, 39, 11, 32, 4, 25, 40, 5, 26, 6],
        [29, 16, 1, 22, 34, 39, 24, 10, 8, 35, 27, 31, 23, 17, 2, 15, 25, 40, 3, 36,
         26, 6, 14, 37, 9, 12, 19, 30, 5, 28, 32, 4, 13, 18, 21, 20, 7, 11, 33, 38],
        [38, 34, 40, 10, 28, 7, 1, 37, 22, 9, 16, 5, 12, 36, 20, 30, 6, 15, 35, 2,
         31, 26, 18, 24, 8, 3, 23, 19, 14, 13, 21, 4, 25, 11, 32, 17, 39, 29, 33, 27],
    ]
)  # fmt: skip
# Presentation orders that a dataset's label file can be checked against, by name.
PUBLISHED_ORDERS = {"seed-dv": SEED_DV_PRESENTATION_ORDER}

# Per-clip annotations released beside the labels, as ``All_video_{name}.npy`` (misspellings
# are SEED-DV's own), each of shape (block, clip) in presentation order.
SEED_DV_META_INFO = (
    "color",
    "optical_flow_score",
    "obj_number",
    "human_apperance",
    "face_apperance",
)


def block_ordinal(block: int) -> str:
    """English ordinal of a 1-based block number, as in SEED-DV's ``1st_10min.mp4``."""
    block = ensure_positive_int(block, "block")
    suffix = "th" if 10 <= block % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(block % 10, "th")
    return f"{block}{suffix}"


@dataclass(frozen=True)
class DatasetLayout:
    """Where a dataset's files lie, as path templates relative to its root folder.

    Parameters
    ----------
    eeg : str
        Raw EEG of one subject; ``{subject}`` is the subject number.
    video : str
        Stimulus video of one block; ``{block_ordinal}`` is ``1st``, ``2nd``, ...
    captions : str
        One caption per clip of a block, one line each.
    labels : str
        Concept ids in presentation order, shape (block, concept).
    meta_info : str
        Per-clip annotations; ``{name}`` is ``color``, ``optical_flow_score``, ...
    """

    eeg: str = "EEG/sub{subject}.npy"
    video: str = "Video/{block_ordinal}_10min.mp4"
    captions: str = "Video/BLIP-caption/{block_ordinal}_10min.txt"
    labels: str = "Video/meta-info/All_video_label.npy"
    meta_info: str = "Video/meta-info/All_video_{name}.npy"

    @classmethod
    def from_config(cls, values: Mapping[str, Any]) -> "DatasetLayout":
        """Build from the ``dataset.layout`` config block, rejecting unknown keys by name."""
        return _from_mapping(cls, values, "dataset.layout")

    def eeg_path(self, root: str | Path, subject: int | str) -> Path:
        return Path(root) / self.eeg.format(subject=subject)

    def video_path(self, root: str | Path, block: int) -> Path:
        return Path(root) / self.video.format(block_ordinal=block_ordinal(block), block=block)

    def captions_path(self, root: str | Path, block: int) -> Path:
        return Path(root) / self.captions.format(block_ordinal=block_ordinal(block), block=block)

    def labels_path(self, root: str | Path) -> Path:
        return Path(root) / self.labels

    def meta_info_path(self, root: str | Path, name: str) -> Path:
        return Path(root) / self.meta_info.format(name=name)


def _load_npy(path: Path, what: str) -> np.ndarray:
    if not path.is_file():
        raise FileNotFoundError(f"{what} {str(path)!r} does not exist.")
    try:
        # Memory-mapped: the shape is checked before 400 MB of samples are read.
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise ValueError(
            f"{what} {str(path)!r} could not be read as a NumPy .npy array (truncated or "
            f"corrupt?): {error}"
        ) from error


def load_concept_labels(
    path: str | Path, protocol: Protocol, *, published_order: str | None = None
) -> np.ndarray:
    """Read the concept ids of each block in presentation order and check them.

    Parameters
    ----------
    path : str | Path
        ``All_video_label.npy`` (or the demo's equivalent).
    protocol : Protocol
        The protocol the labels must fit.
    published_order : str | None
        Name of a published presentation order (a key of ``PUBLISHED_ORDERS``) that the file
        must equal, e.g. ``"seed-dv"``; None checks only the protocol.

    Returns
    -------
    labels : ndarray of int, shape (n_blocks, n_concepts)
        Concept ids, 1-based; each row is a permutation of ``1..n_concepts``.
    """
    path = Path(path)
    raw = _load_npy(path, "Concept label file")
    expected = (protocol.n_blocks, protocol.n_concepts)
    if raw.shape != expected:
        raise ValueError(
            f"Concept label file {str(path)!r} has shape {raw.shape}, expected {expected} "
            f"(block, concept) for {protocol.n_blocks} blocks of {protocol.n_concepts} concepts."
        )
    values = np.asarray(raw, dtype=float)
    if not np.all(np.isfinite(values)) or not np.array_equal(values, np.round(values)):
        raise ValueError(f"Concept label file {str(path)!r} must hold whole concept ids.")
    labels = values.astype(np.int64)
    wanted = np.arange(1, protocol.n_concepts + 1)
    for block, row in enumerate(labels, start=1):
        if not np.array_equal(np.sort(row), wanted):
            counts = np.bincount(np.clip(row, 0, protocol.n_concepts + 1), minlength=wanted[-1] + 2)
            missing = [int(c) for c in wanted if counts[c] == 0]
            repeated = [int(c) for c in wanted if counts[c] > 1]
            outside = sorted({int(c) for c in row if not 1 <= c <= protocol.n_concepts})
            raise ValueError(
                f"Concept label file {str(path)!r}: block {block} must present every concept "
                f"1..{protocol.n_concepts} exactly once; missing {missing}, repeated {repeated}, "
                f"out of range {outside}."
            )
    if published_order is not None:
        check_option("published_order", published_order, PUBLISHED_ORDERS)
        reference = PUBLISHED_ORDERS[published_order]
        if reference.shape != labels.shape or not np.array_equal(reference, labels):
            where = np.argwhere(labels != reference)[0] if reference.shape == labels.shape else None
            detail = (
                f"block {where[0] + 1}, slot {where[1]} holds concept {labels[tuple(where)]}, "
                f"the published order has {reference[tuple(where)]}"
                if where is not None
                else f"the published order has shape {reference.shape}"
            )
            raise ValueError(
                f"Concept label file {str(path)!r} differs from the published {published_order} "
                f"presentation order: {detail}. Is it the file of another dataset or release?"
            )
    return labels


def load_raw_eeg(path: str | Path, protocol: Protocol, channel_names: Sequence[str]) -> np.ndarray:
    """Read one subject's raw EEG and check it against the protocol.

    Parameters
    ----------
    path : str | Path
        ``EEG/sub{N}.npy``.
    protocol : Protocol
        Timing the recording must follow.
    channel_names : sequence of str
        The channels the dataset declares, in the file's order.

    Returns
    -------
    eeg : ndarray, shape (n_blocks, n_channels, n_samples)
        The raw samples, memory-mapped from ``path``.
    """
    path = Path(path)
    eeg = _load_npy(path, "Raw EEG file")
    n_channels = len(channel_names)
    expected = (protocol.n_blocks, n_channels, protocol.block_samples)
    if eeg.shape != expected:
        raise ValueError(
            f"Raw EEG file {str(path)!r} has shape {eeg.shape}, expected {expected} "
            f"(block, channel, sample): {protocol.n_blocks} blocks, {n_channels} channels and "
            f"{protocol.describe_block()}. Check dataset.protocol and dataset.channels."
        )
    if eeg.dtype.kind != "f":
        raise TypeError(f"Raw EEG file {str(path)!r} holds {eeg.dtype} values, expected floats.")
    finite = np.isfinite(eeg)
    if not finite.all():
        block, channel, sample = (int(i) for i in np.argwhere(~finite)[0])
        raise ValueError(
            f"Raw EEG file {str(path)!r} has {int((~finite).sum())} NaN or infinite samples; the "
            f"first is block {block + 1}, channel {channel + 1} ({channel_names[channel]}), "
            f"sample {sample + 1} ({sample / protocol.sfreq:.3f} s into the block; all 1-based)."
            f" Repair or interpolate them before processing."
        )
    logger.info("read %s: %d blocks × %d channels × %d samples", path, *eeg.shape)
    return eeg


def load_meta_info(
    paths: Mapping[str, str | Path] | Sequence[str | Path], protocol: Protocol
) -> dict[str, np.ndarray]:
    """Read SEED-DV's per-clip annotation arrays and check them against the protocol.

    Parameters
    ----------
    paths : dict of str to path | sequence of path
        ``All_video_{name}.npy`` by name, or one file per name of ``SEED_DV_META_INFO``, in
        that order.
    protocol : Protocol

    Returns
    -------
    meta_info : dict of str to ndarray of float, shape (n_blocks, clips_per_block)
    """
    if not isinstance(paths, Mapping):
        paths = list(paths)
        if len(paths) != len(SEED_DV_META_INFO):
            raise ValueError(
                f"Expected one meta-info file per name of {list(SEED_DV_META_INFO)}, in this "
                f"order; got {len(paths)}: {[str(path) for path in paths]}."
            )
        paths = dict(zip(SEED_DV_META_INFO, paths, strict=True))
    expected = (protocol.n_blocks, protocol.clips_per_block)
    meta_info = {}
    for name, path in paths.items():
        values = np.asarray(_load_npy(Path(path), "Meta-info file"), dtype=float)
        if values.shape != expected:
            raise ValueError(
                f"Meta-info file {str(path)!r} has shape {values.shape}, expected {expected} "
                f"(block, clip): {protocol.n_blocks} blocks of {protocol.clips_per_block} clips."
            )
        if not np.isfinite(values).all():
            raise ValueError(f"Meta-info file {str(path)!r} has NaN or infinite values.")
        meta_info[name] = values
    return meta_info
