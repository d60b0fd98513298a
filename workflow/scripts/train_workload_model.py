"""Rule train_workload_model: the cognitive-load model that `eegdecode live` runs, trained on
every subject of the dataset but the validation group, with how live EEG must be prepared."""

from eegdecode import log_to_file
from eegdecode.artifacts import read_attrs
from eegdecode.devices import limit_threads
from eegdecode.report import save_training_record
from eegdecode.training.mental_state import SegmentSet, train_deployed_model

with log_to_file(snakemake.log[0]):
    limit_threads(snakemake.threads)
    model, evaluation = snakemake.params.model, snakemake.params.evaluation
    attrs = read_attrs(snakemake.input.segments)
    trained = train_deployed_model(
        SegmentSet.load(snakemake.input.segments),
        features={key: attrs[key] for key in ("sfreq", "channel_names", "clip_s", "n_scales")},
        n_folds=evaluation["n_folds"],
        seed=evaluation["seed"],
        workdir=snakemake.params.checkpoints,
        model_name=model["model"],
        model_config=model["config"],
        training=model["training"],
        standardize=model["standardize"],
    )
    trained.save(snakemake.output.model)
    title = f"{snakemake.wildcards.model} on {snakemake.wildcards.dataset}, deployed"
    save_training_record(trained.fit, metrics=snakemake.output.metrics,
                         figure=snakemake.output.curves, title=title)  # fmt: skip
