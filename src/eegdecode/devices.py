"""Choosing where torch computes, with how many threads, and in which precision."""

import logging
import os

import torch
from threadpoolctl import threadpool_limits

from ._validation import check_option

logger = logging.getLogger(__name__)

DEVICES = ("auto", "cpu", "cuda")


def resolve_device(preference: str = "auto") -> torch.device:
    """``'auto'`` → CUDA when available, else CPU; ``'cuda'`` fails clearly without a GPU."""
    check_option("device", preference, DEVICES)
    if preference == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(
            "device 'cuda' was requested but torch sees no CUDA device; use 'auto' or 'cpu'."
        )
    if preference == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(preference)


def inference_dtype(device: torch.device) -> torch.dtype:
    """Half precision on CUDA, where it halves memory at no visible cost; float32 on CPU."""
    return torch.float16 if device.type == "cuda" else torch.float32


def cpu_threads(requested: int) -> int:
    """Threads for torch: what the job was given, but never more than the CPUs it may use.

    Snakemake's ``--cores`` can exceed the machine (``--cores 8`` on two cores); torch threads
    beyond the real CPUs make every step far slower, not faster.
    """
    return max(1, min(int(requested), len(os.sched_getaffinity(0))))


def limit_threads(requested: int) -> int:
    """Bound every thread pool of this process to a job's CPUs; return the bound.

    The bound is :func:`cpu_threads` of the rule's ``threads``. It applies to torch's
    intra-op pool and, through threadpoolctl, to the BLAS and OpenMP pools that NumPy, SciPy
    and torch load. Snakemake's ``OMP_NUM_THREADS`` alone is not enough: it is set to the rule's
    threads, which ``--cores 8`` on a two-core machine makes 8.
    """
    threads = cpu_threads(requested)
    torch.set_num_threads(threads)
    threadpool_limits(limits=threads)
    logger.info(
        "using %d CPU thread(s): the job was given %s, this process may run on %d CPU(s)",
        threads,
        requested,
        len(os.sched_getaffinity(0)),
    )
    return threads
