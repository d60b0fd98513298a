"""Rule evaluate_generation: SSIM and N-way accuracy of one subject's clips in one mode."""

from eegdecode import log_to_file
from eegdecode.devices import limit_threads
from eegdecode.evaluation.video import evaluate_generation
from eegdecode.fileio import write_json
from eegdecode.report import plot_generated_beside_truth, save_figure

with log_to_file(snakemake.log[0]):
    subject, mode = snakemake.wildcards.subject, snakemake.wildcards.mode
    limit_threads(snakemake.threads)
    evaluation = evaluate_generation(
        snakemake.input.clips,
        snakemake.input.truth,
        classifiers={
            "video": snakemake.input.video_classifier,
            "image": snakemake.input.image_classifier,
        },
        settings=snakemake.params.evaluate,
        subject=int(subject),
        mode=mode,
    )
    write_json(snakemake.output.metrics, evaluation.report)
    figure = plot_generated_beside_truth(
        evaluation.generated[:, 0], evaluation.truth[:, 0], title=f"Subject {subject}, {mode}"
    )
    save_figure(figure, snakemake.output.figure)
