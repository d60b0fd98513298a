# The config, read once: validated against the schema and checked for keys that contradict each
# other (eegdecode.workflow_config), then turned into the constants and input functions the rule
# files share. The audio and calibration families keep their input functions in
# rules/audio_common.smk and rules/calibration_common.smk.

import re
from pathlib import Path

from eegdecode.datasets.seeddv import (
    SEED_DV_META_INFO,
    DatasetLayout,
    Protocol,
    block_ordinal,
)
from eegdecode.splits import resolve_test_block
from eegdecode.provenance import code_fingerprint
from eegdecode.workflow_config import duration_label, prepare_config

prepare_config(config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml")

# EEG → video
DATASET = config["dataset"]
NAME = DATASET["name"]
ROOT = DATASET["root"]
SUBJECTS = [str(subject) for subject in DATASET["subjects"]]
LAYOUT = DatasetLayout.from_config(DATASET["layout"])
PROTOCOL = Protocol.from_config(DATASET["protocol"])
BLOCKS = list(range(1, PROTOCOL.n_blocks + 1))
BLOCK_OF_ORDINAL = {block_ordinal(block): block for block in BLOCKS}
CHANNELS = DATASET["channels"]["names"]
OCCIPITAL_INDEX = [CHANNELS.index(name) for name in DATASET["channels"]["occipital"]]
CLIP_LABEL = duration_label(PROTOCOL.clip_s)
WINDOW_SETS = list(config["windows"])
# The DE/PSD settings of de_psd, without features.on_flat_channel: the scripts that check
# channels read that from the config itself, since it decides whether a job fails, not what
# it writes, and so must not make finished jobs rerun.
BAND_FEATURES = {
    key: value for key, value in config["features"].items() if key != "on_flat_channel"
}
RESULTS = f"results/{NAME}"
# The stages that read the EEG run per EEG dataset: the configured one, and with the demo its
# null twin (the same demo EEG without the planted concept signal, demo.signal_strength 0),
# which validation_all runs. The twin shares everything that does not read the EEG (stimulus,
# VAE, video UNet, clip classifier) with the configured dataset, under RESULTS.
NULL_NAME = f"{NAME}-null"
EEG_DATASETS = [NAME, NULL_NAME] if config["demo"]["activate"] else [NAME]
EEG_RESULTS = "results/{eeg_dataset}"
STABLE_DIFFUSION = config["pretrained"]["stable_diffusion"]
# The one block every EEG→video stage holds out (config key split.test_block), 1-based.
TEST_BLOCK = resolve_test_block(PROTOCOL.n_blocks, config["split"]["test_block"])
VIDEO_DIFFUSION = config["video_diffusion"]
FINETUNE_BLOCKS = VIDEO_DIFFUSION["finetune"]["blocks"]
GENERATION_MODES = VIDEO_DIFFUSION["generate"]["modes"]
# A Tune-A-Video UNet folder that fine-tuning starts from, or none (SD's UNet, inflated).
STARTING_UNET = [VIDEO_DIFFUSION["unet"]] if VIDEO_DIFFUSION["unet"] else []
# A configured negative embedding (.npy) for guidance, or none (the empty prompt's).
NEGATIVE_EMBEDDING = (
    [VIDEO_DIFFUSION["generate"]["negative_embedding"]]
    if VIDEO_DIFFUSION["generate"]["negative_embedding"]
    else []
)
EVALUATION = VIDEO_DIFFUSION["evaluate"]
# CPUs of a job that trains, embeds or generates with a network (config key training_threads).
# On one machine Snakemake lowers it to --cores; on a cluster it is what each job asks for.
# A config value rather than workflow.cores, which a cluster run leaves unset.
TRAINING_THREADS = config["training_threads"]

# sEEG → audio (rules/audio.smk)
AUDIO = config["audio"]
AUDIO_NAME = AUDIO["name"]
AUDIO_RESULTS = f"results/{AUDIO_NAME}"
PARTICIPANTS = AUDIO["participants"]

# Focus calibration (rules/calibration.smk)
CALIBRATION = config["calibration"]
FOCUS_DATASET = CALIBRATION["focus_dataset"]
FOCUS_RESULTS = "results/focus"
SESSION_PATTERN = "results/calibration/{user}/{session}/session.h5"
# What eegdecode.lsl.session.check_session_files found in each session file, by its identity.
SESSION_CHECKS = "results/calibration/session_checks.json"


wildcard_constraints:
    eeg_dataset="|".join(map(re.escape, EEG_DATASETS)),
    subject="|".join(SUBJECTS),
    window="|".join([CLIP_LABEL, *WINDOW_SETS]),
    block_ordinal="|".join(BLOCK_OF_ORDINAL),
    block="|".join(str(block) for block in BLOCKS),
    mode="|".join(GENERATION_MODES),
    participant="|".join(PARTICIPANTS),
    user="[A-Za-z0-9_-]+",
    session="[A-Za-z0-9_.-]+",
    version="[0-9]+sessions-[0-9a-f]{10}",


def is_activated(path):
    """True when the config block at `path` ('a/b') has `activate: true`."""
    block = config
    for key in path.split("/"):
        block = block.get(key, {})
    return bool(block.get("activate", False))


def config_value(path):
    """The config value at `path` ('a/b/c')."""
    value = config
    for key in path.split("/"):
        value = value[key]
    return value


def gpus(stage):
    """GPUs a job of `stage` (a config path holding `device`) asks the scheduler for.

    One when the config says `device: cuda`, else none: `auto` uses a GPU only where the job
    happens to see one, so it never makes a cluster queue the job for a GPU node.
    """
    return 1 if config_value(stage)["device"] == "cuda" else 0


def per_attempt(amount):
    """A resource that grows with each attempt: a cluster kills a job that outgrows its memory
    or time, and the retry asks for twice, three times as much."""
    return lambda wildcards, attempt: amount * attempt


def code(script):
    """Fingerprint of the package modules that workflow/scripts/<script> imports.

    It is the param `code` of each rule running a script. Snakemake reruns a job whose params
    changed, so editing e.g. signal/features.py reruns de_psd and what depends on it.
    """
    return code_fingerprint(f"{workflow.basedir}/workflow/scripts/{script}")


def checkpoints(folder, script):
    """Where a training job keeps its resumable checkpoints: one subfolder per version of the
    code it runs, so that a job rerun after a crash resumes, and one rerun because its code
    changed trains afresh instead of resuming the old code's finished run."""
    return f"{folder}/{code(script)}"


# The VAE that encodes frames and decodes generated latents: the tiny one fitted to the
# dataset's frames when the tiny models are on, else the Stable Diffusion folder's own.
if (
    is_activated("pretrained/tiny")
    and config["pretrained"]["tiny"]["vae_fit"]["steps"] > 0
):
    VAE_FOLDER = f"{RESULTS}/pretrained/fitted_vae"
else:
    VAE_FOLDER = STABLE_DIFFUSION


def raw_path(kind, **fields):
    """A raw file of the dataset: kind is a layout key, fields fill its template."""
    return str(getattr(LAYOUT, f"{kind}_path")(ROOT, **fields))


def raw_pattern(kind):
    """A raw file's path with its template fields left as wildcards."""
    return str(Path(ROOT) / getattr(LAYOUT, kind))


def meta_info_paths():
    """The dataset's meta-info files, in the order of SEED_DV_META_INFO."""
    return [raw_path("meta_info", name=name) for name in SEED_DV_META_INFO]


def windows_of(stage):
    """A subject's windows of the window set the config gives `stage` (its `window` key)."""
    return f"{EEG_RESULTS}/windows/sub{{subject}}_{config[stage]['window']}.h5"


def features_of(stage):
    """A subject's DE/PSD of the window set the config gives `stage`."""
    return f"{EEG_RESULTS}/features/sub{{subject}}_{config[stage]['window']}.h5"


def get_seq2seq_source():
    """What Seq2Seq reads per clip (`seq2seq.source`): GLMNet's window embeddings or raw windows."""
    if config["seq2seq"]["source"] == "glmnet_embeddings":
        return f"{EEG_RESULTS}/embeddings/sub{{subject}}_glmnet.h5"
    return windows_of("seq2seq")


def get_block(wildcards):
    """The 1-based block number of a `block` or `block_ordinal` wildcard."""
    if "block_ordinal" in wildcards.keys():
        return BLOCK_OF_ORDINAL[wildcards.block_ordinal]
    return int(wildcards.block)


def get_eeg(wildcards):
    if wildcards.eeg_dataset == NULL_NAME:
        return null_eeg_path(wildcards.subject)
    return raw_path("eeg", subject=wildcards.subject)


def null_eeg_path(subject):
    """A subject's EEG in the null twin of the demo (written by generate_null_demo_eeg)."""
    return str(LAYOUT.eeg_path(f"results/{NULL_NAME}/raw", subject=subject))


def get_labels(wildcards):
    return raw_path("labels")


def get_video(wildcards):
    return raw_path("video", block=int(wildcards.block))


def get_captions(wildcards):
    return raw_path("captions", block=int(wildcards.block))


def get_feature_source(wildcards):
    """The segments whose features the `window` wildcard asks for."""
    results = f"results/{wildcards.eeg_dataset}"
    if wildcards.window == CLIP_LABEL:
        return f"{results}/clips/sub{wildcards.subject}.h5"
    return f"{results}/windows/sub{wildcards.subject}_{wildcards.window}.h5"


def get_window_settings(wildcards):
    return config["windows"][wildcards.window]


def get_block_latents(wildcards):
    return [f"{RESULTS}/stimulus/latents/block{block}.h5" for block in BLOCKS]


def get_text_embeddings(wildcards):
    return [f"{RESULTS}/stimulus/text_embeddings/block{block}.h5" for block in BLOCKS]


def get_initial_latents(wildcards):
    """What the sampler starts from in each mode: DANA, raw Seq2Seq latents, or nothing."""
    source = {"full": "dana", "no_dana": "latents"}.get(wildcards.mode)
    if source is None:
        return []
    return [
        f"results/{wildcards.eeg_dataset}/predictions/sub{wildcards.subject}_{source}.h5"
    ]


def get_classifier(role):
    """The folder of the video or image classifier of the N-way metrics."""
    classifier = EVALUATION[f"{role}_classifier"]
    if classifier["kind"] == "trained":
        return f"{RESULTS}/models/clip_classifier"
    return classifier["path"]


def get_preprocess_targets():
    return expand(
        [
            f"{RESULTS}/features/sub{{subject}}_{{window}}.h5",
            f"{RESULTS}/qc/sub{{subject}}_features.png",
        ],
        subject=SUBJECTS,
        window=[CLIP_LABEL, *WINDOW_SETS],
    )


def get_stimulus_targets():
    return expand(
        [
            f"{RESULTS}/stimulus/gifs/block{{block}}",
            f"{RESULTS}/stimulus/latents/block{{block}}.h5",
            f"{RESULTS}/stimulus/text_embeddings/block{{block}}.h5",
            f"{RESULTS}/qc/block{{block}}_frames.png",
        ],
        block=BLOCKS,
    )


def get_eegvp_targets():
    return [f"{RESULTS}/eegvp/summary.csv", f"{RESULTS}/eegvp/summary.png"]


def get_encoder_targets():
    return expand(
        [
            f"{RESULTS}/embeddings/sub{{subject}}_glmnet.h5",
            f"{RESULTS}/qc/sub{{subject}}_glmnet_learning.png",
            f"{RESULTS}/qc/sub{{subject}}_semantic_learning.png",
            f"{RESULTS}/qc/sub{{subject}}_dynamic_learning.png",
            f"{RESULTS}/qc/sub{{subject}}_seq2seq_learning.png",
            f"{RESULTS}/predictions/sub{{subject}}_semantic.h5",
            f"{RESULTS}/predictions/sub{{subject}}_fast_slow.h5",
            f"{RESULTS}/predictions/sub{{subject}}_latents.h5",
        ],
        subject=SUBJECTS,
    )


def get_generation_targets():
    return [
        f"{RESULTS}/evaluation/summary.csv",
        f"{RESULTS}/evaluation/summary.png",
        f"{RESULTS}/qc/video_diffusion_learning.png",
        *expand(
            f"{RESULTS}/qc/sub{{subject}}_{{mode}}_generated.png",
            subject=SUBJECTS,
            mode=GENERATION_MODES,
        ),
        *expand(f"{RESULTS}/report/sub{{subject}}_generated.html", subject=SUBJECTS),
    ]


def get_eeg2video_targets():
    return (
        get_preprocess_targets()
        + get_stimulus_targets()
        + get_eegvp_targets()
        + get_encoder_targets()
        + get_generation_targets()
    )


def get_demo_dataset():
    """Every file of the demo dataset (empty when the demo is off)."""
    if not is_activated("demo"):
        return []
    return (
        [raw_path("eeg", subject=subject) for subject in SUBJECTS]
        + [raw_path("video", block=block) for block in BLOCKS]
        + [raw_path("captions", block=block) for block in BLOCKS]
        + [raw_path("labels")]
        + meta_info_paths()
    )


def get_all_targets():
    return get_eeg2video_targets() + get_demo_dataset()
