"""EEG + face fusion in the workflow: the faceless trials are listed and left out, the parity
protocol's rows are labelled leaky, and frozen layers fine-tune one encoder per target.
(Fusion above chance and at least the better single modality on the planted demo, every model
at chance on the null demo: validation_all, tests/validation.)"""

import json
import re

import pytest

from eegdecode.fileio import read_csv

from .conftest import make_workdir, snakemake

pytestmark = pytest.mark.slow
# The tests of the shared small demo run share its worker (tests/dag/conftest.py).
shares_the_demo_run = pytest.mark.xdist_group("workflow")


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
    # The original's protocol trains, selects and tests on the same trials: its rows are marked.
    rows = read_csv(demo_run / "results/fusion/summary.csv")
    assert {(row["protocol"], row["leaky"]) for row in rows} == {
        ("subject_wise", "False"), ("original_identical_splits", "True")
    }  # fmt: skip


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
