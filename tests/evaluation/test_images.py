"""NeuroImagen's image metrics: the Inception Score against its formula written out, the
time-only baseline on a block design, and the metrics of reconstructions beside chance."""

import numpy as np
import pytest

from eegdecode.evaluation.images import evaluate_images, inception_score, time_only_baseline


def test_the_inception_score_is_the_exponentiated_mean_kl_from_the_marginal():
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(5), size=20)
    marginal = p.mean(axis=0)
    expected = np.exp(np.mean([sum(pi * np.log(pi / mi) for pi, mi in zip(row, marginal,
                                                                         strict=True))
                               for row in p]))  # fmt: skip
    assert inception_score(p) == pytest.approx(expected, rel=1e-9)
    # One confident class per image, evenly spread: the number of classes; all alike: 1.
    assert inception_score(np.eye(4)[np.arange(40) % 4]) == pytest.approx(4, rel=1e-6)
    assert inception_score(np.full((10, 4), 0.25)) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="probabilities"):
        inception_score(np.ones((3, 4)))


def test_the_time_only_baseline_names_a_block_designs_classes_and_nothing_else():
    # Two subjects, four classes shown in blocks of five; every other segment held out.
    labels = np.tile(np.repeat(np.arange(4), 5), 2)
    subjects = np.repeat([1, 2], 20)
    positions = np.tile(np.arange(20), 2)
    train, test = np.arange(0, 40, 2), np.arange(1, 40, 2)
    blocked = time_only_baseline(positions, subjects, labels, train=train, test=test)
    assert blocked["accuracy"]["chance"] == 0.25
    # Wrong only where the nearest earlier training segment is the previous block's: the
    # first segment of a block after an odd-length one (positions 5 and 15 of each subject).
    wrong = np.isin(positions[test], [5, 15]) & (labels[test] != labels[test - 1])
    assert blocked["accuracy"]["mean"] == pytest.approx(1 - wrong.mean())
    # Interleaved classes: position says nothing.
    mixed = time_only_baseline(positions, subjects, np.tile(np.arange(4), 10), train=train,
                               test=test)  # fmt: skip
    assert mixed["accuracy"]["mean"] == 0.0
    with pytest.raises(ValueError, match="Subject 2 has no training segment"):
        time_only_baseline(positions, subjects, labels, train=train[:10], test=test)


def test_reconstructions_are_scored_beside_their_chance_levels():
    rng = np.random.default_rng(1)
    seen = rng.integers(0, 256, (12, 16, 16, 3), dtype=np.uint8)
    labels = np.arange(12) % 6

    def classify(images):
        # A stand-in classifier: the class is the image's mean red value binned into six.
        red = images[..., 0].mean(axis=(1, 2, 3))
        out = np.full((len(images), 1, 6), 1e-3)
        out[np.arange(len(images)), 0, np.digitize(red, np.linspace(0, 255, 7)[1:-1])] = 1
        return out / out.sum(axis=-1, keepdims=True)

    seen[..., 0] = (labels[:, None, None] * 42 + 20).astype(np.uint8)
    perfect = evaluate_images(seen, seen, labels, classify=classify, n_ways=(2,))
    assert perfect["accuracy"]["mean"] == 1.0 and perfect["accuracy"]["chance"] == 1 / 6
    assert perfect["ssim"]["mean"] == pytest.approx(1.0)
    assert perfect["ssim"]["chance"] < 0.5
    assert perfect["2way"]["mean"] == 1.0 and perfect["2way"]["chance"] == 0.75
    assert perfect["inception_score"]["mean"] == pytest.approx(6, rel=0.05)
    shuffled = evaluate_images(np.roll(seen, 1, axis=0), seen, labels, classify=classify,
                               n_ways=(2,))  # fmt: skip
    assert shuffled["accuracy"]["mean"] == 0.0
