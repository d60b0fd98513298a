"""Run the workflow in a scratch working directory, as a user would from the repository root."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SMALL = Path(__file__).with_name("config_small.yaml")
SNAKEMAKE = Path(sys.executable).with_name("snakemake")


def snakemake(workdir, *args, check=True):
    """Run snakemake on the repository's Snakefile in `workdir`; return the finished process."""
    command = [
        str(SNAKEMAKE),
        "--snakefile",
        str(REPO / "Snakefile"),
        "--directory",
        str(workdir),
        "--cores",
        "2",
        *map(str, args),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    if check and done.returncode != 0:
        raise AssertionError(
            f"snakemake {' '.join(map(str, args))} failed:\n{done.stdout}\n{done.stderr}"
        )
    return done


def output_mtimes(workdir, results, skip=("benchmarks", "checkpoints")):
    """Modification time of every file under ``results`` (relative to ``workdir``) outside the
    folders named in ``skip``, by path relative to the working directory."""
    return {
        str(path.relative_to(workdir)): path.stat().st_mtime_ns
        for path in (workdir / results).rglob("*")
        if path.is_file() and not set(skip) & set(path.parts)
    }


def make_workdir(path):
    """A working directory whose config/ is the repository's, like a fresh clone's root."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "config").symlink_to(REPO / "config")
    return path


def copy_workdir(source, destination):
    """Copy a finished run, keeping modification times so that Snakemake sees it as is."""
    shutil.copytree(source, destination, symlinks=True, copy_function=shutil.copy2)
    return destination


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """The small demo, run once to completion (all targets)."""
    workdir = make_workdir(tmp_path_factory.mktemp("demo_run") / "work")
    snakemake(workdir, "all", "--configfile", SMALL)
    return workdir


@pytest.fixture
def demo_copy(demo_run, tmp_path):
    """A private copy of the finished demo run that a test may change."""
    return copy_workdir(demo_run, tmp_path / "work")
