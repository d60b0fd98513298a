"""Shared fixtures: small SEED-DV-shaped protocols and data; how the tests share two CPUs."""

import os

import numpy as np
import pytest

from eegdecode.datasets import Protocol
from eegdecode.devices import limit_threads

# The suite runs in one pytest-xdist worker per CPU (addopts in pyproject.toml). Each worker and
# the processes it starts use one thread: two workers of two threads each would oversubscribe
# two CPUs, and torch's spinning threads then lose more than the second worker gains.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["OMP_NUM_THREADS"] = "1"
    limit_threads(1)


@pytest.fixture
def small_protocol():
    """SEED-DV timing (200 Hz, 3 s hint, 5 × 2 s clips) with 2 blocks of 3 concepts."""
    return Protocol(
        sfreq=200.0, n_blocks=2, n_concepts=3, clips_per_concept=5, hint_s=3.0, clip_s=2.0
    )


@pytest.fixture
def seed_dv_protocol():
    return Protocol(
        sfreq=200.0, n_blocks=7, n_concepts=40, clips_per_concept=5, hint_s=3.0, clip_s=2.0
    )


@pytest.fixture
def rng():
    return np.random.default_rng(20261121)
