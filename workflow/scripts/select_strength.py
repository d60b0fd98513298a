"""Rule select_strength: the img2img strength whose validation reconstructions (both
branches) the classifier names best."""

from eegdecode import log_to_file
from eegdecode.devices import limit_threads
from eegdecode.evaluation.images import select_strength
from eegdecode.fileio import write_json

with log_to_file(snakemake.log[0]):
    limit_threads(snakemake.threads)
    chosen = select_strength(
        snakemake.input.model, snakemake.input.vae, snakemake.input.saliency,
        snakemake.input.captions, snakemake.input.stimuli, snakemake.input.classifier,
        settings=snakemake.params.settings,
    )  # fmt: skip
    write_json(snakemake.output.strength, chosen)
