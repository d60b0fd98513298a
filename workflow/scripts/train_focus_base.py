"""Rule train_focus_base: the focused-vs-rest model on the focus dataset, tested on one
held-out subject."""

from eegdecode import log_to_file
from eegdecode.fileio import write_json
from eegdecode.training.focus import train_focus_base

with log_to_file(snakemake.log[0]):
    dataset = snakemake.params.focus_dataset
    model, metrics = train_focus_base(
        snakemake.input.records,
        records=dataset["records"],
        state_minutes=dataset["state_minutes"],
        test_subject=dataset["test_subject"],
        features=snakemake.params.features,
        l2_grid=snakemake.params.base["l2_grid"],
    )
    model.save(snakemake.output.model)
    write_json(snakemake.output.metrics, metrics)
