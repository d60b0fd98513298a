"""Rule finetune_focus: one user's focus model, fine-tuned from the base model on all their
complete calibration sessions."""

from eegdecode import log_to_file
from eegdecode.fileio import write_json
from eegdecode.training.focus import finetune_focus

with log_to_file(snakemake.log[0]):
    params = snakemake.params
    model, metrics = finetune_focus(
        snakemake.input.base,
        snakemake.input.windows,
        classes=params.classes,
        features=params.features,
        l2=params.finetune["l2"],
        user=snakemake.wildcards.user,
    )
    model.save(snakemake.output.model)
    write_json(snakemake.output.metrics, metrics)
