"""Rule train_dynamic: fast/slow from the DE of each clip's windows; predicts the test block."""

from eegdecode import log_to_file
from eegdecode.artifacts import LABEL_AXES, WINDOW_AXES, read_array
from eegdecode.datasets import Protocol, load_meta_info
from eegdecode.devices import limit_threads
from eegdecode.training.eeg2video import save_stage, train_dynamic

with log_to_file(snakemake.log[0]):
    params, settings, source = snakemake.params, snakemake.params.dynamic, snakemake.input.features
    limit_threads(snakemake.threads)
    meta_info = load_meta_info(snakemake.input.meta_info, Protocol.from_config(params.protocol))
    result = train_dynamic(
        read_array(source, settings["feature"], axes=(*WINDOW_AXES[:-1], "band")).data,
        read_array(source, "concept_labels", axes=LABEL_AXES).data,
        meta_info,
        settings=settings, test_block=params.test_block, local_channels=params.local_channels,
        fast_threshold=params.fast_threshold, workdir=params.checkpoints,
    )  # fmt: skip
    subject = int(snakemake.wildcards.subject)
    save_stage(
        result, **snakemake.output, title=f"Fast/slow predictor, subject {subject}",
        producer="train_dynamic", subject=subject, parameters=settings,
    )  # fmt: skip
