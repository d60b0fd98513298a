"""Rule segment: raw EEG → 2 s clips with the hints dropped, in presentation order."""

from eegdecode import log_to_file
from eegdecode.artifacts import CLIP_AXES, LABEL_AXES, AxisArray, write_artifact
from eegdecode.datasets import Protocol, load_concept_labels, load_raw_eeg
from eegdecode.signal import segment

with log_to_file(snakemake.log[0]):
    params = snakemake.params
    protocol = Protocol.from_config(params.protocol)
    labels = load_concept_labels(
        snakemake.input.labels, protocol, published_order=params.published_order
    )
    raw = load_raw_eeg(snakemake.input.eeg, protocol, n_channels=len(params.channel_names))
    write_artifact(
        snakemake.output.clips,
        {
            "eeg": AxisArray(segment(raw, protocol), CLIP_AXES, {"unit": params.unit}),
            "concept_labels": AxisArray(labels, LABEL_AXES, {"order": "presentation"}),
        },
        producer="segment",
        attrs={
            "dataset": snakemake.config["dataset"]["name"],
            "subject": int(snakemake.wildcards.subject),
            "sfreq": protocol.sfreq,
            "channel_names": params.channel_names,
            "source": str(snakemake.input.eeg),
        },
        parameters=params.protocol,
    )
