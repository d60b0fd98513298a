"""Rule plot_feature_qc: DE scalp maps and per-concept spectra of one subject."""

from eegdecode import log_to_file
from eegdecode.artifacts import CLIP_AXES, LABEL_AXES, read_array, read_attrs
from eegdecode.report import plot_feature_qc, save_figure

with log_to_file(snakemake.log[0]):
    channels = snakemake.params.channels
    attrs = read_attrs(snakemake.input.features)
    figure = plot_feature_qc(
        read_array(snakemake.input.features, "de", axes=(*CLIP_AXES[:-1], "band")).data,
        read_array(snakemake.input.clips, "eeg", axes=CLIP_AXES).data,
        read_array(snakemake.input.clips, "concept_labels", axes=LABEL_AXES).data,
        attrs["sfreq"],
        channel_names=attrs["channel_names"],
        band_names=attrs["band_names"],
        occipital=channels["occipital"],
        montage=channels["montage"],
        montage_aliases=channels["montage_aliases"],
        welch_s=snakemake.params.qc["welch_s"],
        title=f"{attrs['dataset']} subject {attrs['subject']}: band features",
        flagged=read_attrs(snakemake.input.clips).get("flagged_channels", []),
    )
    save_figure(figure, snakemake.output.figure)
