"""Rule generate_demo_eeg: one subject's raw EEG with the planted concept signal."""

from eegdecode import log_to_file
from eegdecode.datasets import Protocol
from eegdecode.datasets.demo import make_demo_eeg, plan_demo
from eegdecode.fileio import save_npy

with log_to_file(snakemake.log[0]):
    params = snakemake.params
    plan = plan_demo(Protocol.from_config(params.protocol), seed=params.seed)
    eeg = make_demo_eeg(
        plan,
        n_channels=len(params.channel_names),
        signal_channels=[params.channel_names.index(name) for name in params.signal_channels],
        subject=int(snakemake.wildcards.subject),
        seed=params.seed,
        signal_strength=params.signal_strength,
    )
    save_npy(snakemake.output.eeg, eeg)
