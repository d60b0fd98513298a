"""Rule sliding_windows: clips → the windows of one window set (e.g. 500 ms every 250 ms)."""

from eegdecode import log_to_file
from eegdecode.artifacts import (
    CLIP_AXES,
    LABEL_AXES,
    WINDOW_AXES,
    AxisArray,
    inherit_attrs,
    read_array,
    read_attrs,
    write_artifact,
)
from eegdecode.signal import sliding_windows

with log_to_file(snakemake.log[0]):
    source, settings = snakemake.input.clips, snakemake.params.windows
    attrs = read_attrs(source)
    clips = read_array(source, "eeg", axes=CLIP_AXES)
    windows = sliding_windows(clips.data, attrs["sfreq"], **settings)
    write_artifact(
        snakemake.output.windows,
        {
            "eeg": AxisArray(windows, WINDOW_AXES, clips.attrs),
            "concept_labels": read_array(source, "concept_labels", axes=LABEL_AXES),
        },
        producer="sliding_windows",
        attrs=inherit_attrs(
            attrs,
            window_set=snakemake.wildcards.window,
            window_length_s=settings["length_s"],
            window_step_s=settings["step_s"],
        ),
        parameters=settings,
    )
