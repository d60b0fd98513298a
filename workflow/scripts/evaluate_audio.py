"""Rule evaluate_audio: one participant's decoded mel against the true one, beside chance; the
figure, and the page that plays the test utterances in the report."""

from eegdecode import log_to_file
from eegdecode.evaluation.audio import audio_metrics_row, evaluate_predictions
from eegdecode.fileio import write_json
from eegdecode.report import plot_mel_comparison, save_figure, write_utterance_page
from eegdecode.training.audio import AUDIO_VERSIONS, MelPredictions

with log_to_file(snakemake.log[0]):
    settings, participant = snakemake.params.evaluate, snakemake.wildcards.participant
    predictions = MelPredictions.read(snakemake.input.predictions)
    metrics = evaluate_predictions(predictions, **settings)
    write_json(snakemake.output.metrics, {"participant": participant, **metrics})
    figure = plot_mel_comparison(
        *predictions.timelines(),
        frame_rate=predictions.frame_rate,
        per_bin_r=metrics["pearson_r"]["per_bin"],
        chance_95=metrics["pearson_r"]["chance_95"],
        title=f"Participant {participant}: test part",
        flagged=predictions.attrs.get("flagged_channels", []),
    )
    save_figure(figure, snakemake.output.figure)
    write_utterance_page(
        snakemake.output.page,
        snakemake.input.audio,
        title=f"Participant {participant}: decoded speech",
        metrics=audio_metrics_row(metrics),
        vocoder=snakemake.params.vocoder_name,
        versions=AUDIO_VERSIONS,
    )
