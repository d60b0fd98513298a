"""Evaluation: classification benchmarks and metrics."""

from .classification import binomial_interval, chance_levels, top_k_accuracy
from .eegvp import FoldResult, eegvp_fold, eegvp_report, run_eegvp, summarize_eegvp

__all__ = [
    "FoldResult",
    "binomial_interval",
    "chance_levels",
    "eegvp_fold",
    "eegvp_report",
    "run_eegvp",
    "summarize_eegvp",
    "top_k_accuracy",
]
