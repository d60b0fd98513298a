"""Rule eegvp: the EEG-VP benchmark for one subject, every task, leave one block out."""

from eegdecode import log_to_file
from eegdecode.artifacts import LABEL_AXES, WINDOW_AXES, read_array, read_attrs
from eegdecode.datasets import SEED_DV_META_INFO, Protocol, load_meta_info
from eegdecode.datasets.tasks import eegvp_labels
from eegdecode.devices import limit_threads
from eegdecode.evaluation import eegvp_report
from eegdecode.fileio import write_json
from eegdecode.training import TrainConfig

with log_to_file(snakemake.log[0]):
    params, source = snakemake.params, snakemake.input.features
    settings = params.eegvp
    limit_threads(snakemake.threads)
    protocol = Protocol.from_config(params.protocol)
    features = read_array(source, settings["feature"], axes=(*WINDOW_AXES[:-1], "band"))
    concept_labels = read_array(source, "concept_labels", axes=LABEL_AXES).data
    meta_info = load_meta_info(
        dict(zip(SEED_DV_META_INFO, snakemake.input.meta_info, strict=True)), protocol
    )
    tasks = {
        task: eegvp_labels(
            task,
            concept_labels,
            meta_info,
            clips_per_concept=protocol.clips_per_concept,
            coarse_classes=params.coarse_classes,
            fast_threshold=settings["fast_threshold"],
        )
        for task in settings["tasks"]
    }
    report = eegvp_report(
        features.data,
        tasks,
        local_channels=params.local_channels,
        train_config=TrainConfig.from_dict({**settings["training"], "seed": settings["seed"]}),
        emb_dim=settings["emb_dim"],
        scaler=settings["scaler"],
        seed=settings["seed"],
    )
    attrs = read_attrs(source)
    write_json(
        snakemake.output.report,
        {
            "dataset": attrs["dataset"],
            "subject": attrs["subject"],
            "settings": settings,
            "tasks": report,
        },
    )
