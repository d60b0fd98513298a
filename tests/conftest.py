"""Shared fixtures: small SEED-DV-shaped protocols and data; how the tests share two workers."""

from pathlib import Path

import numpy as np
import pytest

from eegdecode.datasets import Protocol

TESTS = Path(__file__).resolve().parent
# Folders whose tests share one session's workflow runs (the small demo, the SEED-DV plan).
WORKFLOW_FOLDERS = {"dag", "cluster"}


def pytest_collection_modifyitems(config, items):
    """Put every test in an xdist group (``--dist loadgroup``, pyproject.toml): its module, so
    that a module-scoped fixture is built once, or one group for all workflow tests, so that
    the session's demo run is made once and on one worker."""
    for item in items:
        module = item.path.resolve().relative_to(TESTS)
        group = "workflow" if module.parts[0] in WORKFLOW_FOLDERS else str(module)
        item.add_marker(pytest.mark.xdist_group(group))


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
