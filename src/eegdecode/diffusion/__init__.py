"""Video diffusion: the inflated video UNet, its Tune-A-Video fine-tuning, DANA and generation."""

from .dana import DanaConfig, dana, dana_from_predictions
from .finetune import (
    FinetuneConfig,
    finetune_video_diffusion,
    finetune_video_unet,
    load_video_diffusion,
    save_video_diffusion,
    select_training_clips,
)
from .generate import GENERATED_AXES, MODES, generate_clips, generate_from_predictions
from .video_unet import TUNE_A_VIDEO_TRAINABLE, VideoUNet

__all__ = [
    "GENERATED_AXES",
    "MODES",
    "TUNE_A_VIDEO_TRAINABLE",
    "DanaConfig",
    "FinetuneConfig",
    "VideoUNet",
    "dana",
    "dana_from_predictions",
    "finetune_video_diffusion",
    "finetune_video_unet",
    "generate_clips",
    "generate_from_predictions",
    "load_video_diffusion",
    "save_video_diffusion",
    "select_training_clips",
]
