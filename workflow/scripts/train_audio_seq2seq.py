"""Rule train_audio_seq2seq: one participant's decoder from high-gamma envelopes to log-mel,
trained on the first part of the recording; predicts the test part window by window."""

from eegdecode import log_to_file
from eegdecode.devices import limit_threads
from eegdecode.report import save_training_record
from eegdecode.training.audio import train_audio_seq2seq

with log_to_file(snakemake.log[0]):
    params = snakemake.params
    limit_threads(snakemake.threads)
    trained, predictions = train_audio_seq2seq(
        snakemake.input.envelope,
        snakemake.input.mel,
        windows=params.windows,
        model=params.model,
        training=params.training,
        seed=params.seed,
        workdir=params.checkpoints,
    )
    trained.save(snakemake.output.model)
    save_training_record(
        trained.fit,
        metrics=snakemake.output.metrics,
        figure=snakemake.output.curves,
        title=f"Audio decoder, participant {snakemake.wildcards.participant}",
    )
    predictions.write(snakemake.output.predictions)
