"""Rule calibration_windows: one session's labelled phases, cut by their timestamps and
resampled to the focus model's rate."""

from eegdecode import log_to_file
from eegdecode.training.focus import session_windows

with log_to_file(snakemake.log[0]):
    session_windows(
        snakemake.input.session,
        snakemake.output.windows,
        classes=snakemake.params.classes,
        sfreq=snakemake.params.sfreq,
        # Whether the job fails, not what it writes: from the config, so it reruns nothing.
        on_flat_channel=snakemake.config["features"]["on_flat_channel"],
    )
