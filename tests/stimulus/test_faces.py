"""Faces in DEAP-layout videos: OpenCV's cascade finds the demo's cartoon faces and not their
absence, crops and their frames are kept per trial, and the frozen encoder's per-trial mean
CLS embedding matches transformers' own forward pass."""

import json

import numpy as np
import pytest
import torch

from eegdecode.datasets.deap_demo import draw_face, write_face_video
from eegdecode.stimulus.faces import detect_faces, detect_trial_faces, trial_face_embeddings
from eegdecode.stimulus.pretrained import build_tiny_vision_encoder, load_vision_encoder


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    """Trial 1: a face in every frame; trial 2: a background without one."""
    folder = tmp_path_factory.mktemp("face_video")
    rng = np.random.default_rng(0)
    face = np.stack([draw_face(0.8, -0.5, 96, rng) for _ in range(5)])
    empty = (60 + rng.integers(0, 20, (5, 96, 96))).astype(np.uint8)
    return [write_face_video(folder / "s01_trial01.avi", face, 4.0),
            write_face_video(folder / "s01_trial02.avi", empty, 4.0)]  # fmt: skip


@pytest.fixture(scope="module")
def encoder(tmp_path_factory):
    return load_vision_encoder(build_tiny_vision_encoder(tmp_path_factory.mktemp("enc") / "vit"))


def test_the_cascade_finds_the_drawn_face_in_every_frame_and_none_in_an_empty_one(videos):
    found = detect_faces(videos[0], crop_size=32)
    assert found.n_frames_read == 5 and found.frames.tolist() == [0, 1, 2, 3, 4]
    assert found.crops.shape == (5, 32, 32, 3) and found.crops.dtype == np.uint8
    x, y, width, height = found.boxes[0]
    assert 5 <= x <= 50 and 5 <= y <= 50 and 30 <= width <= 90 and width == height
    empty = detect_faces(videos[1], crop_size=32)
    assert (empty.n_frames_read, len(empty.crops)) == (5, 0)
    assert detect_faces(videos[0], frame_stride=2).frames.tolist() == [0, 2, 4]


def test_trial_arrays_say_which_trial_and_frame_each_crop_comes_from(videos):
    arrays = detect_trial_faces(videos, frame_stride=1, crop_size=32, min_face=24)
    assert arrays["trial"].data.tolist() == [1] * 5
    assert arrays["n_faces"].data.tolist() == [5, 0]
    assert arrays["n_frames_searched"].data.tolist() == [5, 5]
    assert arrays["crops"].axes == ("crop", "y", "x", "rgb")


def test_a_video_opencv_cannot_open_is_named(tmp_path):
    broken = tmp_path / "s01_trial01.avi"
    broken.write_bytes(b"RIFF" + b"\x00" * 64)
    with pytest.raises(ValueError, match=r"s01_trial01\.avi"):
        detect_faces(broken)
    with pytest.raises(FileNotFoundError, match=r"s01_trial02\.avi"):
        detect_faces(tmp_path / "s01_trial02.avi")


def test_the_trial_embedding_is_the_mean_cls_of_its_crops(encoder):
    rng = np.random.default_rng(1)
    crops = rng.integers(0, 256, (5, 40, 40, 3), dtype=np.uint8)
    arrays = trial_face_embeddings(crops, np.array([1, 1, 3, 3, 3]), 3, encoder, batch_size=2)
    # The reference: transformers' ViT on pixels prepared by hand (resize, /255, mean 0.5, std 0.5).
    import cv2

    pixels = np.stack([cv2.resize(c, (32, 32), interpolation=cv2.INTER_CUBIC) for c in crops])
    pixels = torch.from_numpy((pixels.transpose(0, 3, 1, 2) / 255.0 - 0.5) / 0.5).float()
    with torch.inference_mode():
        cls = encoder.model(pixel_values=pixels).last_hidden_state[:, 0].numpy()
    embedding = arrays["embedding"].data
    np.testing.assert_allclose(embedding[0], cls[:2].mean(0), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(embedding[2], cls[2:].mean(0), rtol=1e-4, atol=1e-5)
    assert arrays["has_face"].data.tolist() == [True, False, True]
    assert not embedding[1].any()


def test_a_clip_folder_gives_its_vision_tower_and_pooled_cls(tmp_path):
    from transformers import CLIPConfig, CLIPModel

    config = CLIPConfig(
        text_config={"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1,
                     "num_attention_heads": 2, "vocab_size": 99},
        vision_config={"hidden_size": 48, "intermediate_size": 96, "num_hidden_layers": 2,
                       "num_attention_heads": 4, "image_size": 32, "patch_size": 8},
        projection_dim=16,
    )  # fmt: skip
    torch.manual_seed(0)
    clip = CLIPModel(config).eval()
    clip.save_pretrained(tmp_path, safe_serialization=True)
    (tmp_path / "preprocessor_config.json").write_text(json.dumps({
        "crop_size": {"height": 32, "width": 32}, "image_mean": [0.48, 0.46, 0.41],
        "image_std": [0.27, 0.26, 0.28]}))  # fmt: skip
    encoder = load_vision_encoder(tmp_path)
    assert (encoder.kind, encoder.hidden_size, encoder.image_size) == ("clip", 48, 32)
    pixels = torch.randn(2, 3, 32, 32)
    with torch.inference_mode():
        expected = clip.vision_model(pixel_values=pixels).pooler_output
        np.testing.assert_allclose(encoder.cls_embedding(pixels), expected, atol=1e-5)


def test_a_pickled_checkpoint_is_refused_naming_the_safetensors_conversion(tmp_path):
    build_tiny_vision_encoder(tmp_path / "vit")
    (tmp_path / "vit/model.safetensors").rename(tmp_path / "vit/pytorch_model.bin")
    with pytest.raises(
        FileNotFoundError, match=r"pytorch_model\.bin, a pickle.*safe_serialization"
    ):
        load_vision_encoder(tmp_path / "vit")
    (tmp_path / "other").mkdir()
    (tmp_path / "other/config.json").write_text(json.dumps({"model_type": "bert"}))
    for name in ("model.safetensors", "preprocessor_config.json"):
        (tmp_path / "other" / name).write_text("{}")
    with pytest.raises(ValueError, match="model_type 'bert'"):
        load_vision_encoder(tmp_path / "other")
