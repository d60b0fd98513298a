"""Rule train_seq2seq: GLMNet embeddings (or raw windows) → VAE latents for one subject."""

from eegdecode import log_to_file
from eegdecode.artifacts import LABEL_AXES, LATENT_AXES, read_array
from eegdecode.devices import limit_threads
from eegdecode.training.eeg2video import SEQ2SEQ_SOURCES, save_stage, train_seq2seq

with log_to_file(snakemake.log[0]):
    params, settings = snakemake.params, snakemake.params.seq2seq
    source, blocks = snakemake.input.source, snakemake.input.latents
    dataset, axes, _ = SEQ2SEQ_SOURCES[settings["source"]]
    limit_threads(snakemake.threads)
    result = train_seq2seq(
        read_array(source, dataset, axes=axes).data,
        read_array(source, "concept_labels", axes=LABEL_AXES).data,
        [read_array(path, "latents", axes=LATENT_AXES).data for path in blocks],
        [read_array(path, "concept_labels").data for path in blocks],
        settings=settings, test_block=params.test_block, workdir=params.checkpoints,
        paths=(source, blocks),
    )  # fmt: skip
    subject = int(snakemake.wildcards.subject)
    save_stage(
        result, **snakemake.output, title=f"Seq2Seq, subject {subject}",
        producer="train_seq2seq", subject=subject, parameters=settings,
    )  # fmt: skip
