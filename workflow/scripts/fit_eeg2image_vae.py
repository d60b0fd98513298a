"""Rule fit_eeg2image_vae: the tiny VAE trained to reconstruct the split's training images."""

from eegdecode import log_to_file
from eegdecode.devices import limit_threads
from eegdecode.diffusion.img2img import run_vae_fit

with log_to_file(snakemake.log[0]):
    limit_threads(snakemake.threads)
    run_vae_fit(
        snakemake.input.model, snakemake.input.stimuli, snakemake.input.segments,
        output=snakemake.output.folder, settings=snakemake.params.fit,
    )  # fmt: skip
