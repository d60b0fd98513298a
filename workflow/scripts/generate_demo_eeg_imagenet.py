"""Rule generate_demo_eeg_imagenet: a synthetic EEG-ImageNet in the release's layout (the two
.pth files, the JPEG images, LOC_synset_mapping.txt), its class planted in the EEG, absent, or
only in a drift that follows the presentation order (the block design's confound)."""

from eegdecode import log_to_file
from eegdecode.datasets.eeg_imagenet import write_demo_release

with log_to_file(snakemake.log[0]):
    write_demo_release(snakemake.output.root, **snakemake.params.demo)
