"""The checks of validation_all: bounds, rows and the failure message, on tables written by
hand (the workflow run is tests/validation)."""

import numpy as np
import pytest
from scipy.stats import binom

from eegdecode.evaluation.validation import (
    COLUMNS,
    Check,
    above_chance,
    at_chance,
    at_least,
    at_most,
    below,
    eeg2image_checks,
    eeg2video_checks,
    failed_checks,
    fusion_checks,
    mental_state_checks,
)
from eegdecode.fileio import read_csv, write_csv


def _central_range(chance, n, confidence):
    """The central range of Binomial(n, chance) / n by its cumulative sums, as a reference."""
    counts = np.arange(n + 1)
    cdf = np.cumsum(binom.pmf(counts, n, chance))
    tail = (1 - confidence) / 2
    low = counts[np.searchsorted(cdf, tail - 1e-12)]
    high = counts[np.searchsorted(cdf, 1 - tail - 1e-12)]
    return low / n, high / n


def test_planted_must_clear_the_range_of_chance_and_null_stay_inside_it():
    low, high = _central_range(1 / 8, 120, 0.95)
    assert (round(low, 4), round(high, 4)) == (0.0667, 0.1833)
    assert above_chance("s", "planted", "m", high + 1e-9, 1 / 8, 120, 0.95).passed
    assert not above_chance("s", "planted", "m", high, 1 / 8, 120, 0.95).passed
    assert at_chance("s", "null", "m", high, 1 / 8, 120, 0.95).passed
    assert at_chance("s", "null", "m", low, 1 / 8, 120, 0.95).passed
    assert not at_chance("s", "null", "m", low - 1e-9, 1 / 8, 120, 0.95).passed
    assert not at_chance("s", "null", "m", float("nan"), 1 / 8, 120, 0.95).passed
    assert not below("s", "null", "m", 0.55, 0.55, "").passed
    assert below("s", "null", "m", 0.549, 0.55, "").bound == "< 0.55"
    assert at_most("s", "null", "m", 0.55, 0.55, "").passed
    assert not at_least("s", "planted", "m", 0.349, 0.35, "").passed
    assert at_least("s", "planted", "m", 0.35, 0.35, "").passed


def test_a_check_writes_its_bound_and_basis():
    row = above_chance("eeg2image", "planted", "both accuracy", 0.5, 1 / 8, 64, 0.999).row()
    assert list(row) == list(COLUMNS)
    _, high = _central_range(1 / 8, 64, 0.999)
    assert row["bound"] == f"> {high:.3g}"
    assert row["basis"] == "above the 99.9% binomial range of chance over 64 trials"
    assert row["passed"] is True
    with pytest.raises(ValueError, match="has no bound"):
        _ = Check("s", "v", "m", 0.5, None, None, None, False, "").bound


def _video_table(full, no_dana, no_seq2seq, latents, two_way=0.7):
    rows = [
        {"mode": mode, "metric": metric, "mean": value, "chance": chance}
        for mode, eight in (("full", full), ("no_dana", no_dana), ("no_seq2seq", no_seq2seq))
        for metric, value, chance in (("video_8way", eight, 0.125), ("video_2way", two_way, 0.5))
    ]
    return [
        *rows,
        {"mode": "seq2seq_latents", "metric": "latent_8way", "mean": latents, "chance": 0.125},
    ]


def test_eeg2video_checks_pass_the_measured_demo_and_fail_a_planted_null():
    planted = _video_table(0.375, 0.375, 0.225, 0.675)
    null = _video_table(0.125, 0.133, 0.133, 0.117, two_way=0.5)
    checks = eeg2video_checks(planted, null, n_test_clips=120, full_mode_target=0.35)
    assert all(check.passed for check in checks)
    assert len(checks) == 15
    swapped = eeg2video_checks(planted, planted, n_test_clips=120, full_mode_target=0.35)
    failed = {(c.variant, c.metric) for c in swapped if not c.passed}
    assert failed == {
        ("null", f"{mode} video_{n}way")
        for mode in ("full", "no_dana", "no_seq2seq")
        for n in (8, 2)
    } | {("null", "seq2seq_latents latent_8way")}
    below = eeg2video_checks(
        _video_table(0.34, 0.375, 0.225, 0.675), null, n_test_clips=120, full_mode_target=0.35
    )
    assert [c.metric for c in below if not c.passed] == ["full video_8way"]
    noise_wins = eeg2video_checks(
        _video_table(0.375, 0.375, 0.4, 0.675), null, n_test_clips=120, full_mode_target=0.35
    )
    assert {c.metric for c in noise_wins if not c.passed} == {
        "full video_8way - no_seq2seq video_8way",
        "no_dana video_8way - no_seq2seq video_8way",
    }


def _image_rows(accuracies):
    return [
        {
            "dataset": dataset,
            "branch": branch,
            "accuracy": value,
            "accuracy_chance": 0.125,
            "n_test_segments": 64,
        }
        for (dataset, branch), value in accuracies.items()
    ]


def test_eeg2image_needs_both_branches_at_least_as_good_as_either():
    accuracies = {
        **{("demo", b): v for b, v in (("both", 0.77), ("pixel", 0.22), ("sample", 0.72))},
        **{("demo-null", b): 0.125 for b in ("both", "pixel", "sample")},
        ("demo-confound", "both"): 0.73,
        **{(d, "time_only"): 1.0 for d in ("demo", "demo-null", "demo-confound")},
    }
    rows = _image_rows(accuracies)
    assert all(check.passed for check in eeg2image_checks(rows))
    accuracies["demo", "pixel"] = 0.8
    failed = [c.metric for c in eeg2image_checks(_image_rows(accuracies)) if not c.passed]
    assert failed == ["both accuracy - best single branch"]


def test_mental_state_checks_refuse_a_row_labelled_leaky():
    rows = [
        {"dataset": d, "model": "ccnn", "protocol": "subject_wise", "accuracy_mean": a,
         "chance_uniform": 0.25, "n_test_segments": 200, "leaky": False}
        for d, a in (("demo", 0.6), ("demo-null", 0.25))
    ]  # fmt: skip
    checks = mental_state_checks("emotion", rows, ["ccnn"])
    assert [(c.variant, c.passed) for c in checks] == [("planted", True), ("null", True)]
    rows[0]["leaky"] = True
    with pytest.raises(
        ValueError, match="emotion demo ccnn subject_wise: the row is labelled leaky"
    ):
        mental_state_checks("emotion", rows, ["ccnn"])


def test_fusion_must_match_the_better_modality_on_average():
    def rows(fusion):
        table = []
        for dataset, scores in (
            ("demo", {"eeg": 0.7, "face": 0.8, "fusion": fusion}),
            ("demo-null", {"eeg": 0.5, "face": 0.5, "fusion": 0.5}),
        ):
            for target in ("valence", "arousal"):
                for model, value in scores.items():
                    table.append(
                        {
                            "dataset": dataset,
                            "target": target,
                            "model": model,
                            "protocol": "subject_wise",
                            "balanced_accuracy_mean": value,
                            "n_test_trials": 300,
                            "leaky": "False",
                        }
                    )
                table.append(
                    {
                        "dataset": dataset,
                        "target": target,
                        "model": "fusion",
                        "protocol": "original_identical_splits",
                        "leaky": "True",
                    }
                )
        return table

    assert all(check.passed for check in fusion_checks(rows(0.85)))
    failed = [c.metric for c in fusion_checks(rows(0.75)) if not c.passed]
    assert failed == ["fusion - better modality (mean over targets)"]


def test_the_failure_message_names_system_variant_metric_and_bound(tmp_path):
    checks = [
        at_chance("eeg2video", "null", "full video_8way", 0.375, 1 / 8, 120, 0.95),
        above_chance(
            "workload", "planted", "bilstm_7ch subject_wise accuracy", 0.9, 0.5, 100, 0.999
        ),
    ]
    path = write_csv(tmp_path / "summary.csv", [c.row() for c in checks], list(COLUMNS))
    message = failed_checks(read_csv(path))
    assert message == (
        "1 validation check(s) failed:\n"
        "  eeg2video null: full video_8way = 0.375, must be in [0.0667, 0.183] "
        "(inside the 95.0% binomial range of chance over 120 trials)"
    )
    assert failed_checks(read_csv(path)[1:]) is None
