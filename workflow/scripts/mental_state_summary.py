"""Rule mental_state_summary: one row per dataset, model and protocol, the scores' mean ± std
over folds beside chance; a leaky protocol's row is marked."""

import json

from eegdecode import log_to_file
from eegdecode.fileio import write_csv
from eegdecode.training.mental_state import summary_row

with log_to_file(snakemake.log[0]):
    rows = []
    for path in snakemake.input.metrics:
        with open(path) as handle:
            rows.append(summary_row(json.load(handle)))
    write_csv(snakemake.output.table, rows)
