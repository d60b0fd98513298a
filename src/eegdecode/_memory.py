"""Keeping freed memory in the process, so that torch's large buffers are not re-faulted."""

import ctypes
import ctypes.util

# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

#: Allocations up to this size come from the heap, and up to this much free memory stays in it.
KEEP_BYTES = 1 << 30


def keep_freed_memory(limit: int = KEEP_BYTES) -> bool:
    """Make glibc's malloc reuse freed blocks up to ``limit`` bytes instead of unmapping them.

    By default glibc serves every allocation above 32 MiB with a fresh ``mmap`` and returns it
    to the system when it is freed. A training step allocates such buffers (a convolution's
    activations for one batch) again and again, so each step pays the kernel to map and zero
    them anew: on two cores this was about as much system time as compute, and training the demo's
    GLMNet took twice as long. Peak memory is unchanged; a process keeps up to ``limit`` bytes it
    has freed for its next allocation.

    Returns whether the setting took effect (False where the C library is not glibc).
    """
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name)
    if not hasattr(libc, "mallopt"):
        return False
    return bool(libc.mallopt(_M_MMAP_THRESHOLD, limit) and libc.mallopt(_M_TRIM_THRESHOLD, limit))
