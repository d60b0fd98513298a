"""Rule extract_gifs: one block video → a GIF per clip and the frames they show."""

from eegdecode import log_to_file
from eegdecode.artifacts import FRAME_AXES, AxisArray, write_artifact
from eegdecode.datasets import Protocol, load_concept_labels
from eegdecode.stimulus import read_clip_frames, write_gifs

with log_to_file(snakemake.log[0]):
    params, block = snakemake.params, int(snakemake.wildcards.block)
    protocol = Protocol.from_config(params.protocol)
    labels = load_concept_labels(
        snakemake.input.labels, protocol, published_order=params.published_order
    )
    frames = read_clip_frames(snakemake.input.video, protocol, **params.frames)
    shown = write_gifs(frames, snakemake.output.gifs, frames_per_s=params.frames["frames_per_s"])
    write_artifact(
        snakemake.output.frames,
        {
            "frames": AxisArray(shown, FRAME_AXES, {"order": "presentation"}),
            "concept_labels": AxisArray(labels[block - 1], ("concept",), {"order": "presentation"}),
        },
        producer="extract_gifs",
        attrs={
            "dataset": snakemake.config["dataset"]["name"],
            "block": block,
            "frames_per_s": params.frames["frames_per_s"],
            "clips_per_concept": protocol.clips_per_concept,
            "source": str(snakemake.input.video),
        },
        parameters=params.frames,
    )
