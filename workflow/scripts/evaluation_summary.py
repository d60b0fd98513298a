"""Rule evaluation_summary: generation metrics per mode, mean ± std over subjects."""

import json

from eegdecode import log_to_file
from eegdecode.evaluation.video import summarize_generation
from eegdecode.fileio import write_csv
from eegdecode.report import plot_generation_summary, save_figure

with log_to_file(snakemake.log[0]):
    reports = [json.loads(open(path).read()) for path in snakemake.input.metrics]
    rows = summarize_generation(reports)
    write_csv(snakemake.output.table, rows)
    save_figure(plot_generation_summary(rows), snakemake.output.figure)
