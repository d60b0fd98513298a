import h5py
import numpy as np
import pytest

from eegdecode import __version__
from eegdecode.artifacts import AxisArray, read_array, read_attrs, write_artifact


@pytest.fixture
def artifact(tmp_path, rng):
    path = tmp_path / "clips.h5"
    data = rng.standard_normal((2, 3, 4)).astype(np.float32)
    write_artifact(
        path,
        {"eeg": AxisArray(data, ("block", "channel", "time"), {"unit": "uV"})},
        producer="segment",
        attrs={"sfreq": 200.0, "channel_names": ["O1", "Oz", "O2"], "subject": 3},
        parameters={"clip_s": 2.0, "bands": {"alpha": [8, 14]}},
    )
    return path, data


def test_round_trip(artifact):
    path, data = artifact
    array = read_array(path, "eeg", axes=("block", "channel", "time"), sizes={"channel": 3})
    np.testing.assert_array_equal(array.data, data)
    assert array.axes == ("block", "channel", "time")
    assert array.attrs == {"unit": "uV"}
    assert array.sizes == {"block": 2, "channel": 3, "time": 4}
    attrs = read_attrs(path)
    assert attrs["producer"] == "segment"
    assert attrs["eegdecode_version"] == __version__
    assert attrs["sfreq"] == 200.0 and attrs["subject"] == 3
    assert attrs["channel_names"] == ["O1", "Oz", "O2"]
    assert attrs["parameters"] == {"clip_s": 2.0, "bands": {"alpha": [8, 14]}}


def test_leading_ellipsis_accepts_any_leading_axes(artifact):
    path, _ = artifact
    assert read_array(path, "eeg", axes=(..., "channel", "time")).axes[0] == "block"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"axes": ("block", "time", "channel")},
            r"clips.h5:/eeg has axes \('block', 'channel', 'time'\), expected \('block', 'time', 'channel'\)",
        ),
        ({"axes": (..., "window", "time")}, r"expected ending in \('window', 'time'\)"),
        ({"sizes": {"channel": 62}}, r"clips.h5:/eeg axis 'channel' has 3 entries, expected 62"),
        ({"sizes": {"band": 5}}, r"has no axis 'band'"),
    ],
)
def test_read_names_file_dataset_and_axis_on_mismatch(artifact, kwargs, match):
    path, _ = artifact
    with pytest.raises(ValueError, match=match):
        read_array(path, "eeg", **kwargs)


def test_missing_dataset_lists_what_is_there(artifact):
    path, _ = artifact
    with pytest.raises(ValueError, match=r"has no dataset 'de'; it has \['eeg'\]"):
        read_array(path, "de")


def test_corrupt_and_missing_files(tmp_path):
    broken = tmp_path / "broken.h5"
    broken.write_bytes(b"\x89HDF\r\n" + b"\0" * 10)
    with pytest.raises(
        ValueError, match=r"broken.h5' is not a readable HDF5 file \(truncated or corrupt\?\)"
    ):
        read_attrs(broken)
    with pytest.raises(FileNotFoundError, match=r"absent\.h5' does not exist"):
        read_array(tmp_path / "absent.h5", "eeg")


def test_foreign_hdf5_without_axes(tmp_path):
    path = tmp_path / "foreign.h5"
    with h5py.File(path, "w") as h5:
        h5["eeg"] = np.zeros(3)
    with pytest.raises(ValueError, match="carries no 'axes' attribute"):
        read_array(path, "eeg")


def test_failed_write_leaves_nothing(tmp_path):
    path = tmp_path / "out.h5"

    class Unstorable:
        pass

    with pytest.raises(TypeError, match="Attribute 'bad' has unsupported type"):
        write_artifact(
            path,
            {"x": AxisArray(np.zeros(2), ("time",))},
            producer="t",
            attrs={"bad": Unstorable()},
        )
    assert list(tmp_path.iterdir()) == []


def test_failed_overwrite_keeps_the_old_file(artifact):
    path, data = artifact
    with pytest.raises(TypeError):
        write_artifact(
            path, {"x": AxisArray(np.zeros(2), ("time",))}, producer="t", attrs={"bad": {"a": 1}}
        )
    np.testing.assert_array_equal(read_array(path, "eeg").data, data)
    assert sorted(p.name for p in path.parent.iterdir()) == ["clips.h5"]


def test_axis_array_checks_its_axes():
    with pytest.raises(ValueError, match=r"2 dimensions \(shape \(2, 3\)\) but 1 axis names"):
        AxisArray(np.zeros((2, 3)), ("time",))
    with pytest.raises(ValueError, match="must be unique"):
        AxisArray(np.zeros((2, 3)), ("time", "time"))
