"""Rule align_recording: one participant's sEEG and audio on a common time axis, the audio
resampled to the mel spectrogram's rate."""

from eegdecode import log_to_file
from eegdecode.artifacts import AxisArray, write_artifact
from eegdecode.datasets.paired_audio import load_paired_recording, resample_audio

with log_to_file(snakemake.log[0]):
    params = snakemake.params
    recording = load_paired_recording(
        snakemake.input.seeg,
        snakemake.input.audio,
        seeg_sfreq=params.seeg_sfreq,
        time_axis=params.time_axis,
        audio_offset_s=params.audio_offset_s,
        tolerance_s=params.tolerance_s,
    )
    audio = resample_audio(recording.audio, recording.audio_sfreq, params.audio_sfreq)
    write_artifact(
        snakemake.output.recording,
        {
            "seeg": AxisArray(recording.seeg, ("channel", "time"), {"sfreq": recording.seeg_sfreq}),
            "audio": AxisArray(audio, ("time",), {"sfreq": float(params.audio_sfreq)}),
        },
        producer="align_recording",
        attrs={
            "dataset": snakemake.config["audio"]["name"],
            "participant": snakemake.wildcards.participant,
            "channel_names": recording.channel_names,
            "audio_offset_s": float(params.audio_offset_s),
            "source_audio_sfreq": recording.audio_sfreq,
        },
        parameters=dict(params.items()),
    )
