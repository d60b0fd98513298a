"""Rule fusion_summary: one row per dataset, target, protocol and model (EEG only, face only,
fusion, majority class), the scores' mean ± std over folds beside chance, and their figure."""

import json

from eegdecode import log_to_file
from eegdecode.fileio import write_csv
from eegdecode.report import plot_fusion_summary, save_figure
from eegdecode.training.fusion import fusion_summary_rows

with log_to_file(snakemake.log[0]):
    metrics = []
    for path in snakemake.input.metrics:
        with open(path) as handle:
            metrics.append(json.load(handle))
    rows = fusion_summary_rows(metrics)
    write_csv(snakemake.output.table, rows)
    save_figure(plot_fusion_summary(rows), snakemake.output.figure)
