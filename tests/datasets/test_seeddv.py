import numpy as np
import pytest

from eegdecode.datasets import (
    SEED_DV_CHANNELS,
    SEED_DV_PRESENTATION_ORDER,
    DatasetLayout,
    block_ordinal,
    load_concept_labels,
    load_raw_eeg,
)


def test_presentation_order_table_is_seven_permutations():
    assert SEED_DV_PRESENTATION_ORDER.shape == (7, 40)
    for row in SEED_DV_PRESENTATION_ORDER:
        assert sorted(row) == list(range(1, 41))
    assert SEED_DV_PRESENTATION_ORDER[0, :3].tolist() == [23, 22, 9]
    assert SEED_DV_PRESENTATION_ORDER[6, -1] == 27


def test_channel_list_and_occipital_set():
    assert len(SEED_DV_CHANNELS) == 62 == len(set(SEED_DV_CHANNELS))
    assert SEED_DV_CHANNELS[50:] == [
        "PO7",
        "PO5",
        "PO3",
        "POz",
        "PO4",
        "PO6",
        "PO8",
        "CB1",
        "O1",
        "Oz",
        "O2",
        "CB2",
    ]


@pytest.mark.parametrize(
    ("block", "name"),
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (7, "7th"), (11, "11th"), (21, "21st")],
)
def test_block_ordinal(block, name):
    assert block_ordinal(block) == name


def test_layout_paths_follow_seed_dv(tmp_path):
    layout = DatasetLayout()
    assert layout.eeg_path(tmp_path, 3) == tmp_path / "EEG/sub3.npy"
    assert layout.video_path(tmp_path, 2) == tmp_path / "Video/2nd_10min.mp4"
    assert layout.captions_path(tmp_path, 7) == tmp_path / "Video/BLIP-caption/7th_10min.txt"
    assert (
        layout.meta_info_path(tmp_path, "color") == tmp_path / "Video/meta-info/All_video_color.npy"
    )
    with pytest.raises(ValueError, match=r"Unknown dataset.layout keys \['audio'\]"):
        DatasetLayout.from_config({"audio": "x"})


def test_seed_dv_labels_load(tmp_path, seed_dv_protocol):
    path = tmp_path / "All_video_label.npy"
    np.save(path, SEED_DV_PRESENTATION_ORDER.astype(float))
    labels = load_concept_labels(path, seed_dv_protocol)
    np.testing.assert_array_equal(labels, SEED_DV_PRESENTATION_ORDER)
    assert labels.dtype == np.int64


@pytest.mark.parametrize(
    ("labels", "match"),
    [
        (np.ones((7, 39)), r"has shape \(7, 39\), expected \(7, 40\)"),
        (np.tile(np.arange(1, 41), (6, 1)), r"has shape \(6, 40\)"),
        (np.tile(np.arange(1, 41) + 0.5, (7, 1)), "must hold whole concept ids"),
    ],
)
def test_labels_that_do_not_fit_the_protocol(tmp_path, seed_dv_protocol, labels, match):
    path = tmp_path / "All_video_label.npy"
    np.save(path, labels)
    with pytest.raises(ValueError, match=match) as error:
        load_concept_labels(path, seed_dv_protocol)
    assert str(path) in str(error.value)


def test_labels_with_a_repeated_concept(tmp_path, seed_dv_protocol):
    labels = SEED_DV_PRESENTATION_ORDER.copy()
    labels[2, 5] = labels[2, 6]
    path = tmp_path / "labels.npy"
    np.save(path, labels)
    missing = SEED_DV_PRESENTATION_ORDER[2, 5]
    with pytest.raises(
        ValueError,
        match=rf"block 3 must present every concept 1..40 exactly once; missing \[{missing}\], repeated \[{labels[2, 6]}\]",
    ):
        load_concept_labels(path, seed_dv_protocol)


def test_raw_eeg_loads_memory_mapped(tmp_path, small_protocol, rng):
    path = tmp_path / "sub1.npy"
    data = rng.standard_normal((2, 4, small_protocol.block_samples))
    np.save(path, data)
    eeg = load_raw_eeg(path, small_protocol, channel_names=["O1", "O2", "Oz", "Pz"])
    np.testing.assert_array_equal(eeg, data)


@pytest.mark.parametrize(
    ("shape", "match"),
    [
        ((2, 5, 7800), r"has shape \(2, 5, 7800\), expected \(2, 4, 7800\)"),
        (
            (2, 4, 7000),
            r"expected \(2, 4, 7800\) \(block, channel, sample\): 2 blocks, 4 channels and 7800 samples",
        ),
        ((4, 7800), r"has shape \(4, 7800\)"),
    ],
)
def test_raw_eeg_of_the_wrong_shape(tmp_path, small_protocol, shape, match):
    path = tmp_path / "sub1.npy"
    np.save(path, np.zeros(shape))
    with pytest.raises(ValueError, match=match):
        load_raw_eeg(path, small_protocol, channel_names=["O1", "O2", "Oz", "Pz"])


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_raw_eeg_with_non_finite_samples(tmp_path, small_protocol, bad):
    data = np.zeros((2, 4, small_protocol.block_samples))
    data[1, 2, 1000] = bad
    data[1, 3, 5] = bad
    path = tmp_path / "sub1.npy"
    np.save(path, data)
    with pytest.raises(
        ValueError,
        match=r"sub1.npy' has 2 NaN or infinite samples; the first is block 2, channel 3 \(Oz\), "
        r"sample 1001 \(5.000 s into the block; all 1-based\)",
    ):
        load_raw_eeg(path, small_protocol, channel_names=["O1", "O2", "Oz", "Pz"])


@pytest.mark.parametrize("damage", ["truncate", "overwrite"])
def test_unreadable_raw_eeg(tmp_path, small_protocol, damage):
    path = tmp_path / "sub1.npy"
    np.save(path, np.zeros((2, 4, small_protocol.block_samples)))
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:5000])
    else:
        path.write_text("not an array")
    with pytest.raises(
        ValueError,
        match=r"sub1.npy' could not be read as a NumPy \.npy array \(truncated or corrupt\?\)",
    ):
        load_raw_eeg(path, small_protocol, channel_names=["O1", "O2", "Oz", "Pz"])


def test_raw_eeg_of_integers(tmp_path, small_protocol):
    path = tmp_path / "sub1.npy"
    np.save(path, np.zeros((2, 4, small_protocol.block_samples), dtype=np.int16))
    with pytest.raises(TypeError, match="holds int16 values, expected floats"):
        load_raw_eeg(path, small_protocol, channel_names=["O1", "O2", "Oz", "Pz"])


def test_missing_raw_eeg(tmp_path, small_protocol):
    with pytest.raises(FileNotFoundError, match=r"Raw EEG file '.*sub9.npy' does not exist"):
        load_raw_eeg(tmp_path / "sub9.npy", small_protocol, channel_names=["O1", "O2", "Oz", "Pz"])


def test_labels_checked_against_the_published_order(tmp_path, seed_dv_protocol):
    path = tmp_path / "All_video_label.npy"
    np.save(path, SEED_DV_PRESENTATION_ORDER)
    load_concept_labels(path, seed_dv_protocol, published_order="seed-dv")
    swapped = SEED_DV_PRESENTATION_ORDER.copy()
    swapped[4, [0, 1]] = swapped[4, [1, 0]]
    np.save(path, swapped)
    with pytest.raises(
        ValueError,
        match=r"differs from the published seed-dv presentation order: block 5, slot 0 holds concept 29, the published order has 18",
    ):
        load_concept_labels(path, seed_dv_protocol, published_order="seed-dv")
    with pytest.raises(ValueError, match=r"Invalid value for the 'published_order' parameter"):
        load_concept_labels(path, seed_dv_protocol, published_order="seed-iv")


def test_meta_info_by_name_or_in_order(tmp_path):
    from eegdecode.datasets import SEED_DV_META_INFO, Protocol, load_meta_info

    protocol = Protocol(sfreq=200.0, n_blocks=2, n_concepts=2, clips_per_concept=3, hint_s=3.0,
                        clip_s=2.0)  # fmt: skip
    paths = []
    for index, name in enumerate(SEED_DV_META_INFO):
        paths.append(tmp_path / f"All_video_{name}.npy")
        np.save(paths[-1], np.full((2, 6), float(index)))
    in_order = load_meta_info(paths, protocol)
    assert tuple(in_order) == SEED_DV_META_INFO and in_order["obj_number"][0, 0] == 2.0
    by_name = load_meta_info(dict(zip(SEED_DV_META_INFO, paths, strict=True)), protocol)
    assert all(np.array_equal(by_name[name], in_order[name]) for name in SEED_DV_META_INFO)
    with pytest.raises(ValueError, match=r"one meta-info file per name of \['color'"):
        load_meta_info(paths[:2], protocol)
