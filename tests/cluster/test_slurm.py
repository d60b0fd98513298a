"""The workflow submitted to a real SLURM through profiles/slurm gives what a local run gives.

``bash .ci/slurm-test`` installs and starts a single-node SLURM, builds an environment with the
SLURM executor plugin, and runs this module with ``EEGDECODE_SLURM_PYTHON`` naming that
environment's Python. Without it, these tests are skipped.
"""

import csv
import os
import re
import subprocess
import sys

import pytest

from tests.dag.conftest import REPO, SMALL, make_workdir, output_paths

SLURM_PYTHON = os.environ.get("EEGDECODE_SLURM_PYTHON")
pytestmark = [
    pytest.mark.slurm,
    pytest.mark.slow,
    pytest.mark.skipif(
        not SLURM_PYTHON,
        reason="needs a running SLURM and the executor plugin; bash .ci/slurm-test sets up both",
    ),
]

# The demo's preprocessing and one training rule.
TARGETS = ("preprocess_all", "results/demo/models/glmnet/sub1")
# Both runs give every job two threads, so that training sums in the same order.
CORES = "2"


def run_workflow(python, workdir, *args):
    done = subprocess.run(
        [
            python,
            "-m",
            "snakemake",
            "--snakefile",
            REPO / "Snakefile",
            "--directory",
            workdir,
            "--configfile",
            SMALL,
            "--cores",
            CORES,
            "--config",
            f"training_threads={CORES}",
            *args,
            *TARGETS,
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, f"snakemake failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The same targets run locally (profiles/local) and on SLURM (profiles/slurm)."""
    local = make_workdir(tmp_path_factory.mktemp("local") / "work")
    run_workflow(sys.executable, local, "--profile", REPO / "profiles/local")
    cluster = make_workdir(tmp_path_factory.mktemp("slurm") / "work")
    output = run_workflow(
        SLURM_PYTHON,
        cluster,
        "--profile",
        REPO / "profiles/slurm",
        # The profile's defaults suit jobs of hours; these keep a run of seconds short.
        "--slurm-init-seconds-before-status-checks",
        "2",
        "--seconds-between-status-checks",
        "3",
    )
    return local, cluster, output


def slurm_job(job_id):
    """scontrol's fields of a job that ran (finished jobs stay listed for MinJobAge)."""
    line = subprocess.run(
        ["scontrol", "--oneliner", "show", "job", job_id], capture_output=True, text=True
    ).stdout
    return dict(re.findall(r"(\w+)=(\S+)", line))


def without_seconds(path):
    """A training record's rows without its wall-clock column."""
    with open(path, newline="") as table:
        return [
            {key: value for key, value in row.items() if key != "seconds"}
            for row in csv.DictReader(table)
        ]


def test_every_job_ran_as_a_slurm_job(runs):
    _, _, output = runs
    job_ids = re.findall(r"submitted with SLURM jobid (\d+)", output)
    # generate_demo_metadata, generate_demo_eeg × 2, one group job for the preprocessing of
    # both subjects (group-components: preprocess: 5), and the GLMNet group.
    assert len(job_ids) == 5, output
    for job_id in job_ids:
        job = slurm_job(job_id)
        assert job["JobState"] == "COMPLETED", job
        assert job["ExitCode"] == "0:0", job
    assert "Group job preprocess" in output
    assert "localrule preprocess_all" in output


def test_outputs_equal_those_of_a_local_run(runs):
    local, cluster, _ = runs
    local_files, cluster_files = output_paths(local, "results"), output_paths(cluster, "results")
    assert sorted(cluster_files) == sorted(local_files)
    assert "results/demo/models/glmnet/sub1/model.safetensors" in local_files
    assert "results/demo/features/sub2_500ms.h5" in local_files
    for name, path in local_files.items():
        if name.endswith("_metrics.csv"):
            assert without_seconds(cluster_files[name]) == without_seconds(path), name
        else:
            assert cluster_files[name].read_bytes() == path.read_bytes(), name


def test_training_used_the_cpus_slurm_gave_it(runs):
    _, cluster, output = runs
    job_id = re.search(r"submitted with SLURM jobid (\d+) \(log: \S*group_glmnet", output).group(1)
    cpus = slurm_job(job_id)["NumCPUs"]
    log = (cluster / "logs/train_glmnet/demo/sub1.log").read_text()
    assert f"using {cpus} CPU thread(s): the job was given {cpus}" in log
