"""Rule generate: clips of one subject's test block from its EEG predictions, in one mode."""

from eegdecode import log_to_file
from eegdecode.devices import limit_threads
from eegdecode.diffusion import generate_from_predictions

with log_to_file(snakemake.log[0]):
    initial, negative = snakemake.input.initial_latents, snakemake.input.negative_embedding
    limit_threads(snakemake.threads)
    generate_from_predictions(
        snakemake.input.model,
        snakemake.input.vae,
        snakemake.input.embeddings,
        snakemake.input.reference_latents,
        snakemake.output.clips,
        snakemake.output.files,
        mode=snakemake.wildcards.mode,
        settings=snakemake.params.generate,
        frames_per_s=snakemake.params.frames_per_s,
        initial_latents=initial[0] if initial else None,
        negative_embedding=negative[0] if negative else None,
    )
