"""Checks of the workflow's config that its JSON schema cannot express.

``rules/common.smk`` validates the merged config against ``workflow/schemas/config.schema.yaml``
(types, ranges, unknown keys) and then calls :func:`check_paths` and :func:`check_config`, so
that a config naming datasets or models that are not there, or whose keys contradict each
other, fails while the workflow is parsed, before any job starts, with a message that names
the keys. Being plain Python on a dict, the checks are also testable without
starting Snakemake, and ``eegdecode check-config`` runs them on config files before a run.
"""

from dataclasses import dataclass
from pathlib import Path

from .datasets import Protocol
from .signal.focus import FOCUS_CHANNELS, FocusFeatureConfig
from .signal.highgamma import check_highgamma_input
from .signal.word_production import WordProductionFeatures
from .splits import resolve_test_block
from .stimulus.faces import vision_encoder_blocks
from .stimulus.video import clip_frame_indices

# Keys that one key replaced; a config that still sets them is told which one to use.
REPLACED_KEYS = {
    f"{stage}.test_block": "split.test_block"
    for stage in ("glmnet", "semantic", "dynamic", "seq2seq")
}


def read_config_file(path: str | Path) -> dict:
    """Read one YAML config file, naming the file, line and column of a syntax error.

    Snakemake reports a YAML syntax error as "Config file is not valid JSON or YAML" without
    saying which file or where; the Snakefile reads its own config file through this first.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    ValueError
        On a syntax error, or a file whose top level is not a mapping of keys.
    """
    import yaml

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"config file {path} does not exist.")
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as error:
        raise ValueError(f"config file {path}{_yaml_error_location(error)}.") from None
    except yaml.YAMLError as error:
        raise ValueError(f"config file {path}: YAML syntax error: {error}.") from None
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise ValueError(
            f"config file {path}: expected a mapping of config keys at the top level, "
            f"found a {type(config).__name__}."
        )
    return config


def _yaml_error_location(error) -> str:
    """The part of the message after the file: its line, column, problem and context."""

    def at(mark) -> str:
        return f"line {mark.line + 1}, column {mark.column + 1}"

    mark = error.problem_mark or error.context_mark
    text = (f", {at(mark)}" if mark else "") + f": YAML syntax error: {error.problem or error}"
    if error.context and error.context_mark is not None:
        text += f" ({error.context} at {at(error.context_mark)})"
    return text


def merge_config(base: dict, override: dict) -> dict:
    """``override`` merged over ``base`` key by key, as Snakemake merges ``--configfile``s."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = merge_config(base[key], value)
        else:
            merged[key] = value
    return merged


def prepare_config(config: dict, schema: str | Path) -> None:
    """Everything the workflow checks at parse time, in order: :func:`replaced_keys`,
    :func:`validate_config` (which fills in the schema's defaults), :func:`check_paths`,
    :func:`resolve_participants` and :func:`check_config`."""
    replaced_keys(config)
    drop_left_out_datasets(config)
    validate_config(config, schema)
    check_paths(config)
    resolve_participants(config)
    check_config(config)


def resolve_participants(config: dict) -> None:
    """Replace an ``audio.participants`` that names a BIDS ``participants.tsv`` (inside
    ``audio.root``) by the list of its ``participant_id`` column."""
    from .datasets.paired_audio import read_participants_tsv

    audio = config["audio"]
    if isinstance(audio["participants"], str):
        path = Path(audio["root"]) / audio["participants"]
        try:
            participants = read_participants_tsv(path)
        except (FileNotFoundError, ValueError) as error:
            raise ValueError(f"config key 'audio.participants': {error}") from None
        if not participants or len(set(participants)) != len(participants):
            raise ValueError(
                f"config key 'audio.participants': {path} must list each participant once, "
                f"got {participants}."
            )
        audio["participants"] = participants


def replaced_keys(config: dict) -> None:
    """Raise when ``config`` sets a key of :data:`REPLACED_KEYS`.

    Called before the schema validation, whose "additional properties" message would not say
    what to use instead.
    """
    for old, new in REPLACED_KEYS.items():
        section, key = old.split(".")
        if key in (config.get(section) or {}):
            raise ValueError(
                f"config key {old!r} was replaced by {new!r}: every EEG→video stage trains and "
                f"predicts by one split; set {new!r} instead."
            )


# The sections whose `datasets` are a mapping of names to entries.
DATASET_SECTIONS = ("emotion", "workload", "fusion", "eeg2image")


def drop_left_out_datasets(config: dict) -> None:
    """Remove the datasets set to null (``emotion.datasets.demo-null: null``).

    Config files are merged key by key over config/config.yaml, so a file that adds its own
    dataset cannot remove the default's demos otherwise.
    """
    for section in DATASET_SECTIONS:
        datasets = (config.get(section) or {}).get("datasets")
        if isinstance(datasets, dict):
            for name in [name for name, entry in datasets.items() if entry is None]:
                del datasets[name]


# What a preset holds where the user's own path goes (config/seed-dv.yaml and the others).
PLACEHOLDER = "/path/to/"
# The pretrained models the workflow reads, by what to put in their folders: the published
# model, saved locally with transformers' or diffusers' save_pretrained (nothing is downloaded).
STABLE_DIFFUSION_FOLDER = (
    "a Stable Diffusion 1.4 folder (CompVis/stable-diffusion-v1-4 as save_pretrained writes "
    "it: vae/ unet/ text_encoder/ tokenizer/ scheduler/, weights as safetensors)"
)
CLASSIFIER_FOLDERS = {
    "videomae": "a local videomae folder (MCG-NJU/videomae-base-finetuned-kinetics as "
    "save_pretrained writes it, weights as safetensors)",
    "vit": "a local vit folder (google/vit-base-patch16-224 as save_pretrained writes it, "
    "weights as safetensors)",
}
VISION_ENCODER_FOLDER = (
    "a face encoder folder (google/vit-base-patch16-224-in21k or openai/clip-vit-large-patch14 "
    "as save_pretrained writes it: config.json, model.safetensors, preprocessor_config.json)"
)


@dataclass(frozen=True)
class RequiredPath:
    """A path that the config names and the workflow reads without writing it.

    Attributes
    ----------
    key : str
        The config key, dotted (``pretrained.stable_diffusion``).
    path : str | None
        What the key holds; None or empty when it holds nothing yet.
    kind : str
        What must be there: ``file``, ``folder``, or the name of a file the folder must hold.
    wanted : str
        What belongs there, for the message.
    """

    key: str
    path: str | None
    kind: str
    wanted: str

    def problem(self) -> str | None:
        """One sentence naming the key and what is wrong with its path; None if it is there."""
        if not self.path:
            return f"config key {self.key!r} must name {self.wanted}."
        if PLACEHOLDER in self.path:
            return (
                f"config key {self.key!r} is still the placeholder {self.path!r}; give "
                f"{self.wanted}."
            )
        path = Path(self.path)
        if self.kind == "file":
            there, noun = path.is_file(), "a file"
        elif self.kind == "folder":
            there, noun = path.is_dir(), "a folder"
        else:
            there, noun = (path / self.kind).is_file(), f"a folder with a {self.kind}"
        if there:
            return None
        return (
            f"config key {self.key!r} names {self.path!r}, which is not {noun}; give {self.wanted}."
        )


def required_paths(config: dict) -> list[RequiredPath]:
    """Every path outside the workflow's outputs that the config makes the workflow read.

    The demos' datasets and the tiny models are written by the workflow itself and are not
    listed; a dataset or model the user supplies is.

    Parameters
    ----------
    config : dict
        The merged workflow config, valid against the JSON schema.
    """
    paths = []
    if not config["demo"]["activate"]:
        paths.append(RequiredPath("dataset.root", config["dataset"]["root"], "folder",
                                  "the folder holding the EEG→video dataset in the layout of "
                                  "'dataset.layout' (SEED-DV: EEG/ and Video/)"))  # fmt: skip
    if not config["pretrained"]["tiny"]["activate"]:
        paths.append(RequiredPath("pretrained.stable_diffusion",
                                  config["pretrained"]["stable_diffusion"], "folder",
                                  STABLE_DIFFUSION_FOLDER))  # fmt: skip
    video_diffusion = config["video_diffusion"]
    if video_diffusion["unet"] is not None:
        paths.append(RequiredPath("video_diffusion.unet", video_diffusion["unet"], "config.json",
                                  "a Tune-A-Video UNet3DConditionModel folder (such as "
                                  "EEG2Video's fine-tuned unet/) or null to inflate Stable "
                                  "Diffusion's UNet"))  # fmt: skip
    negative = video_diffusion["generate"]["negative_embedding"]
    if negative is not None:
        paths.append(RequiredPath("video_diffusion.generate.negative_embedding", negative, "file",
                                  "an .npy embedding (EEG2Video's negative.npy) or null for the "
                                  "empty prompt's"))  # fmt: skip
    for role in ("video", "image"):
        classifier = video_diffusion["evaluate"][f"{role}_classifier"]
        if classifier["kind"] != "trained":
            paths.append(RequiredPath(f"video_diffusion.evaluate.{role}_classifier.path",
                                      classifier["path"], "folder",
                                      CLASSIFIER_FOLDERS[classifier["kind"]]))  # fmt: skip

    audio = config["audio"]
    if not audio["demo"]["activate"]:
        paths.append(RequiredPath("audio.root", audio["root"], "folder",
                                  "the folder of the paired recordings in the layout of "
                                  "'audio.layout'"))  # fmt: skip
        if isinstance(audio["participants"], str) and Path(audio["root"]).is_dir():
            paths.append(RequiredPath("audio.participants",
                                      str(Path(audio["root"]) / audio["participants"]), "file",
                                      "a BIDS participants.tsv inside 'audio.root', or a list "
                                      "of participants"))  # fmt: skip
    vocoder = audio["vocoder"]
    # Read only without the tiny WaveGlow, and its config only beside a checkpoint (the keys'
    # contradictions are check_config's to name).
    if vocoder["waveglow"] and not vocoder["tiny_waveglow"]:
        paths.append(RequiredPath("audio.vocoder.waveglow", vocoder["waveglow"], "file",
                                  "a WaveGlow checkpoint"))  # fmt: skip
        if vocoder["waveglow_config"]:
            paths.append(RequiredPath("audio.vocoder.waveglow_config", vocoder["waveglow_config"],
                                      "file", "the WaveGlow checkpoint's config.json"))  # fmt: skip

    calibration = config["calibration"]
    if not calibration["demo"]["activate"]:
        paths.append(RequiredPath("calibration.focus_dataset.root",
                                  calibration["focus_dataset"]["root"], "folder",
                                  "the folder of the mental-attention records "
                                  "(eeg_record<N>.mat)"))  # fmt: skip

    for name, entry in config["emotion"]["datasets"].items():
        if "mat" in entry:
            paths.append(RequiredPath(f"emotion.datasets.{name}.mat", entry["mat"], "file",
                                      "the release's DREAMER.mat"))  # fmt: skip
    for name, entry in config["workload"]["datasets"].items():
        if "root" in entry:
            paths.append(RequiredPath(f"workload.datasets.{name}.root", entry["root"], "folder",
                                      "the folder of STEW's subNN_lo.txt, subNN_hi.txt and "
                                      "ratings.txt"))  # fmt: skip
    for name, entry in config["fusion"]["datasets"].items():
        if "root" in entry:
            paths.append(RequiredPath(f"fusion.datasets.{name}.root", entry["root"], "folder",
                                      "the DEAP folder (data_preprocessed_matlab/, face_video/, "
                                      "metadata_csv/)"))  # fmt: skip
    if config["fusion"]["vision_encoder"] is not None:
        paths.append(RequiredPath("fusion.vision_encoder", config["fusion"]["vision_encoder"],
                                  "folder", VISION_ENCODER_FOLDER))  # fmt: skip
    release = {
        "eeg": ("file", "the release's EEG file (eeg_5_95_std.pth)"),
        "splits": ("file", "the release's split file (block_splits_by_image_all.pth)"),
        "images": ("folder", "the folder of the ImageNet images, <WordNet id>/<image "
                   "name>.JPEG (ImageNet's training set)"),
        "synset_mapping": ("file", "ImageNet's LOC_synset_mapping.txt"),
    }  # fmt: skip
    for name, entry in config["eeg2image"]["datasets"].items():
        for key, (kind, wanted) in release.items():
            if key in entry:
                paths.append(RequiredPath(f"eeg2image.datasets.{name}.{key}", entry[key], kind,
                                          wanted))  # fmt: skip
    return paths


def check_paths(config: dict) -> None:
    """Raise one ``ValueError`` naming every path of :func:`required_paths` that is not there.

    Each problem is one line that names the config key to set, a preset's placeholder or the
    path that does not exist, and what belongs there: a preset's user learns every key to set
    from one run, not one key per run.
    """
    problems = [problem for path in required_paths(config) if (problem := path.problem())]
    if len(problems) == 1:
        raise ValueError(problems[0])
    if problems:
        raise ValueError(
            f"{len(problems)} config keys name paths that are not there; set each of them:\n"
            + "\n".join(f"  - {problem}" for problem in problems)
        )


def duration_label(seconds: float) -> str:
    """'2s' for 2.0, '500ms' for 0.5: how a segment length appears in file names."""
    milliseconds = round(seconds * 1000)
    if milliseconds % 1000 == 0:
        return f"{milliseconds // 1000}s"
    return f"{milliseconds}ms"


def _check_channels(key: str, names, channels) -> None:
    unknown = [name for name in names if name not in channels]
    if unknown:
        raise ValueError(
            f"config key {key!r} names channels {unknown} that are not in 'dataset.channels.names'."
        )


def _check_eeg2video(config: dict) -> None:
    dataset = config["dataset"]
    protocol = Protocol.from_config(dataset["protocol"])
    channels = dataset["channels"]
    _check_channels("dataset.channels.occipital", channels["occipital"], channels["names"])
    _check_channels(
        "dataset.channels.montage_aliases", list(channels["montage_aliases"]), channels["names"]
    )
    if config["demo"]["activate"]:
        signal_channels = config["demo"]["signal_channels"]
        _check_channels("demo.signal_channels", signal_channels, channels["names"])

    frames_per_s = config["stimulus"]["frames"]["frames_per_s"]
    try:
        clip_frame_indices(protocol, frames_per_s)
    except ValueError as error:
        raise ValueError(
            f"config key 'stimulus.frames.frames_per_s' ({frames_per_s:g}) must divide "
            f"'dataset.protocol.video_fps' ({protocol.video_fps:g}) and give whole frames per "
            f"clip: {error}"
        ) from error
    clip_label = duration_label(protocol.clip_s)
    window_sets = list(config["windows"])
    if clip_label in window_sets:
        raise ValueError(
            f"config key 'windows.{clip_label}' clashes with the whole clips' features "
            f"(features/sub<N>_{clip_label}.h5); name the window set differently."
        )
    for name, window in config["windows"].items():
        for key in ("length_s", "step_s"):
            samples = window[key] * protocol.sfreq
            if abs(samples - round(samples)) > 1e-6:
                raise ValueError(
                    f"config key 'windows.{name}.{key}' ({window[key]:g} s) must be a whole "
                    f"number of samples at 'dataset.protocol.sfreq' = {protocol.sfreq:g} Hz "
                    f"(it is {samples:g})."
                )
        if window["length_s"] > protocol.clip_s:
            raise ValueError(
                f"config key 'windows.{name}.length_s' ({window['length_s']} s) must not exceed "
                f"a clip ('dataset.protocol.clip_s' = {protocol.clip_s} s)."
            )
    for band, (low, high) in config["features"]["bands"].items():
        if not low < high:
            raise ValueError(
                f"config key 'features.bands.{band}' must be [low, high] with low < high, "
                f"got {[low, high]}."
            )
    for stage in ("eegvp", "glmnet", "dynamic", "seq2seq"):
        if config[stage]["window"] not in window_sets:
            raise ValueError(
                f"config key '{stage}.window' is {config[stage]['window']!r}; it must name a "
                f"window set under 'windows' ({window_sets})."
            )

    test_block = resolve_test_block(protocol.n_blocks, config["split"]["test_block"])
    finetune = config["video_diffusion"]["finetune"]
    if test_block in finetune["blocks"] or max(finetune["blocks"]) > protocol.n_blocks:
        raise ValueError(
            f"config key 'video_diffusion.finetune.blocks' ({finetune['blocks']}) must name "
            f"blocks 1..{protocol.n_blocks} other than the test block {test_block}: the test "
            f"videos must not be seen in fine-tuning."
        )
    if finetune["clips_per_concept"] > protocol.clips_per_concept:
        raise ValueError(
            f"config key 'video_diffusion.finetune.clips_per_concept' must be at most "
            f"{protocol.clips_per_concept}, the clips per concept of the protocol."
        )
    generate = config["video_diffusion"]["generate"]
    if config["video_diffusion"]["dana"]["timestep"] == "sampler" and generate["strength"] == 1:
        raise ValueError(
            "config key 'video_diffusion.dana.timestep' is 'sampler', which hands DANA's noise "
            "to image-to-image sampling, but 'video_diffusion.generate.strength' is 1 (no "
            "image-to-image step); give a strength below 1 or a DANA timestep ('random' or an "
            "integer)."
        )


def _check_audio(config: dict) -> None:
    audio = config["audio"]
    if audio["name"] == config["dataset"]["name"]:
        raise ValueError(
            f"config keys 'audio.name' and 'dataset.name' are both {audio['name']!r}; the audio "
            f"outputs need their own folder under results/."
        )
    if config["demo"]["activate"] and audio["name"] == f"{config['dataset']['name']}-null":
        raise ValueError(
            f"config key 'audio.name' is {audio['name']!r}, the folder of the EEG→video demo's "
            f"null twin (results/<dataset.name>-null); choose another name."
        )
    unknown_offsets = sorted(set(audio["audio_offset_s"]) - set(audio["participants"]))
    if unknown_offsets:
        raise ValueError(
            f"config key 'audio.audio_offset_s' names {unknown_offsets}, which are not in "
            f"'audio.participants' ({audio['participants']})."
        )
    if audio["demo"]["activate"] and (
        not audio["layout"]["seeg"].endswith(".npy") or audio["seeg_sfreq"] is None
    ):
        raise ValueError(
            "The audio demo writes .npy sEEG: config key 'audio.layout.seeg' must end in .npy "
            "and 'audio.seeg_sfreq' must be set."
        )
    if audio["layout"]["seeg"].endswith(".npy") and audio["seeg_sfreq"] is not None:
        check_highgamma_input(
            audio["seeg_sfreq"],
            None,
            **audio["highgamma"],
            source="The .npy sEEG (config key 'audio.seeg_sfreq')",
        )
    baseline = audio["linear_baseline"]
    try:
        WordProductionFeatures(
            **{key: value for key, value in baseline.items()
               if key not in ("activate", "n_components", "cv_folds")}
        )  # fmt: skip
    except ValueError as error:
        raise ValueError(f"config key 'audio.linear_baseline': {error}") from None
    if audio["demo"]["activate"] and not audio["layout"]["words"]:
        raise ValueError(
            "The audio demo writes its words: config key 'audio.layout.words' must name where "
            "(an events.tsv)."
        )
    vocoder = audio["vocoder"]
    if vocoder["tiny_waveglow"] and vocoder["waveglow"]:
        raise ValueError(
            "config keys 'audio.vocoder.tiny_waveglow' and 'audio.vocoder.waveglow' are both "
            "set: the tiny WaveGlow is written in place of a real checkpoint; choose one."
        )
    if not vocoder["tiny_waveglow"] and vocoder["waveglow_config"] and not vocoder["waveglow"]:
        raise ValueError(
            "config key 'audio.vocoder.waveglow_config' is set without 'audio.vocoder.waveglow'."
        )


def _check_calibration(config: dict) -> None:
    calibration = config["calibration"]
    records = calibration["focus_dataset"]["records"]
    if not 1 <= calibration["focus_dataset"]["test_subject"] <= len(records):
        raise ValueError(
            f"config key 'calibration.focus_dataset.test_subject' must name one of the "
            f"{len(records)} subjects of 'calibration.focus_dataset.records'."
        )
    unprotocolled = sorted(
        set(calibration["classes"]) - {step["label"] for step in calibration["protocol"]}
    )
    if unprotocolled:
        raise ValueError(
            f"config key 'calibration.classes' names {unprotocolled}, which are not phases of "
            f"'calibration.protocol'."
        )
    try:
        features = FocusFeatureConfig(**calibration["features"])
    except ValueError as error:
        raise ValueError(f"config key 'calibration.features': {error}") from None
    shortest = features.min_samples / features.sfreq
    for index, step in enumerate(calibration["protocol"], start=1):
        if step["label"] in calibration["classes"] and step["duration_s"] < shortest:
            raise ValueError(
                f"config key 'calibration.protocol' step {index} ({step['label']!r}) lasts "
                f"{step['duration_s']:g} s, less than the {shortest:g} s of one focus feature "
                f"vector (a {features.window_s:g} s window and {features.smoothing - 1} more "
                f"steps of {features.step_s:g} s for the trailing mean of "
                f"'calibration.features')."
            )


def _check_mental_state(config: dict) -> None:
    workload = config["workload"]
    for key, known in (("dataset", workload["datasets"]), ("model", workload["models"])):
        if workload["live"][key] not in known:
            raise ValueError(
                f"config key 'workload.live.{key}' is {workload['live'][key]!r}, which is not "
                f"one of 'workload.{key}s': {sorted(known)}."
            )
    if workload["models"][workload["live"]["model"]]["channels"] != list(FOCUS_CHANNELS):
        raise ValueError(
            f"config key 'workload.live.model' names {workload['live']['model']!r}, whose "
            f"channels are not the live headset's {list(FOCUS_CHANNELS)} (in that order)."
        )
    for name, model in config["emotion"]["models"].items():
        for field in ("spectral_depth", "temporal_depth"):
            depth = model["config"].get(field)
            if depth is not None and (depth - 4) % 3:
                raise ValueError(
                    f"config key 'emotion.models.{name}.config.{field}' is {depth}; a DenseNet "
                    f"depth is 3N + 4 (10, 13, 16, ...)."
                )
    for task in ("emotion", "workload"):
        n_folds = config[task]["evaluation"]["n_folds"]
        for name, entry in config[task]["datasets"].items():
            demo = entry.get("demo") or {}
            n_subjects = demo.get("n_subjects") or len(entry.get("subjects", []))
            if n_folds is not None and n_subjects and n_folds > n_subjects:
                raise ValueError(
                    f"config key '{task}.evaluation.n_folds' is {n_folds}, more than the "
                    f"{n_subjects} subjects of '{task}.datasets.{name}'."
                )


def _check_fusion(config: dict) -> None:
    fusion = config["fusion"]
    frozen_layers = fusion["face_finetuning"]["frozen_layers"]
    if frozen_layers is None:
        return
    blocks = vision_encoder_blocks(fusion["vision_encoder"])
    if blocks is not None and frozen_layers > blocks:
        raise ValueError(
            f"config key 'fusion.face_finetuning.frozen_layers' is {frozen_layers}, but the "
            f"face encoder ('fusion.vision_encoder') has {blocks} transformer blocks."
        )
    if "subject_folds" in fusion["evaluation"]["protocols"]:
        # The encoder is fine-tuned once, on the split's training participants; each fold of
        # subject_folds tests participants that it would have been trained on.
        raise ValueError(
            "config key 'fusion.face_finetuning.frozen_layers' fine-tunes the face encoder "
            "on 'fusion.evaluation.split', which the folds of 'subject_folds' in "
            "'fusion.evaluation.protocols' would test on; use subject_wise (and the parity "
            "row), or frozen_layers: null."
        )


def _check_eeg2image(config: dict) -> None:
    datasets = config["eeg2image"]["datasets"]
    trained_here = sorted(name for name, entry in datasets.items()
                          if "image_models_from" not in entry)  # fmt: skip
    for name, entry in datasets.items():
        source = entry.get("image_models_from")
        if source is None:
            continue
        if source not in trained_here:
            raise ValueError(
                f"config key 'eeg2image.datasets.{name}.image_models_from' is {source!r}; it "
                f"must name another dataset of 'eeg2image.datasets' that trains its own image "
                f"models (one of {trained_here})."
            )


def validate_config(config: dict, schema: str | Path) -> None:
    """Validate the config against the JSON schema, filling in the schema's defaults.

    The schema is JSON Schema 2020-12 in YAML; a key the config leaves out takes the
    ``default`` its schema gives (as Snakemake's ``validate`` does, without importing it).

    Raises
    ------
    ValueError
        Naming the key path first (``config key 'calibration.live.step_s': -1 is less than
        or equal to the minimum of 0``).
    """
    import jsonschema
    import yaml

    contents = yaml.safe_load(Path(schema).read_text())
    try:
        _filling_defaults(jsonschema.Draft202012Validator)(contents).validate(config)
    except jsonschema.ValidationError as error:
        key = ".".join(str(part) for part in error.absolute_path)
        where = f"config key {key!r}" if key else "the config"
        raise ValueError(f"{where}: {error.message} (schema: {schema}).") from None


def _filling_defaults(validator_class):
    """The validator class whose ``properties`` check first sets each missing key's default
    (jsonschema's documented recipe)."""
    from jsonschema import validators

    check_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if validator.is_type(instance, "object"):
            for name, subschema in properties.items():
                if "default" in subschema:
                    instance.setdefault(name, subschema["default"])
        yield from check_properties(validator, properties, instance, schema)

    return validators.extend(validator_class, {"properties": set_defaults})


def check_config(config: dict) -> None:
    """Raise a ``ValueError`` naming the key when the config's keys contradict each other.

    Parameters
    ----------
    config : dict
        The merged workflow config, already valid against the JSON schema.
    """
    _check_eeg2video(config)
    _check_audio(config)
    _check_calibration(config)
    _check_mental_state(config)
    _check_fusion(config)
    _check_eeg2image(config)
