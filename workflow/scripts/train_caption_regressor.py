"""Rule train_caption_regressor: NeuroImagen's sample-level branch, EEG → the caption's CLIP
text embedding; every segment's prediction."""

from eegdecode import log_to_file
from eegdecode.devices import limit_threads
from eegdecode.training.eeg2image import run_caption_regressor

with log_to_file(snakemake.log[0]):
    limit_threads(snakemake.threads)
    files = snakemake.params.files
    run_caption_regressor(
        files["eeg"], files["splits"], snakemake.input.stimuli, **snakemake.output,
        settings=snakemake.params.settings, workdir=snakemake.params.checkpoints,
    )  # fmt: skip
