"""The face model's heads: the spec's widths, the projection's unit norm, and the training
loss CE(main) + 0.3 · CE(auxiliary), with and without mixup."""

import pytest
import torch
from torch.nn import functional

from eegdecode.models import FaceEmotionHeads, FaceEmotionHeadsConfig


def test_the_heads_have_the_specs_widths_for_a_1024_wide_encoder():
    heads = FaceEmotionHeads(FaceEmotionHeadsConfig(in_features=1024))
    linear = [m.out_features for m in heads.classifier if isinstance(m, torch.nn.Linear)]
    assert linear == [512, 256, 2]
    assert [m.out_features for m in heads.auxiliary if isinstance(m, torch.nn.Linear)] == [256, 2]
    assert [m.out_features for m in heads.projection if isinstance(m, torch.nn.Linear)] == [
        512,
        256,
    ]
    assert sum(isinstance(m, torch.nn.LayerNorm) for m in heads.classifier) == 2
    x = torch.randn(5, 1024)
    assert heads(x).shape == (5, 2)
    torch.testing.assert_close(heads.project(x).norm(dim=1), torch.ones(5))


def test_the_training_loss_adds_the_weighted_auxiliary_loss():
    torch.manual_seed(0)
    heads = FaceEmotionHeads(FaceEmotionHeadsConfig(in_features=16, auxiliary_weight=0.3)).eval()
    x, y = torch.randn(8, 16), torch.randint(0, 2, (8,))
    expected = functional.cross_entropy(heads.classifier(x), y) + 0.3 * functional.cross_entropy(
        heads.auxiliary(x), y
    )
    torch.testing.assert_close(heads.training_loss(x, targets=y), expected)


def test_mixup_mixes_the_batch_and_both_targets():
    config = FaceEmotionHeadsConfig(in_features=16, mixup_alpha=0.2, mixup_probability=1.0)
    heads = FaceEmotionHeads(config).eval()
    x, y = torch.randn(8, 16), torch.randint(0, 2, (8,))
    torch.manual_seed(3)
    value = heads.training_loss(x, targets=y)
    torch.manual_seed(3)
    torch.rand(())  # the draw that decides to mix
    weight = float(torch.distributions.Beta(0.2, 0.2).sample())
    order = torch.randperm(8)
    mixed = weight * x + (1 - weight) * x[order]

    def loss(logits):
        return weight * functional.cross_entropy(logits, y) + (1 - weight) * (
            functional.cross_entropy(logits, y[order])
        )

    torch.testing.assert_close(
        value, loss(heads.classifier(mixed)) + 0.3 * loss(heads.auxiliary(mixed))
    )


def test_one_dropout_per_main_layer_is_required():
    with pytest.raises(ValueError, match="one value per main_hidden layer"):
        FaceEmotionHeadsConfig(in_features=16, main_hidden=(8, 4), dropout=(0.1,))
