"""The conda environment files repeat the package's dependencies; keep them in step."""

import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
ENV_FILES = sorted((ROOT / "envs").glob("*.yaml"))


def _pip_section(path):
    for entry in yaml.safe_load(path.read_text())["dependencies"]:
        if isinstance(entry, dict) and "pip" in entry:
            return entry["pip"]
    raise AssertionError(f"{path} has no pip section")


def test_every_rule_family_has_an_environment():
    # common.smk and <family>_common.smk hold config and input functions, no rules.
    families = {
        path.stem for path in (ROOT / "rules").glob("*.smk") if not path.stem.endswith("common")
    }
    assert families <= {path.stem for path in ENV_FILES}


@pytest.mark.parametrize("env_file", ENV_FILES, ids=lambda path: path.name)
def test_pip_section_matches_package_dependencies(env_file):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"]
    if env_file.stem == "audio":  # the audio rules read NWB files (SingleWordProductionDutch)
        declared = declared + project["optional-dependencies"]["nwb"]
    assert sorted(_pip_section(env_file)) == sorted(declared)


def test_every_rule_uses_an_existing_environment():
    for smk in (ROOT / "rules").glob("*.smk"):
        for line in smk.read_text().splitlines():
            if line.strip().startswith('"../envs/'):
                assert (smk.parent / line.strip().strip('"')).resolve().is_file(), (smk, line)
