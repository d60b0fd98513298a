"""Rule train_semantic: DE → caption embeddings for one subject; predicts the test block."""

import numpy as np
import torch

from eegdecode import log_to_file
from eegdecode.artifacts import (
    CLIP_AXES,
    LABEL_AXES,
    TEXT_AXES,
    read_array,
)
from eegdecode.datasets import Protocol
from eegdecode.devices import limit_threads
from eegdecode.models import SemanticPredictor, SemanticPredictorConfig
from eegdecode.report import save_training_record
from eegdecode.training import TrainConfig
from eegdecode.training.stages import (
    BlockSplit,
    caption_targets,
    check_block_files,
    train_predictor,
    write_test_predictions,
)

with log_to_file(snakemake.log[0]):
    params, settings = snakemake.params, snakemake.params.semantic
    limit_threads(snakemake.threads)
    protocol = Protocol.from_config(params.protocol)
    features = read_array(
        snakemake.input.features, settings["feature"], axes=(*CLIP_AXES[:-1], "band")
    ).data
    labels = read_array(snakemake.input.features, "concept_labels", axes=LABEL_AXES).data
    embeddings = [
        read_array(path, "embeddings", axes=TEXT_AXES).data
        for path in snakemake.input.text_embeddings
    ]
    check_block_files(
        snakemake.input.features, features.shape[:3], snakemake.input.text_embeddings, embeddings
    )
    targets = np.stack(
        [
            caption_targets(
                block, clips_per_concept=protocol.clips_per_concept, target=settings["target"]
            )
            for block in embeddings
        ]
    )
    split = BlockSplit.make(protocol.n_blocks, test_block=settings["test_block"], validation=False)
    torch.manual_seed(settings["seed"])
    n_tokens, width = targets.shape[-2:]
    model = SemanticPredictor(
        SemanticPredictorConfig(
            n_inputs=int(np.prod(features.shape[-2:])),
            n_tokens=n_tokens,
            embedding_dim=width,
            hidden=tuple(settings["hidden"]),
        )
    )
    trained = train_predictor(
        model, features, targets, split=split, loss="mse",
        train_config=TrainConfig.from_dict({**settings["training"], "seed": settings["seed"]}),
        workdir=params.checkpoints,
    )  # fmt: skip
    trained.save(snakemake.output.model)
    save_training_record(
        trained.fit,
        metrics=snakemake.output.metrics,
        figure=snakemake.output.curves,
        title=f"Semantic predictor, subject {snakemake.wildcards.subject}",
    )
    test = features[split.test].reshape(-1, *features.shape[-2:])
    predicted = trained.predict(test).reshape(*features.shape[1:3], n_tokens, width)
    write_test_predictions(
        snakemake.output.predictions,
        {"embeddings": (predicted, ("rep", "token", "feature"))},
        concept_labels=labels[split.test],
        split=split,
        producer="train_semantic",
        subject=int(snakemake.wildcards.subject),
        parameters=settings,
    )
