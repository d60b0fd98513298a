"""Rule train_eeg2image_encoder: NeuroImagen's EEG encoder f_θ, triplet-trained on the split's
training segments; every segment's embedding."""

from eegdecode import log_to_file
from eegdecode.devices import limit_threads
from eegdecode.training.eeg2image import run_eeg_encoder

with log_to_file(snakemake.log[0]):
    limit_threads(snakemake.threads)
    files = snakemake.params.files
    run_eeg_encoder(
        files["eeg"], files["splits"], **snakemake.output, settings=snakemake.params.settings,
        workdir=snakemake.params.checkpoints,
    )  # fmt: skip
