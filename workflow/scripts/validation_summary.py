"""Rule validation_summary: every system's planted, null and confound checks, one row each,
beside the bound it must clear, and their figure."""

from eegdecode import log_to_file
from eegdecode.evaluation.validation import COLUMNS, validation_checks
from eegdecode.fileio import read_csv, write_csv
from eegdecode.report import plot_validation, save_figure

with log_to_file(snakemake.log[0]):
    tables = {name: read_csv(path) for name, path in snakemake.input.items()}
    checks = validation_checks(
        tables,
        n_test_clips=snakemake.params.n_test_clips,
        full_mode_target=snakemake.params.full_mode_target,
        models=snakemake.params.models,
    )
    write_csv(snakemake.output.table, [check.row() for check in checks], list(COLUMNS))
    save_figure(plot_validation(checks), snakemake.output.figure)
