"""The EEG + face fusion evaluation's figure: each model's test balanced accuracy per dataset,
target and protocol, beside chance."""

import matplotlib.pyplot as plt
import numpy as np

_MODELS = ("eeg", "face", "fusion", "majority")
_COLOURS = {"eeg": "tab:blue", "face": "tab:orange", "fusion": "tab:green", "majority": "0.6"}


def plot_fusion_summary(rows: list[dict]) -> plt.Figure:
    """One panel per dataset; per target and protocol a bar per model (mean ± std over folds
    of the balanced accuracy), the parity protocol's bars labelled leaky.

    Parameters
    ----------
    rows : list of dict
        :func:`eegdecode.training.fusion.fusion_summary_rows` output.
    """
    datasets = sorted({row["dataset"] for row in rows})
    figure, panels = plt.subplots(1, len(datasets), figsize=(4.8 * len(datasets), 3.6),
                                  squeeze=False, sharey=True, layout="constrained")  # fmt: skip
    width = 0.8 / len(_MODELS)
    for panel, dataset in zip(panels[0], datasets, strict=True):
        mine = [row for row in rows if row["dataset"] == dataset]
        groups = sorted({(row["target"], row["protocol"]) for row in mine},
                        key=lambda group: (group[0], str(group[1]) != "subject_wise"))  # fmt: skip
        for offset, model in enumerate(_MODELS):
            found = {(r["target"], r["protocol"]): r for r in mine if r["model"] == model}
            means = [float(found[g]["balanced_accuracy_mean"]) for g in groups]
            spreads = [float(found[g]["balanced_accuracy_std"]) for g in groups]
            panel.bar(np.arange(len(groups)) + (offset - 1.5) * width, means, width,
                      yerr=spreads, color=_COLOURS[model], label=model)  # fmt: skip
        leaky = {(r["target"], r["protocol"]) for r in mine if str(r["leaky"]) == "True"}
        labels = [f"{t}\n{p}" + (" (leaky)" if (t, p) in leaky else "") for t, p in groups]
        panel.set_xticks(np.arange(len(groups)), labels, fontsize=7)
        panel.axhline(0.5, color="black", linestyle="--", linewidth=0.8)
        panel.set_ylim(0, 1)
        panel.set_title(dataset)
    panels[0][0].set_ylabel("test balanced accuracy")
    panels[0][-1].legend(fontsize=7, loc="lower right")
    return figure
