"""Figures for the workflow's report."""

import lazy_loader
import matplotlib

matplotlib.use("Agg")  # figures are files; no display on a cluster node

# Submodules load on first use (see eegdecode/__init__.py).
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "audio": ["plot_decoded_test_part", "plot_mel_comparison", "write_utterance_page"],
        "eegvp": ["plot_eegvp"],
        "feature_qc": ["plot_feature_qc", "standard_positions"],
        "figures": ["note_flagged_channels", "save_figure"],
        "fusion": ["plot_fusion_summary"],
        "generation": [
            "plot_finetune_loss",
            "plot_generated_beside_truth",
            "plot_generation_summary",
            "plot_reconstructions",
            "write_generation_page",
        ],
        "mental_state": ["plot_confusion"],
        "pages": ["write_media_page"],
        "stimulus": ["plot_frame_strips"],
        "training": ["plot_learning_curves", "save_training_record"],
        "validation": ["plot_validation"],
    },
)
