"""Evaluation: classification benchmarks and metrics."""

import lazy_loader

# Submodules load on first use, so that a job pays only for what it calls: segmenting
# EEG does not import torch, plotting a table does not import scipy.stats.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "classification": ["binomial_interval", "chance_levels", "top_k_accuracy"],
        "eegvp": ["FoldResult", "eegvp_fold", "eegvp_report", "run_eegvp", "summarize_eegvp"],
    },
)
