"""Rule generate_demo_video: one block's stimulus video."""

from eegdecode import log_to_file
from eegdecode.datasets import Protocol
from eegdecode.datasets.demo import plan_demo, render_demo_block
from eegdecode.stimulus.video import write_video

with log_to_file(snakemake.log[0]):
    params = snakemake.params
    protocol = Protocol.from_config(params.protocol)
    plan = plan_demo(protocol, seed=params.seed)
    size = {"width": params.video["width"], "height": params.video["height"]}
    write_video(
        snakemake.output.video,
        render_demo_block(plan, params.block, fps=protocol.video_fps, **size),
        fps=protocol.video_fps,
        **size,
    )
