"""Figures for the workflow's report."""

from .feature_qc import plot_feature_qc, save_figure, standard_positions

__all__ = ["plot_feature_qc", "save_figure", "standard_positions"]
