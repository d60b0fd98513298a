"""Rule build_tiny_vision_encoder: a randomly initialised ViT in transformers' folder layout,
standing in for a local ViT-B/16 or CLIP ViT-L/14 (fusion.vision_encoder: null)."""

from eegdecode import log_to_file
from eegdecode.stimulus.pretrained import build_tiny_vision_encoder

with log_to_file(snakemake.log[0]):
    build_tiny_vision_encoder(snakemake.output.folder, **snakemake.params.tiny)
