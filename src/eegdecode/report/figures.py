"""Writing figures to files."""

from pathlib import Path

import matplotlib.pyplot as plt

from ..fileio import atomic_path


def save_figure(figure: plt.Figure, path: str | Path, *, dpi: int = 110) -> Path:
    """Save and close ``figure``, atomically."""
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=dpi)
    plt.close(figure)
    return Path(path)
