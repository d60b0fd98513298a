"""EEG-VP on the demo: it decodes the planted signal, stays at chance on noise, never peeks."""

import numpy as np
import pytest

from eegdecode.datasets import Protocol
from eegdecode.datasets.demo import demo_meta_info, make_demo_eeg, plan_demo
from eegdecode.datasets.tasks import EEGVP_TASKS, eegvp_labels
from eegdecode.evaluation import binomial_interval, eegvp_fold, eegvp_report, summarize_eegvp
from eegdecode.report import plot_eegvp
from eegdecode.signal import de_psd, segment, sliding_windows
from eegdecode.training import TrainConfig, leave_one_block_out

DEMO = Protocol(sfreq=200.0, n_blocks=4, n_concepts=8, clips_per_concept=5, hint_s=3.0, clip_s=2.0)
OCCIPITAL = list(range(50, 62))
TRAINING = TrainConfig(epochs=60, batch_size=256, lr=1e-3)
COARSE = [[1, 5], [2, 6], [3, 7], [4, 8]]


def _features(subject, strength):
    plan = plan_demo(DEMO, seed=0)
    eeg = make_demo_eeg(plan, 62, OCCIPITAL, subject=subject, seed=0, signal_strength=strength)
    halves = sliding_windows(segment(eeg, DEMO), DEMO.sfreq, length_s=1.0, step_s=1.0)
    return de_psd(halves, DEMO.sfreq).de


def _tasks(names=EEGVP_TASKS):
    plan = plan_demo(DEMO, seed=0)
    meta = demo_meta_info(plan)
    return {
        task: eegvp_labels(task, plan.labels, meta, clips_per_concept=5, coarse_classes=COARSE)
        for task in names
    }


def _n_test_clips():
    # Each test block is scored once; the two halves of a clip are not independent trials.
    return DEMO.n_blocks * DEMO.clips_per_block


@pytest.mark.slow
def test_planted_signal_is_decoded_well_above_chance():
    report = eegvp_report(
        _features(1, 1.0),
        _tasks(["concept", "coarse", "fast_slow", "face"]),
        local_channels=OCCIPITAL,
        train_config=TRAINING,
    )
    for task, entry in report.items():
        _, high = binomial_interval(entry["chance"]["majority"], _n_test_clips())
        assert entry["top1"] > high + 0.1, (task, entry["top1"], high)
    assert report["concept"]["top1"] > 0.6  # chance 0.125
    assert report["concept"]["top5"] > report["concept"]["top1"]


@pytest.mark.slow
def test_on_the_null_dataset_every_task_stays_at_chance():
    report = eegvp_report(
        _features(2, 0.0), _tasks(), local_channels=OCCIPITAL, train_config=TRAINING
    )
    for task, entry in report.items():
        low, high = binomial_interval(entry["chance"]["majority"], _n_test_clips())
        assert low <= entry["top1"] <= high, (task, entry["top1"], (low, high))


def test_no_test_block_sample_reaches_the_scaler_or_model_selection():
    features = _features(1, 1.0)
    labels, names = _tasks(["concept"])["concept"]
    fold = leave_one_block_out(DEMO.n_blocks)[2]
    quick = TrainConfig(epochs=15, batch_size=256)
    options = {"n_classes": len(names), "local_channels": OCCIPITAL, "train_config": quick}
    honest = eegvp_fold(features, labels, fold, **options)
    poisoned = features.copy()
    poisoned[fold.test] = (
        np.nan
    )  # a scaler fitted on these, or a selection scoring them, would break
    blind = eegvp_fold(poisoned, labels, fold, **options)
    assert (blind.best_epoch, blind.validation_accuracy) == (
        honest.best_epoch,
        honest.validation_accuracy,
    )
    assert blind.top1 != honest.top1  # the test block was scored, after the choice was made
    with pytest.raises(ValueError, match="NaN or infinite"):
        eegvp_fold(poisoned, labels, fold, scaler="transductive", **options)


def test_summary_and_figure():
    def report(top1):
        return {
            "concept": {
                "classes": list("abcd"),
                "chance": {"uniform": 0.25, "majority": 0.25},
                "top1": top1,
                "top5": 1.0,
            }
        }

    rows = summarize_eegvp({"sub1": report(0.5), "sub2": report(0.7)})
    assert rows == [
        {
            "task": "concept", "n_classes": 4, "n_subjects": 2, "top1_mean": pytest.approx(0.6), "top1_std": pytest.approx(0.1),
            "top5_mean": 1.0, "top5_std": 0.0, "chance_majority": 0.25, "chance_uniform": 0.25,
        }
    ]  # fmt: skip
    figure = plot_eegvp(rows)
    assert figure.axes[0].patches[0].get_height() == pytest.approx(0.6)


def test_binomial_interval():
    low, high = binomial_interval(0.5, 100)
    assert 0.39 <= low < 0.5 < high <= 0.61
