"""Rule highgamma: one participant's high-gamma envelopes at the sEEG rate."""

from eegdecode import log_to_file
from eegdecode.artifacts import AxisArray, inherit_attrs, read_array, read_attrs, write_artifact
from eegdecode.signal import highgamma_envelope

with log_to_file(snakemake.log[0]):
    settings = snakemake.params.highgamma
    seeg = read_array(snakemake.input.recording, "seeg", axes=("channel", "time"))
    sfreq = seeg.attrs["sfreq"]
    envelope = highgamma_envelope(
        seeg.data, sfreq, band=settings["band"], notches=settings["notches"],
        order=settings["order"],
    )  # fmt: skip
    write_artifact(
        snakemake.output.envelope,
        {"envelope": AxisArray(envelope, ("channel", "time"))},
        producer="highgamma",
        attrs=inherit_attrs(read_attrs(snakemake.input.recording), sfreq=sfreq),
        parameters=settings,
    )
