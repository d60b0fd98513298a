"""Rule train_seq2seq: raw windows → VAE latents for one subject; predicts the test block."""

from eegdecode import log_to_file
from eegdecode.artifacts import LABEL_AXES, LATENT_AXES, WINDOW_AXES, read_array
from eegdecode.devices import limit_threads
from eegdecode.training.eeg2video import save_stage, train_seq2seq

with log_to_file(snakemake.log[0]):
    params, settings = snakemake.params, snakemake.params.seq2seq
    source, blocks = snakemake.input.windows, snakemake.input.latents
    limit_threads(snakemake.threads)
    result = train_seq2seq(
        read_array(source, "eeg", axes=WINDOW_AXES).data,
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
