"""Rule align_recording: one participant's sEEG and audio on a common time axis, the audio
resampled to the mel spectrogram's rate."""

from eegdecode import log_to_file
from eegdecode.datasets.paired_audio import align_recording

with log_to_file(snakemake.log[0]):
    params = snakemake.params
    align_recording(
        snakemake.output.recording,
        snakemake.input.seeg,
        snakemake.input.audio,
        audio_sfreq=params.audio_sfreq,
        seeg_sfreq=params.seeg_sfreq,
        time_axis=params.time_axis,
        audio_offset_s=params.audio_offset_s,
        tolerance_s=params.tolerance_s,
        dataset=params.dataset,
        participant=snakemake.wildcards.participant,
    )
