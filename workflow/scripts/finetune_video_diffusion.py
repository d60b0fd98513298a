"""Rule finetune_video_diffusion: Tune-A-Video on ground-truth clips of the training blocks."""

import numpy as np
import torch

from eegdecode import log_to_file
from eegdecode.artifacts import LATENT_AXES, TEXT_AXES, read_array
from eegdecode.devices import limit_threads
from eegdecode.diffusion import (
    FinetuneConfig,
    VideoUNet,
    finetune_video_unet,
    save_video_diffusion,
    select_training_clips,
)
from eegdecode.fileio import write_csv
from eegdecode.report import plot_finetune_loss, save_figure
from eegdecode.stimulus import embed_captions, load_scheduler, load_text_encoder
from eegdecode.training.stages import check_block_files

with log_to_file(snakemake.log[0]):
    params, settings = snakemake.params, snakemake.params.finetune
    limit_threads(snakemake.threads)
    clips_per_concept = params.protocol["clips_per_concept"]
    latents = [
        read_array(path, "latents", axes=LATENT_AXES).data for path in snakemake.input.latents
    ]
    texts = [
        read_array(path, "embeddings", axes=TEXT_AXES).data
        for path in snakemake.input.text_embeddings
    ]
    n_concepts = params.protocol["n_concepts"]
    # Each block's latents and caption embeddings must hold the protocol's clips, pairwise.
    for latent_path, text_path, text in zip(
        snakemake.input.latents, snakemake.input.text_embeddings, texts, strict=True
    ):
        check_block_files(latent_path, (1, n_concepts, clips_per_concept), [text_path], [text])
    check_block_files(
        "the protocol (dataset.protocol)", (len(latents), n_concepts, clips_per_concept),
        snakemake.input.latents, latents,
    )  # fmt: skip
    n_clips = n_concepts * clips_per_concept
    chosen = select_training_clips(n_clips, clips_per_concept, settings["clips_per_concept"])
    sd_folder = snakemake.input.model
    # The unconditional branch of guidance: the CLIP embedding of the empty prompt (spec D14).
    tokenizer, text_encoder = load_text_encoder(sd_folder)
    _, negative = embed_captions([""], tokenizer, text_encoder)
    unet = VideoUNet.from_stable_diffusion(sd_folder)
    config = FinetuneConfig.from_dict(settings["training"])
    history = finetune_video_unet(
        unet,
        torch.from_numpy(np.concatenate([block[chosen] for block in latents])),
        torch.from_numpy(np.concatenate([block[chosen] for block in texts])),
        load_scheduler(sd_folder, "DDPMScheduler"),
        config,
        negative_embedding=torch.from_numpy(negative),
        workdir=params.checkpoints,
        progress=True,
    )
    save_video_diffusion(
        snakemake.output.model, unet, torch.from_numpy(negative), load_scheduler(sd_folder)
    )
    write_csv(snakemake.output.metrics, history)
    save_figure(plot_finetune_loss(history), snakemake.output.curves)
