"""Rule finetune_face_encoder: the face encoder's blocks after frozen_layers trained with the
face heads on the training participants' crops for one target, the epoch chosen by the
validation participants; written as a vision-encoder folder that face_embeddings reads."""

import json
from pathlib import Path

from eegdecode import log_to_file
from eegdecode.devices import limit_threads
from eegdecode.stimulus.pretrained import load_vision_encoder
from eegdecode.training.face_finetuning import finetune_face_encoder
from eegdecode.training.fusion import read_trial_labels

with log_to_file(snakemake.log[0]):
    params, inputs, target = snakemake.params, snakemake.input, snakemake.wildcards.target
    limit_threads(snakemake.threads)
    subjects = sorted(params.split["train"] + params.split["validation"])
    labels = read_trial_labels(
        params.ratings, dict(zip(subjects, inputs.eeg, strict=True)), target=target,
        high_rating_at_least=params.high_rating_at_least,
    )  # fmt: skip
    encoder = load_vision_encoder(inputs.encoder)
    summary = finetune_face_encoder(
        encoder, dict(zip(subjects, inputs.crops, strict=True)), labels,
        **params.split, **params.finetuning, heads=params.heads, oversample=params.oversample,
        seed=params.seed, workdir=params.checkpoints,
    )  # fmt: skip
    summary = {"target": target, "base_encoder": str(inputs.encoder), **summary}
    encoder.save(snakemake.output.folder, Path(inputs.encoder) / "preprocessor_config.json",
                 extra_files={"finetuning.json": json.dumps(summary, indent=2) + "\n"})  # fmt: skip
