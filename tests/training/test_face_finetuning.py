"""Fine-tuning the face encoder (fusion.face_finetuning.frozen_layers): which weights train,
the trial embedding through the trainable encoder against the frozen path's, the backbone's
lower learning rate, and a fine-tuned encoder that learns a crop-level signal, leaves its
frozen blocks bit for bit, and loads back as a vision-encoder folder."""

import json

import numpy as np
import pytest
import torch

from eegdecode.artifacts import AxisArray, write_artifact
from eegdecode.models import FaceEmotionClassifier, FaceEmotionHeads, FaceEmotionHeadsConfig
from eegdecode.stimulus.faces import embed_faces, trial_crop_inputs
from eegdecode.stimulus.pretrained import build_tiny_vision_encoder, load_vision_encoder
from eegdecode.training.face_finetuning import finetune_face_encoder
from eegdecode.training.loop import TrainConfig, _optimizer


@pytest.fixture
def tiny_vit(tmp_path):
    return build_tiny_vision_encoder(tmp_path / "vit", hidden_size=32)


def _classifier(encoder, frozen_layers):
    heads = FaceEmotionHeads(FaceEmotionHeadsConfig(in_features=encoder.hidden_size))
    return FaceEmotionClassifier(encoder, heads, frozen_layers=frozen_layers,
                                 backbone_lr_scale=0.1)  # fmt: skip


def test_the_embeddings_and_the_first_blocks_stay_frozen_and_the_rest_trains(tiny_vit):
    encoder = load_vision_encoder(tiny_vit)
    _classifier(encoder, frozen_layers=1)
    trainable = {id(p) for p in encoder.model.parameters() if p.requires_grad}
    expected = [*encoder.transformer_blocks()[1].parameters(),
                *encoder.final_norm().parameters()]  # fmt: skip
    assert trainable == {id(p) for p in expected}
    assert encoder.final_norm() is encoder.model.layernorm
    with pytest.raises(ValueError, match=r"frozen_layers must be 0–2 .* got 3"):
        _classifier(load_vision_encoder(tiny_vit), frozen_layers=3)


def test_the_backbone_trains_at_its_fraction_of_the_heads_rate(tiny_vit):
    model = _classifier(load_vision_encoder(tiny_vit), frozen_layers=1)
    optimizer = _optimizer(model, TrainConfig(lr=1e-3))
    backbone, heads = optimizer.param_groups
    assert backbone["lr"] == pytest.approx(1e-4) and heads["lr"] == pytest.approx(1e-3)
    n_block = sum(p.numel() for p in model.vision_encoder.transformer_blocks()[1].parameters())
    n_norm = sum(p.numel() for p in model.vision_encoder.final_norm().parameters())
    assert sum(p.numel() for p in backbone["params"]) == n_block + n_norm


def test_the_trial_embedding_is_the_mean_cls_of_the_chosen_crops(tiny_vit):
    encoder = load_vision_encoder(tiny_vit)
    rng = np.random.default_rng(0)
    crops = rng.integers(0, 256, (7, 40, 40, 3), dtype=np.uint8)
    trial_of_crop = np.array([1, 1, 1, 1, 1, 3, 3])
    pixels, weights = trial_crop_inputs(crops, trial_of_crop, 3, encoder, crops_per_trial=3)
    # Trial 1's five crops give the first, middle and last; trial 3 is padded; trial 2 empty.
    assert weights.tolist() == [[1, 1, 1], [0, 0, 0], [1, 1, 0]]
    model = _classifier(encoder, frozen_layers=2).eval()
    with torch.inference_mode():
        embedded = model.embed(torch.from_numpy(pixels), torch.from_numpy(weights)).numpy()
    # The reference: the frozen path's embed_faces on the same crops, averaged by hand.
    cls = embed_faces(crops, encoder)
    np.testing.assert_allclose(embedded[0], cls[[0, 2, 4]].mean(0), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(embedded[2], cls[[5, 6]].mean(0), rtol=1e-4, atol=1e-5)
    assert not embedded[1].any()


def _crops_file(path, labels, rng):
    """A detect_faces artifact whose crops show the label as a bright top (1) or bottom (0)
    half, 3 crops per trial, and one trial without a face."""
    crops, trial = [], []
    for number, label in enumerate(labels, start=1):
        if number == 2:
            continue
        for _ in range(3):
            crop = rng.integers(0, 90, (32, 32, 3)).astype(np.uint8)
            (crop[:16] if label else crop[16:])[:] += 150
            crops.append(crop)
            trial.append(number)
    n_faces = np.bincount(trial, minlength=len(labels) + 1)[1:]
    arrays = {
        "crops": AxisArray(np.stack(crops), ("crop", "y", "x", "rgb")),
        "trial": AxisArray(np.asarray(trial, np.int64), ("crop",)),
        "n_faces": AxisArray(n_faces, ("trial",)),
    }
    return write_artifact(path, arrays, producer="detect_faces")


def test_a_finetuned_encoder_learns_the_crops_keeps_its_frozen_blocks_and_loads_back(
    tiny_vit, tmp_path
):
    rng = np.random.default_rng(1)
    labels = {s: rng.permutation(np.arange(12) % 2) for s in (1, 2, 3)}
    files = {s: _crops_file(tmp_path / f"s{s:02d}_crops.h5", labels[s], rng) for s in labels}
    encoder = load_vision_encoder(tiny_vit)
    before = {k: v.clone() for k, v in encoder.model.state_dict().items()}
    torch.manual_seed(0)
    # A random tiny ViT's CLS barely depends on its input (a logistic regression on the frozen
    # CLS scores 0.58 here), so its blocks must learn to read the crops: at 10× the heads' rate.
    summary = finetune_face_encoder(
        encoder, files, labels, train=[1, 2], validation=[3], frozen_layers=1,
        crops_per_trial=2, backbone_lr_scale=10.0, heads={"main_hidden": [32], "dropout": [0.1]},
        training={"epochs": 100, "batch_size": 8, "lr": 1e-3, "device": "cpu"},
    )  # fmt: skip
    # Trial 2 of each participant has no face and is left out.
    assert summary["n_trials"] == {"train": 22, "validation": 11}
    assert summary["validation_macro_f1"] > 0.75
    after = encoder.model.state_dict()
    trained = {name for name, p in encoder.model.named_parameters() if p.requires_grad}
    assert not trained  # frozen again once fine-tuned
    block_1 = {id(p) for p in encoder.transformer_blocks()[1].parameters()}
    for name, p in encoder.model.named_parameters():
        # Block 1 and the final norm trained; the embeddings, block 0 and the pooler did not.
        moved = id(p) in block_1 or name.startswith("layernorm.")
        assert torch.equal(after[name], before[name]) != moved, name
    encoder.save(tmp_path / "tuned", tiny_vit / "preprocessor_config.json",
                 extra_files={"finetuning.json": json.dumps(summary)})  # fmt: skip
    loaded = load_vision_encoder(tmp_path / "tuned")
    crops = rng.integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)
    np.testing.assert_allclose(embed_faces(crops, loaded), embed_faces(crops, encoder),
                               rtol=1e-5, atol=1e-6)  # fmt: skip
    assert json.loads((tmp_path / "tuned/finetuning.json").read_text())["frozen_layers"] == 1
