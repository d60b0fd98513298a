"""Rule mel: the Tacotron 2 log-mel spectrogram of one participant's audio."""

from eegdecode import log_to_file
from eegdecode.artifacts import AxisArray, inherit_attrs, read_array, read_attrs, write_artifact
from eegdecode.signal import MelConfig, log_mel_spectrogram

with log_to_file(snakemake.log[0]):
    config = MelConfig(**snakemake.params.mel)
    audio = read_array(snakemake.input.recording, "audio", axes=("time",))
    if audio.attrs["sfreq"] != config.sfreq:
        raise ValueError(
            f"{snakemake.input.recording} holds audio at {audio.attrs['sfreq']} Hz, but the mel "
            f"spectrogram is set to {config.sfreq} Hz: rerun align_recording."
        )
    write_artifact(
        snakemake.output.mel,
        {"log_mel": AxisArray(log_mel_spectrogram(audio.data, config), ("frame", "mel"))},
        producer="mel",
        attrs=inherit_attrs(
            read_attrs(snakemake.input.recording), frame_rate=config.sfreq / config.hop_length
        ),
        parameters=snakemake.params.mel,
    )
