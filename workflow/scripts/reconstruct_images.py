"""Rule reconstruct_images: one branch's img2img reconstruction of every test segment."""

import json

from eegdecode import log_to_file
from eegdecode.devices import limit_threads
from eegdecode.evaluation.images import write_reconstructions

with log_to_file(snakemake.log[0]):
    limit_threads(snakemake.threads)
    with open(snakemake.input.strength) as handle:
        strength = json.load(handle)["strength"]
    write_reconstructions(
        snakemake.output.images, snakemake.output.pngs, snakemake.input.model, snakemake.input.vae,
        snakemake.input.saliency, snakemake.input.captions, snakemake.input.stimuli,
        branch=snakemake.wildcards.branch, strength=strength,
        settings=snakemake.params.settings,
    )  # fmt: skip
