"""Rule build_tiny_stable_diffusion: tiny random Stable Diffusion parts in the real layout."""

from eegdecode import log_to_file
from eegdecode.stimulus import build_tiny_stable_diffusion

with log_to_file(snakemake.log[0]):
    build_tiny_stable_diffusion(snakemake.output.folder, seed=snakemake.params.seed)
