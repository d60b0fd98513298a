"""The validation figure: every check of ``validation_all`` as its value beside the range it
must lie in, one panel per system."""

import matplotlib.pyplot as plt
import numpy as np


def plot_validation(checks) -> plt.Figure:
    """One panel per system, one line per check: the allowed range as a grey bar (open ends
    run to the panel's edge), the value as a dot, green where it passed and red where not,
    chance as a black tick.

    Parameters
    ----------
    checks : list of eegdecode.evaluation.validation.Check
    """
    systems = list(dict.fromkeys(check.system for check in checks))
    heights = [sum(check.system == system for check in checks) for system in systems]
    figure, panels = plt.subplots(
        len(systems),
        1,
        figsize=(7.5, 0.9 + 0.24 * sum(heights)),
        squeeze=False,
        gridspec_kw={"height_ratios": heights},
        layout="constrained",
    )
    for panel, system in zip(panels[:, 0], systems, strict=True):
        mine = [check for check in checks if check.system == system]
        values = [check.value for check in mine]
        left = min([*values, *(c.lower for c in mine if c.lower is not None), 0.0]) - 0.05
        right = max([*values, *(c.upper for c in mine if c.upper is not None), 1.0]) + 0.05
        for y, check in enumerate(mine):
            low = left if check.lower is None else check.lower
            high = right if check.upper is None else check.upper
            panel.plot([low, high], [y, y], color="0.8", linewidth=5, solid_capstyle="butt")
            if check.chance is not None:
                panel.plot([check.chance], [y], marker="|", color="black", markersize=9)
            panel.plot(
                [check.value],
                [y],
                marker="o",
                markersize=5,
                color="tab:green" if check.passed else "tab:red",
            )
        panel.set_yticks(
            np.arange(len(mine)), [f"{c.variant}: {c.metric}" for c in mine], fontsize=7
        )
        panel.set_xlim(left, right)
        panel.invert_yaxis()
        panel.set_title(system, fontsize=9, loc="left")
        panel.tick_params(axis="x", labelsize=7)
    panels[-1, 0].set_xlabel("value (grey: where it must lie; |: chance)", fontsize=8)
    return figure
