"""Rule train_clip_classifier: the demo's frame classifier for the N-way metrics."""

import numpy as np
import torch

from eegdecode import log_to_file
from eegdecode.artifacts import FRAME_AXES, read_array
from eegdecode.devices import limit_threads
from eegdecode.models import FrameClassifier, FrameClassifierConfig
from eegdecode.training import TrainConfig
from eegdecode.training.stages import BlockSplit, train_predictor

with log_to_file(snakemake.log[0]):
    params, settings = snakemake.params, snakemake.params.classifier
    limit_threads(snakemake.threads)
    frames = np.stack(
        [read_array(path, "frames", axes=FRAME_AXES).data for path in snakemake.input.frames]
    )
    concept_labels = np.stack(
        [read_array(path, "concept_labels").data for path in snakemake.input.frames]
    )
    clips_per_concept = frames.shape[1] // concept_labels.shape[1]
    # Every frame of a clip is labelled with the concept of its slot (concept id − 1).
    labels = np.repeat(concept_labels - 1, clips_per_concept, axis=1)
    labels = np.broadcast_to(labels[..., None], frames.shape[:3]).copy()
    torch.manual_seed(settings["seed"])
    model = FrameClassifier(
        FrameClassifierConfig(
            n_outputs=int(concept_labels.max()), channels=tuple(settings["channels"])
        )
    )
    trained = train_predictor(
        model, frames.astype(np.float32), labels, loss="cross_entropy",
        split=BlockSplit.make(len(frames), test_block=params.test_block, validation=True),
        train_config=TrainConfig.from_dict({**settings["training"], "seed": settings["seed"]}),
        workdir=params.checkpoints,
    )  # fmt: skip
    trained.save(snakemake.output.model)
