"""Fine-tuning the face encoder's last blocks with the face model's heads (``frozen_layers``).

The original's declared face model (spec A.2) trains a CLIP vision tower's later blocks with
its heads, the embeddings and the first ``frozen_layers`` blocks frozen, the backbone at a
tenth of the heads' learning rate. Here that model
(:class:`~eegdecode.models.FaceEmotionClassifier`) is trained per target on the training
subjects' face crops, its epoch chosen by the validation subjects' macro-F1, and its encoder
is kept: every participant's trial embeddings are then taken with it, and the fusion
evaluation runs on them as on the frozen encoder's. The test subjects' crops are never read.
"""

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from .._logging import logger
from .fusion import oversample_minority


def finetune_face_encoder(
    encoder,
    crops_files: Mapping[int, str | Path],
    labels: Mapping[int, np.ndarray],
    *,
    train: Sequence[int],
    validation: Sequence[int],
    frozen_layers: int,
    crops_per_trial: int = 8,
    backbone_lr_scale: float = 0.1,
    heads: Mapping | None = None,
    training: Mapping | None = None,
    oversample: bool = True,
    seed: int = 0,
    workdir: str | Path | None = None,
) -> dict:
    """Train ``encoder``'s blocks after ``frozen_layers`` with the face heads, in place.

    Parameters
    ----------
    encoder : VisionEncoder
        Loaded by :func:`~eegdecode.stimulus.pretrained.load_vision_encoder`; its trained
        weights are those of the epoch with the best validation macro-F1.
    crops_files : mapping of int to path
        Each training and validation participant's ``detect_faces`` artifact.
    labels : mapping of int to ndarray
        Each of those participants' binary labels by trial number
        (:func:`~eegdecode.training.fusion.read_trial_labels`).
    train, validation : sequence of int
        The participants trained on and those that choose the epoch.
    frozen_layers, crops_per_trial, backbone_lr_scale
        See :class:`~eegdecode.models.FaceEmotionClassifier` and
        :func:`~eegdecode.stimulus.faces.trial_crop_inputs`.
    heads : mapping
        :class:`~eegdecode.models.FaceEmotionHeadsConfig` fields other than ``in_features``.
    training : mapping
        :class:`~eegdecode.training.loop.TrainConfig` fields (``monitor`` is the validation
        macro-F1).
    oversample : bool
        Training trials of the minority class drawn again until the classes are even.
    seed : int
    workdir : path, optional
        Where the training loop keeps its resumable checkpoints.

    Returns
    -------
    summary : dict
        The participants on each side, their trials with a face, the frozen layers, the best
        epoch and its validation macro-F1.
    """
    import torch

    from ..artifacts import read_array
    from ..models import FaceEmotionClassifier, FaceEmotionHeads, FaceEmotionHeadsConfig
    from ..stimulus.faces import trial_crop_inputs
    from .loop import TrainConfig, fit

    def side(subjects):
        pixels, weights, targets = [], [], []
        for subject in subjects:
            path = crops_files[subject]
            trial_of_crop = read_array(path, "trial", axes=("crop",)).data
            n_trials = read_array(path, "n_faces", axes=("trial",)).data.size
            if len(labels[subject]) != n_trials:
                raise ValueError(
                    f"{path} holds {n_trials} trials of participant {subject}, its labels "
                    f"{len(labels[subject])}."
                )
            crops = read_array(path, "crops", axes=("crop", "y", "x", "rgb")).data
            x, w = trial_crop_inputs(crops, trial_of_crop, n_trials, encoder,
                                     crops_per_trial=crops_per_trial)  # fmt: skip
            has_face = w.any(axis=1)
            pixels.append(x[has_face])
            weights.append(w[has_face])
            targets.append(labels[subject][has_face])
        return np.concatenate(pixels), np.concatenate(weights), np.concatenate(targets)

    def tensors(pixels, weights, targets, rows=slice(None)):
        return ((torch.from_numpy(pixels[rows]), torch.from_numpy(weights[rows])),
                torch.from_numpy(targets[rows]).long())  # fmt: skip

    train_side, validation_side = side(train), side(validation)
    rows = np.arange(len(train_side[2]))
    if oversample:
        rows = oversample_minority(train_side[2], np.random.default_rng(seed))
    torch.manual_seed(seed)
    model = FaceEmotionClassifier(
        encoder,
        FaceEmotionHeads(FaceEmotionHeadsConfig.from_dict(
            {**(heads or {}), "in_features": encoder.hidden_size})),
        frozen_layers=frozen_layers,
        backbone_lr_scale=backbone_lr_scale,
    )  # fmt: skip
    config = TrainConfig.from_dict({**(training or {}), "monitor": "val_macro_f1", "seed": seed})
    result = fit(model, tensors(*train_side, rows), tensors(*validation_side),
                 loss="cross_entropy", config=config, workdir=workdir)  # fmt: skip
    encoder.model.eval().requires_grad_(False)
    logger.info("face encoder fine-tuned: best epoch %d, validation macro-F1 %.3f",
                result.best_epoch, result.best_score)  # fmt: skip
    return {
        "frozen_layers": frozen_layers,
        "subjects": {"train": list(train), "validation": list(validation)},
        "n_trials": {"train": len(train_side[2]), "validation": len(validation_side[2])},
        "best_epoch": result.best_epoch,
        "validation_macro_f1": result.best_score,
    }
