"""The EEG-ImageNet demo's EEG reaches the reconstructed images, and the null demo's does not.

``eeg2image_all`` on the embedded demo at its own sizes and settings (config/config.yaml: 8
classes × 20 images, 4 subjects, 64 test segments): the demo classifier names the class of
the planted demo's reconstructions above chance, better with both branches than with either
alone; the null demo's stay in chance's range; the confound demo's and the time-only
baseline's rows are in the table, the latter right on every variant (the block design)."""

import csv

import pytest

from eegdecode.evaluation.classification import binomial_interval

from .conftest import make_workdir, snakemake

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("eeg2image_demo")]

N_TEST, CHANCE = 64, 1 / 8
LOWER, UPPER = binomial_interval(CHANCE, N_TEST, 0.999)


@pytest.fixture(scope="session")
def summary(tmp_path_factory):
    workdir = make_workdir(tmp_path_factory.mktemp("eeg2image_demo") / "work")
    snakemake(workdir, "eeg2image_all")
    with open(workdir / "results/eeg2image/summary.csv", newline="") as table:
        return {(row["dataset"], row["branch"]): row for row in csv.DictReader(table)}


def _accuracy(summary, dataset, branch):
    row = summary[(dataset, branch)]
    assert int(row["n_test_segments"]) == N_TEST and float(row["accuracy_chance"]) == CHANCE
    return float(row["accuracy"])


def test_the_planted_demos_reconstructions_name_the_class_best_with_both_branches(summary):
    both, pixel, sample = (_accuracy(summary, "demo", b) for b in ("both", "pixel", "sample"))
    assert both > UPPER, both
    assert both >= max(pixel, sample), (both, pixel, sample)


def test_the_null_demos_reconstructions_stay_at_chance(summary):
    for branch in ("both", "pixel", "sample"):
        assert LOWER <= _accuracy(summary, "demo-null", branch) <= UPPER, branch


def test_the_confound_and_the_time_only_baseline_are_in_the_table(summary):
    # No class signal in the confound demo's EEG, only the drift of the presentation order;
    # on a split by image that is enough to name the class (measured 0.73, both branches).
    assert _accuracy(summary, "demo-confound", "both") > UPPER
    for dataset in ("demo", "demo-null", "demo-confound"):
        assert _accuracy(summary, dataset, "time_only") > UPPER
