import numpy as np
import pytest
import torch

from eegdecode.evaluation.classifiers import load_classifier
from eegdecode.evaluation.video import (
    clip_ssim,
    evaluate_clips,
    n_way_accuracy,
    n_way_chance,
    summarize_generation,
)


def test_chance_levels_of_the_paper():
    assert n_way_chance(2) == 0.75
    assert n_way_chance(40) == pytest.approx(3 / 42)


@pytest.mark.parametrize("n_way", [2, 5, 40])
def test_random_predictions_score_at_chance(n_way):
    rng = np.random.default_rng(0)
    # Items differ in how their G ranks, so the mean has a spread of about 0.01 with 2000 items.
    truth, predicted = rng.random((2000, 100)), rng.random((2000, 100))
    accuracy = n_way_accuracy(predicted, truth, n_way=n_way, trials=50)
    assert accuracy.mean() == pytest.approx(n_way_chance(n_way), abs=0.02)


def test_perfect_and_adversarial_predictions():
    rng = np.random.default_rng(1)
    truth = rng.random((50, 20))
    assert (n_way_accuracy(truth, truth, n_way=5) == 1).all()
    # Zero probability on the ground-truth set G: no trial can succeed.
    worst = truth.copy()
    np.put_along_axis(worst, np.argsort(truth, axis=1)[:, -3:], -1, axis=1)
    assert (n_way_accuracy(worst, truth, n_way=2) == 0).all()
    with pytest.raises(ValueError, match="40-way trials need 39 classes outside the top 3"):
        n_way_accuracy(truth, truth, n_way=40)


def test_ssim_is_the_mean_over_frames():
    from skimage.metrics import structural_similarity

    rng = np.random.default_rng(2)
    truth = rng.integers(0, 256, (2, 3, 16, 24, 3), dtype=np.uint8)
    noisy = np.clip(truth + rng.normal(0, 30, truth.shape), 0, 255).astype(np.uint8)
    scores = clip_ssim(noisy, truth)
    expected = np.mean([structural_similarity(noisy[1, f], truth[1, f], channel_axis=-1,
                                              data_range=255) for f in range(3)])  # fmt: skip
    assert scores[1] == pytest.approx(expected)
    assert (clip_ssim(truth, truth) == 1).all() and (scores < 1).all()


def _colour_classifier(clips):
    """Probabilities from the mean colour: a classifier with three classes (r, g, b)."""
    means = clips.reshape(*clips.shape[:-4], -1, 3).mean(axis=-2)
    return torch.softmax(torch.from_numpy(means / 20.0), dim=-1).numpy()


def test_evaluate_clips_rewards_the_right_content():
    rng = np.random.default_rng(3)
    truth = np.zeros((30, 2, 8, 8, 3), np.uint8)
    truth[np.arange(30), ..., np.arange(30) % 3] = 200  # clip i is colour i % 3
    right = np.clip(truth + rng.integers(0, 40, truth.shape), 0, 255).astype(np.uint8)
    wrong = np.roll(right, 1, axis=0)
    options = {"classify_video": _colour_classifier, "n_ways": [2], "top": 1,
               "classify_frames": lambda c: _colour_classifier(c[:, :, None])[:, :, 0]}  # fmt: skip
    good, bad = evaluate_clips(right, truth, **options), evaluate_clips(wrong, truth, **options)
    # A wrong clip loses every trial against its own colour and wins half of the others.
    assert good["video_2way"]["mean"] == 1 and bad["video_2way"]["mean"] < 0.4
    assert good["frame_2way"]["chance"] == 0.5 and good["ssim"]["mean"] > bad["ssim"]["mean"]
    rows = summarize_generation(
        [{"mode": "full", "metrics": good}, {"mode": "full", "metrics": bad}]
    )
    video = next(row for row in rows if row["metric"] == "video_2way")
    scores = [good["video_2way"]["mean"], bad["video_2way"]["mean"]]
    assert video["mean"] == pytest.approx(np.mean(scores)) and video["n_subjects"] == 2
    assert video["std"] == pytest.approx(np.std(scores)) and video["chance"] == 0.5


@pytest.fixture(scope="module")
def hugging_face_classifiers(tmp_path_factory):
    """Tiny VideoMAE and ViT classifiers (7 classes) in local folders."""
    from transformers import (
        VideoMAEConfig,
        VideoMAEForVideoClassification,
        VideoMAEImageProcessor,
        ViTConfig,
        ViTForImageClassification,
        ViTImageProcessor,
    )

    folder = tmp_path_factory.mktemp("classifiers")
    torch.manual_seed(0)
    small = {"hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
             "intermediate_size": 32, "image_size": 32, "patch_size": 16, "num_labels": 7}  # fmt: skip
    VideoMAEForVideoClassification(VideoMAEConfig(**small, num_frames=16)).save_pretrained(
        folder / "videomae"
    )
    VideoMAEImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}
                           ).save_pretrained(folder / "videomae")  # fmt: skip
    ViTForImageClassification(ViTConfig(**small)).save_pretrained(folder / "vit")
    ViTImageProcessor(size={"height": 32, "width": 32}).save_pretrained(folder / "vit")
    return folder


def test_hugging_face_classifiers_load_from_local_folders(hugging_face_classifiers, tmp_path):
    folder = hugging_face_classifiers
    clips = np.random.default_rng(0).integers(0, 256, (3, 6, 36, 64, 3), dtype=np.uint8)
    video = load_classifier("video", "videomae", folder / "videomae", n_frames=6)(clips)
    frames = load_classifier("image", "vit", folder / "vit")(clips)
    assert video.shape == (3, 7) and frames.shape == (3, 6, 7)
    np.testing.assert_allclose(video.sum(axis=1), 1, rtol=1e-5)
    with pytest.raises(FileNotFoundError, match=r"lacks config\.json; point the config"):
        load_classifier("image", "vit", tmp_path / "missing")
    with pytest.raises(ValueError, match="video classifier kind"):
        load_classifier("video", "vit", folder / "vit")


def test_evaluate_generation_compares_each_clip_with_the_one_shown(
    hugging_face_classifiers, tmp_path
):
    from eegdecode.artifacts import FRAME_AXES, AxisArray, write_artifact
    from eegdecode.diffusion import GENERATED_AXES
    from eegdecode.evaluation.video import evaluate_generation

    rng = np.random.default_rng(4)
    shown = rng.integers(0, 256, (6, 4, 32, 32, 3), dtype=np.uint8)  # 3 concepts × 2 reps
    labels = np.array([2, 3, 1])  # slot 0 showed concept 2
    write_artifact(
        tmp_path / "truth.h5",
        {"frames": AxisArray(shown, FRAME_AXES), "concept_labels": AxisArray(labels, ("concept",))},
        producer="extract_gifs",
    )  # fmt: skip
    # Perfect generation: each concept's clips, in class order.
    in_class_order = shown.reshape(3, 2, 4, 32, 32, 3)[[2, 0, 1]]
    write_artifact(tmp_path / "clips.h5", {"frames": AxisArray(in_class_order, GENERATED_AXES)},
                   producer="generate", attrs={"test_block": 7})  # fmt: skip
    settings = {"video_classifier": {"kind": "videomae"}, "image_classifier": {"kind": "vit"},
                "n_ways": [2], "top": 1, "trials": 5, "seed": 0}  # fmt: skip
    classifiers = {role: hugging_face_classifiers / kind for role, kind in
                   (("video", "videomae"), ("image", "vit"))}  # fmt: skip
    options = {"classifiers": classifiers, "settings": settings, "subject": 2, "mode": "full"}
    result = evaluate_generation(tmp_path / "clips.h5", tmp_path / "truth.h5", **options)
    np.testing.assert_array_equal(result.truth, in_class_order)
    np.testing.assert_array_equal(result.generated, in_class_order)
    report = result.report
    assert (report["subject"], report["mode"], report["test_block"], report["n_clips"]) == (
        2,
        "full",
        7,
        6,
    )
    assert report["metrics"]["ssim"]["mean"] == 1 and report["metrics"]["video_2way"]["mean"] == 1
    write_artifact(tmp_path / "clips.h5", {"frames": AxisArray(in_class_order[:2], GENERATED_AXES)},
                   producer="generate", attrs={"test_block": 7})  # fmt: skip
    with pytest.raises(ValueError, match=r"holds 2 × 2 clips .* from different blocks"):
        evaluate_generation(tmp_path / "clips.h5", tmp_path / "truth.h5", **options)
