"""EEG-ImageNet as released: the two .pth files read without unpickling, their checks, and a
demo whose planted, null and block-design-confound variants have a known answer."""

import numpy as np
import pytest
import torch

from eegdecode.datasets.eeg_imagenet import (
    BLOCK_PAUSE_S,
    EEG_IMAGENET_CHANNELS,
    IMAGE_S,
    RELEASE_FILES,
    image_labels,
    load_block_splits,
    load_eeg_imagenet,
    load_images,
    make_demo_eeg_imagenet,
    presentation_onsets,
    read_synset_mapping,
    segment_positions,
    write_block_splits,
    write_demo_eeg_imagenet,
    write_demo_release,
    write_eeg_imagenet,
)

SYNSETS = ["n02389026", "n03888257"]
IMAGES = ["n02389026_3088", "n03888257_101", "n02389026_77"]


def _segments(lengths, channels=EEG_IMAGENET_CHANNELS, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((channels, n)).astype(np.float32) for n in lengths]


def _write(path, eeg, labels=None, images=None, subjects=None):
    n = len(eeg)
    return write_eeg_imagenet(
        path, eeg, labels=labels or [k % 2 for k in range(n)],
        images=images or [k % 3 for k in range(n)], subjects=subjects or [1 + k % 6 for k in range(n)],
        synsets=SYNSETS, image_names=IMAGES,
    )  # fmt: skip


def test_a_file_in_the_released_layout_loads_cropped_as_the_reference_loader(tmp_path):
    eeg = _segments([500, 455, 520, 620, 600])
    path = _write(tmp_path / "eeg_5_95_std.pth", eeg)
    # The layout itself, as the reference loader indexes it.
    raw = torch.load(path, weights_only=True)
    assert raw["labels"] == SYNSETS and raw["images"] == IMAGES
    assert set(raw["dataset"][0]) == {"eeg", "image", "label", "subject"}
    dataset = load_eeg_imagenet(path)
    # 455 samples cannot give samples 20–459; 620 is beyond the reference's 450–600.
    np.testing.assert_array_equal(dataset.segment_ids, [0, 2, 4])
    assert dataset.n_file_segments == 5
    assert dataset.eeg.shape == (3, 128, 440) and dataset.eeg.dtype == np.float32
    for position, segment in enumerate(dataset.segment_ids):
        # The reference: eeg.float().t()[20:460, :], transposed back to (channel, time).
        reference = torch.from_numpy(eeg[segment]).float().t()[20:460, :].t().numpy()
        np.testing.assert_array_equal(dataset.eeg[position], reference)
    np.testing.assert_array_equal(dataset.labels, [0, 0, 0])
    np.testing.assert_array_equal(dataset.images, [0, 2, 1])
    np.testing.assert_array_equal(dataset.subjects, [1, 3, 5])


def test_splits_become_positions_and_drop_left_out_segments(tmp_path):
    dataset = load_eeg_imagenet(_write(tmp_path / "eeg.pth", _segments([500, 455, 500, 500, 500])))
    path = write_block_splits(
        tmp_path / "block_splits_by_image_all.pth",
        [{"train": [0, 1, 2], "val": [3], "test": [4]}, {"train": [4], "val": [3], "test": [0]}],
    )
    parts = load_block_splits(path, dataset)
    # Segment 1 was left out; segments 0, 2, 3, 4 sit at positions 0..3.
    assert {k: v.tolist() for k, v in parts.items()} == {"train": [0, 1], "val": [2], "test": [3]}
    assert load_block_splits(path, dataset, split=1)["test"].tolist() == [0]
    with pytest.raises(ValueError, match="holds 2 splits; split 2 asked for"):
        load_block_splits(path, dataset, split=2)


@pytest.mark.parametrize(
    ("splits", "message"),
    [
        ({"train": [0, 9], "val": [], "test": []}, r"splits\[0\]\['train'\] holds the index 9"),
        ({"train": [0, -1], "val": [], "test": []}, r"holds the index -1"),
        ({"train": [0, 1], "val": [1], "test": []}, r"segment 1 in both 'train' and 'val'"),
        ({"train": [0], "val": []}, r"splits\[0\] must have \['train', 'val', 'test'\]"),
    ],
)
def test_a_bad_split_file_fails_naming_the_file_and_the_entry(tmp_path, splits, message):
    dataset = load_eeg_imagenet(_write(tmp_path / "eeg.pth", _segments([500] * 3)))
    path = tmp_path / "block_splits_by_image_all.pth"
    torch.save({"splits": [splits]}, path)
    with pytest.raises(ValueError, match=message) as error:
        load_block_splits(path, dataset)
    assert str(path) in str(error.value)


class _Opaque:
    """Anything that only full unpickling could rebuild."""


def test_a_file_that_needs_unpickling_is_refused_naming_the_file_to_use(tmp_path):
    path = tmp_path / "eeg_5_95_std.pth"
    torch.save({"dataset": [_Opaque()], "labels": SYNSETS, "images": IMAGES}, path)
    with pytest.raises(
        ValueError, match=r"never unpickled further\. Use the released eeg_"
    ) as error:
        load_eeg_imagenet(path)
    assert str(path) in str(error.value)
    splits = tmp_path / "block_splits_by_image_all.pth"
    torch.save({"splits": [_Opaque()]}, splits)
    with pytest.raises(ValueError, match="Use the released block_splits_by_image"):
        load_block_splits(splits, load_eeg_imagenet(_write(tmp_path / "ok.pth", _segments([500]))))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["dataset"][1].update(eeg=torch.zeros(64, 500)),
         r"dataset\[1\]: 'eeg' has 64 channels, expected 128"),
        (lambda d: d["dataset"][2].update(label=5), r"dataset\[2\]: 'label' is 5, expected an index in 0..1"),
        (lambda d: d["dataset"][0].update(image=3), r"dataset\[0\]: 'image' is 3"),
        (lambda d: d["dataset"][0].pop("subject"), r"dataset\[0\] must be a dict with the fields"),
        (lambda d: d.pop("images"), r"must be a dict with 'dataset', 'labels' and 'images'"),
        (lambda d: d["dataset"][1]["eeg"].__setitem__((0, 30), float("nan")), r"dataset\[1\]: 'eeg' holds NaN"),
        (lambda d: [e["eeg"].resize_(128, 300) for e in d["dataset"]], r"no segment has 460 to 600 samples"),
    ],
)  # fmt: skip
def test_bad_content_fails_naming_the_file_and_the_segment(tmp_path, change, message):
    path = _write(tmp_path / "eeg_5_95_std.pth", _segments([500] * 3))
    document = torch.load(path, weights_only=True)
    change(document)
    torch.save(document, path)
    with pytest.raises(ValueError, match=message) as error:
        load_eeg_imagenet(path)
    assert str(path) in str(error.value)


def test_a_missing_image_fails_naming_the_image_and_the_folder_expected(tmp_path):
    dataset = load_eeg_imagenet(_write(tmp_path / "eeg.pth", _segments([500] * 3)))
    (tmp_path / "images" / "n02389026").mkdir(parents=True)
    (tmp_path / "images" / "n02389026" / "n02389026_3088.JPEG").write_bytes(b"")
    assert dataset.image_path(tmp_path / "images", 0).name == "n02389026_3088.JPEG"
    with pytest.raises(FileNotFoundError, match=r"'n03888257_101' \(entry 1 of 'images'"):
        dataset.image_path(tmp_path / "images", 1)


def test_onsets_follow_the_block_design():
    # Three classes shown in the order 2, 0, 1; class 0 has three images, the others two.
    labels = np.array([0, 1, 2, 0, 1, 2, 0])
    images = np.array([5, 3, 1, 4, 2, 0, 6])
    onsets = presentation_onsets(labels, images, np.array([2, 0, 1]))
    expected, clock = {}, 0.0
    for label in (2, 0, 1):  # walk the session image by image
        for segment in sorted(np.flatnonzero(labels == label), key=lambda s: images[s]):
            expected[segment] = clock
            clock += IMAGE_S
        clock += BLOCK_PAUSE_S
    np.testing.assert_allclose(onsets, [expected[s] for s in range(len(labels))])


def _nearest_centroid_accuracy(features, labels, parts):
    train, test = parts["train"], parts["test"]
    mean, scale = features[train].mean(0), features[train].std(0) + 1e-9
    z = (features - mean) / scale
    centroids = np.stack([z[train][labels[train] == c].mean(0) for c in np.unique(labels)])
    predicted = np.argmin(((z[test][:, None] - centroids) ** 2).sum(-1), axis=1)
    return float((predicted == labels[test]).mean())


def _evoked_amplitude(eeg):
    # The mean over 130–230 ms after onset minus the first 60 ms (the baseline, which takes the
    # slow drift out), per channel.
    return eeg[:, :, 130:230].mean(-1) - eeg[:, :, :60].mean(-1)


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    written = {"mapping": {}}
    for variant in ("planted", "null", "confound"):
        folder = tmp_path_factory.mktemp(variant)
        demo = make_demo_eeg_imagenet(variant=variant, n_subjects=2, seed=0)
        write_demo_eeg_imagenet(
            demo, folder / "eeg_5_95_std.pth", folder / "block_splits_by_image_all.pth",
            folder / "images", folder / "LOC_synset_mapping.txt",
        )  # fmt: skip
        dataset = load_eeg_imagenet(folder / "eeg_5_95_std.pth")
        written["mapping"][variant] = folder / "LOC_synset_mapping.txt"
        written[variant] = (
            demo,
            dataset,
            load_block_splits(folder / "block_splits_by_image_all.pth", dataset),
        )
    return written  # fmt: skip


def test_the_demo_is_written_in_the_released_layout_with_splits_by_image(demo_files):
    demo, dataset, parts = demo_files["planted"]
    assert dataset.eeg.shape == (160, 128, 440) and len(dataset.synsets) == 8
    image_part = {}
    for part, positions in parts.items():
        for image in dataset.images[positions]:
            assert image_part.setdefault(int(image), part) == part  # one part per image
    assert sorted(image_part) == list(range(80))
    assert sum(1 for p in image_part.values() if p == "test") == 8
    from PIL import Image

    picture = np.asarray(Image.open(dataset.image_path(dataset.path.parent / "images", 0)))
    assert picture.shape == (64, 64, 3)
    # JPEG keeps the drawn picture up to compression.
    assert np.abs(picture.astype(int) - demo.pictures[0]).mean() < 6


def test_the_demo_variants_have_their_known_answer(demo_files):
    # The baseline-corrected evoked amplitude names the class only in the planted variant; the
    # channel means (slow drift) name it only in the confound variant, and only because the
    # block design puts all images of a class at nearby times.
    scores = {}
    for variant in ("planted", "null", "confound"):
        _, dataset, parts = demo_files[variant]
        occipital = dataset.eeg[:, 64:]
        scores[variant] = (
            _nearest_centroid_accuracy(_evoked_amplitude(occipital), dataset.labels, parts),
            _nearest_centroid_accuracy(dataset.eeg.mean(-1), dataset.labels, parts),
        )
    # 16 test segments: chance 1/8, binomial 95 % upper bound 0.375.
    assert scores["planted"][0] >= 0.75, scores
    assert scores["null"][0] <= 0.375 and scores["null"][1] <= 0.375, scores
    assert scores["confound"][0] <= 0.375, scores
    assert scores["confound"][1] >= 0.75, scores


def test_the_demo_lists_each_subject_in_presentation_order_with_named_classes(demo_files):
    demo, dataset, _ = demo_files["confound"]
    positions = segment_positions(dataset)
    for subject in np.unique(dataset.subjects):
        members = np.flatnonzero(dataset.subjects == subject)
        np.testing.assert_array_equal(positions[members], np.arange(members.size))
        # The block design: one class after another, so the class changes 8 − 1 times.
        assert np.count_nonzero(np.diff(dataset.labels[members])) == len(dataset.synsets) - 1
    mapping = demo_files["mapping"]["confound"]
    assert read_synset_mapping(mapping, dataset.synsets) == demo.class_names
    assert len(set(demo.class_names)) == len(demo.synsets)


def test_the_synset_mapping_gives_the_first_name_and_names_what_is_missing(tmp_path):
    path = tmp_path / "LOC_synset_mapping.txt"
    path.write_text("n02389026 sorrel\nn03888257 parachute, chute\n\n")
    assert read_synset_mapping(path, ["n03888257", "n02389026"]) == ("parachute", "sorrel")
    with pytest.raises(ValueError, match=r"names no class for the WordNet ids \['n01234567'\]"):
        read_synset_mapping(path, ["n01234567"])
    path.write_text("n02389026 sorrel\nparachute\n")
    with pytest.raises(ValueError, match="line 2"):
        read_synset_mapping(path, ["n02389026"])
    with pytest.raises(FileNotFoundError, match=r"missing\.txt"):
        read_synset_mapping(tmp_path / "missing.txt", ["n02389026"])


def test_images_load_centre_cropped_and_resized_with_their_class(tmp_path):
    from PIL import Image

    dataset = load_eeg_imagenet(_write(tmp_path / "eeg_5_95_std.pth", _segments([500] * 3)))
    root = tmp_path / "images"
    wide = np.zeros((20, 40, 3), np.uint8)
    wide[:, 10:30] = 200  # the centre square; the sides are cropped away
    for name in IMAGES:
        (root / name.split("_")[0]).mkdir(parents=True, exist_ok=True)
        Image.fromarray(wide).save(root / name.split("_")[0] / f"{name}.JPEG", quality=100)
    images = load_images(dataset, root, 8)
    assert images.shape == (3, 8, 8, 3) and images.dtype == np.uint8
    assert np.abs(images.astype(int) - 200).max() <= 3
    np.testing.assert_array_equal(image_labels(dataset), [0, 1, 0])
    (root / "n03888257" / "n03888257_101.JPEG").write_bytes(b"not a jpeg")
    with pytest.raises(ValueError, match=r"n03888257_101\.JPEG' cannot be read"):
        load_images(dataset, root, 8)


def test_the_demo_release_is_written_by_the_released_names_all_or_nothing(tmp_path):
    paths = write_demo_release(tmp_path / "raw", n_classes=4, images_per_class=10, n_subjects=1)
    assert {key: path.name for key, path in paths.items()} == RELEASE_FILES
    dataset = load_eeg_imagenet(paths["eeg"])
    assert load_images(dataset, paths["images"], 16).shape == (40, 16, 16, 3)
    assert len(read_synset_mapping(paths["synset_mapping"], dataset.synsets)) == 4
    with pytest.raises(ValueError, match="variant"):
        write_demo_release(tmp_path / "bad", variant="planted-twice")
    assert not (tmp_path / "bad").exists()
