"""Run the workflow in a scratch working directory, as a user would from the repository root."""

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from eegdecode.datasets import SEED_DV_PRESENTATION_ORDER
from eegdecode.lsl.simulate import simulate_session

REPO = Path(__file__).resolve().parents[2]
SMALL = Path(__file__).with_name("config_small.yaml")
SLURM_PROFILE = REPO / "profiles/slurm/config.yaml"
SNAKEMAKE = Path(sys.executable).with_name("snakemake")
# The focus model's demo, smaller: fewer records, shorter states.
SMALL_FOCUS = """
calibration:
  focus_dataset: {records: [[1], [2], [3, 4]], state_minutes: 0.5, test_subject: 1}
"""


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
    # A guard against a hung run, not a speed target: the demo-generation fixture's planted run
    # alone took 15 min beside the other worker on a slow day (benchmarks/ hold the speed targets).
    done = subprocess.run(command, capture_output=True, text=True, timeout=2400)
    if check and done.returncode != 0:
        raise AssertionError(
            f"snakemake {' '.join(map(str, args))} failed:\n{done.stdout}\n{done.stderr}"
        )
    return done


def output_paths(workdir, results, skip=("benchmarks", "checkpoints")):
    """Every file under ``results`` (relative to ``workdir``) outside the folders named in
    ``skip``, by path relative to the working directory."""
    return {
        str(path.relative_to(workdir)): path
        for path in (workdir / results).rglob("*")
        if path.is_file() and not set(skip) & set(path.parts)
    }


def output_mtimes(workdir, results, skip=("benchmarks", "checkpoints")):
    """The modification times of :func:`output_paths`."""
    return {
        name: path.stat().st_mtime_ns for name, path in output_paths(workdir, results, skip).items()
    }


def record_session(workdir, user, session, *, seed, complete=True, **options):
    """A simulated 86 s calibration session, saved where ``eegdecode record`` saves it;
    ``options`` go to :func:`~eegdecode.lsl.simulate.simulate_session` (``sfreq``,
    ``jitter_s``)."""
    protocol = [("countdown", 3), ("focused", 40), ("countdown", 3), ("unfocused", 40)]
    recorded = simulate_session(user, session, protocol, seed=seed, complete=complete, **options)
    return recorded.save(workdir / f"results/calibration/{user}/{session}/session.h5")


def make_workdir(path):
    """A working directory whose config/ is the repository's, like a fresh clone's root."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "config").symlink_to(REPO / "config")
    return path


def copy_workdir(source, destination):
    """Copy a finished run, keeping modification times so that Snakemake sees it as is.

    Training checkpoints stay behind: no rule reads them once its model is written, and they
    are most of a finished demo's size (1.1 of 1.3 GB), which a copy per test would multiply.
    """
    shutil.copytree(
        source,
        destination,
        symlinks=True,
        copy_function=shutil.copy2,
        ignore=shutil.ignore_patterns("checkpoints"),
    )
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


@pytest.fixture(scope="session")
def calibrated_users(tmp_path_factory):
    """Three users, each with one session and a fine-tuned model in use: alice and bob at
    128 Hz, dora at 1 kHz with a few ms of jitter in the sender's timestamps (which then go
    backwards between chunks) and no sample lost. Tests that use it copy it."""
    workdir = make_workdir(tmp_path_factory.mktemp("calibrated") / "work")
    (workdir / "small_focus.yaml").write_text(SMALL_FOCUS)
    record_session(workdir, "alice", "s1", seed=1)
    record_session(workdir, "bob", "s1", seed=2)
    record_session(workdir, "dora", "s1", seed=3, sfreq=1000.0, jitter_s=0.002)
    snakemake(workdir, "calibration_all", "--configfile", workdir / "small_focus.yaml")
    return workdir


def _fake_seed_dv(root, n_subjects=20):
    """The SEED-DV layout with real shapes; the EEG files are sparse, so they cost no disk."""
    (root / "EEG").mkdir(parents=True)
    for subject in range(1, n_subjects + 1):
        np.lib.format.open_memmap(
            root / f"EEG/sub{subject}.npy", mode="w+", dtype=np.float64, shape=(7, 62, 104000)
        ).flush()
    np.lib.format.open_memmap(
        root / "EEG/sub1_session2.npy", mode="w+", dtype=np.float64, shape=(7, 62, 104000)
    ).flush()
    meta = root / "Video/meta-info"
    (root / "Video/BLIP-caption").mkdir(parents=True)
    meta.mkdir(parents=True)
    np.save(meta / "All_video_label.npy", SEED_DV_PRESENTATION_ORDER)
    for name in ("color", "optical_flow_score", "obj_number", "human_apperance", "face_apperance"):
        np.save(meta / f"All_video_{name}.npy", np.zeros((7, 200)))
    for block in ("1st", "2nd", "3rd", "4th", "5th", "6th", "7th"):
        (root / f"Video/{block}_10min.mp4").touch()
        (root / f"Video/BLIP-caption/{block}_10min.txt").write_text("a caption\n" * 200)


@pytest.fixture(scope="session")
def seed_dv_plan(tmp_path_factory):
    """The dry run of ``eeg2video_all`` for the SEED-DV preset, on a fake copy of SEED-DV and
    empty model folders, with the SLURM profile's group-components (dry runs show groups)."""
    root = tmp_path_factory.mktemp("seed_dv")
    _fake_seed_dv(root / "SEED-DV")
    for part in ("vae", "unet", "text_encoder", "tokenizer", "scheduler"):
        (root / "stable-diffusion-v1-4" / part).mkdir(parents=True)
    for classifier in ("videomae", "vit"):
        (root / classifier).mkdir()
    paths = root / "paths.yaml"
    paths.write_text(
        f"dataset:\n  root: {root / 'SEED-DV'}\n"
        f"pretrained:\n  stable_diffusion: {root / 'stable-diffusion-v1-4'}\n"
        f"video_diffusion:\n  evaluate:\n"
        f"    video_classifier: {{kind: videomae, path: {root / 'videomae'}}}\n"
        f"    image_classifier: {{kind: vit, path: {root / 'vit'}}}\n"
    )
    components = yaml.safe_load(SLURM_PROFILE.read_text())["group-components"]
    done = snakemake(
        make_workdir(root / "work"),
        "eeg2video_all",
        "--configfile",
        "config/seed-dv.yaml",
        paths,
        "--dry-run",
        "--group-components",
        *(f"{group}={count}" for group, count in components.items()),
    )
    return done.stdout
