"""Reading and writing the workflow's HDF5 artifacts.

Every array in an artifact carries the names of its axes (attribute ``axes``), and every file
carries the rule that produced it and the package version. Arrays are written under a temporary
name and renamed once complete, so a failed job never leaves a partial file behind. Reading
validates: a stage asks for the axes it expects and gets an error naming the file, the dataset
and the axis when the file disagrees.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import EllipsisType
from typing import Any

import h5py
import numpy as np

from . import __version__
from ._validation import validate_type
from .fileio import atomic_path

AxesSpec = Sequence[str | EllipsisType]

# Axis names of the preprocessing artifacts, outermost first.
LABEL_AXES = ("block", "concept")
CLIP_AXES = ("block", "concept", "rep", "channel", "time")
WINDOW_AXES = ("block", "concept", "rep", "window", "channel", "time")
FRAME_AXES = ("clip", "frame", "height", "width", "rgb")
LATENT_AXES = ("clip", "frame", "latent_channel", "height", "width")
TEXT_AXES = ("clip", "token", "feature")
IMAGE_AXES = ("image", "height", "width", "rgb")
# File attributes every stage copies from its input to its output.
INHERITED_ATTRS = (
    "dataset",
    "subject",
    "participant",
    "block",
    "sfreq",
    "channel_names",
    "flagged_channels",
)


@dataclass(frozen=True)
class AxisArray:
    """An array with named axes and its own attributes.

    Parameters
    ----------
    data : ndarray
        The values.
    axes : tuple of str
        One name per dimension of ``data``, outermost first.
    attrs : dict
        Attributes of this array (unit, order, ...). Values are str, int, float, bool, or
        sequences of str or numbers.
    """

    data: np.ndarray
    axes: tuple[str, ...]
    attrs: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "axes", tuple(self.axes))
        if np.ndim(self.data) != len(self.axes):
            raise ValueError(
                f"AxisArray has {np.ndim(self.data)} dimensions (shape {np.shape(self.data)}) but "
                f"{len(self.axes)} axis names {self.axes}."
            )
        if len(set(self.axes)) != len(self.axes):
            raise ValueError(f"AxisArray axis names must be unique, got {self.axes}.")

    @property
    def sizes(self) -> dict[str, int]:
        """Length of each named axis."""
        return dict(zip(self.axes, np.shape(self.data), strict=True))


def _to_h5(name: str, value: Any) -> Any:
    if isinstance(value, str | bool | int | float | np.generic):
        return value
    if isinstance(value, Mapping):
        raise TypeError(
            f"Attribute {name!r} is a mapping; store it as separate attributes or as JSON text "
            f"(see write_artifact's `parameters`)."
        )
    if isinstance(value, list | tuple) and not value:
        # An empty list of names: stored as text, so it reads back as an empty list.
        return np.asarray([], dtype=h5py.string_dtype())
    array = np.asarray(value)
    if array.dtype.kind in "US" or (
        array.dtype == object and array.size and isinstance(array.flat[0], str)
    ):
        return np.asarray([str(v) for v in array.ravel()], dtype=h5py.string_dtype()).reshape(
            array.shape
        )
    if array.dtype.kind in "biuf":
        return array
    raise TypeError(f"Attribute {name!r} has unsupported type {type(value).__name__}.")


def _from_h5(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.ndarray):
        if value.dtype == object or value.dtype.kind in "SU":
            return [v.decode() if isinstance(v, bytes) else str(v) for v in value.ravel()]
        return value
    if isinstance(value, np.generic):
        return value.item()
    return value


def write_artifact(
    path: str | Path,
    arrays: Mapping[str, AxisArray],
    *,
    producer: str,
    attrs: Mapping[str, Any] | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> Path:
    """Write named arrays and file attributes to an HDF5 file, atomically.

    Parameters
    ----------
    path : str | Path
        Destination. Parent folders are created.
    arrays : dict of str to AxisArray
        The datasets to write, by name.
    producer : str
        The stage that made the file (the rule name); stored as the ``producer`` attribute.
    attrs : dict | None
        File attributes (sampling rate, channel names, ...).
    parameters : dict | None
        The configuration the stage ran with, stored as JSON text in ``parameters_json``.

    Returns
    -------
    path : Path
        The written file.
    """
    path = Path(path)
    validate_type(producer, str, "producer")
    for name, array in arrays.items():
        validate_type(array, AxisArray, f"arrays[{name!r}]")
    with atomic_path(path) as temporary, h5py.File(temporary, "w") as h5:
        h5.attrs["producer"] = producer
        h5.attrs["eegdecode_version"] = __version__
        for key, value in (attrs or {}).items():
            h5.attrs[key] = _to_h5(key, value)
        if parameters is not None:
            h5.attrs["parameters_json"] = json.dumps(parameters, sort_keys=True)
        for name, array in arrays.items():
            dataset = h5.create_dataset(name, data=array.data)
            dataset.attrs["axes"] = _to_h5("axes", list(array.axes))
            for key, value in array.attrs.items():
                dataset.attrs[key] = _to_h5(key, value)
    return path


def _open(path: Path) -> h5py.File:
    if not path.is_file():
        raise FileNotFoundError(f"Artifact {str(path)!r} does not exist.")
    try:
        return h5py.File(path, "r")
    except OSError as error:
        raise ValueError(
            f"{str(path)!r} is not a readable HDF5 file (truncated or corrupt?): {error}. "
            f"Delete it and rerun the stage that produces it."
        ) from error


def _check_axes(where: str, found: tuple[str, ...], expected: AxesSpec) -> None:
    expected = tuple(expected)
    if expected.count(...) > 1 or (... in expected and expected[0] is not ...):
        raise ValueError(f"An expected axes spec may only start with '...', got {expected}.")
    if expected and expected[0] is ...:
        tail = expected[1:]
        ok = len(found) >= len(tail) and found[len(found) - len(tail) :] == tail
        wanted = f"ending in {tail}"
    else:
        ok = found == expected
        wanted = str(expected)
    if not ok:
        raise ValueError(f"{where} has axes {found}, expected {wanted}.")


def read_array(
    path: str | Path,
    name: str,
    *,
    axes: AxesSpec | None = None,
    sizes: Mapping[str, int] | None = None,
) -> AxisArray:
    """Read one named array and check its axes.

    Parameters
    ----------
    path : str | Path
        An artifact written by :func:`write_artifact`.
    name : str
        The dataset to read.
    axes : sequence of str | None
        The axis names the caller expects. A leading ``...`` accepts any leading axes
        (``(..., "channel", "time")``). None accepts any.
    sizes : dict of str to int | None
        Expected lengths of some axes.

    Returns
    -------
    array : AxisArray
        The data with its axis names and attributes.
    """
    path = Path(path)
    with _open(path) as h5:
        if name not in h5:
            raise ValueError(
                f"{str(path)!r} has no dataset {name!r}; it has {sorted(h5.keys())}. "
                f"Was it produced by another stage or an older version?"
            )
        dataset = h5[name]
        where = f"{path}:/{name}"
        if "axes" not in dataset.attrs:
            raise ValueError(
                f"{where} carries no 'axes' attribute; it was not written by eegdecode."
            )
        found = tuple(_from_h5(dataset.attrs["axes"]))
        if axes is not None:
            _check_axes(where, found, axes)
        shape = dict(zip(found, dataset.shape, strict=True))
        for axis, size in (sizes or {}).items():
            if axis not in shape:
                raise ValueError(f"{where} has no axis {axis!r}; its axes are {found}.")
            if shape[axis] != size:
                raise ValueError(
                    f"{where} axis {axis!r} has {shape[axis]} entries, expected {size}."
                )
        attrs = {key: _from_h5(value) for key, value in dataset.attrs.items() if key != "axes"}
        return AxisArray(dataset[()], found, attrs)


def array_names(path: str | Path) -> list[str]:
    """The names of the arrays an artifact holds, sorted."""
    with _open(Path(path)) as h5:
        return sorted(h5.keys())


def read_attrs(path: str | Path) -> dict[str, Any]:
    """Read the file attributes of an artifact (``parameters_json`` decoded as ``parameters``)."""
    path = Path(path)
    with _open(path) as h5:
        attrs = {key: _from_h5(value) for key, value in h5.attrs.items()}
    if "parameters_json" in attrs:
        attrs["parameters"] = json.loads(attrs.pop("parameters_json"))
    return attrs


def require_attrs(path: str | Path, attrs: Mapping[str, Any], names: Sequence[str]) -> None:
    """Raise naming the file when any of ``names`` is missing from ``attrs``."""
    missing = [name for name in names if name not in attrs]
    if missing:
        raise ValueError(f"{str(path)!r} lacks the file attributes {missing}; rerun its producer.")


def inherit_attrs(attrs: Mapping[str, Any], **new: Any) -> dict[str, Any]:
    """The attributes of an input that travel to the output (INHERITED_ATTRS), plus ``new``."""
    return {key: attrs[key] for key in INHERITED_ATTRS if key in attrs} | new
