"""Rule train_focus_base: the focused-vs-rest model on the focus dataset, tested on one
held-out subject."""

from eegdecode import log_to_file
from eegdecode.datasets.focus import KAGGLE_SFREQ, load_attention_record
from eegdecode.fileio import write_json
from eegdecode.signal import FOCUS_CHANNELS, FocusFeatureConfig
from eegdecode.training.focus import train_base_focus_model

with log_to_file(snakemake.log[0]):
    dataset = snakemake.params.focus_dataset
    paths = iter(snakemake.input.records)
    records = {
        subject: [load_attention_record(next(paths)) for _ in numbers]
        for subject, numbers in enumerate(dataset["records"], start=1)
    }
    model, metrics = train_base_focus_model(
        records,
        sfreq=KAGGLE_SFREQ,
        state_minutes=dataset["state_minutes"],
        feature_config=FocusFeatureConfig(**snakemake.params.features),
        l2_grid=tuple(snakemake.params.base["l2_grid"]),
        test_subject=dataset["test_subject"],
        channel_names=FOCUS_CHANNELS,
    )
    model.save(snakemake.output.model)
    write_json(snakemake.output.metrics, metrics)
