"""Rule vae_latents: ground-truth frames → scaled Stable Diffusion VAE latents."""

from eegdecode import log_to_file
from eegdecode.devices import limit_threads
from eegdecode.stimulus.latents import write_block_latents

with log_to_file(snakemake.log[0]):
    limit_threads(snakemake.threads)
    write_block_latents(
        snakemake.input.frames,
        snakemake.input.model,
        snakemake.output.latents,
        settings=snakemake.params.latents,
        progress=True,
    )
