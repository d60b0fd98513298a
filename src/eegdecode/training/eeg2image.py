"""The EEG-side stages of NeuroImagen on EEG-ImageNet (spec Part B.3), on the released splits
by image: the triplet-trained EEG encoder ``f_θ`` of the pixel-level branch, the regression of
the EEG onto the caption's CLIP text embedding of the sample-level branch, and the demo's image
classifier. Every model trains on the split's training part, is selected on its validation part
and normalises the EEG per channel with training statistics only.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from .._validation import ensure_positive_int
from ..artifacts import IMAGE_AXES
from ..datasets.eeg_imagenet import EEGImageNet, load_block_splits, load_eeg_imagenet
from ..models import EEGLSTMEncoder, EEGLSTMEncoderConfig, FrameClassifier, FrameClassifierConfig
from .predictors import stage_train_config, train_predictor
from .trained import TrainedModel

#: The parts of a split as this project names them (the release's ``val`` is ``validation``).
PARTS = ("train", "validation", "test")


@dataclass(frozen=True)
class SplitDataset:
    """An EEG-ImageNet file with one of its splits by image.

    Attributes
    ----------
    dataset : EEGImageNet
    parts : dict of str to ndarray of int
        ``train``, ``validation``, ``test``: positions in the dataset's arrays.
    description : dict
        What a trained model folder records of the split: the files, the split's number, and
        the images of each part.
    """

    dataset: EEGImageNet
    parts: dict[str, np.ndarray]
    description: dict

    def split(self) -> dict:
        """The split as :func:`~eegdecode.training.predictors.train_predictor` takes it."""
        return {**self.parts, "description": self.description}

    def image_parts(self) -> dict[str, np.ndarray]:
        """The distinct images of each part, sorted."""
        return {part: np.unique(self.dataset.images[index]) for part, index in self.parts.items()}


def load_split_dataset(
    eeg: str | Path, splits: str | Path, *, split: int = 0, decimate: int = 1
) -> SplitDataset:
    """Read an ``eeg_*_std.pth`` file and split ``split`` of a ``block_splits_by_image_*.pth``.

    Parameters
    ----------
    eeg, splits : str | Path
    split : int
        Which of the file's splits (``eeg2image.split``; the reference uses 0).
    decimate : int
        Keep every ``decimate``-th sample after a zero-phase anti-aliasing filter
        (``scipy.signal.decimate``): 1 keeps the 440 samples at 1 kHz, as the reference; 10
        gives 44 at 100 Hz.

    Returns
    -------
    data : SplitDataset
    """
    dataset = load_eeg_imagenet(eeg)
    decimate = ensure_positive_int(decimate, "eeg2image.decimate")
    if decimate > 1:
        from scipy.signal import decimate as decimated

        samples = decimated(dataset.eeg, decimate, axis=-1, zero_phase=True)
        dataset = replace(dataset, eeg=np.ascontiguousarray(samples, dtype=np.float32))
    released = load_block_splits(splits, dataset, split=split)
    parts = dict(zip(PARTS, (released["train"], released["val"], released["test"]), strict=True))
    for part, index in parts.items():
        if index.size < 2:
            raise ValueError(
                f"{str(splits)!r}: splits[{split}][{part!r}] leaves {index.size} usable "
                f"segment(s); every part needs at least 2."
            )
    names = dataset.image_names
    description = {
        "by": "image",
        "eeg": Path(eeg).name,
        "splits": Path(splits).name,
        "split": int(split),
        "decimate": decimate,
        "images": {
            part: [names[i] for i in np.unique(dataset.images[index])]
            for part, index in parts.items()
        },
    }
    return SplitDataset(dataset, parts, description)


def _eeg_lstm(settings: Mapping, embedding_dim: int | None = None) -> EEGLSTMEncoder:
    torch.manual_seed(settings["seed"])
    model = dict(settings["model"])
    if embedding_dim is not None:
        model["embedding_dim"] = embedding_dim
    return EEGLSTMEncoder(EEGLSTMEncoderConfig(**model))


def train_eeg_encoder(
    data: SplitDataset, *, settings: Mapping, workdir: str | Path | None = None
) -> TrainedModel:
    """Train ``f_θ``, the pixel-level branch's EEG encoder, with the triplet loss.

    Semi-hard online triplet mining in each batch, positives of the anchor's class, margin
    ``settings["training"]["triplet_margin"]`` (β); the epoch with the lowest validation loss
    is kept.

    Parameters
    ----------
    data : SplitDataset
    settings : dict
        ``eeg2image.encoder``: ``model`` (:class:`EEGLSTMEncoderConfig` but ``n_channels``),
        ``seed`` and ``training`` (:class:`~eegdecode.training.TrainConfig`).
    workdir : str | Path | None
        Checkpoints; a rerun on the same data resumes.

    Returns
    -------
    trained : TrainedModel
    """
    return train_predictor(
        _eeg_lstm(settings), data.dataset.eeg, data.dataset.labels.astype(np.int64),
        split=data.split(), loss="triplet", train_config=stage_train_config(settings),
        n_sample_axes=1, per_channel=("inputs",), workdir=workdir,
    )  # fmt: skip


def caption_targets(data: SplitDataset, caption_embeddings: np.ndarray) -> np.ndarray:
    """Each segment's caption embedding (n_segments, tokens, features), by its class."""
    n_classes = len(data.dataset.synsets)
    if caption_embeddings.ndim != 3 or len(caption_embeddings) != n_classes:
        raise ValueError(
            f"Caption embeddings must be (class, token, feature) for the {n_classes} classes "
            f"of {str(data.dataset.path)!r}, got {caption_embeddings.shape}."
        )
    return caption_embeddings[data.dataset.labels].astype(np.float32)


def train_caption_regressor(
    data: SplitDataset,
    caption_embeddings: np.ndarray,
    *,
    settings: Mapping,
    workdir: str | Path | None = None,
) -> TrainedModel:
    """Train the sample-level branch: an EEG encoder whose output, reshaped to (tokens,
    features), regresses the CLIP text embedding of the segment's caption (mean squared error).

    Parameters
    ----------
    data : SplitDataset
    caption_embeddings : ndarray, shape (n_classes, tokens, features)
        The embedding of each class's caption.
    settings : dict
        ``eeg2image.caption_regressor``: ``model`` (the encoder's ``hidden_size`` and
        ``num_layers``), ``standardize_targets``, ``seed``, ``training``.
    workdir : str | Path | None

    Returns
    -------
    trained : TrainedModel
        Predicts flattened embeddings (n, tokens · features); see :func:`predict_captions`.
    """
    targets = caption_targets(data, caption_embeddings)
    model = _eeg_lstm(settings, embedding_dim=int(np.prod(targets.shape[1:])))
    return train_predictor(
        model, data.dataset.eeg, targets.reshape(len(targets), -1), split=data.split(),
        loss="mse", train_config=stage_train_config(settings), n_sample_axes=1,
        scale_targets=settings["standardize_targets"], per_channel=("inputs",), workdir=workdir,
    )  # fmt: skip


def predict_captions(trained: TrainedModel, eeg: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Predicted caption embeddings (n, tokens, features) of segments (n, channels, time)."""
    return trained.predict(eeg).reshape(len(eeg), *shape).astype(np.float32)


def train_image_classifier(
    images: np.ndarray,
    labels: np.ndarray,
    parts: Mapping[str, np.ndarray],
    *,
    settings: Mapping,
    workdir: str | Path | None = None,
) -> TrainedModel:
    """The demo's classifier of seen images for the evaluation's accuracy (a local ImageNet
    classifier plays this role on the real data): the EEG→video path's frame classifier on
    the training images, selected on the validation images.

    Parameters
    ----------
    images : ndarray of uint8, shape (n_images, height, width, 3)
    labels : ndarray of int, shape (n_images,)
    parts : dict
        ``train`` and ``validation`` image indices, and optionally ``description``, recorded
        as the model's split (None without it).
    settings : dict
        ``eeg2image.classifier``: ``channels``, ``seed``, ``training``.
    workdir : str | Path | None
    """
    torch.manual_seed(settings["seed"])
    model = FrameClassifier(
        FrameClassifierConfig(n_outputs=int(labels.max()) + 1, channels=tuple(settings["channels"]))
    )
    return train_predictor(
        model, images.astype(np.float32), labels.astype(np.int64),
        split={"description": None, **parts}, loss="cross_entropy",
        train_config=stage_train_config(settings), n_sample_axes=1, workdir=workdir,
    )  # fmt: skip


# The workflow's stages: each reads the dataset files, trains one model and writes the model's
# folder and the artifact the next stage reads.

#: Axes of the per-segment artifacts (segments in the dataset file's order of kept segments).
SEGMENT_AXES = {
    "embeddings": ("segment", "feature"),
    "saliency": ("segment", "height", "width", "rgb"),
    "captions": ("segment", "token", "feature"),
}


def _segment_arrays(data: SplitDataset) -> dict:
    """What every per-segment artifact carries beside its values: each segment's class,
    image, subject, place in its subject's recording and part of the split (0 train,
    1 validation, 2 test)."""
    from ..artifacts import AxisArray
    from ..datasets.eeg_imagenet import segment_positions

    dataset = data.dataset
    part = np.full(len(dataset.labels), -1, dtype=np.int64)
    for code, name in enumerate(PARTS):
        part[data.parts[name]] = code
    values = {
        "labels": dataset.labels, "images": dataset.images, "subjects": dataset.subjects,
        "positions": segment_positions(dataset), "parts": part,
    }  # fmt: skip
    return {
        name: AxisArray(np.asarray(value, dtype=np.int64), ("segment",),
                        {"parts": list(PARTS)} if name == "parts" else {})
        for name, value in values.items()
    }  # fmt: skip


def write_segment_artifact(
    path: str | Path, name: str, values: np.ndarray, data: SplitDataset, *, producer: str,
    parameters: Mapping | None = None,
) -> Path:  # fmt: skip
    """Write one per-segment artifact (``name`` of :data:`SEGMENT_AXES`) with the segments'
    labels, images, subjects, positions and parts."""
    from ..artifacts import AxisArray, write_artifact

    arrays = {name: AxisArray(values, SEGMENT_AXES[name]), **_segment_arrays(data)}
    attrs = {"dataset": str(data.dataset.path.name), "split": int(data.description["split"])}
    return write_artifact(path, arrays, producer=producer, attrs=attrs, parameters=parameters)


def part_images(segments: str | Path, part: str) -> np.ndarray:
    """The distinct images of one part (:data:`PARTS`) of the split, sorted, from a
    per-segment artifact."""
    from ..artifacts import read_array

    parts = read_array(segments, "parts", axes=("segment",)).data
    images = read_array(segments, "images", axes=("segment",)).data
    return np.unique(images[parts == PARTS.index(part)])


def run_eeg_encoder(
    eeg: str | Path, splits: str | Path, *, model: str | Path, embeddings: str | Path,
    metrics: str | Path, curves: str | Path, settings: Mapping, workdir: str | Path | None,
) -> None:  # fmt: skip
    """Rule ``train_eeg2image_encoder``: train ``f_θ`` (:func:`train_eeg_encoder`) and write
    its folder, its training record and every segment's embedding.

    ``settings`` is the ``eeg2image`` block: ``split``, ``decimate`` and ``encoder``.
    """
    from ..report import save_training_record

    data = load_split_dataset(eeg, splits, split=settings["split"], decimate=settings["decimate"])
    trained = train_eeg_encoder(data, settings=settings["encoder"], workdir=workdir)
    values = trained.predict(data.dataset.eeg).astype(np.float32)
    trained.save(model)
    save_training_record(trained.fit, metrics=metrics, figure=curves, title="EEG encoder f_θ")
    write_segment_artifact(
        embeddings, "embeddings", values, data, producer="train_eeg2image_encoder",
        parameters=settings["encoder"],
    )  # fmt: skip


def run_caption_regressor(
    eeg: str | Path, splits: str | Path, stimuli: str | Path, *, model: str | Path,
    captions: str | Path, metrics: str | Path, curves: str | Path, settings: Mapping,
    workdir: str | Path | None,
) -> None:  # fmt: skip
    """Rule ``train_caption_regressor``: the sample-level branch (:func:`train_caption_regressor`)
    on the caption embeddings of ``stimuli``; writes its folder, its training record and the
    predicted embedding of every segment."""
    from ..artifacts import read_array
    from ..report import save_training_record

    data = load_split_dataset(eeg, splits, split=settings["split"], decimate=settings["decimate"])
    targets = read_array(stimuli, "caption_embeddings", axes=("class", "token", "feature")).data
    trained = train_caption_regressor(data, targets, settings=settings["caption_regressor"],
                                      workdir=workdir)  # fmt: skip
    predicted = predict_captions(trained, data.dataset.eeg, targets.shape[1:])
    trained.save(model)
    save_training_record(trained.fit, metrics=metrics, figure=curves,
                         title="EEG → caption embedding")  # fmt: skip
    write_segment_artifact(captions, "captions", predicted, data,
                           producer="train_caption_regressor",
                           parameters=settings["caption_regressor"])  # fmt: skip


def run_saliency_gan(
    embeddings: str | Path, stimuli: str | Path, *, model: str | Path, saliency: str | Path,
    metrics: str | Path, strips: str | Path, settings: Mapping, workdir: str | Path | None,
) -> None:  # fmt: skip
    """Rule ``train_saliency_gan``: the pixel-level branch's generator from ``f_θ``'s
    embeddings to each segment's seen image (at the stimuli's size), trained on the training
    segments and selected by validation SSIM; writes its folder, its per-epoch record, every
    segment's saliency map (drawn at ``settings['saliency']['training']['seed']``) and
    ``strips``, a figure of test segments' seen images above their saliency maps."""
    from ..artifacts import AxisArray, read_array, write_artifact
    from ..evaluation.images import per_class
    from ..fileio import write_csv
    from ..models import SaliencyGeneratorConfig
    from ..report import plot_reconstructions, save_figure
    from .saliency import SaliencyGANConfig, generate_saliency, train_saliency_gan

    source = read_array(embeddings, "embeddings", axes=SEGMENT_AXES["embeddings"]).data
    images = read_array(stimuli, "images", axes=IMAGE_AXES).data
    segment_images = read_array(embeddings, "images", axes=("segment",)).data
    parts = read_array(embeddings, "parts", axes=("segment",)).data
    gan = settings["saliency"]
    training = SaliencyGANConfig(**gan["training"])
    generator_config = SaliencyGeneratorConfig(
        embedding_dim=source.shape[1], noise_dim=training.noise_dim,
        base_channels=gan["base_channels"], image_size=images.shape[1],
    )  # fmt: skip
    targets = images[segment_images].transpose(0, 3, 1, 2).astype(np.float32) / 255
    result = train_saliency_gan(
        source, targets, train=np.flatnonzero(parts == 0), validation=np.flatnonzero(parts == 1),
        generator_config=generator_config, config=training, workdir=workdir,
    )  # fmt: skip
    maps = generate_saliency(result.generator, source, seed=training.seed)
    result.generator.save_pretrained(model)
    write_csv(metrics, result.history)
    arrays = {"saliency": AxisArray(maps, SEGMENT_AXES["saliency"])}
    for name in ("labels", "images", "subjects", "positions", "parts"):
        found = read_array(embeddings, name, axes=("segment",))
        arrays[name] = AxisArray(found.data, found.axes, found.attrs)
    write_artifact(saliency, arrays, producer="train_saliency_gan", parameters=gan)
    test = np.flatnonzero(parts == 2)
    order = test[per_class(arrays["labels"].data[test])]
    seen = images[segment_images[order]]
    figure = plot_reconstructions({"saliency": (seen, maps[order])}, title="Saliency maps",
                                  drawn="saliency map")  # fmt: skip
    save_figure(figure, strips)


def run_stimuli(
    eeg: str | Path, images_root: str | Path, synset_mapping: str | Path, *,
    stable_diffusion: str | Path, output: str | Path, settings: Mapping,
) -> None:  # fmt: skip
    """Rule ``eeg2image_stimuli``: every listed image at ``settings['image_size']`` pixels,
    its class, and each class's caption (``settings['caption']`` with ``{class}`` the
    class's first name in ``LOC_synset_mapping.txt``) as the Stable Diffusion folder's CLIP
    text encoder embeds it (the video path's caption code)."""
    from ..artifacts import AxisArray, write_artifact
    from ..datasets.eeg_imagenet import image_labels, load_images, read_synset_mapping
    from ..stimulus.pretrained import load_text_encoder
    from ..stimulus.text import embed_captions

    dataset = load_eeg_imagenet(eeg)
    names = read_synset_mapping(synset_mapping, dataset.synsets)
    captions = [settings["caption"].format(**{"class": name}) for name in names]
    tokenizer, text_encoder = load_text_encoder(stable_diffusion)
    _, embeddings = embed_captions(captions, tokenizer, text_encoder)
    arrays = {
        "images": AxisArray(load_images(dataset, images_root, settings["image_size"]), IMAGE_AXES),
        "image_labels": AxisArray(image_labels(dataset), ("image",)),
        "caption_embeddings": AxisArray(embeddings, ("class", "token", "feature")),
    }  # fmt: skip
    attrs = {
        "dataset": dataset.path.name, "class_names": list(names), "captions": captions,
        "synsets": list(dataset.synsets), "image_names": list(dataset.image_names),
    }  # fmt: skip
    write_artifact(output, arrays, producer="eeg2image_stimuli", attrs=attrs)


def run_image_classifier(
    stimuli: str | Path, segments: str | Path, vae_folder: str | Path, *, model: str | Path,
    metrics: str | Path, curves: str | Path, settings: Mapping, workdir: str | Path | None,
) -> None:  # fmt: skip
    """Rule ``train_image_classifier``: the demo's classifier of the evaluation's accuracy,
    on the training images and their round trips through the VAE that decodes every
    reconstruction (``settings['vae_round_trips']``), selected on the validation images
    (with theirs).

    A real ImageNet classifier has seen millions of images and reads a VAE's slight blur as
    the image; the demo's, trained on a few hundred, reads it as another class unless it has
    seen it (measured with a tiny VAE fitted for 400 steps: accuracy 0.06 on the round trips
    of 32 test images without them, 0.88 with).
    """
    from ..artifacts import read_array
    from ..report import save_training_record
    from ..stimulus.latents import decode_latents, encode_frames
    from ..stimulus.pretrained import load_vae

    images = read_array(stimuli, "images", axes=IMAGE_AXES).data
    labels = read_array(stimuli, "image_labels", axes=("image",)).data
    parts_of = {part: part_images(segments, part) for part in PARTS[:2]}
    if settings["vae_round_trips"]:
        vae = load_vae(vae_folder)
        latents = encode_frames(images[:, None], vae, seed=settings["seed"])
        images = np.concatenate([images, decode_latents(latents, vae)[:, 0]])
        labels = np.concatenate([labels, labels])
        n = len(labels) // 2
        parts_of = {part: np.concatenate([index, index + n]) for part, index in parts_of.items()}
    trained = train_image_classifier(images, labels, parts_of, settings=settings,
                                     workdir=workdir)  # fmt: skip
    trained.save(model)
    save_training_record(trained.fit, metrics=metrics, figure=curves, title="Image classifier")
