"""Writing figures to files, and what every QC figure says about its recording."""

from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt

from ..fileio import atomic_path


def save_figure(figure: plt.Figure, path: str | Path, *, dpi: int = 110) -> Path:
    """Save and close ``figure``, atomically."""
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=dpi)
    plt.close(figure)
    return Path(path)


def note_flagged_channels(figure: plt.Figure, flagged: Sequence[str]) -> None:
    """Write the recording's flat or saturated channels (``flagged_channels``) in red at the
    figure's foot, so that a QC figure never hides them."""
    if flagged:
        figure.supxlabel(f"Flagged channels: {', '.join(flagged)}", color="tab:red", fontsize=9)
