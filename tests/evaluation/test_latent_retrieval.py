import h5py
import numpy as np
import pytest

from eegdecode.artifacts import LATENT_AXES, AxisArray, write_artifact
from eegdecode.evaluation.latents import PREDICTION_AXES, evaluate_latent_retrieval

N_BLOCKS, N_CONCEPTS, N_REPS, SHAPE = 3, 4, 2, (2, 1, 2, 3)


def _blocks(tmp_path, rng, patterns):
    """Per block, clips = their concept's pattern + noise, in a shuffled presentation order."""
    paths, labels = [], []
    for block in range(1, N_BLOCKS + 1):
        order = rng.permutation(N_CONCEPTS) + 1
        clips = np.repeat(patterns[order - 1], N_REPS, axis=0)
        clips = clips + 0.3 * rng.standard_normal(clips.shape)
        paths.append(write_artifact(tmp_path / f"block{block}.h5", {
            "latents": AxisArray(clips.astype(np.float32), LATENT_AXES),
            "concept_labels": AxisArray(order, ("concept",)),
        }, producer="test"))  # fmt: skip
        labels.append(order)
    return paths, labels


def _predictions(path, values, test_block=3, train_blocks=(1, 2)):
    return write_artifact(path, {
        "latents": AxisArray(values.astype(np.float32), PREDICTION_AXES),
        "concept_ids": AxisArray(np.arange(1, N_CONCEPTS + 1), ("class",)),
    }, producer="test", attrs={"test_block": test_block,
                               "train_blocks": list(train_blocks)})  # fmt: skip


def test_retrieval_against_correlations_computed_clip_by_clip(tmp_path):
    rng = np.random.default_rng(0)
    patterns = rng.standard_normal((N_CONCEPTS, *SHAPE))
    paths, labels = _blocks(tmp_path, rng, patterns)
    # Class c's predictions: a noisy copy of concept c's pattern, except class 0, which is
    # given concept 3's.
    predicted = np.repeat(patterns[:, None], N_REPS, axis=1)
    predicted[0] = patterns[3]
    predicted = predicted + 0.5 * rng.standard_normal(predicted.shape)
    report = evaluate_latent_retrieval(_predictions(tmp_path / "p.h5", predicted), paths,
                                       subject=1)  # fmt: skip
    # The reference: concept means of blocks 1 and 2 clip by clip, then np.corrcoef.
    means = np.zeros((N_CONCEPTS, *SHAPE))
    for path_labels, path in zip(labels[:2], paths[:2], strict=True):
        with h5py.File(path) as file:
            clips = file["latents"][()]
        for slot, concept in enumerate(path_labels):
            means[concept - 1] += clips[slot * N_REPS : (slot + 1) * N_REPS].sum(0) / (2 * N_REPS)
    expected = []
    for concept in range(N_CONCEPTS):
        for rep in range(N_REPS):
            r = [np.corrcoef(predicted[concept, rep].ravel(), m.ravel())[0, 1] for m in means]
            expected.append(float(np.argmax(r) == concept))
    metric = report["metrics"]["latent_4way"]
    assert metric["per_clip"] == expected
    assert metric["per_clip"][:2] == [0.0, 0.0] and metric["mean"] == pytest.approx(0.75)
    assert metric["chance"] == 0.25
    assert (report["mode"], report["test_block"], report["n_clips"]) == ("seq2seq_latents", 3, 8)


def test_retrieval_refuses_latents_that_do_not_fit(tmp_path):
    rng = np.random.default_rng(1)
    paths, _ = _blocks(tmp_path, rng, rng.standard_normal((N_CONCEPTS, *SHAPE)))
    other = rng.standard_normal((N_CONCEPTS, N_REPS, 2, 1, 2, 2))
    with pytest.raises(ValueError, match=r"block1\.h5 holds 8 latent clips of \(2, 1, 2, 3\)"):
        evaluate_latent_retrieval(_predictions(tmp_path / "p.h5", other), paths, subject=1)
    good = rng.standard_normal((N_CONCEPTS, N_REPS, *SHAPE))
    with pytest.raises(ValueError, match=r"training blocks \[1, 3\] and test block 3"):
        evaluate_latent_retrieval(
            _predictions(tmp_path / "q.h5", good, train_blocks=(1, 3)), paths, subject=1
        )
