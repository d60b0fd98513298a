"""Rule fit_tiny_vae: the tiny VAE trained to reconstruct the training blocks' frames."""

from eegdecode import log_to_file
from eegdecode.devices import limit_threads
from eegdecode.report import plot_finetune_loss, save_figure
from eegdecode.stimulus.latents import fit_vae_to_blocks

with log_to_file(snakemake.log[0]):
    limit_threads(snakemake.threads)
    history = fit_vae_to_blocks(
        snakemake.input.model,
        snakemake.input.frames,
        snakemake.output.folder,
        settings=snakemake.params.fit,
    )
    figure = plot_finetune_loss(
        history, title="Tiny VAE fitted to the frames", ylabel="reconstruction MSE"
    )
    save_figure(figure, snakemake.output.curve)
