"""Rule evaluate_latents: concept retrieval from one subject's predicted test-block latents."""

from eegdecode import log_to_file
from eegdecode.evaluation.latents import evaluate_latent_retrieval
from eegdecode.fileio import write_json

with log_to_file(snakemake.log[0]):
    report = evaluate_latent_retrieval(
        snakemake.input.predictions,
        snakemake.input.latents,
        subject=int(snakemake.wildcards.subject),
    )
    write_json(snakemake.output.metrics, report)
