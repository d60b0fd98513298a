"""Dataset layouts and protocols: SEED-DV and the embedded SEED-DV-shaped demo."""

from ..protocol import Protocol
from .seeddv import (
    SEED_DV_CHANNELS,
    SEED_DV_META_INFO,
    SEED_DV_PRESENTATION_ORDER,
    DatasetLayout,
    block_ordinal,
    load_concept_labels,
    load_meta_info,
    load_raw_eeg,
)

__all__ = [
    "SEED_DV_CHANNELS",
    "SEED_DV_META_INFO",
    "SEED_DV_PRESENTATION_ORDER",
    "DatasetLayout",
    "Protocol",
    "block_ordinal",
    "load_concept_labels",
    "load_meta_info",
    "load_raw_eeg",
]
