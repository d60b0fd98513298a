"""Rule train_seq2seq: raw windows → VAE latents for one subject; predicts the test block."""

import numpy as np
import torch

from eegdecode import log_to_file
from eegdecode.artifacts import (
    LABEL_AXES,
    LATENT_AXES,
    WINDOW_AXES,
    read_array,
)
from eegdecode.datasets import Protocol
from eegdecode.devices import limit_threads
from eegdecode.models import Seq2Seq, Seq2SeqConfig
from eegdecode.report import save_training_record
from eegdecode.training import TrainConfig
from eegdecode.training.stages import (
    BlockSplit,
    check_block_files,
    train_predictor,
    write_test_predictions,
)

with log_to_file(snakemake.log[0]):
    params, settings = snakemake.params, snakemake.params.seq2seq
    limit_threads(snakemake.threads)
    protocol = Protocol.from_config(params.protocol)
    windows = read_array(snakemake.input.windows, "eeg", axes=WINDOW_AXES).data
    labels = read_array(snakemake.input.windows, "concept_labels", axes=LABEL_AXES).data
    latents = [
        read_array(path, "latents", axes=LATENT_AXES).data for path in snakemake.input.latents
    ]
    check_block_files(
        snakemake.input.windows,
        windows.shape[:3],
        snakemake.input.latents,
        latents,
        concept_labels=labels,
        block_labels=[read_array(path, "concept_labels").data for path in snakemake.input.latents],
    )
    frame_shape = latents[0].shape[1:]  # (frame, latent_channel, height, width)
    # (block, clip, frame, ...) in presentation order → (block, slot, rep, frame, values)
    targets = np.stack(latents).reshape(*windows.shape[:3], frame_shape[0], -1)
    split = BlockSplit.make(protocol.n_blocks, test_block=settings["test_block"], validation=False)
    torch.manual_seed(settings["seed"])
    architecture = {
        k: settings[k]
        for k in (
            "d_model",
            "n_heads",
            "encoder_layers",
            "decoder_layers",
            "feedforward",
            "dropout",
            "decoding",
            "official_token_offset",
        )
    }
    model = Seq2Seq(
        Seq2SeqConfig(
            n_chans=windows.shape[-2], n_times=windows.shape[-1], n_windows=windows.shape[3],
            n_frames=frame_shape[0], latent_size=targets.shape[-1], **architecture,
        )
    )  # fmt: skip
    trained = train_predictor(
        model, windows, targets, split=split, loss="mse", scale_targets=True,
        train_config=TrainConfig.from_dict({**settings["training"], "seed": settings["seed"]}),
        workdir=params.checkpoints,
    )  # fmt: skip
    trained.save(snakemake.output.model)
    save_training_record(
        trained.fit,
        metrics=snakemake.output.metrics,
        figure=snakemake.output.curves,
        title=f"Seq2Seq, subject {snakemake.wildcards.subject}",
    )
    predicted = trained.predict(windows[split.test].reshape(-1, *windows.shape[3:]))
    predicted = predicted.reshape(*windows.shape[1:3], *frame_shape)
    write_test_predictions(
        snakemake.output.predictions,
        {"latents": (predicted, ("rep", *LATENT_AXES[1:]))},
        concept_labels=labels[split.test],
        split=split,
        producer="train_seq2seq",
        subject=int(snakemake.wildcards.subject),
        parameters=settings,
    )
