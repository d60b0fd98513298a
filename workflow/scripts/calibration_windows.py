"""Rule calibration_windows: one session's labelled phases, cut by their timestamps and
resampled to the focus model's rate."""

from eegdecode import log_to_file
from eegdecode.lsl.session import CalibrationSession, cut_phases, write_calibration_windows

with log_to_file(snakemake.log[0]):
    path = snakemake.input.session
    session = CalibrationSession.load(path)
    if not session.complete:
        raise ValueError(f"{path} is an incomplete session (interrupted); record it again.")
    phases = cut_phases(
        session, list(snakemake.params.classes), target_sfreq=snakemake.params.sfreq, path=path
    )
    write_calibration_windows(
        snakemake.output.windows,
        phases,
        attrs={"user": session.user, "session": session.session, "sfreq": snakemake.params.sfreq},
    )
