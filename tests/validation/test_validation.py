"""validation_all on the embedded demos: every system's planted, null and confound demo through
to its final output, each check in results/validation/summary.csv against its bound.

One run of the default config (one thread per job, as the suite's other runs), shared by every
test here; ``pytest -m validation`` runs it (``.ci/run`` does, after the README's test
command). The bounds themselves are unit-tested in tests/evaluation/test_validation.py.
"""

import pytest

from eegdecode.fileio import read_csv

from ..dag.conftest import copy_workdir, make_workdir, snakemake

pytestmark = [pytest.mark.validation, pytest.mark.xdist_group("validation")]

SUMMARY = "results/validation/summary.csv"
# Every system and variant that validation_all checks, with its number of checks.
EXPECTED = {
    ("eeg2video", "planted"): 8,
    ("eeg2video", "null"): 7,
    ("emotion", "planted"): 2,
    ("emotion", "null"): 2,
    ("workload", "planted"): 1,
    ("workload", "null"): 1,
    ("fusion", "planted"): 3,
    ("fusion", "null"): 6,
    ("eeg2image", "planted"): 3,
    ("eeg2image", "null"): 4,
    ("eeg2image", "confound"): 2,
}


@pytest.fixture(scope="session")
def validation_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("validation")
    settings = root / "one_thread.yaml"
    settings.write_text("training_threads: 1\n")
    workdir = make_workdir(root / "work")
    done = snakemake(workdir, "validation_all", "--configfile", settings)
    return {"workdir": workdir, "log": done.stdout + done.stderr, "settings": settings}


def test_every_check_of_every_system_and_variant_passes(validation_run):
    rows = read_csv(validation_run["workdir"] / SUMMARY)
    counts = {}
    for row in rows:
        key = (row["system"], row["variant"])
        counts[key] = counts.get(key, 0) + 1
    assert counts == EXPECTED
    # The demos' sizes behind the bounds: 3 subjects × 40 test clips of 8 concepts; 64 test
    # segments of 8 classes.
    trials = {"eeg2video": "over 120 trials", "eeg2image": "over 64 trials"}
    for row in rows:
        if row["system"] in trials and "binomial" in row["basis"]:
            assert row["basis"].endswith(trials[row["system"]]), row
            assert row["chance"] == "0.125", row
    failed = [row for row in rows if row["passed"] != "True"]
    assert not failed, failed
    assert (validation_run["workdir"] / "results/validation/passed.txt").is_file()
    assert (validation_run["workdir"] / "results/validation/summary.png").stat().st_size > 10_000


def test_the_null_twins_rerun_only_what_reads_the_eeg(validation_run):
    """The EEG→video null twin trains its own EEG models and generates its own clips, but
    reuses the planted demo's VAE, video UNet and clip classifier (each fitted once); so do
    NeuroImagen's null and confound demos with the image models."""
    log, workdir = validation_run["log"], validation_run["workdir"]
    for rule in (
        "fit_tiny_vae",
        "finetune_video_diffusion",
        "train_clip_classifier",
        "fit_eeg2image_vae",
        "finetune_image_diffusion",
        "train_image_classifier",
    ):
        assert log.count(f"rule {rule}:") == 1, rule
    null = workdir / "results/demo-null"
    assert sorted(
        p.name for p in null.iterdir() if p.name not in ("benchmarks", "checkpoints")
    ) == [
        "clips",
        "embeddings",
        "evaluation",
        "features",
        "generated",
        "models",
        "predictions",
        "qc",
        "raw",
        "windows",
    ]
    assert sorted(p.name for p in (null / "models").iterdir()) == [
        "dynamic",
        "glmnet",
        "semantic",
        "seq2seq",
    ]


def test_a_planted_signal_in_the_null_row_fails_the_target_naming_it(validation_run, tmp_path):
    """The null twin's table replaced by the planted demo's (a planted signal where none may
    be): validation_all fails, naming the system, variant, metric and bound; the table stays
    for the reader, and the earlier run's passed.txt does not."""
    workdir = copy_workdir(validation_run["workdir"], tmp_path / "work")
    planted = workdir / "results/demo/evaluation/summary.csv"
    (workdir / "results/demo-null/evaluation/summary.csv").write_bytes(planted.read_bytes())
    done = snakemake(
        workdir, "validation_all", "--configfile", validation_run["settings"], check=False
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "rule validation_summary:" in output and "rule train_seq2seq:" not in output
    assert "eeg2video null: full video_8way = " in output
    assert "must be in [0.0667, 0.183]" in output
    rows = read_csv(workdir / SUMMARY)
    assert {(r["system"], r["variant"]) for r in rows if r["passed"] == "False"} == {
        ("eeg2video", "null")
    }
    assert not (workdir / "results/validation/passed.txt").exists()
