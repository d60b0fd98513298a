"""Rule train_glmnet: GLMNet for one subject, trained on the blocks other than the test block."""

from eegdecode import log_to_file
from eegdecode.artifacts import LABEL_AXES, WINDOW_AXES, read_array
from eegdecode.datasets import Protocol, load_meta_info
from eegdecode.devices import limit_threads
from eegdecode.training.eeg2video import save_stage, train_glmnet

with log_to_file(snakemake.log[0]):
    params, source = snakemake.params, snakemake.input.features
    limit_threads(snakemake.threads)
    meta_info = load_meta_info(snakemake.input.meta_info, Protocol.from_config(params.protocol))
    result = train_glmnet(
        read_array(snakemake.input.windows, "eeg", axes=WINDOW_AXES).data,
        read_array(source, "de", axes=(*WINDOW_AXES[:-1], "band")).data,
        read_array(source, "concept_labels", axes=LABEL_AXES).data,
        meta_info,
        settings=params.glmnet, test_block=params.test_block, local_channels=params.local_channels,
        coarse_classes=params.coarse_classes, fast_threshold=params.fast_threshold,
        workdir=params.checkpoints,
    )  # fmt: skip
    subject, task = snakemake.wildcards.subject, params.glmnet["task"]
    save_stage(result, **snakemake.output, title=f"GLMNet, subject {subject}, task {task}")
