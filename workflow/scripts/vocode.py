"""Rule vocode: one participant's test part as audio: recorded, resynthesised from its true
mel, and decoded, whole and per utterance."""

from eegdecode import log_to_file
from eegdecode.artifacts import read_array, read_attrs
from eegdecode.devices import limit_threads
from eegdecode.models.vocoder import MelVocoder
from eegdecode.signal import MelConfig
from eegdecode.training.audio import assemble_windows, vocode_test_set

with log_to_file(snakemake.log[0]):
    settings = snakemake.params.vocoder
    limit_threads(snakemake.threads)
    path = snakemake.input.predictions
    mel = MelConfig(**read_attrs(path)["parameters"]["mel"])
    first_frames = read_array(path, "first_frame", axes=("window",)).data
    predicted, target = (
        assemble_windows(read_array(path, name, axes=("window", "frame", "mel")).data, first_frames)
        for name in ("predicted", "target")
    )
    audio = read_array(snakemake.input.recording, "audio", axes=("time",)).data
    start = first_frames[0] * mel.hop_length
    vocoder = MelVocoder.from_files(
        mel,
        getattr(snakemake.input, "checkpoint", None),
        getattr(snakemake.input, "config", None),
        sigma=settings["sigma"],
        n_iter=settings["griffin_lim_iter"],
        seed=settings["seed"],
        device=settings["device"],
    )
    vocode_test_set(
        snakemake.output.audio,
        recorded=audio[start : start + len(target) * mel.hop_length],
        target_mel=target,
        predicted_mel=predicted,
        vocoder=vocoder,
        segment_options=snakemake.params.utterances,
    )
