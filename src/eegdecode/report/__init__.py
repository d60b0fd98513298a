"""Figures for the workflow's report."""

from .audio import plot_mel_comparison, write_audio_page, write_utterance_page
from .eegvp import plot_eegvp
from .feature_qc import plot_feature_qc, save_figure, standard_positions
from .generation import plot_finetune_loss, plot_generated_beside_truth, plot_generation_summary
from .stimulus import plot_frame_strips
from .training import plot_learning_curves, save_training_record

__all__ = [
    "plot_eegvp",
    "plot_feature_qc",
    "plot_finetune_loss",
    "plot_frame_strips",
    "plot_generated_beside_truth",
    "plot_generation_summary",
    "plot_learning_curves",
    "plot_mel_comparison",
    "save_figure",
    "save_training_record",
    "standard_positions",
    "write_audio_page",
    "write_utterance_page",
]
