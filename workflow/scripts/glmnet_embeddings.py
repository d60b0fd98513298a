"""Rule glmnet_embeddings: the GLMNet embedding of every window of one subject."""

from eegdecode import log_to_file
from eegdecode.artifacts import (
    LABEL_AXES,
    WINDOW_AXES,
    AxisArray,
    inherit_attrs,
    read_array,
    read_attrs,
    write_artifact,
)
from eegdecode.devices import limit_threads
from eegdecode.training.stages import TrainedGLMNet, glmnet_embeddings

with log_to_file(snakemake.log[0]):
    limit_threads(snakemake.threads)
    trained = TrainedGLMNet.load(snakemake.input.model)
    embeddings = glmnet_embeddings(
        trained,
        read_array(snakemake.input.windows, "eeg", axes=WINDOW_AXES).data,
        read_array(snakemake.input.features, "de", axes=(*WINDOW_AXES[:-1], "band")).data,
    )
    write_artifact(
        snakemake.output.embeddings,
        {
            "embeddings": AxisArray(
                embeddings, (*WINDOW_AXES[:4], "feature"), {"order": "presentation"}
            ),
            "concept_labels": read_array(
                snakemake.input.features, "concept_labels", axes=LABEL_AXES
            ),
        },
        producer="glmnet_embeddings",
        attrs=inherit_attrs(
            read_attrs(snakemake.input.features),
            model=str(snakemake.input.model),
            train_blocks=[b + 1 for b in trained.split.train],
            test_block=trained.split.test + 1,
        ),
    )
