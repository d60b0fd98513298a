"""EEG-ImageNet (Spampinato et al., CVPR 2017): 6 subjects see 2,000 ImageNet images of 40
classes, each for 0.5 s, all images of a class in one block; 128 channels at 1 kHz.

The release, as this module reads it:

``eeg_*_std.pth`` (``eeg_5_95_std.pth``, ``eeg_14_70_std.pth``, ``eeg_55_95_std.pth``, and
``eeg_signals_raw_with_mean_std.pth``)
    A ``torch.save`` dict: ``dataset``, a list with one dict per segment (``eeg``, a
    (128, n_samples) tensor with n_samples about 500; ``image``, an index into ``images``;
    ``label``, an index into ``labels``; ``subject``, 1–6), ``labels`` (the 40 WordNet ids,
    e.g. ``n02389026``) and ``images`` (the image names, e.g. ``n02389026_3088``). Read with
    ``torch.load(weights_only=True)``: it holds tensors, numbers, strings and containers only,
    and a file that needs more is refused.
``block_splits_by_image_all.pth`` (all subjects; ``_single``: per subject)
    ``{"splits": [{"train": [...], "val": [...], "test": [...]}, ...]}``: six 80/10/10 splits by
    image (all the EEG of an image falls in one part), of indices into ``dataset``.
ImageNet images
    ``<images root>/<WordNet id>/<image name>.JPEG``, the layout of ImageNet's training set.
``LOC_synset_mapping.txt`` (ImageNet's class names)
    One line per WordNet id: ``n02389026 sorrel``, synonyms after commas; the captions
    ``"An image of {class}"`` take the first name (:func:`read_synset_mapping`).

The reference loader (``perceivelab/eeg_visual_classification``) keeps samples 20–459 of each
segment and, in its splits, only segments of 450 to 600 samples; :func:`load_eeg_imagenet`
and :func:`load_block_splits` do the same and say how many segments that leaves out (a
segment of fewer than 460 samples cannot give 440, and the reference would fail on it).

:func:`write_eeg_imagenet` and :func:`write_block_splits` write the same layout, for the demo
(:func:`make_demo_eeg_imagenet`) and the tests.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._logging import logger
from .._validation import check_option, ensure_positive_int
from ..fileio import atomic_path, load_tensors_only

EEG_IMAGENET_SFREQ = 1000.0
EEG_IMAGENET_CHANNELS = 128
#: The samples of a segment that the reference loader keeps, [start, stop).
SEGMENT_SAMPLES = (20, 460)
#: Segment lengths the reference splitter keeps, inclusive.
SEGMENT_LENGTHS = (450, 600)
#: Seconds each image is shown, and the black screen between two class blocks.
IMAGE_S, BLOCK_PAUSE_S = 0.5, 10.0
SPLIT_PARTS = ("train", "val", "test")
ENTRY_FIELDS = ("eeg", "image", "label", "subject")
DEMO_VARIANTS = ("planted", "null", "confound")
#: The demo's planted evoked response: peak after the image onset and width (SD), seconds.
EVOKED_LATENCY_S, EVOKED_WIDTH_S = 0.2, 0.05
# The planted demo's earlier, retinotopic component: its topography follows where the shape is.
LAYOUT_LATENCY_S, LAYOUT_WIDTH_S = 0.1, 0.03
# Peak amplitudes of the two components at signal_strength 1 (the background: 10 µV RMS).
EVOKED_AMPLITUDE_UV, LAYOUT_AMPLITUDE_UV = 5.0, 5.0


@dataclass(frozen=True)
class EEGImageNet:
    """The usable segments of an ``eeg_*_std.pth`` file.

    Attributes
    ----------
    eeg : ndarray of float32, shape (n_segments, 128, 440)
        Samples 20–459 of each segment kept (:data:`SEGMENT_SAMPLES`).
    labels, images, subjects : ndarray of int, shape (n_segments,)
        Class index (into ``synsets``), image index (into ``image_names``) and subject (1–6).
    segment_ids : ndarray of int, shape (n_segments,)
        Each segment's index in the file's ``dataset`` list, which the split files use.
    n_file_segments : int
        Segments in the file, those left out included.
    synsets, image_names : tuple of str
        The file's ``labels`` and ``images``.
    path : Path
    """

    eeg: np.ndarray
    labels: np.ndarray
    images: np.ndarray
    subjects: np.ndarray
    segment_ids: np.ndarray
    n_file_segments: int
    synsets: tuple[str, ...]
    image_names: tuple[str, ...]
    path: Path

    def image_path(self, root: str | Path, image: int) -> Path:
        """``<root>/<WordNet id>/<name>.JPEG`` of image index ``image``; it must exist."""
        name = self.image_names[image]
        path = Path(root) / name.split("_")[0] / f"{name}.JPEG"
        if not path.is_file():
            raise FileNotFoundError(
                f"Image {name!r} (entry {image} of 'images' in {str(self.path)!r}) is not at "
                f"{str(path)!r}; the images root must hold ImageNet's <WordNet id>/<name>.JPEG."
            )
        return path


def _strings(document: Mapping, key: str, path: Path) -> tuple[str, ...]:
    values = document.get(key)
    if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"{str(path)!r}: {key!r} must be a list of strings.")
    return tuple(values)


def _index(entry: Mapping, field: str, n: int, where: str) -> int:
    value = entry[field]
    value = int(value.item()) if hasattr(value, "item") else value
    if not isinstance(value, int) or not 0 <= value < n:
        raise ValueError(f"{where}: {field!r} is {value!r}, expected an index in 0..{n - 1}.")
    return value


def load_eeg_imagenet(path: str | Path) -> EEGImageNet:
    """Read and check an ``eeg_*_std.pth`` file without unpickling any object.

    Segments whose length lies outside :data:`SEGMENT_LENGTHS` or is below 460 samples are left
    out (and counted in the log), as the reference splitter leaves them out of every split.

    Parameters
    ----------
    path : str | Path

    Returns
    -------
    dataset : EEGImageNet
    """
    import torch

    path = Path(path)
    document = load_tensors_only(
        path, instead="Use the released eeg_*_std.pth file, which loads this way."
    )
    if not isinstance(document, Mapping) or not {"dataset", "labels", "images"} <= set(document):
        keys = sorted(document) if isinstance(document, Mapping) else type(document).__name__
        raise ValueError(
            f"{str(path)!r} must be a dict with 'dataset', 'labels' and 'images', got {keys}."
        )
    synsets, image_names = _strings(document, "labels", path), _strings(document, "images", path)
    entries = document["dataset"]
    if not isinstance(entries, (list, tuple)) or not entries:
        raise ValueError(f"{str(path)!r}: 'dataset' must be a non-empty list of segments.")
    start, stop = SEGMENT_SAMPLES
    # The reference splitter's 450–600, but no shorter than the samples kept.
    shortest, longest = max(SEGMENT_LENGTHS[0], stop), SEGMENT_LENGTHS[1]
    eeg, fields, kept = [], [], []
    for number, entry in enumerate(entries):
        where = f"{str(path)!r}, dataset[{number}]"
        if not isinstance(entry, Mapping) or not set(ENTRY_FIELDS) <= set(entry):
            raise ValueError(f"{where} must be a dict with the fields {list(ENTRY_FIELDS)}.")
        signal = entry["eeg"]
        if not isinstance(signal, torch.Tensor) or signal.ndim != 2:
            raise ValueError(f"{where}: 'eeg' must be a (channels, samples) tensor.")
        if signal.shape[0] != EEG_IMAGENET_CHANNELS:
            raise ValueError(
                f"{where}: 'eeg' has {signal.shape[0]} channels, expected "
                f"{EEG_IMAGENET_CHANNELS} (shape {tuple(signal.shape)})."
            )
        row = (
            _index(entry, "label", len(synsets), where),
            _index(entry, "image", len(image_names), where),
            int(entry["subject"]),
        )
        if not shortest <= signal.shape[1] <= longest:
            continue
        values = signal[:, start:stop].float().numpy()
        if not np.isfinite(values).all():
            raise ValueError(f"{where}: 'eeg' holds NaN or infinite values.")
        eeg.append(values)
        fields.append(row)
        kept.append(number)
    if not kept:
        raise ValueError(f"{str(path)!r}: no segment has {shortest} to {longest} samples.")
    if len(kept) < len(entries):
        logger.info(
            "%s: %d of %d segments left out (length outside %d–%d samples)",
            path.name, len(entries) - len(kept), len(entries), shortest, longest,
        )  # fmt: skip
    labels, images, subjects = np.asarray(fields, dtype=np.int64).T
    return EEGImageNet(
        eeg=np.stack(eeg), labels=labels, images=images, subjects=subjects,
        segment_ids=np.asarray(kept), n_file_segments=len(entries), synsets=synsets,
        image_names=image_names, path=path,
    )  # fmt: skip


def load_block_splits(
    path: str | Path, dataset: EEGImageNet, *, split: int = 0
) -> dict[str, np.ndarray]:
    """One split of a ``block_splits_by_image_*.pth`` file, as positions in ``dataset``.

    Parameters
    ----------
    path : str | Path
    dataset : EEGImageNet
        The segments the split's indices refer to (by :attr:`EEGImageNet.segment_ids`);
        indices of segments left out there are dropped here, as the reference splitter does.
    split : int
        Which of the file's splits (the reference always uses 0).

    Returns
    -------
    parts : dict of str to ndarray of int
        ``train``, ``val`` and ``test``: positions in ``dataset``'s arrays.
    """
    path = Path(path)
    document = load_tensors_only(
        path, instead="Use the released block_splits_by_image_*.pth file, which loads this way."
    )
    splits = document.get("splits") if isinstance(document, Mapping) else None
    if not isinstance(splits, (list, tuple)) or not splits:
        raise ValueError(f"{str(path)!r} must be a dict whose 'splits' is a non-empty list.")
    if not 0 <= split < len(splits):
        raise ValueError(f"{str(path)!r} holds {len(splits)} splits; split {split} asked for.")
    chosen = splits[split]
    if not isinstance(chosen, Mapping) or not set(SPLIT_PARTS) <= set(chosen):
        raise ValueError(f"{str(path)!r}: splits[{split}] must have {list(SPLIT_PARTS)}.")
    n_file = dataset.n_file_segments
    position = np.full(n_file, -1)
    position[dataset.segment_ids] = np.arange(len(dataset.segment_ids))
    parts, dropped = {}, 0
    for part in SPLIT_PARTS:
        indices = np.asarray([int(i) for i in chosen[part]], dtype=np.int64)
        outside = indices[(indices < 0) | (indices >= n_file)]
        if outside.size:
            raise ValueError(
                f"{str(path)!r}: splits[{split}][{part!r}] holds the index {int(outside[0])}; "
                f"{str(dataset.path)!r} has segments 0..{n_file - 1}."
            )
        mapped = position[indices]
        dropped += int((mapped < 0).sum())
        parts[part] = mapped[mapped >= 0]
    for first, second in (("train", "val"), ("train", "test"), ("val", "test")):
        shared = np.intersect1d(parts[first], parts[second])
        if shared.size:
            raise ValueError(
                f"{str(path)!r}: splits[{split}] puts segment "
                f"{int(dataset.segment_ids[shared[0]])} in both {first!r} and {second!r}."
            )
    if dropped:
        logger.info("%s: %d split indices name left-out segments", path.name, dropped)
    return parts


def load_images(dataset: EEGImageNet, root: str | Path, size: int) -> np.ndarray:
    """Every image the file lists, centre-cropped to a square and resized to ``size`` pixels.

    Parameters
    ----------
    dataset : EEGImageNet
    root : str | Path
        The images root (``<WordNet id>/<name>.JPEG``, see :meth:`EEGImageNet.image_path`).
    size : int

    Returns
    -------
    images : ndarray of uint8, shape (n_images, size, size, 3)
        In the order of ``dataset.image_names``.
    """
    from PIL import Image, UnidentifiedImageError

    size = ensure_positive_int(size, "size")
    images = np.empty((len(dataset.image_names), size, size, 3), dtype=np.uint8)
    for index in range(len(dataset.image_names)):
        path = dataset.image_path(root, index)
        try:
            with Image.open(path) as opened:
                picture = opened.convert("RGB")
        except (UnidentifiedImageError, OSError) as error:
            raise ValueError(f"Image {str(path)!r} cannot be read: {error}") from error
        side = min(picture.size)
        left, top = (picture.width - side) // 2, (picture.height - side) // 2
        square = picture.crop((left, top, left + side, top + side))
        images[index] = np.asarray(square.resize((size, size), Image.Resampling.BICUBIC))
    return images


def image_labels(dataset: EEGImageNet) -> np.ndarray:
    """Each image's class (index into ``synsets``), from the WordNet id its name begins with."""
    index = {wnid: k for k, wnid in enumerate(dataset.synsets)}
    labels = []
    for number, name in enumerate(dataset.image_names):
        wnid = name.split("_")[0]
        if wnid not in index:
            raise ValueError(
                f"Image {name!r} (entry {number} of 'images' in {str(dataset.path)!r}) names "
                f"the WordNet id {wnid!r}, which is not among the file's 'labels'."
            )
        labels.append(index[wnid])
    return np.asarray(labels, dtype=np.int64)


def read_synset_mapping(path: str | Path, synsets: Sequence[str]) -> tuple[str, ...]:
    """The first name of each WordNet id in ``synsets``, from ImageNet's
    ``LOC_synset_mapping.txt`` (``n02389026 sorrel`` per line, synonyms after commas).

    Parameters
    ----------
    path : str | Path
    synsets : sequence of str
        The WordNet ids wanted (an ``eeg_*_std.pth`` file's ``labels``).

    Returns
    -------
    names : tuple of str
        In the order of ``synsets``.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No synset mapping at {str(path)!r} (LOC_synset_mapping.txt).")
    names = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        wnid, _, rest = line.strip().partition(" ")
        name = rest.split(",")[0].strip()
        if not wnid.startswith("n") or not name:
            raise ValueError(
                f"{str(path)!r} line {number}: expected '<WordNet id> <name>[, synonyms]', "
                f"got {line!r}."
            )
        names[wnid] = name
    missing = [wnid for wnid in synsets if wnid not in names]
    if missing:
        raise ValueError(f"{str(path)!r} names no class for the WordNet ids {missing[:5]}.")
    return tuple(names[wnid] for wnid in synsets)


def write_synset_mapping(path: str | Path, synsets: Sequence[str], names: Sequence[str]) -> Path:
    """Write ``LOC_synset_mapping.txt`` lines (``<WordNet id> <name>``)."""
    lines = "".join(f"{wnid} {name}\n" for wnid, name in zip(synsets, names, strict=True))
    with atomic_path(path) as temporary:
        Path(temporary).write_text(lines)
    return Path(path)


def segment_positions(dataset: EEGImageNet) -> np.ndarray:
    """Each segment's rank among its subject's segments in file order, from 0.

    The time-only baseline reads it as the segment's place in the recording; the demo lists
    segments in the order they were shown.
    """
    positions = np.empty(len(dataset.subjects), dtype=np.int64)
    for subject in np.unique(dataset.subjects):
        members = np.flatnonzero(dataset.subjects == subject)
        positions[members] = np.arange(members.size)
    return positions


def write_eeg_imagenet(
    path: str | Path,
    eeg: Sequence[np.ndarray],
    *,
    labels: Sequence[int],
    images: Sequence[int],
    subjects: Sequence[int],
    synsets: Sequence[str],
    image_names: Sequence[str],
) -> Path:
    """Write segments in the ``eeg_*_std.pth`` layout (each ``eeg`` (128, n_samples))."""
    import torch

    document = {
        "dataset": [
            {"eeg": torch.as_tensor(np.asarray(values, dtype=np.float32)),
             "image": int(image), "label": int(label), "subject": int(subject)}
            for values, label, image, subject in zip(eeg, labels, images, subjects, strict=True)
        ],
        "labels": list(synsets),
        "images": list(image_names),
    }  # fmt: skip
    with atomic_path(path) as temporary:
        torch.save(document, temporary)
    return Path(path)


def write_block_splits(path: str | Path, splits: Sequence[Mapping[str, Sequence[int]]]) -> Path:
    """Write ``{"splits": [{"train", "val", "test"}, ...]}`` as the released split files."""
    import torch

    document = {
        "splits": [
            {part: [int(i) for i in split[part]] for part in SPLIT_PARTS} for split in splits
        ]
    }
    with atomic_path(path) as temporary:
        torch.save(document, temporary)
    return Path(path)


def presentation_onsets(
    labels: np.ndarray, images: np.ndarray, class_order: np.ndarray
) -> np.ndarray:
    """Seconds from the start of a subject's session to each segment's image onset.

    The block design: the classes in ``class_order``, each class's images one after another
    (in image order) for :data:`IMAGE_S` each, :data:`BLOCK_PAUSE_S` of black screen between
    classes. ``labels`` and ``images`` are one subject's segments.
    """
    sizes = np.bincount(labels, minlength=len(class_order))[class_order]
    # A block: its images, then the pause; blocks in class_order.
    block_starts = np.concatenate([[0.0], np.cumsum(sizes * IMAGE_S + BLOCK_PAUSE_S)[:-1]])
    onsets = np.empty(len(labels))
    for block_start, label in zip(block_starts, class_order, strict=True):
        members = np.flatnonzero(labels == label)
        order = members[np.argsort(images[members], kind="stable")]
        onsets[order] = block_start + IMAGE_S * np.arange(len(order))
    return onsets


@dataclass(frozen=True)
class DemoEEGImageNet:
    """What :func:`make_demo_eeg_imagenet` synthesises, ready for the writers."""

    eeg: np.ndarray  # (n_segments, 128, n_samples) float32, µV
    labels: np.ndarray
    images: np.ndarray
    subjects: np.ndarray
    onsets_s: np.ndarray
    synsets: tuple[str, ...]
    class_names: tuple[str, ...]  # "red circle", ...
    image_names: tuple[str, ...]
    pictures: np.ndarray  # (n_images, size, size, 3) uint8
    splits: list[dict[str, np.ndarray]]


def make_demo_eeg_imagenet(
    *,
    variant: str = "planted",
    n_classes: int = 8,
    images_per_class: int = 10,
    n_subjects: int = 2,
    n_samples: int = 500,
    image_size: int = 64,
    signal_strength: float = 1.0,
    n_splits: int = 6,
    seed: int = 0,
) -> DemoEEGImageNet:
    """Synthesise an EEG-ImageNet-shaped dataset with a known answer.

    Each class is a coloured shape (the EEG→video demo's shapes and colours), each image that
    shape at its own position and size on a grey background. Every subject sees every image once,
    in the block design (classes in a subject-specific random order), and the file lists a
    subject's segments in that order. The EEG is 1/f background
    noise plus, by ``variant``:

    ``planted``
        A class-specific visual evoked response on the occipital half of the channels: one
        Gaussian deflection peaking :data:`EVOKED_LATENCY_S` after the onset, with a
        class-specific signed topography; decodable from the segment itself. And an earlier,
        retinotopic one (:data:`LAYOUT_LATENCY_S`) whose topography is the shape's centre
        (x, y in [-1, 1]) and size weighting three fixed channel patterns: the image's layout,
        which no caption of the class says, for the pixel-level branch to reconstruct.
    ``null``
        Nothing: no model can beat chance.
    ``confound``
        No class signal at all, only a slow drift (periods of 20 to 200 s, a random loading per
        channel) that follows the time of the segment in the session. Within a class block the
        drift barely moves, so a model can name the class from it on splits by image, as
        classifiers on the real block design do; it knows nothing of the image.

    Amplitudes, at ``signal_strength`` 1, over the background's 10 µV RMS: the evoked response
    peaks at 5 µV times a per-class channel weight in ±[0.3, 1], the retinotopic one at 5 µV
    times the layout's weighting of standard-normal patterns; the drift is 8 µV times a
    standard-normal loading per channel and period.

    Splits follow the release: ``n_splits`` random 80/10/10 splits of the images, each image's
    segments (all subjects) in one part.
    """
    import cv2

    from .demo import COLOURS, SHAPES, _draw_shape, pink_noise

    check_option("variant", variant, DEMO_VARIANTS)
    n_classes = ensure_positive_int(n_classes, "n_classes")
    images_per_class = ensure_positive_int(images_per_class, "images_per_class")
    if images_per_class < 10:
        raise ValueError(
            f"images_per_class must be at least 10 for 80/10/10 splits, got {images_per_class}."
        )
    rng = np.random.default_rng([seed, 22])
    synsets = tuple(f"n9{k + 1:07d}" for k in range(n_classes))
    image_names = tuple(
        f"{synsets[c]}_{j + 1}" for c in range(n_classes) for j in range(images_per_class)
    )
    image_class = np.repeat(np.arange(n_classes), images_per_class)
    colours = list(COLOURS.values())
    class_names = tuple(
        f"{list(COLOURS)[c % len(colours)]} {SHAPES[c % len(SHAPES)]}" for c in range(n_classes)
    )
    pictures = np.empty((len(image_names), image_size, image_size, 3), dtype=np.uint8)
    layout = np.empty((len(image_names), 3))  # centre x, centre y, radius: each in [-1, 1]
    for index, label in enumerate(image_class):
        picture = np.full((image_size, image_size, 3), 128, dtype=np.uint8)
        radius = int(image_size * rng.uniform(0.18, 0.3))
        centre = tuple(int(v) for v in rng.integers(radius, image_size - radius, 2))
        layout[index] = (
            *(2 * np.array(centre) / image_size - 1),
            (radius / image_size - 0.24) / 0.06,
        )
        colour = tuple(int(v) for v in colours[label % len(colours)])
        _draw_shape(picture, SHAPES[label % len(SHAPES)], centre, radius, colour)
        pictures[index] = cv2.GaussianBlur(picture, (3, 3), 0)

    sfreq, t = EEG_IMAGENET_SFREQ, np.arange(n_samples) / EEG_IMAGENET_SFREQ
    occipital = np.arange(EEG_IMAGENET_CHANNELS // 2, EEG_IMAGENET_CHANNELS)
    topography = rng.uniform(0.3, 1.0, (n_classes, occipital.size)) * rng.choice(
        [-1.0, 1.0], (n_classes, occipital.size)
    )
    evoked = np.exp(-0.5 * ((t - EVOKED_LATENCY_S) / EVOKED_WIDTH_S) ** 2)
    # A generator of its own, so that the images, splits and other variants stay as they were.
    patterns = np.random.default_rng([seed, 22, 0]).standard_normal((3, occipital.size))
    retinotopic = np.exp(-0.5 * ((t - LAYOUT_LATENCY_S) / LAYOUT_WIDTH_S) ** 2)
    eeg, labels, images, subjects, onsets = [], [], [], [], []
    for subject in range(1, n_subjects + 1):
        srng = np.random.default_rng([seed, 22, subject])
        order = srng.permutation(n_classes)
        shown = srng.permutation(len(image_names))
        onset = presentation_onsets(image_class[shown], shown, order)
        # The file lists a subject's segments in the order they were shown.
        segment_images = shown[np.argsort(onset, kind="stable")]
        segment_labels = image_class[segment_images]
        onset = np.sort(onset)
        noise = pink_noise(srng, (len(segment_images), EEG_IMAGENET_CHANNELS, n_samples), sfreq)
        if variant == "planted":
            class_response = topography[segment_labels][:, :, None] * evoked
            layout_response = (layout[segment_images] @ patterns)[:, :, None] * retinotopic
            noise[:, occipital] += signal_strength * (
                EVOKED_AMPLITUDE_UV * class_response + LAYOUT_AMPLITUDE_UV * layout_response
            )
        elif variant == "confound":
            periods = srng.uniform(20, 200, 4)
            loading = srng.standard_normal((EEG_IMAGENET_CHANNELS, periods.size))
            drift_phase = srng.uniform(0, 2 * np.pi, periods.size)
            times = onset[:, None] + t[None]  # (segment, sample) in session seconds
            drift = np.sin(2 * np.pi * times[..., None] / periods + drift_phase)  # (s, t, p)
            noise += signal_strength * 8.0 * np.einsum("stp,cp->sct", drift, loading)
        eeg.append(noise.astype(np.float32))
        labels.append(segment_labels)
        images.append(segment_images)
        subjects.append(np.full(len(segment_images), subject))
        onsets.append(onset)
    images = np.concatenate(images)
    splits = []
    for _ in range(n_splits):
        shuffled = rng.permutation(len(image_names))
        n_train, n_val = int(0.8 * len(shuffled)), int(0.1 * len(shuffled))
        part_of = np.empty(len(image_names), dtype=np.int64)
        part_of[shuffled[:n_train]], part_of[shuffled[n_train : n_train + n_val]] = 0, 1
        part_of[shuffled[n_train + n_val :]] = 2
        splits.append(
            {part: np.flatnonzero(part_of[images] == k) for k, part in enumerate(SPLIT_PARTS)}
        )
    return DemoEEGImageNet(
        eeg=np.concatenate(eeg), labels=np.concatenate(labels), images=images,
        subjects=np.concatenate(subjects), onsets_s=np.concatenate(onsets), synsets=synsets,
        class_names=class_names, image_names=image_names, pictures=pictures, splits=splits,
    )  # fmt: skip


def write_demo_eeg_imagenet(
    demo: DemoEEGImageNet,
    eeg_path: str | Path,
    splits_path: str | Path,
    images_root: str | Path,
    synset_mapping: str | Path | None = None,
) -> None:
    """Write a demo in the release's layout: the two ``.pth`` files, the JPEG images and,
    given a path, ``LOC_synset_mapping.txt`` with the classes' names ("red circle", ...)."""
    from PIL import Image

    if synset_mapping is not None:
        write_synset_mapping(synset_mapping, demo.synsets, demo.class_names)

    write_eeg_imagenet(
        eeg_path, list(demo.eeg), labels=demo.labels, images=demo.images, subjects=demo.subjects,
        synsets=demo.synsets, image_names=demo.image_names,
    )  # fmt: skip
    write_block_splits(splits_path, demo.splits)
    with atomic_path(images_root) as temporary:
        for name, picture in zip(demo.image_names, demo.pictures, strict=True):
            folder = temporary / name.split("_")[0]
            folder.mkdir(parents=True, exist_ok=True)
            Image.fromarray(picture).save(folder / f"{name}.JPEG", quality=95)


#: Where :func:`write_demo_release` puts each file of the release under its root.
RELEASE_FILES = {
    "eeg": "eeg_5_95_std.pth",
    "splits": "block_splits_by_image_all.pth",
    "images": "images",
    "synset_mapping": "LOC_synset_mapping.txt",
}


def write_demo_release(root: str | Path, **settings) -> dict[str, Path]:
    """Synthesise a demo (:func:`make_demo_eeg_imagenet` with ``settings``) and write it under
    ``root`` by the release's names (:data:`RELEASE_FILES`), all or nothing.

    Returns each file's final path, by its key in :data:`RELEASE_FILES`.
    """
    demo = make_demo_eeg_imagenet(**settings)
    with atomic_path(root) as temporary:
        temporary = Path(temporary)
        temporary.mkdir(parents=True)
        write_demo_eeg_imagenet(
            demo, *(temporary / RELEASE_FILES[key] for key in ("eeg", "splits", "images")),
            synset_mapping=temporary / RELEASE_FILES["synset_mapping"],
        )  # fmt: skip
    return {key: Path(root) / name for key, name in RELEASE_FILES.items()}
