"""Shared fixtures: small SEED-DV-shaped protocols and data."""

import numpy as np
import pytest

from eegdecode.datasets import Protocol


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
