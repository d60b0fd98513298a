"""Rule eegvp: the EEG-VP benchmark for one subject, every task, leave one block out."""

from eegdecode import log_to_file
from eegdecode.artifacts import LABEL_AXES, WINDOW_AXES, read_array, read_attrs
from eegdecode.datasets import Protocol, load_meta_info
from eegdecode.devices import limit_threads
from eegdecode.evaluation.eegvp import eegvp_subject
from eegdecode.fileio import write_json

with log_to_file(snakemake.log[0]):
    params, source, settings = snakemake.params, snakemake.input.features, snakemake.params.eegvp
    limit_threads(snakemake.threads)
    meta_info = load_meta_info(snakemake.input.meta_info, Protocol.from_config(params.protocol))
    report = eegvp_subject(
        read_array(source, settings["feature"], axes=(*WINDOW_AXES[:-1], "band")).data,
        read_array(source, "concept_labels", axes=LABEL_AXES).data,
        meta_info,
        settings=settings, local_channels=params.local_channels,
        coarse_classes=params.coarse_classes,
    )  # fmt: skip
    attrs = read_attrs(source)
    write_json(
        snakemake.output.report,
        {"dataset": attrs["dataset"], "subject": attrs["subject"], "settings": settings,
         "tasks": report},
    )  # fmt: skip
