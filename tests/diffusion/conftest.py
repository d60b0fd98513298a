import pytest

from eegdecode.stimulus import build_tiny_stable_diffusion


@pytest.fixture(scope="session")
def tiny_sd(tmp_path_factory):
    """A tiny Stable Diffusion folder in the real layout, built once per session."""
    return build_tiny_stable_diffusion(tmp_path_factory.mktemp("pretrained") / "tiny-sd", seed=0)
