"""The triplet loss with semi-hard online mining, against a loop over every triplet, and the
EEG-ImageNet LSTM encoder trained with it on the shared loop."""

import itertools

import numpy as np
import pytest
import torch

from eegdecode.models import EEGLSTMEncoder, EEGLSTMEncoderConfig
from eegdecode.training import TrainConfig, fit
from eegdecode.training.loop import predict, semi_hard_triplet_loss


def _reference(embeddings, labels, margin):
    """FaceNet's semi-hard mining, written out triplet by triplet."""
    e, y = embeddings.double().numpy(), labels.numpy()
    losses = []
    for a, p in itertools.permutations(range(len(y)), 2):
        if y[a] != y[p]:
            continue
        d_ap = np.sum((e[a] - e[p]) ** 2)
        negatives = [np.sum((e[a] - e[n]) ** 2) for n in range(len(y)) if y[n] != y[a]]
        if not negatives:
            continue
        farther = [d for d in negatives if d > d_ap]
        d_an = min(farther) if farther else max(negatives)
        losses.append(max(0.0, margin + d_ap - d_an))
    return float(np.mean(losses)) if losses else 0.0


@pytest.mark.parametrize(("seed", "margin", "scale"), [(0, 1.0, 1.0), (1, 0.2, 0.3), (2, 5.0, 2.0)])
def test_semi_hard_mining_matches_a_loop_over_every_triplet(seed, margin, scale):
    generator = torch.Generator().manual_seed(seed)
    embeddings = scale * torch.randn(13, 4, generator=generator)
    labels = torch.randint(0, 3, (13,), generator=generator)
    value = semi_hard_triplet_loss(embeddings, labels, margin)
    assert value.item() == pytest.approx(_reference(embeddings, labels, margin), rel=1e-5)


def test_an_anchor_without_a_semi_hard_negative_takes_its_farthest_one():
    # Class 0 at 0 and 3 on a line, class 1 at 1 and 2. From either class-0 anchor the positive
    # (9) is farther than both negatives (1, 4), so the farthest (4) is taken: 1 + 9 − 4 = 6.
    # From a class-1 anchor the positive is at 1 and the semi-hard negative at 4: 0.
    embeddings = torch.tensor([[0.0], [3.0], [1.0], [2.0]])
    labels = torch.tensor([0, 0, 1, 1])
    expected = _reference(embeddings, labels, 1.0)
    assert semi_hard_triplet_loss(embeddings, labels, 1.0).item() == pytest.approx(expected)
    assert expected == pytest.approx(np.mean([6.0, 6.0, 0.0, 0.0]))


def test_a_batch_without_pairs_gives_zero_and_a_gradient():
    embeddings = torch.randn(3, 2, requires_grad=True)
    for labels in (torch.tensor([0, 1, 2]), torch.tensor([1, 1, 1])):
        value = semi_hard_triplet_loss(embeddings, labels)
        value.backward()
        assert value.item() == 0.0 and embeddings.grad is not None


def test_the_lstm_encoder_is_the_reference_lstm_then_a_linear_layer():
    torch.manual_seed(0)
    model = EEGLSTMEncoder(EEGLSTMEncoderConfig(n_channels=5, hidden_size=6, embedding_dim=3))
    x = torch.randn(2, 5, 7)  # (batch, channel, time)
    # The LSTM's equations step by step (PyTorch's gate order: input, forget, cell, output).
    w_ih, w_hh = model.lstm.weight_ih_l0, model.lstm.weight_hh_l0
    bias = model.lstm.bias_ih_l0 + model.lstm.bias_hh_l0
    h = c = torch.zeros(2, 6)
    for t in range(7):
        i, f, g, o = (x[:, :, t] @ w_ih.T + h @ w_hh.T + bias).chunk(4, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
    expected = h @ model.output.weight.T + model.output.bias
    torch.testing.assert_close(model(x), expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"takes \(5 channels, time\) segments"):
        model(torch.randn(2, 4, 7))


def _clusters(n, seed):
    """Segments whose class sets the mean of some channels, for an encoder to separate."""
    generator = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 4
    x = torch.randn(n, 6, 10, generator=generator)
    x[:, :4] += 1.5 * torch.nn.functional.one_hot(labels, 4).float()[:, :, None]
    return x, labels


def test_the_shared_loop_trains_an_encoder_with_the_triplet_loss():
    torch.manual_seed(0)
    model = EEGLSTMEncoder(EEGLSTMEncoderConfig(n_channels=6, hidden_size=16, embedding_dim=8))
    train, validation, test = _clusters(160, 0), _clusters(80, 1), _clusters(80, 2)
    config = TrainConfig(
        epochs=15, batch_size=32, lr=1e-2, monitor="val_loss", triplet_margin=0.5, seed=0
    )
    result = fit(model, train, validation, loss="triplet", config=config)
    history = result.history
    assert history[-1]["val_loss"] < 0.5 * history[0]["val_loss"]
    # Nearest class centroid (of the training embeddings) on held-out segments; chance 0.25.
    train_embeddings, test_embeddings = (
        predict(result.model, train[0]),
        predict(result.model, test[0]),
    )
    centroids = torch.stack([train_embeddings[train[1] == k].mean(0) for k in range(4)])
    predicted = torch.cdist(test_embeddings, centroids).argmin(1)
    assert (predicted == test[1]).float().mean() > 0.8
    with pytest.raises(ValueError, match="triplet_margin must be positive"):
        TrainConfig(triplet_margin=0)
