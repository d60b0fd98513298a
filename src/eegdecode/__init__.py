"""eegdecode: decode brain recordings into video, audio and mental states.

The package holds all the logic of the eegdecode Snakemake workflow; the workflow's scripts
only read their inputs, call one public function of this package and write the outputs.

Subpackages re-export their modules lazily (``lazy_loader.attach``, as MNE does): a module loads
when one of its names is first used, so a job pays only for what it calls (segmenting EEG does
not import torch, a summary table does not import SciPy's statistics).
"""

__version__ = "0.1.0"

from ._logging import log_to_file
from ._memory import keep_freed_memory

# Every workflow job and test imports eegdecode before torch allocates: set malloc up once here.
keep_freed_memory()

__all__ = ["__version__", "log_to_file"]
