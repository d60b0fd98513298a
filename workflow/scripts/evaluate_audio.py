"""Rule evaluate_audio: one participant's decoded mel against the true one, beside chance; the
figure, and the page that plays the test utterances in the report."""

import csv
from pathlib import Path

from eegdecode import log_to_file
from eegdecode.artifacts import read_array, read_attrs
from eegdecode.evaluation.audio import audio_metrics_row, evaluate_mel
from eegdecode.fileio import write_json
from eegdecode.report import plot_mel_comparison, save_figure, write_audio_page
from eegdecode.training.audio import AUDIO_VERSIONS, assemble_windows

# The page embeds its audio; a long test part would make it too large to open.
MAX_UTTERANCES_ON_PAGE = 20

with log_to_file(snakemake.log[0]):
    settings, participant = snakemake.params.evaluate, snakemake.wildcards.participant
    path = snakemake.input.predictions
    predicted, target = (
        read_array(path, name, axes=("window", "frame", "mel")).data
        for name in ("predicted", "target")
    )
    first_frames = read_array(path, "first_frame", axes=("window",)).data
    frame_rate = read_attrs(path)["frame_rate"]
    metrics = evaluate_mel(predicted, target, n_shuffles=settings["n_shuffles"],
                           seed=settings["seed"])  # fmt: skip
    write_json(
        snakemake.output.metrics,
        {"participant": participant, "n_test_windows": len(predicted), **metrics},
    )
    figure = plot_mel_comparison(
        assemble_windows(target, first_frames),
        assemble_windows(predicted, first_frames),
        frame_rate=frame_rate,
        per_bin_r=metrics["pearson_r"]["per_bin"],
        chance_95=metrics["pearson_r"]["chance_95"],
        title=f"Participant {participant}: test part",
    )
    save_figure(figure, snakemake.output.figure)
    folder = Path(snakemake.input.audio)
    with open(folder / "utterances.csv", newline="") as handle:
        utterances = list(csv.DictReader(handle))
    shown = utterances[:MAX_UTTERANCES_ON_PAGE]
    write_audio_page(
        snakemake.output.page,
        title=f"Participant {participant}: decoded speech",
        summary={
            **{name: f"{value:.3f}" for name, value in audio_metrics_row(metrics).items()},
            "vocoder": snakemake.params.vocoder_name,
            "utterances shown": f"{len(shown)} of {len(utterances)}",
        },
        columns=list(AUDIO_VERSIONS),
        rows=[
            (
                f"{float(row['start_s']):.1f}–{float(row['stop_s']):.1f} s",
                {v: folder / "utterances" / f"{row['utterance']}_{v}.wav" for v in AUDIO_VERSIONS},
            )
            for row in shown
        ],
    )
