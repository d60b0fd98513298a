"""Signal processing: segmentation into clips, sliding windows, DE/PSD band features."""

from .features import SEED_DV_BANDS, BandFeatures, de_psd, hann_matlab
from .segmentation import segment, sliding_windows

__all__ = [
    "SEED_DV_BANDS",
    "BandFeatures",
    "de_psd",
    "hann_matlab",
    "segment",
    "sliding_windows",
]
