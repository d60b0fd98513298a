"""Rule validation_check: fail, naming each failed row, unless every validation check passed."""

from eegdecode import log_to_file
from eegdecode.evaluation.validation import ValidationFailed, failed_checks
from eegdecode.fileio import read_csv

with log_to_file(snakemake.log[0]):
    rows = read_csv(snakemake.input.table)
    message = failed_checks(rows)
    if message:
        raise ValidationFailed(f"{message}\n(the whole table: {snakemake.input.table})")
    with open(snakemake.output.passed, "w") as handle:
        handle.write(f"{len(rows)} validation checks passed\n")
