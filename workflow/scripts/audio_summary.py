"""Rule audio_summary: the correlation table, one row per participant and decoder."""

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
            decoders = json.load(handle)["decoders"]
        for decoder, metrics in decoders.items():
            rows.append(
                {"participant": participant, "decoder": decoder,
                 "test_set": metrics["test_set"], **audio_metrics_row(metrics)}
            )  # fmt: skip
    write_csv(snakemake.output.table, rows)
