"""Rule emotion_segments: every 1 s chunk of every DREAMER clip as one model's input, with its
valence × arousal class, subject and clip."""

from eegdecode import log_to_file
from eegdecode.datasets.dreamer import DREAMER_SFREQ, load_dreamer
from eegdecode.training.mental_state import dreamer_segments

with log_to_file(snakemake.log[0]):
    settings = snakemake.params.settings
    segments = dreamer_segments(
        load_dreamer(snakemake.input.mat),
        model_input=snakemake.params.model_input,
        sfreq=DREAMER_SFREQ,
        chunk_s=settings["chunk_s"],
        n_baseline_chunks=settings["n_baseline_chunks"],
        high_rating_at_least=settings["high_rating_at_least"],
        grid_positions=settings["grid_positions"],
    )
    segments.save(
        snakemake.output.segments,
        producer="emotion_segments",
        attrs={"dataset": snakemake.wildcards.dataset, "sfreq": DREAMER_SFREQ},
    )
