"""Rule validation_summary: every system's planted, null and confound checks, one row each,
beside the bound it must clear, and their figure."""

import json

from eegdecode import log_to_file
from eegdecode.evaluation.validation import COLUMNS, validation_checks
from eegdecode.fileio import read_csv, write_csv
from eegdecode.report import plot_validation, save_figure
from eegdecode.training.fusion import fusion_summary_rows
from eegdecode.training.mental_state import summary_row


def evaluations(paths):
    return [json.loads(open(path).read()) for path in paths]


with log_to_file(snakemake.log[0]):
    tables = {name: read_csv(snakemake.input[name])
              for name in ("eeg2video", "eeg2video_null", "eeg2image")}  # fmt: skip
    # The subject-wise evaluations as their systems' summary tables write them.
    for task in ("emotion", "workload"):
        tables[task] = [summary_row(metrics) for metrics in evaluations(snakemake.input[task])]
    tables["fusion"] = fusion_summary_rows(evaluations(snakemake.input.fusion))
    checks = validation_checks(
        tables,
        n_test_clips=snakemake.params.n_test_clips,
        full_mode_target=snakemake.params.full_mode_target,
        models=snakemake.params.models,
    )
    write_csv(snakemake.output.table, [check.row() for check in checks], list(COLUMNS))
    save_figure(plot_validation(checks), snakemake.output.figure)
