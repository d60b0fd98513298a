"""Rule build_tiny_waveglow: a tiny random WaveGlow in the layout of NVIDIA's checkpoint."""

from pathlib import Path

from eegdecode import log_to_file
from eegdecode.models import build_tiny_waveglow

with log_to_file(snakemake.log[0]):
    folder = Path(snakemake.output.checkpoint).parent
    build_tiny_waveglow(folder, seed=snakemake.params.seed, n_mel_channels=snakemake.params.n_mels)
