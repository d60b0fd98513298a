"""Rule segment: raw EEG → 2 s clips with the hints dropped, in presentation order."""

from eegdecode import log_to_file
from eegdecode.artifacts import CLIP_AXES, LABEL_AXES, AxisArray, write_artifact
from eegdecode.datasets import Protocol, load_concept_labels, load_raw_eeg
from eegdecode.signal import check_channels, segment

with log_to_file(snakemake.log[0]):
    params = snakemake.params
    protocol = Protocol.from_config(params.protocol)
    labels = load_concept_labels(
        snakemake.input.labels, protocol, published_order=params.published_order
    )
    raw = load_raw_eeg(snakemake.input.eeg, protocol, params.channel_names)
    # features.on_flat_channel decides whether the job fails, not what it writes: read from
    # the config rather than params, so that changing it reruns nothing.
    flagged = check_channels(
        raw,
        params.channel_names,
        source=snakemake.input.eeg,
        on_flat_channel=snakemake.config["features"]["on_flat_channel"],
    )
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
            "flagged_channels": flagged,
            "source": str(snakemake.input.eeg),
        },
        parameters=params.protocol,
    )
