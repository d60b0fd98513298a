import cv2
import numpy as np
import pytest
from scipy.stats import binomtest

from eegdecode.datasets import SEED_DV_CHANNELS, SEED_DV_META_INFO, Protocol, load_concept_labels
from eegdecode.datasets.demo import (
    COLOURS,
    demo_captions,
    demo_meta_info,
    make_demo_eeg,
    plan_demo,
    render_demo_block,
    write_demo_metadata,
)
from eegdecode.signal import de_psd, segment
from eegdecode.stimulus.video import write_video

DEMO = Protocol(sfreq=200.0, n_blocks=4, n_concepts=8, clips_per_concept=5, hint_s=3.0, clip_s=2.0)
OCCIPITAL = list(range(50, 62))


def _eeg(subject, strength, seed=0):
    return make_demo_eeg(
        plan_demo(DEMO, seed=seed),
        62,
        OCCIPITAL,
        subject=subject,
        seed=seed,
        signal_strength=strength,
    )


def _leave_one_block_out_accuracy(eeg, labels):
    """Nearest class mean on standardised DE, one test block at a time; hits per concept slot.

    The five clips of a slot are averaged first: they are adjacent in time and share slow noise,
    so counting them separately would overstate how many independent trials there are.
    """
    de = (
        de_psd(segment(eeg, DEMO), DEMO.sfreq)
        .de.mean(axis=2)
        .reshape(DEMO.n_blocks, DEMO.n_concepts, -1)
    )
    hits = 0
    for test in range(DEMO.n_blocks):
        train = [b for b in range(DEMO.n_blocks) if b != test]
        x, y = de[train].reshape(-1, de.shape[-1]), labels[train].ravel()
        mean, std = x.mean(axis=0), x.std(axis=0)
        centroids = np.stack(
            [((x - mean) / std)[y == c].mean(axis=0) for c in range(1, DEMO.n_concepts + 1)]
        )
        distances = ((((de[test] - mean) / std)[:, None] - centroids[None]) ** 2).sum(axis=-1)
        hits += int((distances.argmin(axis=1) + 1 == labels[test]).sum())
    return hits


def test_plan_is_deterministic_and_follows_the_protocol():
    plan = plan_demo(DEMO, seed=3)
    again = plan_demo(DEMO, seed=3)
    np.testing.assert_array_equal(plan.labels, again.labels)
    np.testing.assert_array_equal(plan.direction_rad, again.direction_rad)
    assert not np.array_equal(plan.labels, plan_demo(DEMO, seed=4).labels)
    for row in plan.labels:
        assert sorted(row) == list(range(1, 9))
    assert (
        len(set(zip(plan.concept_shape, plan.concept_colour, plan.concept_speed, strict=True))) == 8
    )


def test_eeg_is_deterministic_per_subject():
    np.testing.assert_array_equal(_eeg(1, 1.0), _eeg(1, 1.0))
    assert not np.array_equal(_eeg(1, 1.0), _eeg(2, 1.0))
    eeg = _eeg(1, 1.0)
    assert eeg.shape == (4, 62, 8 * 2600) and eeg.dtype == np.float32


def test_planted_signal_is_learnable_and_null_is_not():
    plan = plan_demo(DEMO, seed=0)
    trials = 3 * DEMO.n_blocks * DEMO.n_concepts
    planted = sum(_leave_one_block_out_accuracy(_eeg(s, 1.0), plan.labels) for s in (1, 2, 3))
    null = sum(_leave_one_block_out_accuracy(_eeg(s, 0.0), plan.labels) for s in (1, 2, 3))
    chance = 1 / DEMO.n_concepts
    assert planted / trials > 0.6, planted / trials
    assert binomtest(planted, trials, chance, alternative="greater").pvalue < 1e-6
    low, high = binomtest(null, trials, chance).proportion_ci(0.95)
    assert low <= chance <= high, (null / trials, low, high)


def test_signal_sits_on_the_signal_channels_during_clips_only():
    difference = _eeg(1, 1.0).astype(np.float64) - _eeg(1, 0.0)
    others = np.setdiff1d(np.arange(62), OCCIPITAL)
    assert np.abs(difference[:, others]).max() < 1e-4
    per_concept = difference.reshape(4, 62, 8, 2600)
    assert np.abs(per_concept[:, OCCIPITAL, :, :600]).max() < 1e-4  # hints carry nothing
    assert np.abs(per_concept[:, OCCIPITAL, :, 600:]).max() > 1.0


def test_meta_info_and_captions_agree_with_the_plan(tmp_path):
    plan = plan_demo(DEMO, seed=0)
    meta = demo_meta_info(plan)
    assert tuple(meta) == SEED_DV_META_INFO
    for values in meta.values():
        assert values.shape == (4, 40)
    captions = demo_captions(plan)
    assert [len(block) for block in captions] == [40] * 4
    first = plan.labels[0, 0] - 1
    assert (
        plan.concept_colour[first] in captions[0][0] and plan.concept_shape[first] in captions[0][0]
    )
    fast = np.asarray(plan.concept_speed)[plan.labels - 1] == "fast"
    ofs = meta["optical_flow_score"].reshape(4, 8, 5)
    assert ofs[fast].min() > np.median(ofs) > ofs[~fast].max()

    paths = {name: tmp_path / f"All_video_{name}.npy" for name in meta}
    caption_paths = [tmp_path / f"{b}.txt" for b in range(4)]
    write_demo_metadata(
        plan,
        labels_path=tmp_path / "labels.npy",
        meta_info_paths=paths,
        captions_paths=caption_paths,
    )
    np.testing.assert_array_equal(load_concept_labels(tmp_path / "labels.npy", DEMO), plan.labels)
    assert caption_paths[2].read_text().splitlines() == captions[2]


def test_video_frames_follow_the_protocol(tmp_path):
    plan = plan_demo(DEMO, seed=0)
    frames = list(render_demo_block(plan, 2, width=32, height=18, fps=6))
    assert len(frames) == 8 * (3 + 5 * 2) * 6
    assert frames[0].shape == (18, 32, 3) and frames[0].dtype == np.uint8
    # Concept slot 0: 18 hint frames (a light card), then clips showing the concept's colour.
    assert frames[0].mean() > 150
    colour = np.array(COLOURS[plan.concept_colour[plan.labels[1, 0] - 1]])
    clip = np.stack(frames[18:30]).reshape(-1, 3).astype(int)
    assert (np.abs(clip - colour).sum(axis=1) < 30).any()

    path = tmp_path / "2nd_10min.mp4"
    assert write_video(path, iter(frames), fps=6, width=32, height=18) == len(frames)
    capture = cv2.VideoCapture(str(path))
    assert capture.get(cv2.CAP_PROP_FPS) == 6
    assert capture.get(cv2.CAP_PROP_FRAME_COUNT) == len(frames)
    capture.release()


def test_video_needs_whole_frames():
    with pytest.raises(
        ValueError, match=r"fps = 7\.5 does not give whole frames for the 3\.0 s hint"
    ):
        next(render_demo_block(plan_demo(DEMO, seed=0), 1, width=32, height=18, fps=7.5))


def test_demo_eeg_rejects_bad_arguments():
    plan = plan_demo(DEMO, seed=0)
    with pytest.raises(ValueError, match="signal_strength must be >= 0"):
        make_demo_eeg(plan, 62, OCCIPITAL, subject=1, seed=0, signal_strength=-1)
    with pytest.raises(ValueError, match=r"signal_channels must index 0..61, got \[70\]"):
        make_demo_eeg(plan, 62, [70], subject=1, seed=0, signal_strength=1)
    assert len(SEED_DV_CHANNELS) == 62
