"""Writing files so that a failed job never leaves a partial one behind."""

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` if the block succeeds.

    The temporary name keeps the suffix, so writers that choose a format by extension work. The
    block may make a file or a folder there; either is removed if the block fails.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.partial{path.suffix}")
    try:
        yield temporary
        if temporary.is_dir() and path.is_dir():
            # A folder cannot replace a non-empty folder in one step: move the old one aside.
            retired = path.with_name(f".{path.name}.{os.getpid()}.retired")
            os.replace(path, retired)
            os.replace(temporary, path)
            shutil.rmtree(retired)
        else:
            os.replace(temporary, path)
    finally:
        if temporary.is_dir():
            shutil.rmtree(temporary)
        else:
            temporary.unlink(missing_ok=True)


def load_tensors_only(path: str | Path, *, instead: str):
    """What a ``torch.save`` file holds, read with ``torch.load(weights_only=True)``.

    Tensors, numbers, strings and the containers of them load; a file that needs any other
    object (which unpickling would construct, running its code) is refused, naming the file and
    saying what to do ``instead``.
    """
    import torch

    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as error:  # torch raises UnpicklingError and others for unsafe content
        raise ValueError(
            f"{str(path)!r} does not hold tensors, numbers and containers only "
            f"({type(error).__name__}: {error}); it is never unpickled further. {instead}"
        ) from error


def save_npy(path: str | Path, array: np.ndarray) -> Path:
    """Save ``array`` as a ``.npy`` file (no pickled objects), atomically."""
    array = np.asarray(array)
    if array.dtype == object:
        raise TypeError(f"Refusing to save an object array to {str(path)!r}: it would need pickle.")
    with atomic_path(path) as temporary:
        np.save(temporary, array, allow_pickle=False)
    return Path(path)


def write_json(path: str | Path, document) -> Path:
    """Write ``document`` as indented JSON, atomically."""
    with atomic_path(path) as temporary:
        temporary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return Path(path)


def write_csv(
    path: str | Path, rows: list[dict], fieldnames: list[str] | None = None, delimiter: str = ","
) -> Path:
    """Write dict rows (same keys) as CSV with a header, atomically.

    ``fieldnames`` orders the columns (default: the first row's keys); with no rows, it gives
    the header of an empty table.
    """
    import csv

    with (
        atomic_path(path) as temporary,
        open(temporary, "w", newline="", encoding="utf-8") as handle,
    ):
        writer = csv.DictWriter(
            handle, fieldnames=fieldnames or list(rows[0]), delimiter=delimiter,
            lineterminator="\n" if delimiter == "\t" else "\r\n",
        )  # fmt: skip
        writer.writeheader()
        writer.writerows(rows)
    return Path(path)


def read_csv(path: str | Path) -> list[dict[str, str]]:
    """The rows of a CSV file with a header (as :func:`write_csv` writes it), as dicts."""
    import csv

    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_tsv(path: str | Path, rows: list[dict], fieldnames: list[str] | None = None) -> Path:
    """:func:`write_csv` with tabs and newlines, as BIDS writes its ``.tsv`` files."""
    return write_csv(path, rows, fieldnames, delimiter="\t")


def save_wav(path: str | Path, audio: np.ndarray, sfreq: float) -> Path:
    """Save mono audio in [−1, 1] as 16-bit PCM WAV, atomically."""
    import soundfile

    audio = np.asarray(audio)
    if audio.ndim != 1:
        raise ValueError(f"Audio for {str(path)!r} must be mono (n_samples,), got {audio.shape}.")
    with atomic_path(path) as temporary:
        soundfile.write(temporary, np.clip(audio, -1.0, 1.0), round(sfreq), subtype="PCM_16")
    return Path(path)
