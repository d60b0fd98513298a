"""Rule workload_segments: every 4 s clip of every STEW recording as the CWT spectrum of one
model's channels, labelled rest (lo) or workload (hi)."""

from eegdecode import log_to_file
from eegdecode.datasets.stew import STEW_SFREQ, load_stew
from eegdecode.signal import EMOTIV_CHANNELS
from eegdecode.training.mental_state import stew_segments

with log_to_file(snakemake.log[0]):
    channels = snakemake.params.channels
    segments = stew_segments(
        load_stew(
            snakemake.params.root,
            snakemake.params.subjects,
            unrated_subjects=snakemake.params.unrated_subjects,
        ),
        sfreq=STEW_SFREQ,
        channel_index=[EMOTIV_CHANNELS.index(name) for name in channels],
        clip_s=snakemake.params.clip_s,
        n_scales=snakemake.params.n_scales,
    )
    segments.save(
        snakemake.output.segments,
        producer="workload_segments",
        attrs={"dataset": snakemake.wildcards.dataset, "sfreq": STEW_SFREQ,
               "channel_names": list(channels), "clip_s": snakemake.params.clip_s,
               "n_scales": snakemake.params.n_scales},
    )  # fmt: skip
