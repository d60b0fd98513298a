"""EEG + face fusion in the workflow: on the planted demo fusion matches or beats the better
single modality and is above chance on the test subjects; on the null demo every model stays
at chance; the parity protocol's rows are labelled leaky; the faceless trials are listed."""

import csv
import json
import re

import pytest

from eegdecode.evaluation.classification import binomial_interval

from .conftest import make_workdir, snakemake

pytestmark = pytest.mark.slow
# The tests of the shared small demo run share its worker (tests/dag/conftest.py).
shares_the_demo_run = pytest.mark.xdist_group("workflow")


def _rows(workdir):
    with open(workdir / "results/fusion/summary.csv") as handle:
        return {(r["dataset"], r["target"], r["protocol"], r["model"]): r
                for r in csv.DictReader(handle)}  # fmt: skip


@shares_the_demo_run
def test_fusion_beats_chance_and_the_better_modality_and_the_null_stays_at_chance(demo_run):
    """Each target's fusion above the 99.9 % binomial range of chance over the test trials,
    and on average over the targets at least the better single modality (at this small size,
    90 test trials and 5 training participants, one target's margin is within a trial or
    two); every null model inside that range."""
    rows = _rows(demo_run)

    def score(dataset, target, model):
        row = rows[(dataset, target, "subject_wise", model)]
        assert row["leaky"] == "False"
        return float(row["balanced_accuracy_mean"])

    targets = ("valence", "arousal")
    for target in targets:
        n_test = int(rows[("demo", target, "subject_wise", "fusion")]["n_test_trials"])
        low, high = binomial_interval(0.5, n_test, 0.999)
        assert score("demo", target, "fusion") > high, target
        for model in ("eeg", "face", "fusion"):
            assert low <= score("demo-null", target, model) <= high, (target, model)
        assert rows[("demo", target, "original_identical_splits", "fusion")]["leaky"] == "True"
    mean = {m: sum(score("demo", t, m) for t in targets) / 2 for m in ("eeg", "face", "fusion")}
    assert mean["fusion"] >= max(mean["eeg"], mean["face"]), mean


@shares_the_demo_run
def test_the_faceless_trials_are_listed_and_left_out(demo_run):
    metrics = json.loads(
        (demo_run / "results/fusion/demo/evaluation/valence_subject_wise.json").read_text()
    )
    # The demo's first two participants each have one trial without a face (trial 1).
    assert metrics["dropped_trials"] == [[1, 1], [2, 1]]
    fold = metrics["folds"][0]
    assert fold["subjects"]["test"] == [8, 9, 10]
    assert fold["n_trials"] == {"train": 148, "validation": 60, "test": 90}
    figure = demo_run / "results/fusion/summary.png"
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_frozen_layers_fine_tunes_one_encoder_per_target_that_the_embeddings_then_use(tmp_path):
    """The plan of fusion_all with the encoder's last block fine-tuned: per dataset and target
    one finetune_face_encoder job on the split's training and validation participants, whose
    folder each participant's embeddings for that target are taken with."""
    workdir = make_workdir(tmp_path / "work")
    override = tmp_path / "finetune.yaml"
    override.write_text("fusion:\n  face_finetuning: {frozen_layers: 1}\n")
    plan = snakemake(workdir, "fusion_all", "--configfile", override, "--dry-run").stdout
    jobs = re.findall(r"^rule (\w+):\n((?:    .*\n)+)", plan, re.MULTILINE)
    finetuning = [body for rule, body in jobs if rule == "finetune_face_encoder"]
    assert len(finetuning) == 4  # demo and demo-null × valence and arousal
    assert "results/fusion/demo/face_encoder/valence" in plan
    # The test participants (1, 6, 9, 14 of the default split) are not among its inputs.
    assert all("s01_crops.h5" not in body and "s03_crops.h5" in body for body in finetuning)
    embeddings = [body for rule, body in jobs if rule == "face_embeddings"]
    assert any("faces/finetuned_arousal/s01_embeddings.h5" in body
               and "face_encoder/arousal" in body for body in embeddings)  # fmt: skip
    assert not any("faces/frozen/" in body for body in embeddings)
