"""Rule audio_summary: the correlation table, one row per participant."""

import json

from eegdecode import log_to_file
from eegdecode.evaluation.audio import audio_metrics_row
from eegdecode.fileio import write_csv

with log_to_file(snakemake.log[0]):
    rows = []
    for participant, path in zip(
        snakemake.params.participants, snakemake.input.metrics, strict=True
    ):
        with open(path) as handle:
            rows.append({"participant": participant, **audio_metrics_row(json.load(handle))})
    write_csv(snakemake.output.table, rows)
