"""Rule train_saliency_gan: NeuroImagen's pixel-level branch, a conditional GAN from f_θ's
embedding to the seen image; every segment's saliency map."""

from eegdecode import log_to_file
from eegdecode.devices import limit_threads
from eegdecode.training.eeg2image import run_saliency_gan

with log_to_file(snakemake.log[0]):
    limit_threads(snakemake.threads)
    run_saliency_gan(
        snakemake.input.embeddings, snakemake.input.stimuli, **snakemake.output,
        settings=snakemake.params.settings, workdir=snakemake.params.checkpoints,
    )  # fmt: skip
