"""Rule evaluation_summary: generation metrics per mode and Seq2Seq's latent retrieval,
mean ± std over subjects."""

import json

from eegdecode import log_to_file
from eegdecode.evaluation.video import summarize_generation
from eegdecode.fileio import write_csv
from eegdecode.report import plot_generation_summary, save_figure

with log_to_file(snakemake.log[0]):
    paths = [*snakemake.input.metrics, *snakemake.input.latents]
    reports = [json.loads(open(path).read()) for path in paths]
    rows = summarize_generation(reports)
    write_csv(snakemake.output.table, rows)
    save_figure(plot_generation_summary(rows), snakemake.output.figure)
