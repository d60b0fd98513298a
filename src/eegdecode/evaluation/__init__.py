"""Evaluation: classification benchmarks and metrics."""

import lazy_loader

# Submodules load on first use (see eegdecode/__init__.py).
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "classification": [
            "binomial_interval",
            "chance_levels",
            "classification_scores",
            "confusion_matrix",
            "top_k_accuracy",
        ],
        "eegvp": ["FoldResult", "eegvp_fold", "eegvp_report", "run_eegvp", "summarize_eegvp"],
    },
)
