"""Changed package code reruns the jobs that import it and what depends on them, nothing else.

Every rule carries ``code_fingerprint`` of its script as a param (rules/common.smk, ``code``), so
editing ``signal/features.py`` changes the params of the ``de_psd`` jobs only.
"""

import os
import re
import shutil
import subprocess

import pytest

from .conftest import REPO, SMALL, SNAKEMAKE

# In one xdist worker with every test of the shared demo run (tests/dag/conftest.py), so
# that the run is built once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("workflow")]

REPO_PARTS = ("Snakefile", "rules", "workflow", "config", "envs", "src")
JOB = re.compile(r"^\s*(?:local)?rule (\w+):$")


@pytest.fixture
def workflow_copy(demo_copy):
    """The finished demo run with its own copy of the workflow and the package: editing the
    copy's sources changes only what a run with ``PYTHONPATH=<copy>/src`` imports."""
    (demo_copy / "config").unlink()  # the symlink to the repository's config/
    for part in REPO_PARTS:
        source, destination = REPO / part, demo_copy / part
        if source.is_dir():
            # copy2 keeps modification times: the scripts stay older than the outputs.
            shutil.copytree(
                source,
                destination,
                copy_function=shutil.copy2,
                ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
            )
        else:
            shutil.copy2(source, destination)
    return demo_copy


def _planned(workdir, *args):
    """The jobs a dry run of ``all`` plans, as (rule, output) pairs."""
    done = subprocess.run(
        [
            str(SNAKEMAKE),
            "all",
            "--snakefile",
            str(workdir / "Snakefile"),
            "--directory",
            str(workdir),
            "--cores",
            "2",
            "--configfile",
            str(SMALL),
            "--dry-run",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=os.environ | {"PYTHONPATH": str(workdir / "src")},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    jobs, rule = set(), None
    for line in done.stdout.splitlines():
        if match := JOB.match(line):
            if rule is not None:
                jobs.add((rule, ""))  # the previous job had no output (a target rule)
            rule = match[1]
        elif rule is not None and (output := re.match(r"^\s*output: (.*)$", line)):
            jobs.add((rule, output[1]))
            rule = None
    if rule is not None:
        jobs.add((rule, ""))
    assert bool(jobs) != ("Nothing to be done" in done.stdout + done.stderr), done.stdout
    return jobs


def test_editing_features_reruns_de_psd_and_what_depends_on_it(workflow_copy):
    assert _planned(workflow_copy) == set()
    downstream = _planned(workflow_copy, "--forcerun", "de_psd")
    assert {"de_psd", "all"} <= {rule for rule, _ in downstream}
    assert not {"segment", "sliding_windows", "extract_gifs"} & {rule for rule, _ in downstream}

    features = workflow_copy / "src/eegdecode/signal/features.py"
    features.write_text(features.read_text() + "\n_EDITED_BY_THE_CODE_RERUN_TEST = True\n")
    assert _planned(workflow_copy) == downstream
