"""Rule de_psd: DE and PSD band features of clips or windows."""

from eegdecode import log_to_file
from eegdecode.artifacts import (
    LABEL_AXES,
    AxisArray,
    inherit_attrs,
    read_array,
    read_attrs,
    write_artifact,
)
from eegdecode.signal import de_psd

with log_to_file(snakemake.log[0]):
    source, settings = snakemake.input.segments, snakemake.params.features
    attrs = read_attrs(source)
    segments = read_array(source, "eeg", axes=(..., "channel", "time"))
    features = de_psd(
        segments.data,
        attrs["sfreq"],
        bands=settings["bands"],
        n_fft=settings["n_fft"],
        fft_mode=settings["fft_mode"],
        band_bins=settings["band_bins"],
        n_jobs=snakemake.threads,
    )
    axes = (*segments.axes[:-1], "band")
    unit = segments.attrs.get("unit", "?")
    write_artifact(
        snakemake.output.features,
        {
            "de": AxisArray(features.de, axes, {"formula": "log2(100 * psd)"}),
            "psd": AxisArray(
                features.psd, axes, {"unit": f"{unit}^2 (mean |FFT|^2 over band bins)"}
            ),
            "concept_labels": read_array(source, "concept_labels", axes=LABEL_AXES),
        },
        producer="de_psd",
        attrs=inherit_attrs(
            attrs,
            segment_s=segments.data.shape[-1] / attrs["sfreq"],
            band_names=features.band_names,
            band_edges_hz=features.band_edges_hz,
            band_bin_ranges=features.band_bin_ranges,
            n_fft=features.n_fft,
        ),
        parameters=settings,
    )
