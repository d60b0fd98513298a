"""Rule finetune_focus: one user's focus model, fine-tuned from the base model on all their
complete calibration sessions."""

from pathlib import Path

from eegdecode import log_to_file
from eegdecode.fileio import write_json
from eegdecode.lsl.session import read_calibration_windows
from eegdecode.models.focus import FocusModel
from eegdecode.signal import FocusFeatureConfig
from eegdecode.training.focus import calibration_features, finetune_focus_model

with log_to_file(snakemake.log[0]):
    params = snakemake.params
    config = FocusFeatureConfig(**params.features)
    sessions = [
        (
            Path(path).parent.name,
            *calibration_features(read_calibration_windows(path), params.classes, config),
        )
        for path in snakemake.input.windows
    ]
    model, metrics = finetune_focus_model(
        FocusModel.load(snakemake.input.base),
        sessions,
        l2=params.finetune["l2"],
        user=snakemake.wildcards.user,
    )
    model.save(snakemake.output.model)
    write_json(snakemake.output.metrics, metrics)
