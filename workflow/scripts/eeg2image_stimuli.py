"""Rule eeg2image_stimuli: every image the EEG file lists at the configured size, its class,
and each class's caption embedded by the Stable Diffusion folder's text encoder."""

from eegdecode import log_to_file
from eegdecode.devices import limit_threads
from eegdecode.training.eeg2image import run_stimuli

with log_to_file(snakemake.log[0]):
    limit_threads(snakemake.threads)
    files = snakemake.params.files
    run_stimuli(
        files["eeg"], files["images"], files["synset_mapping"],
        stable_diffusion=snakemake.input.model, output=snakemake.output.stimuli,
        settings=snakemake.params.settings,
    )  # fmt: skip
