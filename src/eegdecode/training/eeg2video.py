"""Per-subject training stages of the EEG→video path, one entry point per workflow rule.

Every stage trains on the blocks other than the test block (config key ``split.test_block``),
keeps the block just before the test block for validation when it selects a model, fits
normalisation on the training blocks only, and stores model and statistics together in one
:class:`~eegdecode.training.trained.TrainedModel` folder, so predictions can be made again
from the folder alone. Each entry point takes the arrays its rule reads and the stage's config
block (``settings``); it builds the labels or targets, the network and its split, trains, and
predicts the test block. :func:`save_stage` writes what a rule outputs.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .._logging import logger
from .._validation import check_option
from ..artifacts import LATENT_AXES, WINDOW_AXES
from ..datasets.tasks import eegvp_labels
from ..models import (
    FrameClassifier,
    FrameClassifierConfig,
    GLFNetMLP,
    GLFNetMLPConfig,
    GLMNet,
    GLMNetConfig,
    SemanticPredictor,
    SemanticPredictorConfig,
    Seq2Seq,
    Seq2SeqConfig,
)
from ..splits import BlockSplit
from .loop import TrainConfig, predict
from .predictors import stage_train_config, train_predictor
from .presentation import check_block_files, window_labels, write_test_predictions
from .trained import TrainedModel

# What train_seq2seq reads per clip (config key seq2seq.source): the artifact's dataset, its
# axes, and what the model's encoder then reads (Seq2SeqConfig.source).
SEQ2SEQ_SOURCES = {
    "glmnet_embeddings": ("embeddings", (*WINDOW_AXES[:4], "feature"), "embeddings"),
    "raw_windows": ("eeg", WINDOW_AXES, "raw_windows"),
}
# The Seq2Seq config keys that come from the stage's config block as they are.
SEQ2SEQ_ARCHITECTURE = (
    "d_model",
    "n_heads",
    "encoder_layers",
    "decoder_layers",
    "feedforward",
    "dropout",
    "decoding",
    "official_token_offset",
)


@dataclass
class StageResult:
    """A stage's trained model and, for the stages that predict, its test-block predictions.

    Attributes
    ----------
    trained : TrainedModel
    predictions : dict of str to (ndarray, tuple of str) | None
        Per dataset, values of the test block in presentation order (slot first) and the names
        of their axes after the first (see :func:`write_test_predictions`).
    concept_labels : ndarray of int, shape (n_concepts,) | None
        Concept id at each slot of the test block.
    """

    trained: TrainedModel
    predictions: dict[str, tuple[np.ndarray, tuple[str, ...]]] | None = None
    concept_labels: np.ndarray | None = None


def save_stage(
    result: StageResult,
    *,
    model: str | Path,
    metrics: str | Path | None = None,
    curves: str | Path | None = None,
    predictions: str | Path | None = None,
    title: str = "",
    producer: str = "",
    subject: int | None = None,
    parameters: dict | None = None,
) -> None:
    """Write a stage's model folder, its training record and its test-block predictions.

    Parameters
    ----------
    result : StageResult
    model : str | Path
        The trained-model folder.
    metrics, curves : str | Path | None
        The per-epoch metrics (CSV) and the learning curves (figure), if wanted.
    predictions : str | Path | None
        The test-block predictions, in class order (needs ``result.predictions``).
    title : str
        Title of the learning curves.
    producer : str
        The rule that made the predictions.
    subject : int | None
    parameters : dict | None
        The stage's config, stored with the predictions.
    """
    result.trained.save(model)
    if metrics is not None or curves is not None:
        from ..report import save_training_record

        save_training_record(result.trained.fit, metrics=metrics, figure=curves, title=title)
    if predictions is not None:
        if result.predictions is None:
            raise ValueError(f"No predictions were made to write to {str(predictions)!r}.")
        write_test_predictions(
            predictions,
            result.predictions,
            concept_labels=result.concept_labels,
            split=result.trained.block_split,
            producer=producer,
            subject=int(subject),
            parameters=parameters,
        )


def fit_glmnet(
    raw: np.ndarray,
    de: np.ndarray,
    labels: np.ndarray,
    *,
    n_classes: int,
    local_channels,
    split: BlockSplit,
    train_config: TrainConfig,
    branch_dim: int = 256,
    seed: int = 0,
    workdir: str | Path | None = None,
) -> TrainedModel:
    """Train GLMNet to classify windows, on the training blocks of ``split``.

    Parameters
    ----------
    raw : ndarray, shape (n_blocks, n_concepts, n_reps, n_windows, n_channels, n_times)
        Raw EEG windows (EEG2Video: 0.5 s), standardised per channel.
    de : ndarray, shape (n_blocks, n_concepts, n_reps, n_windows, n_channels, n_bands)
        DE of the same windows, standardised per feature.
    labels : ndarray of int, shape (n_blocks, n_concepts, n_reps)
        Class of every clip; its windows share it.
    n_classes, local_channels, branch_dim
        See :class:`eegdecode.models.GLMNetConfig`.
    split : BlockSplit
    train_config : TrainConfig
    seed : int
        Seeds the initial weights.
    workdir : str | Path | None
        Checkpoints and ``metrics.csv``; a rerun resumes there.

    Returns
    -------
    trained : TrainedModel
        Scalers ``raw`` and ``de``.
    """
    if raw.shape[:4] != de.shape[:4] or raw.shape[:3] != labels.shape:
        raise ValueError(
            f"raw windows {raw.shape}, DE {de.shape} and labels {labels.shape} must share "
            f"(block, concept, rep[, window])."
        )
    torch.manual_seed(seed)
    config = GLMNetConfig(
        n_chans=raw.shape[-2], n_outputs=n_classes, n_times=raw.shape[-1], n_bands=de.shape[-1],
        local_channels=tuple(local_channels), branch_dim=branch_dim,
    )  # fmt: skip
    trained = train_predictor(
        GLMNet(config), {"raw": raw, "de": de}, window_labels(labels, raw.shape[3]),
        split=split, loss="cross_entropy", train_config=train_config, n_sample_axes=4,
        per_channel=("raw",), workdir=workdir,
    )  # fmt: skip
    logger.info(
        "GLMNet: best %s %.3f at epoch %d",
        train_config.monitor,
        trained.fit.best_score,
        trained.fit.best_epoch,
    )
    return trained


def train_glmnet(
    raw: np.ndarray,
    de: np.ndarray,
    concept_labels: np.ndarray,
    meta_info: Mapping[str, np.ndarray],
    *,
    settings: Mapping,
    test_block: int,
    local_channels: Sequence[int],
    coarse_classes=None,
    fast_threshold: float | str = "median",
    workdir: str | Path | None = None,
) -> StageResult:
    """The ``train_glmnet`` stage: GLMNet on the EEG-VP task ``settings['task']``.

    Parameters
    ----------
    raw, de : ndarray, shape (n_blocks, n_concepts, n_reps, n_windows, n_channels, ...)
        Raw windows and their DE (see :func:`fit_glmnet`).
    concept_labels : ndarray of int, shape (n_blocks, n_concepts)
        Concept id at each presentation slot.
    meta_info : dict of str to ndarray
        SEED-DV's per-clip annotations (see :func:`eegdecode.datasets.tasks.eegvp_labels`).
    settings : dict
        The ``glmnet`` config block: ``task``, ``branch_dim``, ``seed``, ``training``.
    test_block : int
        1-based (``split.test_block``); the block before it validates.
    local_channels : sequence of int
        Occipital channel indices.
    coarse_classes, fast_threshold
        See :func:`eegdecode.datasets.tasks.eegvp_labels`.
    workdir : str | Path | None
        Checkpoints.

    Returns
    -------
    result : StageResult
        The model only; the embeddings come from :func:`glmnet_embeddings`.
    """
    labels, class_names = eegvp_labels(
        settings["task"], concept_labels, meta_info, clips_per_concept=raw.shape[2],
        coarse_classes=coarse_classes, fast_threshold=fast_threshold,
    )  # fmt: skip
    trained = fit_glmnet(
        raw, de, labels, n_classes=len(class_names), local_channels=local_channels,
        split=BlockSplit.make(raw.shape[0], test_block=test_block, validation=True),
        train_config=stage_train_config(settings), branch_dim=settings["branch_dim"],
        seed=settings["seed"], workdir=workdir,
    )  # fmt: skip
    return StageResult(trained)


def glmnet_embeddings(trained: TrainedModel, raw: np.ndarray, de: np.ndarray) -> np.ndarray:
    """The embedding of every window.

    Returns an array of shape (n_blocks, n_concepts, n_reps, n_windows, 2 · branch_dim).
    """
    leading = raw.shape[:4]
    inputs = trained.inputs(raw.reshape(-1, *raw.shape[-2:]), de.reshape(-1, *de.shape[-2:]))
    model = trained.model.eval()
    embed = _Embedder(model)
    return predict(embed, inputs).numpy().reshape(*leading, -1)


class _Embedder(torch.nn.Module):
    """Calls ``embed`` instead of ``forward``, so the shared ``predict`` batches it."""

    def __init__(self, model: GLMNet):
        super().__init__()
        self.model = model

    def forward(self, raw, de):
        return self.model.embed(raw, de)


def caption_targets(
    embeddings: np.ndarray, *, clips_per_concept: int, target: str = "first_clip"
) -> np.ndarray:
    """Per-clip regression targets of the semantic predictor from one block's caption embeddings.

    Parameters
    ----------
    embeddings : ndarray, shape (n_clips, n_tokens, n_features)
        A block's caption embeddings in presentation order (clip ``reps · slot + rep``).
    clips_per_concept : int
    target : 'first_clip' | 'per_clip'
        ``first_clip`` (EEG2Video): every clip of a concept slot learns the embedding of the
        slot's first caption; ``per_clip``: each clip its own caption.

    Returns
    -------
    targets : ndarray, shape (n_concepts, clips_per_concept, n_tokens, n_features)
    """
    check_option("target", target, ("first_clip", "per_clip"))
    if embeddings.shape[0] % clips_per_concept:
        raise ValueError(
            f"{embeddings.shape[0]} caption embeddings do not split into slots of "
            f"{clips_per_concept} clips."
        )
    per_slot = embeddings.reshape(-1, clips_per_concept, *embeddings.shape[1:])
    if target == "first_clip":
        return np.repeat(per_slot[:, :1], clips_per_concept, axis=1)
    return per_slot


def _block_paths(paths, n_blocks: int):
    """The files named in pairing errors: (EEG artifact, per-block files)."""
    if paths is not None:
        return paths
    return "the EEG", [f"block file {block + 1}" for block in range(n_blocks)]


def train_semantic(
    features: np.ndarray,
    concept_labels: np.ndarray,
    text_embeddings: Sequence[np.ndarray],
    *,
    settings: Mapping,
    test_block: int,
    workdir: str | Path | None = None,
    paths: tuple | None = None,
) -> StageResult:
    """The ``train_semantic`` stage: clip features → caption embeddings; predicts the test block.

    Parameters
    ----------
    features : ndarray, shape (n_blocks, n_concepts, n_reps, n_channels, n_bands)
        One feature map per clip.
    concept_labels : ndarray of int, shape (n_blocks, n_concepts)
    text_embeddings : sequence of ndarray, shape (n_clips, n_tokens, n_features)
        One block's caption embeddings each, in presentation order.
    settings : dict
        The ``semantic`` config block: ``target``, ``hidden``, ``seed``, ``training``.
    test_block : int
        1-based; no validation block (the last epoch is kept).
    workdir : str | Path | None
        Checkpoints.
    paths : (path, sequence of path) | None
        The features' file and the per-block files, named in pairing errors.

    Returns
    -------
    result : StageResult
        Predictions ``embeddings`` (rep, token, feature) per slot.
    """
    features_path, block_paths = _block_paths(paths, len(text_embeddings))
    check_block_files(features_path, features.shape[:3], block_paths, text_embeddings)
    targets = np.stack(
        [
            caption_targets(block, clips_per_concept=features.shape[2], target=settings["target"])
            for block in text_embeddings
        ]
    )
    split = BlockSplit.make(features.shape[0], test_block=test_block, validation=False)
    torch.manual_seed(settings["seed"])
    n_tokens, width = targets.shape[-2:]
    model = SemanticPredictor(
        SemanticPredictorConfig(
            n_inputs=int(np.prod(features.shape[-2:])),
            n_tokens=n_tokens,
            embedding_dim=width,
            hidden=tuple(settings["hidden"]),
        )
    )
    trained = train_predictor(
        model, features, targets, split=split, loss="mse",
        train_config=stage_train_config(settings), workdir=workdir,
    )  # fmt: skip
    test = features[split.test].reshape(-1, *features.shape[-2:])
    predicted = trained.predict(test).reshape(*features.shape[1:3], n_tokens, width)
    return StageResult(
        trained,
        {"embeddings": (predicted, ("rep", "token", "feature"))},
        concept_labels[split.test],
    )


def train_dynamic(
    features: np.ndarray,
    concept_labels: np.ndarray,
    meta_info: Mapping[str, np.ndarray],
    *,
    settings: Mapping,
    test_block: int,
    local_channels: Sequence[int],
    fast_threshold: float | str = "median",
    workdir: str | Path | None = None,
) -> StageResult:
    """The ``train_dynamic`` stage: fast/slow from the features of each clip's windows.

    Parameters
    ----------
    features : ndarray, shape (n_blocks, n_concepts, n_reps, n_windows, n_channels, n_bands)
    concept_labels : ndarray of int, shape (n_blocks, n_concepts)
    meta_info : dict of str to ndarray
        With ``optical_flow_score``, which defines fast and slow clips.
    settings : dict
        The ``dynamic`` config block: ``emb_dim``, ``seed``, ``training``.
    test_block : int
        1-based; the block before it validates.
    local_channels : sequence of int
    fast_threshold : float | 'median'
    workdir : str | Path | None

    Returns
    -------
    result : StageResult
        Predictions per slot and rep: ``fast`` (bool), ``probability`` of fast (the mean over
        the clip's windows) and ``true_fast``.
    """
    fast, _ = eegvp_labels(
        "fast_slow", concept_labels, meta_info, clips_per_concept=features.shape[2],
        fast_threshold=fast_threshold,
    )  # fmt: skip
    split = BlockSplit.make(features.shape[0], test_block=test_block, validation=True)
    torch.manual_seed(settings["seed"])
    model = GLFNetMLP(
        GLFNetMLPConfig(
            n_chans=features.shape[-2],
            n_outputs=2,
            n_bands=features.shape[-1],
            local_channels=tuple(local_channels),
            emb_dim=settings["emb_dim"],
        )
    )
    trained = train_predictor(
        model, features, window_labels(fast, features.shape[3]), split=split,
        loss="cross_entropy", n_sample_axes=4, train_config=stage_train_config(settings),
        workdir=workdir,
    )  # fmt: skip
    from scipy.special import softmax

    logits = trained.predict(features[split.test].reshape(-1, *features.shape[-2:]))
    # The probability of "fast", averaged over each clip's windows.
    probability = softmax(logits, axis=1)[:, 1].reshape(*features.shape[1:4]).mean(axis=-1)
    predictions = {
        "fast": (probability >= 0.5, ("rep",)),
        "probability": (probability.astype(np.float32), ("rep",)),
        "true_fast": (fast[split.test].astype(bool), ("rep",)),
    }
    return StageResult(trained, predictions, concept_labels[split.test])


def train_seq2seq(
    source: np.ndarray,
    concept_labels: np.ndarray,
    latents: Sequence[np.ndarray],
    latent_labels: Sequence[np.ndarray] | None = None,
    *,
    settings: Mapping,
    test_block: int,
    workdir: str | Path | None = None,
    paths: tuple | None = None,
) -> StageResult:
    """The ``train_seq2seq`` stage: window tokens → VAE latents; predicts the test block.

    Parameters
    ----------
    source : ndarray, shape (n_blocks, n_concepts, n_reps, n_windows, ...)
        Per window, GLMNet's embedding (``settings['source'] = 'glmnet_embeddings'``, the
        design: ``(..., n_features)``) or the raw EEG (``'raw_windows'``, the official model:
        ``(..., n_channels, n_times)``). Standardised per value with training statistics.
    concept_labels : ndarray of int, shape (n_blocks, n_concepts)
    latents : sequence of ndarray, shape (n_clips, n_frames, latent_channel, height, width)
        One block's VAE latents each, in presentation order.
    latent_labels : sequence of ndarray | None
        The presentation order stored with each block's latents; must match
        ``concept_labels``.
    settings : dict
        The ``seq2seq`` config block: ``source``, ``standardize_targets`` (the latents are
        standardised per value with training statistics, saved with the model and undone for
        the predictions: the design's ``mean_z``/``std_z``), the architecture
        (``SEQ2SEQ_ARCHITECTURE``), ``seed``, ``training``.
    test_block : int
        1-based; no validation block.
    workdir : str | Path | None
    paths : (path, sequence of path) | None
        The source's file and the per-block latent files, named in pairing errors.

    Returns
    -------
    result : StageResult
        Predictions ``latents`` (rep, frame, latent_channel, height, width) per slot, decoded
        without the truth.
    """
    check_option("seq2seq.source", settings["source"], tuple(SEQ2SEQ_SOURCES))
    source_path, block_paths = _block_paths(paths, len(latents))
    check_block_files(
        source_path, source.shape[:3], block_paths, latents,
        concept_labels=None if latent_labels is None else concept_labels,
        block_labels=latent_labels,
    )  # fmt: skip
    frame_shape = latents[0].shape[1:]  # (frame, latent_channel, height, width)
    # (block, clip, frame, ...) in presentation order → (block, slot, rep, frame, values)
    targets = np.stack(latents).reshape(*source.shape[:3], frame_shape[0], -1)
    split = BlockSplit.make(source.shape[0], test_block=test_block, validation=False)
    model_source = SEQ2SEQ_SOURCES[settings["source"]][2]
    shape = (
        {"n_features": source.shape[-1]}
        if model_source == "embeddings"
        else {"n_chans": source.shape[-2], "n_times": source.shape[-1]}
    )
    torch.manual_seed(settings["seed"])
    model = Seq2Seq(
        Seq2SeqConfig(
            n_windows=source.shape[3], n_frames=frame_shape[0], latent_size=targets.shape[-1],
            source=model_source, **shape,
            **{key: settings[key] for key in SEQ2SEQ_ARCHITECTURE},
        )
    )  # fmt: skip
    trained = train_predictor(
        model, source, targets, split=split, loss="mse",
        scale_targets=settings["standardize_targets"], train_config=stage_train_config(settings),
        workdir=workdir,
    )  # fmt: skip
    predicted = trained.predict(source[split.test].reshape(-1, *source.shape[3:]))
    predicted = predicted.reshape(*source.shape[1:3], *frame_shape)
    return StageResult(
        trained,
        {"latents": (predicted, ("rep", *LATENT_AXES[1:]))},
        concept_labels[split.test],
    )


def train_clip_classifier(
    frames: Sequence[np.ndarray],
    concept_labels: Sequence[np.ndarray],
    *,
    settings: Mapping,
    test_block: int,
    workdir: str | Path | None = None,
) -> StageResult:
    """The ``train_clip_classifier`` stage: the demo's frame classifier for the N-way metrics.

    Parameters
    ----------
    frames : sequence of ndarray, shape (n_clips, n_frames, height, width, 3)
        Every block's ground-truth frames, in presentation order.
    concept_labels : sequence of ndarray of int, shape (n_concepts,)
        Every block's presentation order.
    settings : dict
        The ``video_diffusion.classifier`` config block: ``channels``, ``seed``, ``training``.
    test_block : int
        1-based; the block before it validates.
    workdir : str | Path | None

    Returns
    -------
    result : StageResult
        The model only.
    """
    frames, concept_labels = np.stack(frames), np.stack(concept_labels)
    clips_per_concept = frames.shape[1] // concept_labels.shape[1]
    # Every frame of a clip is labelled with the concept of its slot (concept id − 1).
    per_clip = np.repeat(concept_labels - 1, clips_per_concept, axis=1)
    labels = window_labels(per_clip, frames.shape[2])
    torch.manual_seed(settings["seed"])
    model = FrameClassifier(
        FrameClassifierConfig(
            n_outputs=int(concept_labels.max()), channels=tuple(settings["channels"])
        )
    )
    trained = train_predictor(
        model, frames.astype(np.float32), labels, loss="cross_entropy",
        split=BlockSplit.make(len(frames), test_block=test_block, validation=True),
        train_config=stage_train_config(settings), workdir=workdir,
    )  # fmt: skip
    return StageResult(trained)
