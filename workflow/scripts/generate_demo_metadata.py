"""Rule generate_demo_metadata: the demo's concept order, per-clip meta-info and captions."""

from eegdecode import log_to_file
from eegdecode.datasets import SEED_DV_META_INFO, Protocol
from eegdecode.datasets.demo import plan_demo, write_demo_metadata

with log_to_file(snakemake.log[0]):
    plan = plan_demo(Protocol.from_config(snakemake.params.protocol), seed=snakemake.params.seed)
    write_demo_metadata(
        plan,
        labels_path=snakemake.output.labels,
        meta_info_paths=dict(zip(SEED_DV_META_INFO, snakemake.output.meta_info, strict=True)),
        captions_paths=snakemake.output.captions,
    )
