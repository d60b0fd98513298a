"""Rule de_psd: DE and PSD band features of clips or windows."""

from eegdecode import log_to_file
from eegdecode.artifacts import LABEL_AXES, inherit_attrs, read_array, read_attrs, write_artifact
from eegdecode.signal import de_psd

with log_to_file(snakemake.log[0]):
    source, settings = snakemake.input.segments, snakemake.params.features
    attrs = read_attrs(source)
    segments = read_array(source, "eeg", axes=(..., "channel", "time"))
    features = de_psd(segments.data, attrs["sfreq"], **settings, n_jobs=snakemake.threads)
    write_artifact(
        snakemake.output.features,
        {
            **features.to_arrays(segments.axes[:-1], unit=segments.attrs.get("unit")),
            "concept_labels": read_array(source, "concept_labels", axes=LABEL_AXES),
        },
        producer="de_psd",
        attrs=inherit_attrs(
            attrs, segment_s=segments.data.shape[-1] / attrs["sfreq"], **features.attributes()
        ),
        parameters=settings,
    )
