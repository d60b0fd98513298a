"""Rule glmnet_embeddings: the GLMNet embedding of every window of one subject."""

from eegdecode import artifacts, log_to_file
from eegdecode.artifacts import LABEL_AXES, WINDOW_AXES, AxisArray, read_array
from eegdecode.devices import limit_threads
from eegdecode.training import TrainedModel
from eegdecode.training.eeg2video import glmnet_embeddings

with log_to_file(snakemake.log[0]):
    limit_threads(snakemake.threads)
    source, model = snakemake.input.features, snakemake.input.model
    trained = TrainedModel.load(model)
    embeddings = glmnet_embeddings(
        trained,
        read_array(snakemake.input.windows, "eeg", axes=WINDOW_AXES).data,
        read_array(source, "de", axes=(*WINDOW_AXES[:-1], "band")).data,
    )
    split, axes = trained.block_split, (*WINDOW_AXES[:4], "feature")
    artifacts.write_artifact(
        snakemake.output.embeddings,
        {
            "embeddings": AxisArray(embeddings, axes, {"order": "presentation"}),
            "concept_labels": read_array(source, "concept_labels", axes=LABEL_AXES),
        },
        producer="glmnet_embeddings",
        attrs=artifacts.inherit_attrs(
            artifacts.read_attrs(source), model=str(model),
            train_blocks=[b + 1 for b in split.train], test_block=split.test + 1,
        ),
    )  # fmt: skip
