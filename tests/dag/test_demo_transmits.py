"""The demo's EEG reaches the generated clips, and a null demo's does not.

The flagship's evaluation summary (``eeg2video_all`` without the EEG-VP benchmark, the QC
figures and the report pages) is built on the embedded demo at its own sizes and settings, for
its three subjects: once with the planted concept signal (``demo.signal_strength: 1``, the
default) and once on a copy of that run with ``demo.signal_strength: 0``. Only the EEG differs,
so the null run reuses the stimulus, the fitted VAE, the fine-tuned video UNet and the clip
classifier, and reruns what depends on the EEG. The demo classifier then scores the generated
clips of the test block, 40 per subject (8 concepts × 5); chance is 1/8. The summary's means
over the subjects are over 120 clips.
"""

import csv

import pytest
import yaml

from eegdecode.evaluation.classification import binomial_interval

from .conftest import copy_workdir, make_workdir, snakemake

# One xdist worker builds both runs, on one thread per job.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo_generation")]

N_TEST_CLIPS, CHANCE = 3 * 40, 1 / 8
LOWER, UPPER = binomial_interval(CHANCE, N_TEST_CLIPS)  # 0.067 and 0.183


SUMMARY = "results/demo/evaluation/summary.csv"


def _summary(workdir) -> dict[tuple[str, str], float]:
    with open(workdir / SUMMARY, newline="") as table:
        return {(row["mode"], row["metric"]): float(row["mean"]) for row in csv.DictReader(table)}


@pytest.fixture(scope="session")
def planted_and_null(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo_generation")
    one_thread = {"training_threads": 1}
    settings = root / "one_thread.yaml"
    settings.write_text(yaml.safe_dump(one_thread))
    planted = make_workdir(root / "planted")
    snakemake(planted, SUMMARY, "--configfile", settings)
    null = copy_workdir(planted, root / "null")
    null_settings = root / "null.yaml"
    null_settings.write_text(yaml.safe_dump({**one_thread, "demo": {"signal_strength": 0.0}}))
    rerun = snakemake(null, SUMMARY, "--configfile", null_settings)
    return {
        "planted": _summary(planted),
        "null": _summary(null),
        "null_log": rerun.stdout + rerun.stderr,
    }


# Issue 16's bar for full mode's video 8-way, the mean over the subjects.
FULL_MODE_BAR = 0.35


# Measured (three subjects, one thread per job, dana.timestep: sampler): planted 0.375 full,
# 0.375 no_dana, 0.225 no_seq2seq, 0.675 from the latents alone; null 0.125 full, 0.133
# no_dana and no_seq2seq, latents 0.117.
def test_planted_eeg_generates_its_concept(planted_and_null):
    """The clips generated from the EEG's latents name the shown concept above the 95 % range
    of chance, at least as often as clips generated from noise, and full mode's for at least
    0.35 of the clips; Seq2Seq's latents do before any diffusion."""
    planted = planted_and_null["planted"]
    assert planted["full", "video_8way"] >= FULL_MODE_BAR
    for mode in ("full", "no_dana"):
        assert planted[mode, "video_8way"] > UPPER
        assert planted[mode, "video_8way"] >= planted["no_seq2seq", "video_8way"]
        assert planted[mode, "video_2way"] > 0.55
    assert planted["seq2seq_latents", "latent_8way"] > 2 * UPPER


@pytest.mark.parametrize("mode", ["full", "no_dana", "no_seq2seq"])
def test_null_eeg_generates_no_concept(planted_and_null, mode):
    null = planted_and_null["null"]
    assert LOWER <= null[mode, "video_8way"] <= UPPER
    assert null[mode, "video_2way"] < 0.55
    assert null["seq2seq_latents", "latent_8way"] <= UPPER


def test_the_null_run_retrains_only_what_reads_the_eeg(planted_and_null):
    log = planted_and_null["null_log"]
    for rule in ("generate_demo_eeg", "train_seq2seq", "train_semantic", "generate"):
        assert f"rule {rule}:" in log
    for rule in ("fit_tiny_vae", "finetune_video_diffusion", "train_clip_classifier"):
        assert f"rule {rule}:" not in log
