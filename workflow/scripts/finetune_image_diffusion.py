"""Rule finetune_image_diffusion: the Stable Diffusion UNet fine-tuned on the split's training
images and their captions."""

from eegdecode import log_to_file
from eegdecode.devices import limit_threads
from eegdecode.diffusion.img2img import run_image_finetune
from eegdecode.fileio import write_csv

with log_to_file(snakemake.log[0]):
    limit_threads(snakemake.threads)
    history = run_image_finetune(
        snakemake.input.stimuli, snakemake.input.segments, snakemake.input.model,
        snakemake.input.vae, output=snakemake.output.folder,
        training=snakemake.params.training, workdir=snakemake.params.checkpoints,
    )  # fmt: skip
    write_csv(snakemake.output.metrics, history)
