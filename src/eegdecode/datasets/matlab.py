"""Reading the MATLAB v5 files that DREAMER, DEAP and the mental-attention records ship as."""

from pathlib import Path


def load_matlab(path: str | Path, what: str) -> dict:
    """The variables of the MATLAB v5 file ``path`` (SciPy; no pickle), or an error naming it.

    ``what`` names the file in the message for a missing one (e.g. ``"DEAP file"``). A v7.3
    file (HDF5) is refused: these datasets are distributed as v5 files.
    """
    from scipy import io

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{what} {str(path)!r} does not exist.")
    try:
        return io.loadmat(path)
    except (OSError, ValueError, TypeError, IndexError, NotImplementedError) as error:
        # IndexError: a file cut short inside its header; NotImplementedError: v7.3.
        raise ValueError(f"{path} is not a readable MATLAB v5 file: {error!r}") from error
