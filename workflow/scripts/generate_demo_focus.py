"""Rule generate_demo_focus: synthetic focus records in the Kaggle mental-attention layout."""

from eegdecode import log_to_file
from eegdecode.datasets.focus import (
    FocusSignature,
    synthesize_attention_record,
    write_attention_record,
)
from eegdecode.signal import EMOTIV_CHANNELS

with log_to_file(snakemake.log[0]):
    dataset, seed = snakemake.params.focus_dataset, snakemake.params.seed
    paths = iter(snakemake.output.records)
    for subject, records in enumerate(dataset["records"], start=1):
        signature = FocusSignature.population(len(EMOTIV_CHANNELS), seed=seed + subject)
        for number in records:
            eeg = synthesize_attention_record(
                signature, state_minutes=dataset["state_minutes"], seed=seed * 1000 + number
            )
            write_attention_record(next(paths), eeg)
