"""Signal processing: segmentation into clips, sliding windows, DE/PSD band features,
high-gamma envelopes, log-mel spectrograms, speech segments, focus features, flat and saturated
channels."""

import lazy_loader

# Submodules load on first use (see eegdecode/__init__.py).
# SciPy's filters load inside the functions that filter (scipy.signal takes about 2 s to
# import), so the workflow's parse-time checks of these configs do not import it.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "features": ["SEED_DV_BANDS", "BandFeatures", "de_psd", "hann_matlab"],
        "focus": [
            "EMOTIV_CHANNELS",
            "FOCUS_CHANNELS",
            "FocusFeatureConfig",
            "filter_focus_eeg",
            "focus_features",
        ],
        "highgamma": [
            "HIGH_GAMMA_BAND",
            "check_highgamma_input",
            "highgamma_envelope",
            "highgamma_filter",
            "line_noise_frequencies",
        ],
        "mel": ["MelConfig", "griffin_lim", "log_mel_spectrogram"],
        "quality": ["channel_problems", "check_channels"],
        "resample": ["resample"],
        "segmentation": ["segment", "sliding_windows"],
        "speech": ["speech_segments"],
    },
)
