"""EEG + face late fusion for binary valence and arousal on DEAP, evaluated subject-wise.

Per trial there is an EEG feature vector (differential entropy per channel, and band) and a
face embedding (the frozen encoder's CLS, averaged over the trial's face crops). Three models
are trained per target and fold, each on the training subjects with its epoch chosen by the
validation subjects' macro-F1, and scored once on the test subjects:

- EEG only: :class:`~eegdecode.models.MLPNet` (→ 256 → 128 → 2) on the standardised DE;
- face only: :class:`~eegdecode.models.FaceEmotionHeads` on the standardised embedding;
- fusion: the same MLP on [the face model's L2-normalised projection, the standardised DE].

All scalers are fitted on the training subjects. Protocols:

- ``subject_wise`` (the default): fixed train / validation / test subject lists (the
  original's face split, 15 / 3 / 4 of s01–s22);
- ``subject_folds``: :func:`~eegdecode.training.mental_state.protocol_folds` over subject
  groups, each group the test subjects once;
- ``original_identical_splits``: the original fusion script's protocol, every trial in train,
  validation and test at once, so its score is a training score; reported only as a labelled
  parity row.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._logging import logger
from .._validation import check_option
from ..evaluation.classification import chance_levels, classification_scores, confusion_matrix
from .scaling import Standardizer

FUSION_TARGETS = ("valence", "arousal")
FUSION_PROTOCOLS = ("subject_wise", "subject_folds", "original_identical_splits")
LEAKY_FUSION_PROTOCOLS = ("original_identical_splits",)
FUSION_MODELS = ("eeg", "face", "fusion", "majority")
SCORES = ("accuracy", "macro_f1", "balanced_accuracy")


@dataclass(frozen=True)
class FusionTrials:
    """Every trial with a face, of every participant, with both modalities' features.

    Attributes
    ----------
    subjects : ndarray of int, (n,)
    trials : ndarray of int, (n,)
        Trial numbers (presentation order; the face video's number).
    eeg : ndarray of float32, (n, n_eeg_features)
    face : ndarray of float32, (n, n_face_features)
    ratings : dict of str to ndarray, (n,)
        ``valence`` and ``arousal`` (1–9), from the EEG file's ``labels`` row of the trial.
    dropped : list of (int, int)
        (subject, trial) of the trials without a detected face, left out.
    """

    subjects: np.ndarray
    trials: np.ndarray
    eeg: np.ndarray
    face: np.ndarray
    ratings: dict[str, np.ndarray]
    dropped: list[tuple[int, int]]


def match_trials(
    subject: int,
    participant,
    eeg: np.ndarray,
    labels: np.ndarray,
    face: np.ndarray,
    has_face: np.ndarray,
) -> dict:
    """One participant's EEG rows (video order) matched to its face trials (trial order).

    Parameters
    ----------
    subject : int
    participant : ParticipantTrials
        Its rows of ``participant_ratings.csv``, which say which video each trial showed.
    eeg : ndarray, (n_videos, ...)
        Features of each ``sNN.mat`` row (video order).
    labels : ndarray, (n_videos, 4)
        ``labels`` of ``sNN.mat``.
    face, has_face : ndarray, (n_trials, n_features) and (n_trials,)
        Face embeddings by trial number (row k: trial k + 1).

    Returns
    -------
    dict with ``trials``, ``eeg``, ``face``, ``valence``, ``arousal`` of the trials with a
    face, and ``dropped``, the trial numbers without one.
    """
    from ..datasets.deap import eeg_row_of_trial

    n_trials = len(participant.trials)
    if len(face) != n_trials or len(eeg) != n_trials:
        raise ValueError(
            f"Participant {subject}: the ratings list {n_trials} trials, the face features "
            f"{len(face)} and the EEG {len(eeg)}."
        )
    kept = [int(t) for t in participant.trials if has_face[t - 1]]
    rows = [eeg_row_of_trial(participant, t) for t in kept]
    ratings = trial_ratings(participant, labels)
    return {
        "trials": np.asarray(kept, dtype=int),
        "eeg": eeg[rows].reshape(len(rows), -1),
        "face": face[[t - 1 for t in kept]],
        **{target: ratings[target][[t - 1 for t in kept]] for target in FUSION_TARGETS},
        "dropped": [int(t) for t in participant.trials if not has_face[t - 1]],
    }


def trial_ratings(participant, labels: np.ndarray) -> dict[str, np.ndarray]:
    """``valence`` and ``arousal`` (1–9) of each trial by trial number (row k: trial k + 1),
    from the ``labels`` of ``sNN.mat`` (video order) through the participant's ratings rows."""
    from ..datasets.deap import eeg_row_of_trial

    rows = [eeg_row_of_trial(participant, t) for t in range(1, len(participant.trials) + 1)]
    return {target: labels[rows, column] for column, target in enumerate(FUSION_TARGETS)}


def read_trial_labels(
    ratings_file: str | Path,
    eeg_files: Mapping[int, str | Path],
    *,
    target: str,
    high_rating_at_least: float = 5.0,
) -> dict[int, np.ndarray]:
    """Each participant's binary ``target`` (1: high) by trial number, from the ratings file
    and the labels that its EEG-feature artifact carries over from ``sNN.mat``."""
    from ..artifacts import read_array
    from ..datasets.deap import read_participant_ratings

    check_option("target", target, FUSION_TARGETS)
    participants = read_participant_ratings(ratings_file)
    labels = {}
    for subject, path in eeg_files.items():
        if subject not in participants:
            raise ValueError(f"{ratings_file} has no rows for participant {subject}.")
        rows = read_array(path, "labels", axes=("video", "rating")).data
        if len(rows) != len(participants[subject].trials):
            raise ValueError(
                f"{path} holds {len(rows)} videos of participant {subject}, {ratings_file} "
                f"lists {len(participants[subject].trials)} trials."
            )
        rating = trial_ratings(participants[subject], rows)[target]
        labels[subject] = (rating >= high_rating_at_least).astype(np.int64)
    return labels


def assemble_fusion_trials(matched: Mapping[int, dict]) -> FusionTrials:
    """:func:`match_trials` of every participant, as one :class:`FusionTrials`."""
    subjects = sorted(matched)
    parts = [matched[s] for s in subjects]
    return FusionTrials(
        subjects=np.concatenate([np.full(len(p["trials"]), s)
                                 for s, p in zip(subjects, parts, strict=True)]),
        trials=np.concatenate([p["trials"] for p in parts]),
        eeg=np.concatenate([p["eeg"] for p in parts]).astype(np.float32),
        face=np.concatenate([p["face"] for p in parts]).astype(np.float32),
        ratings={t: np.concatenate([p[t] for p in parts]) for t in FUSION_TARGETS},
        dropped=[(s, t) for s, p in zip(subjects, parts, strict=True) for t in p["dropped"]],
    )  # fmt: skip


def oversample_minority(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``labels`` with every class drawn up to the largest class's count."""
    classes, counts = np.unique(labels, return_counts=True)
    index = [np.flatnonzero(labels == c) for c in classes]
    extra = [rng.choice(i, counts.max() - len(i)) for i in index]
    return np.concatenate(index + extra)


def _fit(model, inputs, labels, train, validation, training, oversample, seed):
    """``model`` trained on rows ``train`` (minority-oversampled), selected on ``validation``."""
    import torch

    from .loop import TrainConfig, fit

    if oversample:
        train = train[oversample_minority(labels[train], np.random.default_rng(seed))]

    def split(index):
        return torch.from_numpy(inputs[index]), torch.from_numpy(labels[index]).long()

    config = TrainConfig.from_dict({"monitor": "val_macro_f1", **training, "seed": seed})
    return fit(model, split(train), split(validation), loss="cross_entropy", config=config)


def _scores(truth: np.ndarray, predicted: np.ndarray) -> dict:
    confusion = confusion_matrix(truth, predicted, 2)
    return {**classification_scores(confusion), "confusion": confusion.tolist()}


def fusion_fold(
    trials: FusionTrials,
    labels: np.ndarray,
    sides: Mapping[str, np.ndarray],
    *,
    face_model: Mapping,
    eeg_model: Mapping,
    fusion_model: Mapping,
    oversample: bool = True,
    standardize_projection: bool = True,
    seed: int = 0,
) -> dict:
    """Train the three models on ``sides['train']``, select on ``'validation'``, score
    ``'test'`` (row indices into ``trials``); with the majority class of the training rows.

    ``face_model``, ``eeg_model`` and ``fusion_model`` each hold ``config`` (the model's
    fields other than its input width and classes) and ``training``
    (:class:`~eegdecode.training.loop.TrainConfig` fields). ``standardize_projection``
    standardises the face projection with the training rows' statistics before fusion, as
    the EEG features are (the original concatenates the L2-normalised projection as it is,
    whose 256 values of about ±1/16 sit beside EEG features of unit variance).
    """
    import torch

    from ..models import FaceEmotionHeads, FaceEmotionHeadsConfig, MLPNet, MLPNetConfig

    train, validation, test = (np.asarray(sides[k]) for k in ("train", "validation", "test"))
    eeg = Standardizer.fit(trials.eeg[train]).transform(trials.eeg)
    face = Standardizer.fit(trials.face[train]).transform(trials.face)
    truth = labels[test]
    results = {}

    def run(name, build, inputs, settings, offset):
        # Each model's initial weights, batches and dropout come from its own seed.
        torch.manual_seed(seed + offset)
        model = build(inputs.shape[1])
        fitted = _fit(model, inputs, labels, train, validation, settings["training"],
                      oversample, seed + offset)  # fmt: skip
        with torch.inference_mode():
            predicted = fitted.model.eval()(torch.from_numpy(inputs[test])).argmax(1).numpy()
        results[name] = {**_scores(truth, predicted), "best_epoch": fitted.best_epoch}
        return fitted.model

    def mlp(settings):
        return lambda width: MLPNet(MLPNetConfig(n_inputs=width, n_outputs=2,
                                                 **settings["config"]))  # fmt: skip

    run("eeg", mlp(eeg_model), eeg, eeg_model, 1)
    heads = run("face", lambda width: FaceEmotionHeads(FaceEmotionHeadsConfig.from_dict(
        {**face_model["config"], "in_features": width})), face, face_model, 2)  # fmt: skip
    with torch.inference_mode():
        projected = heads.eval().project(torch.from_numpy(face)).numpy()
    if standardize_projection:
        projected = Standardizer.fit(projected[train]).transform(projected)
    joint = np.concatenate([projected, eeg], axis=1).astype(np.float32)
    run("fusion", mlp(fusion_model), joint, fusion_model, 3)
    majority = np.bincount(labels[train], minlength=2).argmax()
    results["majority"] = _scores(truth, np.full(len(test), majority))
    return results


def protocol_sides(
    trials: FusionTrials,
    protocol: str,
    *,
    split: Mapping[str, Sequence[int]] | None = None,
    n_folds: int | None = None,
) -> list[dict]:
    """Per fold, the row indices and subjects of train, validation and test."""
    check_option("protocol", protocol, FUSION_PROTOCOLS)
    everyone = np.arange(len(trials.subjects))
    if protocol == "original_identical_splits":
        subjects = sorted(set(trials.subjects.tolist()))
        return [{"rows": {k: everyone for k in ("train", "validation", "test")},
                 "subjects": {k: subjects for k in ("train", "validation", "test")}}]  # fmt: skip
    if protocol == "subject_folds":
        from .mental_state import SegmentSet, protocol_folds

        segments = SegmentSet(trials.eeg, np.zeros(len(everyone), int), trials.subjects,
                              trials.trials, ("a", "b"), ("feature",))  # fmt: skip
        folds = protocol_folds(segments, "subject_wise", n_folds)
        return [{"rows": {"train": f.train, "validation": f.validation, "test": f.test},
                 "subjects": f.subjects} for f in folds]  # fmt: skip
    present = set(trials.subjects.tolist())
    sides = {k: [int(s) for s in split[k]] for k in ("train", "validation", "test")}
    for side, subjects in sides.items():
        if not subjects or not set(subjects) <= present:
            raise ValueError(
                f"fusion.evaluation.split.{side} must list participants with face trials "
                f"({sorted(present)}); got {subjects}."
            )
    if len(set().union(*map(set, sides.values()))) != sum(map(len, sides.values())):
        raise ValueError(f"fusion.evaluation.split puts a participant on two sides: {sides}.")
    rows = {k: np.flatnonzero(np.isin(trials.subjects, v)) for k, v in sides.items()}
    return [{"rows": rows, "subjects": sides}]


def evaluate_fusion(
    trials: FusionTrials,
    *,
    target: str,
    protocol: str,
    high_rating_at_least: float = 5.0,
    split: Mapping[str, Sequence[int]] | None = None,
    n_folds: int | None = None,
    seed: int = 0,
    **models,
) -> dict:
    """EEG only, face only, fusion and the majority class on each fold of ``protocol``.

    Parameters
    ----------
    trials : FusionTrials
    target : 'valence' | 'arousal'
        High from ``high_rating_at_least`` on (5: the spec's ≥ 5; torcheeg's ``> 5`` is 5.01).
    protocol, split, n_folds
        See :func:`protocol_sides`.
    seed : int
    **models
        ``face_model``, ``eeg_model``, ``fusion_model``, ``oversample`` and
        ``standardize_projection`` of :func:`fusion_fold`.

    Returns
    -------
    metrics : dict
        Per fold the subjects, sizes and each model's scores and confusion; each model's
        mean and std over folds; chance levels of the test trials; ``leaky`` for the parity
        protocol; the dropped (faceless) trials.
    """
    check_option("target", target, FUSION_TARGETS)
    labels = (trials.ratings[target] >= high_rating_at_least).astype(np.int64)
    folds, tested = [], []
    for number, fold in enumerate(protocol_sides(trials, protocol, split=split, n_folds=n_folds),
                                  start=1):  # fmt: skip
        rows = fold["rows"]
        scores = fusion_fold(trials, labels, rows, seed=seed + 10 * number, **models)
        logger.info("%s %s fold %d: %s", target, protocol, number,
                    {m: round(s["macro_f1"], 3) for m, s in scores.items()})  # fmt: skip
        sizes = {k: len(v) for k, v in rows.items()}
        folds.append({"fold": number, "subjects": fold["subjects"], "n_trials": sizes,
                      "models": scores})  # fmt: skip
        tested.append(labels[rows["test"]])
    summary = {
        model: {
            statistic: {name: float(function([f["models"][model][name] for f in folds]))
                        for name in SCORES}
            for statistic, function in (("mean", np.mean), ("std", np.std))
        }
        for model in FUSION_MODELS
    }  # fmt: skip
    return {
        "target": target,
        "protocol": protocol,
        "leaky": protocol in LEAKY_FUSION_PROTOCOLS,
        "high_rating_at_least": high_rating_at_least,
        "folds": folds,
        "summary": summary,
        "chance": chance_levels(np.concatenate(tested), 2),
        "dropped_trials": [list(pair) for pair in trials.dropped],
    }


def fusion_summary_rows(metrics: Sequence[dict]) -> list[dict]:
    """One row per dataset, target, protocol and model of :func:`evaluate_fusion` outputs
    (with ``dataset`` added)."""
    return [
        {
            "dataset": m["dataset"], "target": m["target"], "protocol": m["protocol"],
            "leaky": m["leaky"], "model": model, "n_folds": len(m["folds"]),
            "n_test_trials": sum(f["n_trials"]["test"] for f in m["folds"]),
            **{f"{name}_{statistic}": round(m["summary"][model][statistic][name], 4)
               for name in SCORES for statistic in ("mean", "std")},
            "chance_uniform": m["chance"]["uniform"],
            "chance_majority": round(m["chance"]["majority"], 4),
        }
        for m in metrics
        for model in FUSION_MODELS
    ]  # fmt: skip


def read_fusion_inputs(
    ratings_file: str | Path,
    eeg_files: Mapping[int, str | Path],
    face_files: Mapping[int, str | Path],
) -> FusionTrials:
    """The participants' EEG-feature and face-embedding artifacts, matched through the ratings."""
    from ..artifacts import read_array
    from ..datasets.deap import read_participant_ratings

    participants = read_participant_ratings(ratings_file)
    matched = {}
    for subject in sorted(eeg_files):
        if subject not in participants:
            raise ValueError(f"{ratings_file} has no rows for participant {subject}.")
        de = read_array(eeg_files[subject], "de")
        labels = read_array(eeg_files[subject], "labels", axes=("video", "rating")).data
        face = read_array(face_files[subject], "embedding", axes=("trial", "feature")).data
        has_face = read_array(face_files[subject], "has_face", axes=("trial",)).data.astype(bool)
        listed = participants[subject].trials
        if len(listed) != len(face):
            raise ValueError(
                f"{ratings_file} lists trials {listed.min()}–{listed.max()} of participant "
                f"{subject}, but its face videos are trials 1–{len(face)} "
                f"({face_files[subject]}): the ratings must cover every video."
            )
        if len(de.data) != len(listed):
            raise ValueError(
                f"{eeg_files[subject]} holds {len(de.data)} videos of participant {subject}, "
                f"{ratings_file} lists {len(listed)} trials."
            )
        matched[subject] = match_trials(subject, participants[subject], de.data, labels,
                                        face, has_face)  # fmt: skip
    return assemble_fusion_trials(matched)
