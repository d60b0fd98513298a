"""Rule plot_stimulus_frames: the ground-truth frames of one block, one strip per concept."""

from eegdecode import log_to_file
from eegdecode.artifacts import FRAME_AXES, read_array, read_attrs
from eegdecode.report import plot_frame_strips, save_figure
from eegdecode.stimulus import read_captions

with log_to_file(snakemake.log[0]):
    source = snakemake.input.frames
    frames = read_array(source, "frames", axes=FRAME_AXES).data
    attrs = read_attrs(source)
    figure = plot_frame_strips(
        frames,
        read_array(source, "concept_labels", axes=("concept",)).data,
        read_captions(snakemake.input.captions, n_captions=frames.shape[0]),
        clips_per_concept=snakemake.params.clips_per_concept,
        title=f"{attrs['dataset']} block {attrs['block']}: first clip of each concept",
    )
    save_figure(figure, snakemake.output.figure)
