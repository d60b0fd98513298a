"""The dataset presets (config/dreamer.yaml, stew.yaml, deap.yaml, eeg-imagenet.yaml), each
planned by a dry run of its system's target on a fake copy of the release's layout: empty
files under the release's names, and a second config file that points the preset's paths
at them, as a user sets them. config/seed-dv.yaml's plan is in tests/dag/test_workflow.py."""

import re

import pytest
import yaml

from .conftest import make_workdir, snakemake

pytestmark = pytest.mark.slow


def _touch(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    return path


def _plan(tmp_path, preset, target, paths):
    """The dry run of ``target`` with config/<preset> and then ``paths`` merged over it."""
    override = tmp_path / "paths.yaml"
    override.write_text(yaml.safe_dump(paths))
    done = snakemake(
        make_workdir(tmp_path / "work"),
        target,
        "--configfile",
        f"config/{preset}",
        override,
        "--dry-run",
    )
    return done.stdout


def _job_counts(plan):
    table = plan.split("Job stats:")[1].split("\n\n")[0]
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.MULTILINE)}


def _gpu_requests(plan):
    """Each planned rule's ``gpu`` resource."""
    requests, rule = {}, None
    for line in plan.splitlines():
        if match := re.match(r"^rule (\w+):$", line):
            rule = match[1]
        elif (match := re.match(r"^\s*resources: .*\bgpu=(\d+)", line)) and rule:
            requests[rule] = int(match[1])
    return requests


def test_dreamer_preset_plans_both_models_on_the_release(tmp_path):
    mat = _touch(tmp_path / "DREAMER" / "DREAMER.mat")
    plan = _plan(tmp_path, "dreamer.yaml", "emotion_all",
                 {"emotion": {"datasets": {"dreamer": {"mat": str(mat)}}}})  # fmt: skip
    assert _job_counts(plan) == {
        "emotion_segments": 2,
        "evaluate_mental_state": 4,
        "mental_state_summary": 1,
        "emotion_all": 1,
        "total": 8,
    }
    assert f"input: {mat}" in plan
    for model in ("sst_emotionnet", "ccnn"):
        for protocol in ("subject_wise", "segment_random"):
            assert f"results/emotion/dreamer/evaluation/{model}_{protocol}.json" in plan
    assert "results/emotion/demo" not in plan


def test_stew_preset_plans_all_48_subjects_and_the_live_model(tmp_path):
    root = tmp_path / "STEW"
    for subject in range(1, 49):
        for condition in ("lo", "hi"):
            _touch(root / f"sub{subject:02d}_{condition}.txt")
    _touch(root / "ratings.txt")
    plan = _plan(tmp_path, "stew.yaml", "workload_all",
                 {"workload": {"datasets": {"stew": {"root": str(root)}}}})  # fmt: skip
    assert _job_counts(plan) == {
        "workload_segments": 2,
        "evaluate_mental_state": 4,
        "mental_state_summary": 1,
        "train_workload_model": 1,
        "workload_all": 1,
        "total": 9,
    }
    assert str(root / "sub48_hi.txt") in plan and str(root / "ratings.txt") in plan
    assert "results/workload/stew/models/bilstm_7ch" in plan
    assert "results/workload/stew/evaluation/bilstm_14ch_subject_wise.json" in plan
    assert "results/workload/demo" not in plan


def test_deap_preset_plans_the_22_filmed_participants_with_the_given_encoder(tmp_path):
    root = tmp_path / "DEAP"
    for subject in range(1, 33):
        _touch(root / f"data_preprocessed_matlab/s{subject:02d}.mat")
    for subject in range(1, 23):
        for trial in range(1, 41):
            _touch(root / f"face_video/s{subject:02d}/s{subject:02d}_trial{trial:02d}.avi")
    _touch(root / "metadata_csv/participant_ratings.csv")
    encoder = tmp_path / "vit-base-patch16-224-in21k"
    for name in ("config.json", "model.safetensors", "preprocessor_config.json"):
        _touch(encoder / name)
    paths = {"fusion": {"datasets": {"deap": {"root": str(root)}}, "vision_encoder": str(encoder)}}
    plan = _plan(tmp_path, "deap.yaml", "fusion_all", paths)
    assert _job_counts(plan) == {
        "detect_faces": 22,
        "face_embeddings": 22,
        "eeg_differential_entropy": 22,
        "evaluate_fusion": 4,
        "fusion_summary": 1,
        "fusion_all": 1,
        "total": 72,
    }
    assert str(root / "face_video/s22/s22_trial40.avi") in plan
    assert str(root / "data_preprocessed_matlab/s22.mat") in plan
    assert "s23.mat" not in plan
    assert str(encoder) in plan and "tiny-vit" not in plan


def test_eeg_imagenet_preset_plans_neuroimagen_on_stable_diffusion_and_a_gpu(tmp_path):
    release = {
        "eeg": _touch(tmp_path / "eeg_5_95_std.pth"),
        "splits": _touch(tmp_path / "block_splits_by_image_all.pth"),
        "images": _touch(tmp_path / "imagenet/train/n02389026/n02389026_3088.JPEG").parents[1],
        "synset_mapping": _touch(tmp_path / "LOC_synset_mapping.txt"),
    }
    stable_diffusion = tmp_path / "stable-diffusion-v1-4"
    for part in ("vae", "unet", "text_encoder", "tokenizer", "scheduler"):
        (stable_diffusion / part).mkdir(parents=True)
    paths = {
        "pretrained": {"stable_diffusion": str(stable_diffusion)},
        "eeg2image": {"datasets": {"eeg-imagenet": {k: str(v) for k, v in release.items()}}},
    }
    plan = _plan(tmp_path, "eeg-imagenet.yaml", "eeg2image_all", paths)
    assert _job_counts(plan) == {
        "eeg2image_stimuli": 1,
        "train_eeg2image_encoder": 1,
        "train_caption_regressor": 1,
        "train_saliency_gan": 1,
        "finetune_image_diffusion": 1,
        "train_image_classifier": 1,
        "select_strength": 1,
        "reconstruct_images": 3,
        "evaluate_eeg2image": 1,
        "eeg2image_summary": 1,
        "eeg2image_all": 1,
        "total": 13,
    }
    assert all(str(path) in plan for path in release.values())
    # Stable Diffusion's own VAE, not a tiny one fitted to the images.
    assert "fitted_vae" not in plan and "tiny-stable-diffusion" not in plan
    gpus = _gpu_requests(plan)
    assert {rule for rule, count in gpus.items() if count} == {
        "train_eeg2image_encoder",
        "train_caption_regressor",
        "train_saliency_gan",
        "finetune_image_diffusion",
        "select_strength",
        "reconstruct_images",
    }
