"""Dataset layouts and protocols: SEED-DV and the embedded SEED-DV-shaped demo."""

import lazy_loader

from ..protocol import Protocol

# Submodules load on first use (see eegdecode/__init__.py).
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "seeddv": [
            "SEED_DV_CHANNELS",
            "SEED_DV_META_INFO",
            "SEED_DV_PRESENTATION_ORDER",
            "DatasetLayout",
            "block_ordinal",
            "load_concept_labels",
            "load_meta_info",
            "load_raw_eeg",
        ],
    },
)
__all__ += ["Protocol"]
