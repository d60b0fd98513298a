"""keep_freed_memory: large buffers freed and allocated again are not re-faulted from the kernel."""

import subprocess
import sys

import pytest

from eegdecode._memory import keep_freed_memory

# Allocates and frees a 64 MiB buffer ten times; prints the minor page faults this took.
_REPEATED_ALLOCATION = """
import resource, sys
if sys.argv[1] == "keep":
    from eegdecode._memory import keep_freed_memory
    assert keep_freed_memory()
import numpy as np
np.ones(1 << 23)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    np.ones(1 << 23)  # 64 MiB, above glibc's default mmap threshold of 32 MiB
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _page_faults(mode):
    run = subprocess.run(
        [sys.executable, "-c", _REPEATED_ALLOCATION, mode],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(run.stdout)


@pytest.mark.skipif(not keep_freed_memory(), reason="the C library is not glibc")
def test_freed_buffers_are_reused_without_page_faults():
    # glibc's default: each buffer is a fresh mapping whose pages fault again (4 KiB pages, or
    # 2 MiB ones where the kernel backs it with huge pages): at least one fault per buffer.
    assert _page_faults("default") >= 10
    assert _page_faults("keep") < 10
