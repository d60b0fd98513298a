"""The timing of a SEED-DV-style recording, shared by the datasets, signal and stimulus code.

A protocol is parameters: blocks of concepts, each a hint then clips. It lives on the ground
floor so that ``signal/`` and ``stimulus/`` never import ``datasets/``.
"""

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._validation import ensure_positive_float, ensure_positive_int, samples


def _from_mapping(cls, values: Mapping[str, Any], what: str):
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - names)
    if unknown:
        raise ValueError(f"Unknown {what} keys {unknown}; allowed keys are {sorted(names)}.")
    missing = sorted(
        f.name
        for f in dataclasses.fields(cls)
        if f.name not in values
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    )
    if missing:
        raise ValueError(f"The {what} is missing the keys {missing}.")
    return cls(**values)


@dataclass(frozen=True)
class Protocol:
    """Timing of a SEED-DV-style recording: blocks of concepts, each a hint then clips.

    Parameters
    ----------
    sfreq : float
        Sampling rate of the raw EEG in Hz (200 for the released SEED-DV).
    n_blocks : int
        Blocks per subject (7).
    n_concepts : int
        Concepts presented per block, each exactly once (40).
    clips_per_concept : int
        Clips shown after each hint (5).
    hint_s : float
        Length of the hint before each concept's clips, in seconds (3).
    clip_s : float
        Length of one clip in seconds (2).
    video_fps : float | None
        Frame rate of the block videos (24 for SEED-DV), in whose frames the clips are
        numbered (see :func:`eegdecode.stimulus.clip_frame_indices`); None where no video is
        read.
    """

    sfreq: float
    n_blocks: int
    n_concepts: int
    clips_per_concept: int
    hint_s: float
    clip_s: float
    video_fps: float | None = None

    def __post_init__(self):
        ensure_positive_float(self.sfreq, "protocol.sfreq")
        ensure_positive_int(self.n_blocks, "protocol.n_blocks")
        ensure_positive_int(self.n_concepts, "protocol.n_concepts")
        ensure_positive_int(self.clips_per_concept, "protocol.clips_per_concept")
        if self.hint_s < 0:
            raise ValueError(f"protocol.hint_s must be >= 0, got {self.hint_s!r}.")
        ensure_positive_float(self.clip_s, "protocol.clip_s")
        samples(self.hint_s, self.sfreq, "protocol.hint_s")
        samples(self.clip_s, self.sfreq, "protocol.clip_s")
        if self.video_fps is not None:
            ensure_positive_float(self.video_fps, "protocol.video_fps")
            samples(self.hint_s, self.video_fps, "protocol.hint_s", unit="frames")
            samples(self.clip_s, self.video_fps, "protocol.clip_s", unit="frames")

    @classmethod
    def from_config(cls, values: Mapping[str, Any]) -> "Protocol":
        """Build from the ``dataset.protocol`` config block, rejecting unknown keys by name."""
        return _from_mapping(cls, values, "dataset.protocol")

    @property
    def hint_samples(self) -> int:
        return samples(self.hint_s, self.sfreq, "protocol.hint_s")

    @property
    def clip_samples(self) -> int:
        return samples(self.clip_s, self.sfreq, "protocol.clip_s")

    @property
    def concept_samples(self) -> int:
        """Samples from one hint onset to the next (2600 for SEED-DV: 13 s at 200 Hz)."""
        return self.hint_samples + self.clips_per_concept * self.clip_samples

    @property
    def block_samples(self) -> int:
        """Samples in one block (104000 for SEED-DV: 40 × 13 s at 200 Hz)."""
        return self.n_concepts * self.concept_samples

    @property
    def clips_per_block(self) -> int:
        return self.n_concepts * self.clips_per_concept

    def describe_block(self) -> str:
        """The block length spelled out, for error messages."""
        return (
            f"{self.block_samples} samples ({self.n_concepts} concepts × "
            f"({self.hint_s:g} s hint + {self.clips_per_concept} × {self.clip_s:g} s clips) at "
            f"{self.sfreq:g} Hz)"
        )
