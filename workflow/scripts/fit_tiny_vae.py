"""Rule fit_tiny_vae: the tiny VAE trained to reconstruct the training blocks' frames."""

import numpy as np

from eegdecode import log_to_file
from eegdecode.artifacts import FRAME_AXES, read_array
from eegdecode.devices import limit_threads
from eegdecode.report import plot_finetune_loss, save_figure
from eegdecode.stimulus import fit_vae, load_vae, save_vae

with log_to_file(snakemake.log[0]):
    settings = snakemake.params.fit
    limit_threads(snakemake.threads)
    frames = np.concatenate(
        [read_array(path, "frames", axes=FRAME_AXES).data for path in snakemake.input.frames]
    )
    vae = load_vae(snakemake.input.model)
    losses = fit_vae(
        vae, frames.reshape(-1, *frames.shape[2:]), steps=settings["steps"],
        batch_size=settings["batch_size"], lr=settings["lr"], kl_weight=settings["kl_weight"],
        seed=settings["seed"],
    )  # fmt: skip
    save_vae(vae, snakemake.output.folder)
    history = [{"step": step + 1, "loss": loss} for step, loss in enumerate(losses)]
    figure = plot_finetune_loss(
        history, title="Tiny VAE fitted to the frames", ylabel="reconstruction MSE"
    )
    save_figure(figure, snakemake.output.curve)
