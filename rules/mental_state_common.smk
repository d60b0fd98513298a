# Config interpretation and input functions of the emotion (DREAMER) and cognitive-load
# (STEW) rules (rules/mental_state.smk). Both tasks share the evaluation rules, keyed by the
# {task} wildcard.

MENTAL_STATE = {"emotion": config["emotion"], "workload": config["workload"]}


wildcard_constraints:
    task="emotion|workload",
    protocol="subject_wise|segment_random",
    dataset="[A-Za-z0-9_-]+",
    model="[A-Za-z0-9_-]+",


def dreamer_mat(dataset):
    """The dataset's DREAMER.mat: the configured file, or where the demo writes it."""
    entry = MENTAL_STATE["emotion"]["datasets"][dataset]
    return entry.get("mat") or f"results/emotion/{dataset}/DREAMER.mat"


def stew_root(dataset):
    """The folder of the dataset's STEW files: the configured one, or the demo's."""
    entry = MENTAL_STATE["workload"]["datasets"][dataset]
    return entry.get("root") or f"results/workload/{dataset}/raw"


def stew_files(dataset):
    """Every recording of the dataset's subjects (the package's names for them), then
    ratings.txt."""
    from eegdecode.datasets.stew import STEW_CONDITIONS, stew_recording_path

    root = stew_root(dataset)
    return [
        str(stew_recording_path(root, subject, condition))
        for subject in MENTAL_STATE["workload"]["datasets"][dataset]["subjects"]
        for condition in STEW_CONDITIONS
    ] + [f"{root}/ratings.txt"]


def demo_datasets(task):
    return [
        name
        for name, entry in MENTAL_STATE[task]["datasets"].items()
        if "demo" in entry
    ]


def mental_state_evaluations(task, kind):
    """Every dataset × model × protocol's metrics JSON or confusion figure of `task`."""
    settings = MENTAL_STATE[task]
    pattern = {
        "metrics": "results/{task}/{dataset}/evaluation/{model}_{protocol}.json",
        "figure": "results/{task}/{dataset}/qc/{model}_{protocol}_confusion.png",
    }[kind]
    return expand(
        pattern,
        task=task,
        dataset=list(settings["datasets"]),
        model=list(settings["models"]),
        protocol=settings["evaluation"]["protocols"],
    )


def live_workload_model():
    """The folder of the cognitive-load model that `eegdecode live` runs."""
    live = MENTAL_STATE["workload"]["live"]
    return f"results/workload/{live['dataset']}/models/{live['model']}"


def get_mental_state_targets(task):
    deployed = [live_workload_model()] if task == "workload" else []
    return [
        f"results/{task}/summary.csv",
        *mental_state_evaluations(task, "figure"),
        *deployed,
    ]
