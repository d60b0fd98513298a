"""Signal processing: segmentation into clips, sliding windows, DE/PSD band features,
high-gamma envelopes, log-mel spectrograms, speech segments, focus features."""

from .features import SEED_DV_BANDS, BandFeatures, de_psd, hann_matlab
from .focus import (
    EMOTIV_CHANNELS,
    FOCUS_CHANNELS,
    FocusFeatureConfig,
    filter_focus_eeg,
    focus_features,
)
from .highgamma import (
    HIGH_GAMMA_BAND,
    highgamma_envelope,
    highgamma_filter,
    line_noise_frequencies,
)
from .mel import MelConfig, griffin_lim, log_mel_spectrogram
from .resample import resample
from .segmentation import segment, sliding_windows
from .speech import speech_segments

__all__ = [
    "EMOTIV_CHANNELS",
    "FOCUS_CHANNELS",
    "HIGH_GAMMA_BAND",
    "SEED_DV_BANDS",
    "BandFeatures",
    "FocusFeatureConfig",
    "MelConfig",
    "de_psd",
    "filter_focus_eeg",
    "focus_features",
    "griffin_lim",
    "hann_matlab",
    "highgamma_envelope",
    "highgamma_filter",
    "line_noise_frequencies",
    "log_mel_spectrogram",
    "resample",
    "segment",
    "sliding_windows",
    "speech_segments",
]
