"""Rule train_clip_classifier: the demo's frame classifier for the N-way metrics."""

from eegdecode import log_to_file
from eegdecode.artifacts import FRAME_AXES, read_array
from eegdecode.devices import limit_threads
from eegdecode.training.eeg2video import save_stage, train_clip_classifier

with log_to_file(snakemake.log[0]):
    params, blocks = snakemake.params, snakemake.input.frames
    limit_threads(snakemake.threads)
    result = train_clip_classifier(
        [read_array(path, "frames", axes=FRAME_AXES).data for path in blocks],
        [read_array(path, "concept_labels").data for path in blocks],
        settings=params.classifier, test_block=params.test_block, workdir=params.checkpoints,
    )  # fmt: skip
    save_stage(result, **snakemake.output)
