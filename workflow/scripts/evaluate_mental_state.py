"""Rule evaluate_mental_state: one model trained and tested per fold of one protocol, the
scores per fold and over folds, and the confusion matrix."""

from eegdecode import log_to_file
from eegdecode.devices import limit_threads
from eegdecode.fileio import write_json
from eegdecode.report import plot_confusion, save_figure
from eegdecode.training.mental_state import SegmentSet, cross_validate

with log_to_file(snakemake.log[0]):
    limit_threads(snakemake.threads)
    model, wildcards = snakemake.params.model, snakemake.wildcards
    metrics = cross_validate(
        SegmentSet.load(snakemake.input.segments),
        model_name=model["model"],
        model_config=model["config"],
        training=model["training"],
        protocol=wildcards.protocol,
        n_folds=snakemake.params.evaluation["n_folds"],
        standardize=model["standardize"],
        seed=snakemake.params.evaluation["seed"],
        workdir=snakemake.params.checkpoints,
    )
    names = {"dataset": wildcards.dataset, "model": wildcards.model}
    write_json(snakemake.output.metrics, {**names, **metrics})
    title = f"{wildcards.task}: {wildcards.model} on {wildcards.dataset}"
    save_figure(plot_confusion(metrics, title=title), snakemake.output.figure)
