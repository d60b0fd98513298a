# Config interpretation and input functions of the EEG → image rules (rules/eeg2image.smk):
# EEG-ImageNet's files as released, or where the demo writes them.

EEG2IMAGE = config["eeg2image"]
EEG2IMAGE_RESULTS = "results/eeg2image/{dataset}"


wildcard_constraints:
    branch="both|pixel|sample",


def eeg2image_demo_datasets():
    return [name for name, entry in EEG2IMAGE["datasets"].items() if "demo" in entry]


def eeg2image_files(dataset):
    """The release's four paths of a dataset: eeg, splits, images, synset_mapping."""
    from eegdecode.datasets.eeg_imagenet import RELEASE_FILES

    entry = EEG2IMAGE["datasets"][dataset]
    if "demo" in entry:
        return {
            key: f"results/eeg2image/{dataset}/raw/{name}"
            for key, name in RELEASE_FILES.items()
        }
    return {key: entry[key] for key in RELEASE_FILES}


def eeg2image_input(*kinds):
    """Input function of the release's files: on the demo the folder its rule writes."""

    def files(wildcards):
        if wildcards.dataset in eeg2image_demo_datasets():
            return f"results/eeg2image/{wildcards.dataset}/raw"
        paths = eeg2image_files(wildcards.dataset)
        return [paths[kind] for kind in kinds]

    return files


def eeg2image_image_models(wildcards):
    """The dataset whose models of the images (VAE, diffusion, classifier) this one uses."""
    return EEG2IMAGE["datasets"][wildcards.dataset].get(
        "image_models_from", wildcards.dataset
    )


def eeg2image_vae(wildcards):
    """The VAE of the images: the tiny one fitted to the training images when the tiny
    models are on, else the Stable Diffusion folder's own."""
    if is_activated("pretrained/tiny"):
        return f"results/eeg2image/{eeg2image_image_models(wildcards)}/pretrained/fitted_vae"
    return STABLE_DIFFUSION


def eeg2image_model(name):
    """Input function of a model of the images (image_diffusion, image_classifier)."""
    return lambda wildcards: (
        f"results/eeg2image/{eeg2image_image_models(wildcards)}/models/{name}"
    )


def get_eeg2image_targets():
    return ["results/eeg2image/summary.csv"]
