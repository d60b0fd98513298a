"""Rule select_focus_model: point the user's current.json at their newest fine-tuned model."""

import json
from pathlib import Path

from eegdecode import log_to_file
from eegdecode.fileio import write_json

with log_to_file(snakemake.log[0]):
    folder = Path(snakemake.input.model)
    config = json.loads((folder / "config.json").read_text())
    write_json(
        snakemake.output.pointer,
        {"model": folder.name, "user": config["user"], "sessions": config["sessions"]},
    )
