# Config interpretation and input functions of the EEG + face fusion rules (rules/fusion.smk):
# DEAP's files in the release's layout, under each dataset's root.

FUSION = config["fusion"]


wildcard_constraints:
    deap_subject="[0-9]{2}",
    target="valence|arousal",
    fusion_protocol="subject_wise|subject_folds|original_identical_splits",
    face_encoder="frozen|finetuned_valence|finetuned_arousal",


def fusion_demo_datasets():
    return [name for name, entry in FUSION["datasets"].items() if "demo" in entry]


def deap_root(dataset):
    """The dataset's DEAP folder: the configured one, or where the demo writes it."""
    return FUSION["datasets"][dataset].get("root") or f"results/fusion/{dataset}/raw"


def deap_subjects(dataset):
    """The participants of the dataset (the demo's 1…n_subjects), as two-digit strings."""
    entry = FUSION["datasets"][dataset]
    subjects = entry.get("subjects") or range(1, entry["demo"]["n_subjects"] + 1)
    return [f"{subject:02d}" for subject in subjects]


def deap_trial_samples(dataset):
    """Samples per trial of sNN.mat: the release's 8064 (63 s at 128 Hz), or the demo's."""
    from eegdecode.datasets.deap import DEAP_BASELINE_S, DEAP_SFREQ, DEAP_TRIAL_SAMPLES

    demo = FUSION["datasets"][dataset].get("demo")
    if demo is None:
        return DEAP_TRIAL_SAMPLES
    return round((DEAP_BASELINE_S + demo["trial_s"]) * DEAP_SFREQ)


def deap_n_trials(dataset):
    demo = FUSION["datasets"][dataset].get("demo")
    return demo["n_trials"] if demo else FUSION["n_trials"]


def deap_file(dataset, kind, subject=None):
    """A DEAP file of the dataset, by the package's names for them (kind: mat | ratings)."""
    from eegdecode.datasets import deap

    root = deap_root(dataset)
    if kind == "ratings":
        return str(deap.ratings_path(root))
    return str(deap.matlab_path(root, int(subject)))


def deap_face_videos(dataset, subject):
    """Every trial's face video of one participant (trials 1…n)."""
    from eegdecode.datasets.deap import face_video_path

    root = deap_root(dataset)
    return [
        str(face_video_path(root, int(subject), trial))
        for trial in range(1, deap_n_trials(dataset) + 1)
    ]


def deap_input(kind):
    """Input function of a DEAP file: on the demo the folder its rule writes, else the file."""

    def files(wildcards):
        if wildcards.dataset in fusion_demo_datasets():
            return deap_root(wildcards.dataset)
        if kind == "videos":
            return deap_face_videos(wildcards.dataset, wildcards.deap_subject)
        return deap_file(
            wildcards.dataset, kind, getattr(wildcards, "deap_subject", None)
        )

    return files


def vision_encoder_folder():
    return FUSION["vision_encoder"] or "results/pretrained/tiny-vit"


def face_encoder_name(target):
    """Whose embeddings a target's fusion reads: the frozen encoder's, or the one fine-tuned
    for the target (fusion.face_finetuning.frozen_layers set)."""
    if FUSION["face_finetuning"]["frozen_layers"] is None:
        return "frozen"
    return f"finetuned_{target}"


def face_encoder_folder(wildcards):
    if wildcards.face_encoder == "frozen":
        return vision_encoder_folder()
    target = wildcards.face_encoder.removeprefix("finetuned_")
    return f"results/fusion/{wildcards.dataset}/face_encoder/{target}"


def fusion_per_subject(dataset, pattern):
    return expand(pattern, dataset=dataset, deap_subject=deap_subjects(dataset))


def fusion_finetuning_subjects(dataset, pattern):
    """The pattern for each participant the face encoder is fine-tuned on or selected by
    (fusion.evaluation.split's training and validation sides)."""
    split = FUSION["evaluation"]["split"]
    subjects = sorted(split["train"] + split["validation"])
    return expand(pattern, dataset=dataset, deap_subject=[f"{s:02d}" for s in subjects])


def fusion_evaluations():
    """Every dataset × target × protocol's metrics JSON."""
    return expand(
        "results/fusion/{dataset}/evaluation/{target}_{fusion_protocol}.json",
        dataset=list(FUSION["datasets"]),
        target=FUSION["targets"],
        fusion_protocol=FUSION["evaluation"]["protocols"],
    )


def get_fusion_targets():
    return ["results/fusion/summary.csv", "results/fusion/summary.png"]
