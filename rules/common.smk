from pathlib import Path

from snakemake.utils import validate

from eegdecode.datasets.seeddv import (
    SEED_DV_META_INFO,
    DatasetLayout,
    Protocol,
    block_ordinal,
)

validate(config, schema="../workflow/schemas/config.schema.yaml")

DATASET = config["dataset"]
NAME = DATASET["name"]
ROOT = DATASET["root"]
SUBJECTS = [str(subject) for subject in DATASET["subjects"]]
LAYOUT = DatasetLayout.from_config(DATASET["layout"])
PROTOCOL = Protocol.from_config(DATASET["protocol"])
BLOCKS = list(range(1, PROTOCOL.n_blocks + 1))
CHANNELS = DATASET["channels"]["names"]
RESULTS = f"results/{NAME}"
STABLE_DIFFUSION = config["pretrained"]["stable_diffusion"]
# CPUs of a training job. On one machine Snakemake lowers it to --cores, so there training
# jobs run one at a time instead of competing for the same CPUs; on a cluster it is what each
# job asks for (--max-threads or a profile's set-threads change it). A fixed number rather than
# workflow.cores, which a cluster run leaves unset.
TRAINING_THREADS = 8
BLOCK_OF_ORDINAL = {block_ordinal(block): block for block in BLOCKS}


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


def duration_label(seconds):
    """'2s' for 2.0, '500ms' for 0.5: how a segment length appears in file names."""
    milliseconds = round(seconds * 1000)
    if milliseconds % 1000 == 0:
        return f"{milliseconds // 1000}s"
    return f"{milliseconds}ms"


def _check_channels(key, names):
    unknown = [name for name in names if name not in CHANNELS]
    if unknown:
        raise ValueError(
            f"config key {key!r} names channels {unknown} that are not in "
            f"'dataset.channels.names'."
        )


_check_channels("dataset.channels.occipital", DATASET["channels"]["occipital"])
_check_channels(
    "dataset.channels.montage_aliases", list(DATASET["channels"]["montage_aliases"])
)
if is_activated("demo"):
    _check_channels("demo.signal_channels", config["demo"]["signal_channels"])

CLIP_LABEL = duration_label(PROTOCOL.clip_s)
WINDOW_SETS = list(config["windows"])
if CLIP_LABEL in WINDOW_SETS:
    raise ValueError(
        f"config key 'windows.{CLIP_LABEL}' clashes with the whole clips' features "
        f"(features/sub<N>_{CLIP_LABEL}.h5); name the window set differently."
    )
for name, window in config["windows"].items():
    if window["length_s"] > PROTOCOL.clip_s:
        raise ValueError(
            f"config key 'windows.{name}.length_s' ({window['length_s']} s) must not exceed "
            f"a clip ('dataset.protocol.clip_s' = {PROTOCOL.clip_s} s)."
        )
for band, (low, high) in config["features"]["bands"].items():
    if not low < high:
        raise ValueError(
            f"config key 'features.bands.{band}' must be [low, high] with low < high, "
            f"got {[low, high]}."
        )


for stage in ("eegvp", "glmnet", "dynamic", "seq2seq"):
    if config[stage]["window"] not in WINDOW_SETS:
        raise ValueError(
            f"config key '{stage}.window' is {config[stage]['window']!r}; it must name a window "
            f"set under 'windows' ({WINDOW_SETS})."
        )
OCCIPITAL_INDEX = [CHANNELS.index(name) for name in DATASET["channels"]["occipital"]]


def block_number(test_block):
    """The 1-based block a config's test_block names (negative counts from the end)."""
    return test_block if test_block > 0 else PROTOCOL.n_blocks + 1 + test_block


VIDEO_DIFFUSION = config["video_diffusion"]
# Generated clips are compared with the test block that every predictor held out.
TEST_BLOCK = block_number(config["semantic"]["test_block"])
# The VAE that encodes frames and decodes generated latents: the tiny one fitted to the
# dataset's frames when the tiny models are on, else the Stable Diffusion folder's own.
if (
    is_activated("pretrained/tiny")
    and config["pretrained"]["tiny"]["vae_fit"]["steps"] > 0
):
    VAE_FOLDER = f"{RESULTS}/pretrained/fitted_vae"
else:
    VAE_FOLDER = STABLE_DIFFUSION
for stage in ("seq2seq", "dynamic"):
    if block_number(config[stage]["test_block"]) != TEST_BLOCK:
        raise ValueError(
            f"config key '{stage}.test_block' names block "
            f"{block_number(config[stage]['test_block'])}, but 'semantic.test_block' names "
            f"block {TEST_BLOCK}: generation needs one test block for all predictors."
        )
if not 1 <= TEST_BLOCK <= PROTOCOL.n_blocks:
    raise ValueError(
        f"config key 'semantic.test_block' must name one of the {PROTOCOL.n_blocks} blocks."
    )
FINETUNE_BLOCKS = VIDEO_DIFFUSION["finetune"]["blocks"]
if TEST_BLOCK in FINETUNE_BLOCKS or max(FINETUNE_BLOCKS) > PROTOCOL.n_blocks:
    raise ValueError(
        f"config key 'video_diffusion.finetune.blocks' ({FINETUNE_BLOCKS}) must name blocks "
        f"1..{PROTOCOL.n_blocks} other than the test block {TEST_BLOCK}: the test videos must "
        f"not be seen in fine-tuning."
    )
if VIDEO_DIFFUSION["finetune"]["clips_per_concept"] > PROTOCOL.clips_per_concept:
    raise ValueError(
        f"config key 'video_diffusion.finetune.clips_per_concept' must be at most "
        f"{PROTOCOL.clips_per_concept}, the clips per concept of the protocol."
    )
GENERATION_MODES = VIDEO_DIFFUSION["generate"]["modes"]
EVALUATION = VIDEO_DIFFUSION["evaluate"]
for role in ("video", "image"):
    classifier = EVALUATION[f"{role}_classifier"]
    if classifier["kind"] != "trained" and not classifier["path"]:
        raise ValueError(
            f"config key 'video_diffusion.evaluate.{role}_classifier.path' must name a local "
            f"{classifier['kind']} folder."
        )


wildcard_constraints:
    subject="|".join(SUBJECTS),
    window="|".join([CLIP_LABEL, *WINDOW_SETS]),
    block_ordinal="|".join(BLOCK_OF_ORDINAL),
    block="|".join(str(block) for block in BLOCKS),
    mode="|".join(GENERATION_MODES),


def raw_path(kind, **fields):
    """A raw file of the dataset: kind is a layout key, fields fill its template."""
    return str(getattr(LAYOUT, f"{kind}_path")(ROOT, **fields))


def raw_pattern(kind):
    """A raw file's path with its template fields left as wildcards."""
    return str(Path(ROOT) / getattr(LAYOUT, kind))


def get_block(wildcards):
    """The 1-based block number of a `block` or `block_ordinal` wildcard."""
    if "block_ordinal" in wildcards.keys():
        return BLOCK_OF_ORDINAL[wildcards.block_ordinal]
    return int(wildcards.block)


def get_eeg(wildcards):
    return raw_path("eeg", subject=wildcards.subject)


def get_labels(wildcards):
    return raw_path("labels")


def get_video(wildcards):
    return raw_path("video", block=int(wildcards.block))


def get_captions(wildcards):
    return raw_path("captions", block=int(wildcards.block))


def get_feature_source(wildcards):
    """The segments whose features the `window` wildcard asks for."""
    if wildcards.window == CLIP_LABEL:
        return f"{RESULTS}/clips/sub{wildcards.subject}.h5"
    return f"{RESULTS}/windows/sub{wildcards.subject}_{wildcards.window}.h5"


def get_window_settings(wildcards):
    return config["windows"][wildcards.window]


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


def get_block_latents(wildcards):
    return [f"{RESULTS}/stimulus/latents/block{block}.h5" for block in BLOCKS]


def get_text_embeddings(wildcards):
    return [f"{RESULTS}/stimulus/text_embeddings/block{block}.h5" for block in BLOCKS]


def get_initial_latents(wildcards):
    """What the sampler starts from in each mode: DANA, raw Seq2Seq latents, or nothing."""
    source = {"full": "dana", "no_dana": "latents"}.get(wildcards.mode)
    if source is None:
        return []
    return [f"{RESULTS}/predictions/sub{wildcards.subject}_{source}.h5"]


def get_classifier(role):
    """The folder of the video or image classifier of the N-way metrics."""
    classifier = EVALUATION[f"{role}_classifier"]
    if classifier["kind"] == "trained":
        return f"{RESULTS}/models/clip_classifier"
    return classifier["path"]


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
        + [raw_path("meta_info", name=name) for name in SEED_DV_META_INFO]
    )


def get_all_targets():
    return get_eeg2video_targets() + get_demo_dataset()


# sEEG → audio (rules/audio.smk)

AUDIO = config["audio"]
AUDIO_NAME = AUDIO["name"]
AUDIO_RESULTS = f"results/{AUDIO_NAME}"
PARTICIPANTS = AUDIO["participants"]
TINY_WAVEGLOW = "results/pretrained/tiny-waveglow"

if AUDIO_NAME == NAME:
    raise ValueError(
        f"config keys 'audio.name' and 'dataset.name' are both {NAME!r}; the audio outputs "
        f"need their own folder under results/."
    )
_unknown_offsets = sorted(set(AUDIO["audio_offset_s"]) - set(PARTICIPANTS))
if _unknown_offsets:
    raise ValueError(
        f"config key 'audio.audio_offset_s' names {_unknown_offsets}, which are not in "
        f"'audio.participants' ({PARTICIPANTS})."
    )
if AUDIO["demo"]["activate"] and (
    not AUDIO["layout"]["seeg"].endswith(".npy") or AUDIO["seeg_sfreq"] is None
):
    raise ValueError(
        "The audio demo writes .npy sEEG: config key 'audio.layout.seeg' must end in .npy and "
        "'audio.seeg_sfreq' must be set."
    )
if AUDIO["vocoder"]["tiny_waveglow"]:
    if AUDIO["vocoder"]["waveglow"]:
        raise ValueError(
            "config keys 'audio.vocoder.tiny_waveglow' and 'audio.vocoder.waveglow' are both "
            "set: the tiny WaveGlow is written in place of a real checkpoint; choose one."
        )
    WAVEGLOW = {
        "checkpoint": f"{TINY_WAVEGLOW}/waveglow.pt",
        "config": f"{TINY_WAVEGLOW}/config.json",
    }
else:
    WAVEGLOW = {
        key: path
        for key, path in (
            ("checkpoint", AUDIO["vocoder"]["waveglow"]),
            ("config", AUDIO["vocoder"]["waveglow_config"]),
        )
        if path
    }
if "config" in WAVEGLOW and "checkpoint" not in WAVEGLOW:
    raise ValueError(
        "config key 'audio.vocoder.waveglow_config' is set without 'audio.vocoder.waveglow'."
    )


wildcard_constraints:
    participant="|".join(PARTICIPANTS),


def audio_raw_pattern(kind):
    """A participant's raw sEEG or audio file, with {participant} left as a wildcard."""
    return str(Path(AUDIO["root"]) / AUDIO["layout"][kind])


def get_audio_targets():
    return [
        f"{AUDIO_RESULTS}/evaluation/summary.csv",
        *expand(
            [
                f"{AUDIO_RESULTS}/audio/{{participant}}",
                f"{AUDIO_RESULTS}/qc/{{participant}}_mel.png",
                f"{AUDIO_RESULTS}/qc/{{participant}}_learning.png",
                f"{AUDIO_RESULTS}/report/{{participant}}_audio.html",
            ],
            participant=PARTICIPANTS,
        ),
    ]


# Focus calibration (rules/calibration.smk)

CALIBRATION = config["calibration"]
FOCUS_DATASET = CALIBRATION["focus_dataset"]
FOCUS_RESULTS = "results/focus"
SESSION_PATTERN = "results/calibration/{user}/{session}/session.h5"


wildcard_constraints:
    user="[A-Za-z0-9_-]+",
    session="[A-Za-z0-9_.-]+",
    version="[0-9]+sessions-[0-9a-f]{10}",


if not 1 <= FOCUS_DATASET["test_subject"] <= len(FOCUS_DATASET["records"]):
    raise ValueError(
        f"config key 'calibration.focus_dataset.test_subject' must name one of the "
        f"{len(FOCUS_DATASET['records'])} subjects of 'calibration.focus_dataset.records'."
    )
_unprotocolled = sorted(
    set(CALIBRATION["classes"]) - {step["label"] for step in CALIBRATION["protocol"]}
)
if _unprotocolled:
    raise ValueError(
        f"config key 'calibration.classes' names {_unprotocolled}, which are not phases of "
        f"'calibration.protocol'."
    )


def focus_record_paths():
    return [
        f"{FOCUS_DATASET['root']}/eeg_record{number}.mat"
        for records in FOCUS_DATASET["records"]
        for number in records
    ]


def complete_sessions():
    """The complete recorded sessions of every user, in session order (by id)."""
    import h5py

    found = glob_wildcards(SESSION_PATTERN)
    sessions = {}
    for user, session in sorted(zip(found.user, found.session)):
        try:
            with h5py.File(
                SESSION_PATTERN.format(user=user, session=session), "r"
            ) as h5:
                complete = bool(h5.attrs.get("complete", False))
        except OSError:
            complete = False
        if complete:
            sessions.setdefault(user, []).append(session)
    return sessions


def focus_version(sessions):
    """A fine-tuned model's version: named after the sessions it was fitted on."""
    import hashlib

    digest = hashlib.sha1("\n".join(sessions).encode()).hexdigest()[:10]
    return f"{len(sessions)}sessions-{digest}"


def get_user_sessions(wildcards):
    sessions = complete_sessions().get(wildcards.user, [])
    if not sessions:
        raise ValueError(
            f"User {wildcards.user!r} has no complete session under results/calibration/; "
            f"record one with `eegdecode record --user {wildcards.user}`."
        )
    return sessions


def get_user_windows(wildcards):
    sessions = get_user_sessions(wildcards)
    if wildcards.version != focus_version(sessions):
        raise ValueError(
            f"Version {wildcards.version} of user {wildcards.user!r} is not that of their "
            f"current sessions ({focus_version(sessions)})."
        )
    return [
        f"results/calibration/{wildcards.user}/{session}/windows.h5"
        for session in sessions
    ]


def get_current_focus_model(wildcards):
    version = focus_version(get_user_sessions(wildcards))
    return f"{FOCUS_RESULTS}/users/{wildcards.user}/{version}"


def get_calibration_targets():
    return [f"{FOCUS_RESULTS}/base", f"{FOCUS_RESULTS}/base_metrics.json"] + [
        f"{FOCUS_RESULTS}/users/{user}/current.json" for user in complete_sessions()
    ]
