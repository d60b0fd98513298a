"""Rule vocode: one participant's test part as audio: recorded, resynthesised from its true
mel, and decoded, whole and per utterance (the cued words, where there are markers)."""

from eegdecode import log_to_file
from eegdecode.artifacts import read_array
from eegdecode.datasets.paired_audio import read_word_markers
from eegdecode.devices import limit_threads
from eegdecode.models.vocoder import MelVocoder
from eegdecode.training.audio import MelPredictions, vocode_predictions

with log_to_file(snakemake.log[0]):
    settings = snakemake.params.vocoder
    limit_threads(snakemake.threads)
    predictions = MelPredictions.read(snakemake.input.predictions)
    vocoder = MelVocoder.from_files(
        predictions.mel,
        getattr(snakemake.input, "checkpoint", None),
        getattr(snakemake.input, "config", None),
        sigma=settings["sigma"],
        n_iter=settings["griffin_lim_iter"],
        seed=settings["seed"],
        device=settings["device"],
    )
    vocode_predictions(
        snakemake.output.audio,
        predictions,
        read_array(snakemake.input.recording, "audio", axes=("time",)).data,
        vocoder=vocoder,
        segment_options=snakemake.params.utterances,
        words=read_word_markers(snakemake.input.recording),
    )
