import numpy as np
import pytest

from eegdecode.datasets.tasks import coarse_class_index, eegvp_labels

LABELS = np.array([[2, 1, 3], [3, 2, 1]])  # (block, slot) concept ids


def _meta(values_per_clip):
    return np.asarray(values_per_clip, dtype=float).reshape(2, 6)


def test_concept_and_coarse_labels():
    concept, names = eegvp_labels("concept", LABELS, {}, clips_per_concept=2)
    assert concept.shape == (2, 3, 2) and names == ["1", "2", "3"]
    np.testing.assert_array_equal(concept[:, :, 1], LABELS - 1)
    coarse, names = eegvp_labels(
        "coarse", LABELS, {}, clips_per_concept=2, coarse_classes=[[1, 3], [2]]
    )
    np.testing.assert_array_equal(coarse[0, :, 0], [1, 0, 0])
    assert names == ["0", "1"]


def test_meta_info_tasks_are_per_clip():
    meta = {
        "optical_flow_score": _meta([0.5, 3.0, 1.0, 2.0, 0.2, 9.0] * 2),
        "color": _meta([4, 0, 4, 6, 0, 0] * 2),
    }
    fast, names = eegvp_labels("fast_slow", LABELS, meta, clips_per_concept=2, fast_threshold=1.799)
    np.testing.assert_array_equal(fast[0].ravel(), [0, 1, 0, 1, 0, 1])
    assert names[1].startswith("fast")
    median, _ = eegvp_labels("fast_slow", LABELS, meta, clips_per_concept=2)
    assert median.mean() == 0.5
    colour, names = eegvp_labels("color", LABELS, meta, clips_per_concept=2)
    assert names == ["0", "4", "6"]
    np.testing.assert_array_equal(colour[0].ravel(), [1, 0, 1, 2, 0, 0])


def test_task_inputs_are_checked():
    with pytest.raises(ValueError, match=r"'coarse' task needs dataset\.coarse_classes"):
        eegvp_labels("coarse", LABELS, {}, clips_per_concept=2)
    with pytest.raises(ValueError, match="needs the meta-info array 'face_apperance'"):
        eegvp_labels("face", LABELS, {}, clips_per_concept=2)
    with pytest.raises(
        ValueError, match=r"Meta-info 'color' has shape \(2, 5\), expected \(2, 6\)"
    ):
        eegvp_labels("color", LABELS, {"color": np.zeros((2, 5))}, clips_per_concept=2)
    with pytest.raises(ValueError, match="Invalid value for the 'task' parameter"):
        eegvp_labels("mood", LABELS, {}, clips_per_concept=2)


def test_coarse_classes_must_partition_the_concepts():
    np.testing.assert_array_equal(coarse_class_index([[2], [1, 3]], 3)[1:], [1, 0, 1])
    with pytest.raises(ValueError, match="concept 2 is out of range or listed twice"):
        coarse_class_index([[1, 2], [2, 3]], 3)
    with pytest.raises(ValueError, match=r"leaves concepts \[3\] without a class"):
        coarse_class_index([[1, 2]], 3)
