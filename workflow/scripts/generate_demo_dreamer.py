"""Rule generate_demo_dreamer: a synthetic DREAMER.mat in the published nesting, with valence
and arousal planted in the EEG (or, with effect 0, not)."""

from eegdecode import log_to_file
from eegdecode.datasets.dreamer import write_dreamer_mat
from eegdecode.datasets.mental_state_demo import synthesize_dreamer

with log_to_file(snakemake.log[0]):
    demo = snakemake.params.demo
    subjects = synthesize_dreamer(
        demo["n_subjects"],
        n_clips=demo["n_clips"],
        clip_s=demo["clip_s"],
        effect=demo["effect"],
        seed=demo["seed"],
    )
    write_dreamer_mat(snakemake.output.mat, subjects)
