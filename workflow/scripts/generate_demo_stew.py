"""Rule generate_demo_stew: synthetic STEW recordings (subNN_lo.txt, subNN_hi.txt) and
ratings.txt, with the workload planted in the test recordings (or, with effect 0, not)."""

from eegdecode import log_to_file
from eegdecode.datasets.mental_state_demo import write_demo_stew

with log_to_file(snakemake.log[0]):
    demo = snakemake.params.demo
    write_demo_stew(
        snakemake.params.root,
        snakemake.params.subjects,
        recording_s=demo["recording_s"],
        effect=demo["effect"],
        seed=demo["seed"],
        unrated=tuple(demo["unrated"]),
    )
