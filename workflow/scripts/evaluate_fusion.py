"""Rule evaluate_fusion: EEG only, face only and fusion, trained on the training subjects,
selected on the validation subjects and scored on the test subjects, per fold of one protocol,
beside the majority class."""

from eegdecode import log_to_file
from eegdecode.devices import limit_threads
from eegdecode.fileio import write_json
from eegdecode.training.fusion import evaluate_fusion, read_fusion_inputs

with log_to_file(snakemake.log[0]):
    limit_threads(snakemake.threads)
    params, wildcards = snakemake.params, snakemake.wildcards
    trials = read_fusion_inputs(
        params.ratings,
        dict(zip(params.subjects, snakemake.input.eeg, strict=True)),
        dict(zip(params.subjects, snakemake.input.faces, strict=True)),
    )
    metrics = evaluate_fusion(
        trials,
        target=wildcards.target,
        protocol=wildcards.fusion_protocol,
        split=params.evaluation["split"],
        n_folds=params.evaluation["n_folds"],
        seed=params.evaluation["seed"],
        **params.settings,
    )
    write_json(snakemake.output.metrics, {"dataset": wildcards.dataset, **metrics})
