# Config interpretation and input functions of validation_all (rules/validation.smk).

from snakemake.exceptions import WorkflowError

VALIDATION = config["validation"]
# The demo datasets whose tables each system's checks read.
VALIDATION_DATASETS = {
    "emotion": {"demo", "demo-null"},
    "workload": {"demo", "demo-null"},
    "fusion": {"demo", "demo-null"},
    "eeg2image": {"demo", "demo-null", "demo-confound"},
}


def validation_tables(wildcards):
    """The summary tables the checks read; refuses a config whose demos are not the embedded
    ones, since the bounds hold for the planted, null and confound demos only."""
    missing = [] if config["demo"]["activate"] else ["demo.activate: true"]
    for system, names in VALIDATION_DATASETS.items():
        absent = sorted(names - set(config[system]["datasets"]))
        if absent:
            missing.append(f"{system}.datasets: {', '.join(absent)}")
    if missing:
        raise WorkflowError(
            "validation_all checks the embedded demos as config/config.yaml configures them; "
            f"this config lacks {'; '.join(missing)}."
        )
    return {
        "eeg2video": f"{RESULTS}/evaluation/summary.csv",
        "eeg2video_null": f"results/{NULL_NAME}/evaluation/summary.csv",
        "eeg2image": "results/eeg2image/summary.csv",
        # The subject-wise evaluations alone: the parity protocols are no validation row.
        **{
            task: expand(
                "results/{task}/{dataset}/evaluation/{model}_subject_wise.json",
                task=task,
                dataset=sorted(VALIDATION_DATASETS[task]),
                model=list(MENTAL_STATE[task]["models"]),
            )
            for task in MENTAL_STATE
        },
        "fusion": expand(
            "results/fusion/{dataset}/evaluation/{target}_subject_wise.json",
            dataset=sorted(VALIDATION_DATASETS["fusion"]),
            target=FUSION["targets"],
        ),
    }
