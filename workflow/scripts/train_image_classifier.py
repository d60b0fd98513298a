"""Rule train_image_classifier: the demo's classifier of seen images, which scores the
reconstructions."""

from eegdecode import log_to_file
from eegdecode.devices import limit_threads
from eegdecode.training.eeg2image import run_image_classifier

with log_to_file(snakemake.log[0]):
    limit_threads(snakemake.threads)
    run_image_classifier(
        snakemake.input.stimuli, snakemake.input.segments, snakemake.input.vae,
        **snakemake.output, settings=snakemake.params.settings,
        workdir=snakemake.params.checkpoints,
    )  # fmt: skip
