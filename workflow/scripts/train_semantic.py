"""Rule train_semantic: DE → caption embeddings for one subject; predicts the test block."""

from eegdecode import log_to_file
from eegdecode.artifacts import CLIP_AXES, LABEL_AXES, TEXT_AXES, read_array
from eegdecode.devices import limit_threads
from eegdecode.training.eeg2video import save_stage, train_semantic

with log_to_file(snakemake.log[0]):
    params, settings = snakemake.params, snakemake.params.semantic
    source, blocks = snakemake.input.features, snakemake.input.text_embeddings
    limit_threads(snakemake.threads)
    result = train_semantic(
        read_array(source, settings["feature"], axes=(*CLIP_AXES[:-1], "band")).data,
        read_array(source, "concept_labels", axes=LABEL_AXES).data,
        [read_array(path, "embeddings", axes=TEXT_AXES).data for path in blocks],
        settings=settings, test_block=params.test_block, workdir=params.checkpoints,
        paths=(source, blocks),
    )  # fmt: skip
    subject = int(snakemake.wildcards.subject)
    save_stage(
        result, **snakemake.output, title=f"Semantic predictor, subject {subject}",
        producer="train_semantic", subject=subject, parameters=settings,
    )  # fmt: skip
