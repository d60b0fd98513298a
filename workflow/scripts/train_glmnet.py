"""Rule train_glmnet: GLMNet for one subject, trained on the blocks before the test block."""

from eegdecode import log_to_file
from eegdecode.artifacts import LABEL_AXES, WINDOW_AXES, read_array
from eegdecode.datasets import SEED_DV_META_INFO, Protocol, load_meta_info
from eegdecode.datasets.tasks import eegvp_labels
from eegdecode.devices import limit_threads
from eegdecode.report import save_training_record
from eegdecode.training import TrainConfig
from eegdecode.training.stages import BlockSplit, train_glmnet

with log_to_file(snakemake.log[0]):
    params, settings = snakemake.params, snakemake.params.glmnet
    limit_threads(snakemake.threads)
    protocol = Protocol.from_config(params.protocol)
    raw = read_array(snakemake.input.windows, "eeg", axes=WINDOW_AXES).data
    de = read_array(snakemake.input.features, "de", axes=(*WINDOW_AXES[:-1], "band")).data
    labels, class_names = eegvp_labels(
        settings["task"],
        read_array(snakemake.input.features, "concept_labels", axes=LABEL_AXES).data,
        load_meta_info(
            dict(zip(SEED_DV_META_INFO, snakemake.input.meta_info, strict=True)), protocol
        ),
        clips_per_concept=protocol.clips_per_concept,
        coarse_classes=params.coarse_classes,
        fast_threshold=params.fast_threshold,
    )
    trained = train_glmnet(
        raw,
        de,
        labels,
        n_classes=len(class_names),
        local_channels=params.local_channels,
        split=BlockSplit.make(
            protocol.n_blocks, test_block=settings["test_block"], validation=True
        ),
        train_config=TrainConfig.from_dict({**settings["training"], "seed": settings["seed"]}),
        branch_dim=settings["branch_dim"],
        seed=settings["seed"],
        workdir=params.checkpoints,
    )
    trained.save(snakemake.output.model)
    save_training_record(
        trained.fit,
        metrics=snakemake.output.metrics,
        figure=snakemake.output.curves,
        title=f"GLMNet, subject {snakemake.wildcards.subject}, task {settings['task']}",
    )
