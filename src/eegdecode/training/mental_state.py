"""Emotion on DREAMER and cognitive load on STEW: labelled segments from the datasets' files,
and their evaluation under a subject-wise protocol (and the original's leaky one, for parity).

A :class:`SegmentSet` holds every segment of a dataset with the subject and trial (clip or
recording) it came from; :func:`cross_validate` trains one fresh model per fold on the shared
training loop and scores the fold's test segments.

- ``subject_wise`` (the default): the subjects are split into ``n_folds`` groups; fold k tests
  on group k, selects its epoch on group k − 1 and trains on the rest
  (:func:`eegdecode.splits.leave_one_block_out` with a block per group). No subject is on two
  sides, and any input statistics are fitted on the training subjects.
- ``segment_random``: eeg-shenanigans' split, a random 70/15/15 of all segments (seed 42), so
  neighbouring seconds of one clip of one subject train and test. It is reported beside the
  honest number, labelled leaky, so the size of the leak shows.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._logging import logger
from .._validation import check_option
from ..artifacts import AxisArray, read_array, read_attrs, write_artifact
from ..evaluation.classification import chance_levels, classification_scores, confusion_matrix
from ..splits import leave_one_block_out
from .scaling import Standardizer

if TYPE_CHECKING:
    from .trained import TrainedModel

EMOTION_CLASSES = ("LVLA", "LVHA", "HVLA", "HVHA")
WORKLOAD_CLASSES = ("rest", "workload")
EMOTION_INPUTS = ("sst", "ccnn")
PROTOCOLS = ("subject_wise", "segment_random")
LEAKY_PROTOCOLS = ("segment_random",)
# eeg-shenanigans' random split: shares of train and validation, and its seed.
SEGMENT_RANDOM_SHARES = (0.70, 0.15)
SEGMENT_RANDOM_SEED = 42
SCORES = ("accuracy", "balanced_accuracy", "macro_f1")
# The config fields of each model that the shape of one segment (its input axes) decides.
_SHAPE_FIELDS = {
    "SSTEmotionNet": lambda shape: {"grid_size": shape[1:]},
    "CCNN": lambda shape: {"in_channels": shape[0], "grid_size": shape[1:]},
    "BiLSTM": lambda shape: {"n_channels": shape[0], "n_scales": shape[1]},
}


@dataclass(frozen=True)
class SegmentSet:
    """Model inputs of every segment of a dataset, with where each came from.

    Attributes
    ----------
    inputs : ndarray of float32, shape (n_segments, ...)
    labels : ndarray of int, shape (n_segments,)
        Index into ``class_names``.
    subjects, trials : ndarray of int, shape (n_segments,)
        The subject, and the clip (DREAMER) or recording (STEW) of that subject.
    class_names : tuple of str
    input_axes : tuple of str
        Names of the axes of one sample.
    """

    inputs: np.ndarray
    labels: np.ndarray
    subjects: np.ndarray
    trials: np.ndarray
    class_names: tuple[str, ...]
    input_axes: tuple[str, ...]

    def save(self, path: str | Path, *, producer: str, attrs: Mapping | None = None) -> Path:
        """One HDF5 artifact: ``inputs`` (segment, ...) and the per-segment ``labels``,
        ``subjects`` and ``trials``."""
        per_segment = {
            name: AxisArray(getattr(self, name), ("segment",))
            for name in ("labels", "subjects", "trials")
        }
        return write_artifact(
            path,
            {"inputs": AxisArray(self.inputs, ("segment", *self.input_axes)), **per_segment},
            producer=producer,
            attrs={**(attrs or {}), "class_names": list(self.class_names)},
        )

    @classmethod
    def load(cls, path: str | Path) -> "SegmentSet":
        """Read what :meth:`save` wrote."""
        inputs = read_array(path, "inputs")
        if inputs.axes[:1] != ("segment",):
            raise ValueError(
                f"{path}: dataset 'inputs' has axes {inputs.axes}; segments are written with "
                f"'segment' first."
            )
        n = inputs.sizes["segment"]
        per_segment = {
            name: read_array(path, name, axes=("segment",), sizes={"segment": n}).data
            for name in ("labels", "subjects", "trials")
        }
        return cls(
            inputs=inputs.data,
            class_names=tuple(read_attrs(path)["class_names"]),
            input_axes=inputs.axes[1:],
            **per_segment,
        )


def emotion_classes(
    valence: np.ndarray, arousal: np.ndarray, *, high_rating_at_least: int
) -> np.ndarray:
    """4 classes of valence × arousal ratings, ``2 · high valence + high arousal``
    (:data:`EMOTION_CLASSES`); a rating counts as high from ``high_rating_at_least`` on."""
    high_valence = np.asarray(valence) >= high_rating_at_least
    high_arousal = np.asarray(arousal) >= high_rating_at_least
    return 2 * high_valence.astype(int) + high_arousal.astype(int)


def dreamer_segments(
    subjects: Sequence,
    *,
    model_input: str,
    sfreq: float,
    chunk_s: float = 1.0,
    n_baseline_chunks: int = 61,
    high_rating_at_least: int = 4,
    grid_positions: str = "torcheeg",
) -> SegmentSet:
    """Every clip of every subject cut into chunks, as SST-EmotionNet's or CCNN's input.

    Parameters
    ----------
    subjects : sequence of DreamerSubject
    model_input : 'sst' | 'ccnn'
        :func:`~eegdecode.signal.emotion.sst_inputs` (36, 16, 16) or
        :func:`~eegdecode.signal.emotion.ccnn_inputs` (4, 9, 9).
    sfreq : float
    chunk_s : float
        Segment length (torcheeg's DREAMER default: 1 s).
    n_baseline_chunks : int
        Baseline chunks averaged into the clip's baseline (61).
    high_rating_at_least : int
        See :func:`emotion_classes`.
    grid_positions : 'torcheeg' | 'montage'
        Where SST-EmotionNet's maps are interpolated from
        (:func:`~eegdecode.signal.emotion.grid_locations`); CCNN's DE sits on torcheeg's cells.
    """
    from functools import partial

    from ..signal.emotion import (
        ccnn_inputs,
        chunk_trial,
        grid_locations,
        mean_baseline,
        sst_inputs,
    )

    check_option("model_input", model_input, EMOTION_INPUTS)
    if model_input == "sst":
        features = partial(sst_inputs, locations=grid_locations(grid_positions))
    else:
        features = ccnn_inputs
    chunk = round(chunk_s * sfreq)
    inputs, labels, subject_of, trial_of = [], [], [], []
    for number, subject in enumerate(subjects, start=1):
        classes = emotion_classes(
            subject.ratings["valence"],
            subject.ratings["arousal"],
            high_rating_at_least=high_rating_at_least,
        )
        for clip, (stimulus, baseline) in enumerate(
            zip(subject.stimuli, subject.baselines, strict=True), start=1
        ):
            chunks = chunk_trial(stimulus, chunk)
            inputs.append(
                features(chunks, mean_baseline(baseline, chunk, n_baseline_chunks), sfreq)
            )
            labels.append(np.full(len(chunks), classes[clip - 1]))
            subject_of.append(np.full(len(chunks), number))
            trial_of.append(np.full(len(chunks), clip))
    axes = ("map", "grid_row", "grid_column")
    return SegmentSet(
        np.concatenate(inputs).astype(np.float32),
        *map(np.concatenate, (labels, subject_of, trial_of)),
        class_names=EMOTION_CLASSES,
        input_axes=axes,
    )


def stew_segments(
    recordings: Mapping[int, Mapping[str, np.ndarray]],
    *,
    sfreq: float,
    channel_index: Sequence[int],
    clip_s: float = 4.0,
    n_scales: int = 64,
) -> SegmentSet:
    """Each recording filtered, cut into clips and turned into CWT spectra.

    Parameters
    ----------
    recordings : dict of int to {'lo': ndarray, 'hi': ndarray}
        Per subject, the rest and test recordings (14, n_times).
    sfreq : float
    channel_index : sequence of int
        The channels the model sees, in its order (rows of the recordings).
    clip_s : float
        Clip length (4 s).
    n_scales : int
        CWT scales (64).
    """
    from ..signal.emotion import chunk_trial
    from ..signal.workload import cwt_spectrum, filter_recording

    inputs, labels, subject_of, trial_of = [], [], [], []
    for subject, conditions in sorted(recordings.items()):
        for label, condition in enumerate(("lo", "hi")):
            filtered = filter_recording(conditions[condition], sfreq)[list(channel_index)]
            spectra = cwt_spectrum(chunk_trial(filtered, round(clip_s * sfreq)), n_scales)
            inputs.append(spectra)
            labels.append(np.full(len(spectra), label))
            subject_of.append(np.full(len(spectra), subject))
            trial_of.append(np.full(len(spectra), label + 1))
    return SegmentSet(
        np.concatenate(inputs),
        *map(np.concatenate, (labels, subject_of, trial_of)),
        class_names=WORKLOAD_CLASSES,
        input_axes=("channel", "scale", "time"),
    )


@dataclass(frozen=True)
class Fold:
    """Segment indices of one fold, and the subjects on each side (empty for a random split)."""

    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray
    subjects: dict[str, list[int]]


def protocol_folds(segments: SegmentSet, protocol: str, n_folds: int | None = None) -> list[Fold]:
    """The folds of ``protocol`` (see the module docstring).

    Parameters
    ----------
    segments : SegmentSet
    protocol : 'subject_wise' | 'segment_random'
    n_folds : int | None
        Subject groups of ``subject_wise`` (at least 3); None: one subject per group.
    """
    check_option("protocol", protocol, PROTOCOLS)
    if protocol == "segment_random":
        order = np.random.default_rng(SEGMENT_RANDOM_SEED).permutation(len(segments.labels))
        n_train, n_validation = (round(share * len(order)) for share in SEGMENT_RANDOM_SHARES)
        train, validation = order[:n_train], order[n_train : n_train + n_validation]
        return [Fold(train, validation, order[n_train + n_validation :], {})]
    subjects = np.unique(segments.subjects)
    n_folds = len(subjects) if n_folds is None else n_folds
    if not 3 <= n_folds <= len(subjects):
        raise ValueError(
            f"A subject-wise protocol needs 3 to {len(subjects)} folds (one per group of "
            f"subjects: training, validation and test), got {n_folds}."
        )
    groups = np.array_split(subjects, n_folds)
    folds = []
    for split in leave_one_block_out(n_folds):
        sides = {
            "train": np.concatenate([groups[g] for g in split.train]),
            "validation": groups[split.validation],
            "test": groups[split.test],
        }
        index = {side: np.flatnonzero(np.isin(segments.subjects, s)) for side, s in sides.items()}
        folds.append(Fold(**index, subjects={k: v.tolist() for k, v in sides.items()}))
    return folds


def _summary(folds: list[dict]) -> dict:
    return {
        "mean": {name: float(np.mean([f[name] for f in folds])) for name in SCORES},
        "std": {name: float(np.std([f[name] for f in folds])) for name in SCORES},
    }


def train_on(
    segments: SegmentSet,
    train: np.ndarray,
    validation: np.ndarray,
    *,
    model_name: str,
    model_config: Mapping,
    training: Mapping,
    standardize: bool = False,
    seed: int = 0,
    workdir: str | Path | None = None,
) -> "TrainedModel":
    """One model trained on the ``train`` segments, its epoch chosen on ``validation``.

    Parameters
    ----------
    segments : SegmentSet
    train, validation : ndarray of int
        Segment indices.
    model_name : str
        A class of :data:`eegdecode.models.MODEL_CLASSES`.
    model_config : dict
        Its config fields; the number of classes and the fields the segments' shape decides
        (channels, scales, grid size) are taken from the segments.
    training : dict
        :class:`~eegdecode.training.loop.TrainConfig` fields.
    standardize : bool
        Standardise every input feature with statistics of the training segments (CCNN's DE
        maps); the SST and CWT inputs are already normalised per segment.
    seed : int
        Seeds the initial weights.
    workdir : str | Path | None
        Where the resumable checkpoints go.

    Returns
    -------
    trained : TrainedModel
        Its one scaler, ``"inputs"``, is the training segments' standardisation (or None).
    """
    import torch

    from ..models import MODEL_CLASSES
    from .loop import TrainConfig, fit
    from .trained import TrainedModel

    if model_name not in MODEL_CLASSES:
        raise ValueError(f"Unknown model {model_name!r}; known models are {sorted(MODEL_CLASSES)}.")
    model_class = MODEL_CLASSES[model_name]
    shape = tuple(segments.inputs.shape[1:])
    fields = {**model_config, **_SHAPE_FIELDS[model_name](shape)}
    scaler = Standardizer.fit(segments.inputs[train]) if standardize else None
    # The folder's own transform prepares the training inputs, so that training and any later
    # prediction (a fold's test subjects, live data) standardise alike.
    trained = TrainedModel(model=None, scalers={"inputs": scaler})

    def split(index):
        inputs = torch.from_numpy(trained.transform("inputs", segments.inputs[index]))
        return inputs, torch.from_numpy(segments.labels[index]).long()

    torch.manual_seed(seed)
    model = model_class(model_class.config_class(**fields, num_classes=len(segments.class_names)))
    trained.fit = fit(model, split(train), split(validation), loss="cross_entropy",
                      config=TrainConfig.from_dict(dict(training)), workdir=workdir)  # fmt: skip
    trained.model = trained.fit.model
    return trained


def cross_validate(
    segments: SegmentSet,
    *,
    protocol: str,
    n_folds: int | None = None,
    seed: int = 0,
    workdir: str | Path | None = None,
    **model: Any,
) -> dict:
    """Train and test one model per fold of ``protocol``.

    Parameters
    ----------
    segments : SegmentSet
    protocol, n_folds
        See :func:`protocol_folds`.
    seed : int
        Seeds each fold's initial weights (``seed + fold``).
    workdir : str | Path | None
        Checkpoints go to ``<workdir>/fold<k>``, so an interrupted run resumes.
    **model
        ``model_name``, ``model_config``, ``training`` and ``standardize`` of
        :func:`train_on`.

    Returns
    -------
    metrics : dict
        Per fold the subjects, the sizes, accuracy, balanced accuracy, macro-F1, the confusion
        matrix (rows: true class) and the best epoch; their mean and std over folds; the
        uniform and majority-class chance of all test segments; ``leaky`` for a protocol that
        puts one subject's segments on both sides.
    """
    n_classes = len(segments.class_names)
    sides = ("train", "validation", "test")
    results, tested = [], []
    for number, fold in enumerate(protocol_folds(segments, protocol, n_folds), start=1):
        trained = train_on(segments, fold.train, fold.validation, seed=seed + number,
                           workdir=None if workdir is None else Path(workdir) / f"fold{number}",
                           **model)  # fmt: skip
        truth = segments.labels[fold.test]
        predicted = trained.predict(segments.inputs[fold.test]).argmax(axis=1)
        confusion = confusion_matrix(truth, predicted, n_classes)
        scores = classification_scores(confusion)
        logger.info("%s %s fold %d: %s", model["model_name"], protocol, number, scores)
        results.append({
            "fold": number,
            "subjects": fold.subjects,
            "n_segments": {side: len(getattr(fold, side)) for side in sides},
            **scores,
            "confusion": confusion.tolist(),
            "best_epoch": trained.fit.best_epoch,
        })  # fmt: skip
        tested.append(truth)
    return {
        "architecture": model["model_name"],
        "protocol": protocol,
        "leaky": protocol in LEAKY_PROTOCOLS,
        "class_names": list(segments.class_names),
        "folds": results,
        **_summary(results),
        "chance": chance_levels(np.concatenate(tested), n_classes),
    }


def train_deployed_model(
    segments: SegmentSet,
    *,
    features: Mapping,
    n_folds: int | None = None,
    seed: int = 0,
    workdir: str | Path | None = None,
    **model: Any,
) -> "TrainedModel":
    """The model that runs live: trained on every subject but the last group of the
    subject-wise protocol, which chooses the epoch.

    Parameters
    ----------
    segments : SegmentSet
    features : dict
        How live data must be prepared for it (rate, channels, clip length, scales), saved
        with the model.
    n_folds : int | None
        As in :func:`protocol_folds`: the validation subjects are its last group.
    seed, workdir, **model
        As in :func:`train_on`.
    """
    subjects = np.unique(segments.subjects)
    validation_subjects = np.array_split(subjects, len(subjects) if n_folds is None else n_folds)[
        -1
    ]
    validation = np.isin(segments.subjects, validation_subjects)
    trained = train_on(segments, np.flatnonzero(~validation), np.flatnonzero(validation),
                       seed=seed, workdir=workdir, **model)  # fmt: skip
    trained.split = {
        "train_subjects": [int(s) for s in subjects if s not in validation_subjects],
        "validation_subjects": validation_subjects.tolist(),
    }
    trained.features = {**features, "class_names": list(segments.class_names)}
    return trained


def summary_row(metrics: dict) -> dict:
    """One line of the summary table: the scores' mean ± std over folds beside chance.

    ``metrics`` is :func:`cross_validate`'s output with the ``dataset`` and ``model`` names
    added (what rule ``evaluate_mental_state`` writes).
    """
    return {
        "dataset": metrics["dataset"],
        "model": metrics["model"],
        "architecture": metrics["architecture"],
        "protocol": metrics["protocol"],
        "leaky": metrics["leaky"],
        "n_folds": len(metrics["folds"]),
        "n_test_segments": sum(fold["n_segments"]["test"] for fold in metrics["folds"]),
        **{
            f"{name}_{statistic}": round(metrics[statistic][name], 4)
            for name in SCORES
            for statistic in ("mean", "std")
        },
        "chance_uniform": round(metrics["chance"]["uniform"], 4),
        "chance_majority": round(metrics["chance"]["majority"], 4),
    }
