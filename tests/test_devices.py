"""Thread bounds and device choice (eegdecode.devices)."""

import json
import os
import subprocess
import sys

import pytest
import torch

from eegdecode.devices import cpu_threads, resolve_device

# Run in a fresh interpreter pinned to one CPU, so that the bound is visible and this test
# process keeps its own thread pools.
PINNED = """
import json, os, sys
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
import numpy, scipy.linalg, torch
from threadpoolctl import threadpool_info
from eegdecode.devices import limit_threads
bound = limit_threads(int(sys.argv[1]))
print(json.dumps({
    "bound": bound,
    "torch": torch.get_num_threads(),
    "pools": {pool["internal_api"]: pool["num_threads"] for pool in threadpool_info()},
}))
"""


def _limits_on_one_cpu(requested):
    environment = {**os.environ, "OMP_NUM_THREADS": str(requested)}
    done = subprocess.run(
        [sys.executable, "-c", PINNED, str(requested)],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
    )
    return json.loads(done.stdout)


def test_more_threads_than_cpus_are_bounded_to_the_cpus():
    """--cores 8 on a small machine: Snakemake sets OMP_NUM_THREADS=8, the job may run on one CPU."""
    limits = _limits_on_one_cpu(8)
    assert limits["bound"] == limits["torch"] == 1
    assert "openblas" in limits["pools"] or "mkl" in limits["pools"]
    assert set(limits["pools"].values()) == {1}


def test_cpu_threads_keeps_what_the_job_was_given():
    available = len(os.sched_getaffinity(0))
    assert cpu_threads(1) == 1
    assert cpu_threads(available) == available
    assert cpu_threads(available + 6) == available
    assert cpu_threads(0) == 1


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_a_gpu_fails_clearly():
    assert resolve_device("auto") == torch.device("cpu")
    with pytest.raises(RuntimeError, match="device 'cuda' was requested but torch sees no CUDA"):
        resolve_device("cuda")
