"""Rule evaluate_audio: every decoder's mel against the true one, beside chance, with word
identification where there are word markers; the seq2seq's figure, and the page that plays
the test utterances in the report."""

from eegdecode import log_to_file
from eegdecode.datasets.paired_audio import read_word_markers
from eegdecode.evaluation.audio import audio_metrics_row, evaluate_decoders
from eegdecode.fileio import write_json
from eegdecode.report import plot_decoded_test_part, save_figure, write_utterance_page
from eegdecode.training.audio import AUDIO_VERSIONS, MelPredictions

with log_to_file(snakemake.log[0]):
    settings, participant = snakemake.params.evaluate, snakemake.wildcards.participant
    # The seq2seq's, and the linear baseline's when it runs (named by decoder).
    inputs = {
        "seq2seq": snakemake.input.predictions,
        **{name: getattr(snakemake.input, name) for name in snakemake.params.baselines},
    }
    predictions = {name: MelPredictions.read(path) for name, path in inputs.items()}
    metrics = evaluate_decoders(
        predictions, read_word_markers(snakemake.input.recording), **settings
    )
    write_json(snakemake.output.metrics, {"participant": participant, "decoders": metrics})
    figure = plot_decoded_test_part(
        predictions["seq2seq"], metrics["seq2seq"], title=f"Participant {participant}: test part"
    )
    save_figure(figure, snakemake.output.figure)
    write_utterance_page(
        snakemake.output.page,
        snakemake.input.audio,
        title=f"Participant {participant}: decoded speech",
        metrics={name: audio_metrics_row(decoder) for name, decoder in metrics.items()},
        vocoder=snakemake.params.vocoder_name,
        versions=AUDIO_VERSIONS,
    )
