"""Rule generate_demo_deap: a synthetic DEAP in the release's layout (sNN.mat, face videos,
participant_ratings.csv), with valence and arousal planted in the faces and, more weakly, in
the EEG (or, with both effects 0, in neither)."""

from eegdecode import log_to_file
from eegdecode.datasets.deap_demo import write_demo_deap

with log_to_file(snakemake.log[0]):
    write_demo_deap(snakemake.output.root, **snakemake.params.demo)
