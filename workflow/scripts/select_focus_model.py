"""Rule select_focus_model: point the user's current.json at their newest fine-tuned model."""

from eegdecode import log_to_file
from eegdecode.fileio import write_json
from eegdecode.training.focus import focus_pointer

with log_to_file(snakemake.log[0]):
    write_json(snakemake.output.pointer, focus_pointer(snakemake.input.model))
