"""Rule eeg2image_summary: one row per dataset and branch, and the time-only baseline, each
metric beside its chance level."""

import json

from eegdecode import log_to_file
from eegdecode.evaluation.images import summarize_eeg2image
from eegdecode.fileio import write_csv

with log_to_file(snakemake.log[0]):
    reports = []
    for path in snakemake.input.metrics:
        with open(path) as handle:
            reports.append(json.load(handle))
    write_csv(snakemake.output.table, summarize_eeg2image(reports))
