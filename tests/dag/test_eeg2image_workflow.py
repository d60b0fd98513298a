"""NeuroImagen in the workflow, on the shared small demo: every dataset and branch reaches
the summary table beside chance and the time-only baseline; the null and confound demos use
the planted demo's image models; the reconstructions are of test images the diffusion model
never saw; a change of the caption reruns exactly the stages that read it."""

import csv
import json
import re

import pytest

from eegdecode.artifacts import read_array, read_attrs

from .conftest import SMALL, snakemake

pytestmark = pytest.mark.slow
shares_the_demo_run = pytest.mark.xdist_group("workflow")
DATASETS = ("demo", "demo-null", "demo-confound")
BRANCHES = ("both", "pixel", "sample")


@shares_the_demo_run
def test_every_dataset_and_branch_is_in_the_summary_beside_chance(demo_run):
    with open(demo_run / "results/eeg2image/summary.csv") as handle:
        rows = {(row["dataset"], row["branch"]): row for row in csv.DictReader(handle)}
    assert set(rows) == {(d, b) for d in DATASETS for b in (*BRANCHES, "time_only")}
    for (_, branch), row in rows.items():
        assert float(row["accuracy_chance"]) == 0.25  # the small demo's four classes
        if branch != "time_only":
            for metric in ("accuracy", "ssim", "inception_score", "2way"):
                assert row[metric] != "" and row[f"{metric}_chance"] != ""
    # The time-only baseline reads nothing but the order of presentation: the same on every
    # variant, whatever its EEG.
    assert len({rows[(d, "time_only")]["accuracy"] for d in DATASETS}) == 1
    report = json.loads((demo_run / "results/eeg2image/demo/evaluation.json").read_text())
    assert report["branches"]["sample"]["strength"] is None
    results = demo_run / "results/eeg2image/demo"
    for figure in ("reconstructions.png", "saliency.png"):
        assert (results / "qc" / figure).stat().st_size > 0
    # One PNG per test segment, named by its segment and image.
    pngs = sorted(path.name for path in (results / "reconstructions/both").glob("*.png"))
    assert len(pngs) == report["n_test_segments"] and pngs[0].count("_n9") == 1


@shares_the_demo_run
def test_the_variants_share_the_planted_demos_image_models_and_test_on_unseen_images(demo_run):
    results = demo_run / "results/eeg2image"
    for dataset in ("demo-null", "demo-confound"):
        assert not (results / dataset / "models/image_diffusion").exists()
        assert not (results / dataset / "pretrained").exists()
    trained = set(
        json.loads((results / "demo/models/image_diffusion/training_images.json").read_text())[
            "images"
        ]
    )
    for dataset in DATASETS:
        names = read_attrs(results / dataset / "stimuli.h5")["image_names"]
        path = results / dataset / "reconstructions/both.h5"
        seen = {names[i] for i in read_array(path, "segment_images").data}
        assert seen and not seen & trained
        assert read_array(path, "images").data.dtype.name == "uint8"


@shares_the_demo_run
def test_a_new_caption_reruns_the_stages_that_read_it_and_no_others(demo_run):
    done = snakemake(
        demo_run, "eeg2image_all", "--configfile", SMALL, "--dry-run",
        "--config", "eeg2image={caption: 'A photo of {class}'}",
    )  # fmt: skip
    planned = set(re.findall(r"^rule (\w+):", done.stdout, flags=re.MULTILINE))
    assert {"eeg2image_stimuli", "train_caption_regressor", "finetune_image_diffusion"} <= planned
    assert not {"generate_demo_eeg_imagenet", "train_eeg2image_encoder"} & planned
