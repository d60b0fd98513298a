"""Rule align_recording: one participant's sEEG and audio on a common time axis, the audio
resampled to the mel spectrogram's rate, with the cued words where there are markers."""

from eegdecode import log_to_file
from eegdecode.datasets.paired_audio import ChannelSelection, align_recording

with log_to_file(snakemake.log[0]):
    params = snakemake.params
    align_recording(
        snakemake.output.recording,
        snakemake.input.seeg,
        snakemake.input.audio,
        words_path=getattr(snakemake.input, "words", None),
        audio_sfreq=params.audio_sfreq,
        seeg_sfreq=params.seeg_sfreq,
        time_axis=params.time_axis,
        channels=ChannelSelection(**params.channels),
        reader_options=params.reader_options,
        # Checks only, not what is written: from the config, not params, so that changing
        # them reruns nothing (the high-gamma settings rerun rule highgamma).
        highgamma=snakemake.config["audio"]["highgamma"],
        on_flat_channel=snakemake.config["features"]["on_flat_channel"],
        audio_offset_s=params.audio_offset_s,
        tolerance_s=params.tolerance_s,
        dataset=params.dataset,
        participant=snakemake.wildcards.participant,
    )
