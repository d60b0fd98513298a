"""Rule eeg_differential_entropy: per trial of sNN.mat (video order), the differential entropy
of each EEG channel in each band, with the 3 s pre-trial baseline excluded or subtracted."""

from eegdecode import log_to_file
from eegdecode.artifacts import write_artifact
from eegdecode.datasets.deap import DEAP_SFREQ, deap_differential_entropy, load_deap_subject

with log_to_file(snakemake.log[0]):
    settings, subject = snakemake.params.eeg, int(snakemake.wildcards.deap_subject)
    data, labels = load_deap_subject(
        snakemake.params.root, subject, n_samples=snakemake.params.n_samples
    )
    write_artifact(
        snakemake.output.features,
        deap_differential_entropy(data, labels, **settings),
        producer="eeg_differential_entropy",
        attrs={"subject": subject, "sfreq": DEAP_SFREQ},
        parameters=settings,
    )
