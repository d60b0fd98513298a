"""Rule evaluate_eeg2image: ACC, N-way, SSIM and IS of each branch's test reconstructions,
the time-only baseline, and the seen images beside the reconstructed ones."""

from eegdecode import log_to_file
from eegdecode.devices import limit_threads
from eegdecode.evaluation.images import evaluate_eeg2image
from eegdecode.fileio import write_json
from eegdecode.report import plot_reconstructions, save_figure

with log_to_file(snakemake.log[0]):
    limit_threads(snakemake.threads)
    dataset = snakemake.wildcards.dataset
    report, shown = evaluate_eeg2image(
        dict(zip(snakemake.params.branches, snakemake.input.reconstructions, strict=True)),
        snakemake.input.stimuli, snakemake.input.segments, snakemake.input.classifier,
        settings=snakemake.params.settings, dataset=dataset,
    )  # fmt: skip
    write_json(snakemake.output.metrics, report)
    save_figure(plot_reconstructions(shown, title=dataset), snakemake.output.figure)
