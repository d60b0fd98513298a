"""Rule finetune_video_diffusion: Tune-A-Video on ground-truth clips of the training blocks."""

from eegdecode import log_to_file
from eegdecode.devices import limit_threads
from eegdecode.diffusion import finetune_video_diffusion
from eegdecode.fileio import write_csv
from eegdecode.report import plot_finetune_loss, save_figure

with log_to_file(snakemake.log[0]):
    params, settings = snakemake.params, snakemake.params.finetune
    limit_threads(snakemake.threads)
    history = finetune_video_diffusion(
        snakemake.input.latents,
        snakemake.input.text_embeddings,
        snakemake.input.model,
        snakemake.output.model,
        protocol=params.protocol,
        clips_per_concept=settings["clips_per_concept"],
        training=settings["training"],
        unet=params.unet,
        workdir=params.checkpoints,
        progress=True,
    )
    write_csv(snakemake.output.metrics, history, fieldnames=["step", "loss", "seconds"])
    save_figure(plot_finetune_loss(history), snakemake.output.curves)
