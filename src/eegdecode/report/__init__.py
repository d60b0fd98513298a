"""Figures for the workflow's report."""

from .eegvp import plot_eegvp
from .feature_qc import plot_feature_qc, save_figure, standard_positions
from .stimulus import plot_frame_strips
from .training import plot_learning_curves, save_training_record

__all__ = [
    "plot_eegvp",
    "plot_feature_qc",
    "plot_frame_strips",
    "plot_learning_curves",
    "save_figure",
    "save_training_record",
    "standard_positions",
]
