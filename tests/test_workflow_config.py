"""Bad configs are refused, naming the key, by the checks the workflow runs while it is parsed.

The checks run here in-process, as rules/common.smk runs them (replaced keys, the JSON schema,
then eegdecode.workflow_config.check_config) on config/config.yaml merged with an override as
``--configfile`` merges it. tests/dag keeps real ``snakemake`` runs of a few of these cases to
show that the workflow calls them before any job.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from snakemake.utils import update_config

from eegdecode.cli import main as eegdecode_main
from eegdecode.workflow_config import (
    check_config,
    drop_left_out_datasets,
    merge_config,
    prepare_config,
    read_config_file,
    validate_config,
)

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "workflow/schemas/config.schema.yaml"


def parse(override: str) -> dict:
    """What rules/common.smk does with config/config.yaml plus an override config file."""
    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    update_config(config, yaml.safe_load(override))
    prepare_config(config, SCHEMA)
    return config


PRESETS = sorted(
    path.name for path in (REPO / "config").glob("*.yaml") if path.name != "config.yaml"
)


def test_the_embedded_default_and_the_presets_pass():
    parse("{}")
    # A preset's paths are the user's to set (check_paths, tested below, names them).
    assert {"seed-dv.yaml", "dreamer.yaml", "stew.yaml", "deap.yaml", "eeg-imagenet.yaml"} <= set(
        PRESETS
    )
    for preset in PRESETS:
        config = yaml.safe_load((REPO / "config/config.yaml").read_text())
        update_config(config, yaml.safe_load((REPO / "config" / preset).read_text()))
        drop_left_out_datasets(config)
        validate_config(config, SCHEMA)
        check_config(config)


def test_the_singlewordproduction_preset_lists_the_participants_of_its_tsv(tmp_path):
    from eegdecode.fileio import write_tsv

    root = tmp_path / "SingleWordProductionDutch-iBIDS"
    preset = yaml.safe_load((REPO / "config/singlewordproduction.yaml").read_text())
    preset["audio"]["root"] = str(root)
    with pytest.raises(ValueError, match=r"^config key 'audio.root' names '.*iBIDS', which is "
                       r"not a folder"):  # fmt: skip
        parse(yaml.safe_dump(preset))
    root.mkdir()
    with pytest.raises(ValueError, match=r"^config key 'audio.participants' names "
                       r"'.*iBIDS/participants.tsv', which is not a file"):  # fmt: skip
        parse(yaml.safe_dump(preset))
    write_tsv(root / "participants.tsv", [{"participant_id": f"sub-{k:02d}"} for k in (1, 2)])
    config = parse(yaml.safe_dump(preset))
    assert config["audio"]["participants"] == ["sub-01", "sub-02"]
    assert config["audio"]["layout"]["words"].endswith("_ieeg.nwb")
    write_tsv(root / "participants.tsv", [{"participant_id": "sub-01"}] * 2)
    with pytest.raises(ValueError, match="must list each participant once"):
        parse(yaml.safe_dump(preset))


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            "features:\n  n_ftt: 256\n",
            r"Additional properties are not allowed \('n_ftt' was unexpected\)",
        ),
        (
            "windows:\n  500ms:\n    length_s: -0.5\n",
            r"-0.5 is less than or equal to the minimum of 0",
        ),
        ("features:\n  fft_mode: zeropad\n", r"'zeropad' is not one of \['truncate', 'full'\]"),
        (
            "training_threads: 0\n",
            r"^config key 'training_threads': 0 is less than the minimum of 1",
        ),
        (
            "dataset:\n  channels:\n    occipital: [O1, O9]\n",
            r"'dataset.channels.occipital' names channels \['O9'\]",
        ),
        (
            "windows:\n  500ms:\n    length_s: 2.5\n",
            r"'windows.500ms.length_s' \(2.5 s\) must not exceed a clip",
        ),
        (
            "windows:\n  2s:\n    length_s: 1\n    step_s: 1\n",
            r"'windows.2s' clashes with the whole clips' features",
        ),
        (
            "dataset:\n  protocol:\n    clip_s: 2.0025\n",
            r"protocol.clip_s = 2.0025 s is 400.5 samples",
        ),
        (
            "video_diffusion:\n  finetune:\n    blocks: [1, 7]\n",
            r"'video_diffusion.finetune.blocks' \(\[1, 7\]\) must name blocks 1..7 other than "
            r"the test block 7",
        ),
        (
            "seq2seq:\n  test_block: 2\n",
            r"'seq2seq.test_block' was replaced by 'split.test_block'",
        ),
        (
            "seq2seq:\n  source: glmnet\n",
            r"'glmnet' is not one of \['glmnet_embeddings', 'raw_windows'\]",
        ),
        (
            "video_diffusion:\n  generate: {strength: 0}\n",
            r"0 is less than or equal to the minimum of 0",
        ),
        (
            "video_diffusion:\n  dana: {timestep: sampler}\n  generate: {strength: 1}\n",
            r"'video_diffusion.dana.timestep' is 'sampler', which hands DANA's noise to "
            r"image-to-image sampling, but 'video_diffusion.generate.strength' is 1",
        ),
        (
            "video_diffusion:\n  dana: {timestep: later}\n",
            r"'later' is not valid under any of the given schemas",
        ),
        (
            "video_diffusion:\n  generate: {negative_embedding: missing/negative.npy}\n",
            r"'video_diffusion.generate.negative_embedding' names 'missing/negative.npy', which is "
            r"not a file",
        ),
        (
            "video_diffusion:\n  unet: missing/unet\n",
            r"'video_diffusion.unet' names 'missing/unet', which is not a folder with a "
            r"config.json; give a Tune-A-Video UNet3DConditionModel folder",
        ),
        (
            "stimulus:\n  frames: {frames_per_s: 5}\n",
            r"'stimulus.frames.frames_per_s' \(5\) must divide 'dataset.protocol.video_fps' \(24\)",
        ),
        (
            "dataset:\n  protocol: {video_fps: 23.976}\n",
            r"protocol.hint_s = 3.0 s is 71.92\d* frames at 23.976 Hz",
        ),
        ("split:\n  test_block: 8\n", r"split.test_block=8 does not name one of the 7 blocks"),
        ("split:\n  test_block: 0\n", r"should not be valid under \{'const': 0\}"),
        (
            "video_diffusion:\n  evaluate:\n    video_classifier: {kind: videomae, path: null}\n",
            r"'video_diffusion.evaluate.video_classifier.path' must name a local videomae folder",
        ),
        (
            "fusion:\n  face_finetuning: {frozen_layers: 3}\n",
            r"'fusion.face_finetuning.frozen_layers' is 3, but the face encoder "
            r"\('fusion.vision_encoder'\) has 2 transformer blocks",
        ),
        (
            "fusion:\n  face_finetuning: {frozen_layers: 1}\n"
            "  evaluation: {protocols: [subject_wise, subject_folds]}\n",
            r"'fusion.face_finetuning.frozen_layers' fine-tunes the face encoder on "
            r"'fusion.evaluation.split', which the folds of 'subject_folds'",
        ),
        (
            "eeg2image:\n  datasets:\n    demo-null: {image_models_from: demo-confound}\n",
            r"'eeg2image.datasets.demo-null.image_models_from' is 'demo-confound'; it must name "
            r"another dataset",
        ),
        (
            "eeg2image:\n  caption: An image\n",
            r"'eeg2image.caption': 'An image' does not match",
        ),
        ("audio:\n  name: demo\n", r"'audio.name' and 'dataset.name' are both 'demo'"),
        ("audio:\n  audio_offset_s: {p7: 0.5}\n", r"'audio.audio_offset_s' names \['p7'\]"),
        (
            "audio:\n  vocoder: {waveglow_config: config.json}\n",
            r"'audio.vocoder.waveglow_config' is set without 'audio.vocoder.waveglow'",
        ),
        ("audio:\n  mel: {filterbank: mfcc}\n", r"'mfcc' is not one of \['slaney', 'htk'\]"),
        (
            "audio:\n  vocoder: {tiny_waveglow: true, waveglow: wg.pt}\n",
            r"'audio.vocoder.tiny_waveglow' and 'audio.vocoder.waveglow' are both set",
        ),
        (
            "calibration:\n  classes: {focused: 1, daydream: 0}\n",
            r"'calibration.classes' names \['daydream'\], which are not phases",
        ),
        (
            "calibration:\n  protocol:\n    - {label: focused, duration_s: 20}\n"
            "    - {label: unfocused, duration_s: 40}\n",
            r"'calibration.protocol' step 1 \('focused'\) lasts 20 s, less than the 29 s",
        ),
        (
            "audio:\n  seeg_sfreq: 250\n",
            r"The .npy sEEG \(config key 'audio.seeg_sfreq'\) is sampled at 250 Hz, which "
            r"cannot hold the high-gamma band 70–170 Hz",
        ),
        (
            "audio:\n  channels: {include: LA*}\n",
            r"^config key 'audio.channels.include': 'LA\*' is not of type 'array'",
        ),
        (
            "pretrained:\n  stable_diffusion: /nowhere/sd-1.4\n  tiny: {activate: false}\n",
            r"^config key 'pretrained.stable_diffusion' names '/nowhere/sd-1.4', which is not a "
            r"folder",
        ),
        (
            "audio:\n  vocoder: {waveglow: /nowhere/waveglow.pt}\n",
            r"^config key 'audio.vocoder.waveglow' names '/nowhere/waveglow.pt', which is not a",
        ),
        (
            "windows:\n  500ms: {length_s: 0.503}\n",
            r"'windows.500ms.length_s' \(0.503 s\) must be a whole number of samples at "
            r"'dataset.protocol.sfreq' = 200 Hz \(it is 100.6\)",
        ),
        (
            "audio:\n  linear_baseline: {shift_s: 0.1}\n",
            r"'audio.linear_baseline': shift_s = 0.1 must be positive and at most window_s",
        ),
        (
            "audio:\n  layout: {words: null}\n",
            r"The audio demo writes its words: config key 'audio.layout.words'",
        ),
        (
            "calibration:\n  features: {bin_hz: 0.3}\n",
            r"'calibration.features': bin_hz = 0.3 must span a whole number of FFT bins",
        ),
        (
            "emotion:\n  models:\n    ccnn: {input: sst}\n",
            r"config key 'emotion.models.ccnn.input': 'ccnn' was expected",
        ),
        (
            "emotion:\n  models:\n    ccnn: {config: {dropot: 0.5}}\n",
            r"config key 'emotion.models.ccnn.config': Additional properties .*'dropot'",
        ),
        (
            "emotion:\n  models:\n    sst_emotionnet: {config: {spectral_depth: 12}}\n",
            r"'emotion.models.sst_emotionnet.config.spectral_depth' is 12; a DenseNet depth is 3N",
        ),
        (
            "workload:\n  models:\n    bilstm_7ch: {channels: [F7, Cz]}\n",
            r"config key 'workload.models.bilstm_7ch.channels.1': 'Cz' is not one of",
        ),
        (
            "workload:\n  live: {model: bilstm}\n",
            r"'workload.live.model' is 'bilstm', which is not one of 'workload.models'",
        ),
        (
            "workload:\n  models:\n    bilstm_7ch: {channels: [F3, F7, P7, O1, O2, P8, F4]}\n",
            r"'workload.live.model' names 'bilstm_7ch', whose channels are not the live headset's",
        ),
        (
            "workload:\n  evaluation: {n_folds: 6}\n",
            r"'workload.evaluation.n_folds' is 6, more than the 5 subjects of 'workload.datasets.demo'",
        ),
        (
            "emotion:\n  datasets:\n    real: {mat: DREAMER.mat, demo: {n_subjects: 3, n_clips: 4,"
            " clip_s: 2, effect: 1, seed: 0}}\n",
            r"config key 'emotion.datasets.real': .* is valid under each of",
        ),
    ],
)
def test_bad_config_is_refused_naming_the_key(override, message):
    with pytest.raises(ValueError) as error:
        parse(override)
    assert re.search(message, str(error.value)), str(error.value)


def test_a_schema_error_names_the_key_path_first():
    with pytest.raises(ValueError) as error:
        parse("calibration:\n  live: {step_s: -1}\n")
    assert str(error.value).startswith(
        "config key 'calibration.live.step_s': -1 is less than or equal to the minimum of 0"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "split:\n  test_block: 2\nfoo: [1, 2\nbar: 3\n",
            r", line 4, column 4: YAML syntax error: expected ',' or ']', but got ':' "
            r"\(while parsing a flow sequence at line 3, column 6\)\.$",
        ),
        ("a:\n\tb: 1\n", r", line 2, column 1: YAML syntax error: found character '\\t'"),
        ("- 1\n- 2\n", r": expected a mapping of config keys at the top level, found a list"),
    ],
)
def test_a_yaml_error_names_the_file_and_line(tmp_path, text, message):
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    with pytest.raises(ValueError) as error:
        read_config_file(path)
    assert str(error.value).startswith(f"config file {path}"), str(error.value)
    assert re.search(message, str(error.value)), str(error.value)


def test_config_files_merge_as_snakemake_merges_them():
    base = read_config_file(REPO / "config/config.yaml")
    for override in (REPO / "config").glob("*.yaml"):
        expected = yaml.safe_load((REPO / "config/config.yaml").read_text())
        update_config(expected, yaml.safe_load(override.read_text()))
        assert merge_config(base, read_config_file(override)) == expected, override.name
    assert read_config_file(REPO / "config/config.yaml") == base, "the base was changed"


def test_check_config_command(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    eegdecode_main(["check-config"])
    assert "The config is valid (config/config.yaml)" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    for text, message in (
        ("foo: [1, 2\nbar: 3\n", f"config file {bad}, line 2, column 4: YAML syntax error"),
        ("split:\n  test_block: 9\n", "split.test_block=9 does not name one of the 7 blocks"),
        ("features:\n  n_ftt: 256\n", "config key 'features': Additional properties"),
    ):
        bad.write_text(text)
        with pytest.raises(SystemExit) as error:
            eegdecode_main(["check-config", "--configfile", str(bad)])
        assert str(error.value).startswith(message), str(error.value)


def test_every_path_that_is_not_there_is_named_at_once_by_its_key(tmp_path):
    """Not only the first: the user learns every key to set from one try."""
    (tmp_path / "block_splits_by_image_all.pth").touch()
    override = {
        "demo": {"activate": False},
        "dataset": {"root": str(tmp_path / "SEED-DV")},
        "pretrained": {"stable_diffusion": "/path/to/sd", "tiny": {"activate": False}},
        "video_diffusion": {"evaluate": {"video_classifier": {"kind": "videomae", "path": None}}},
        "emotion": {"datasets": {"dreamer": {"mat": str(tmp_path / "DREAMER.mat")}}},
        "fusion": {"vision_encoder": str(tmp_path / "vit")},
        "eeg2image": {
            "datasets": {
                "eeg-imagenet": {
                    "eeg": str(tmp_path / "eeg_5_95_std.pth"),
                    "splits": str(tmp_path / "block_splits_by_image_all.pth"),
                    "images": str(tmp_path / "block_splits_by_image_all.pth"),
                    "synset_mapping": "/path/to/LOC_synset_mapping.txt",
                }
            }
        },
    }
    with pytest.raises(ValueError) as error:
        parse(yaml.safe_dump(override))
    header, *lines = str(error.value).splitlines()
    assert header == "8 config keys name paths that are not there; set each of them:"
    assert [re.match(r"  - config key '([^']+)' (\w+)", line).groups() for line in lines] == [
        ("dataset.root", "names"),
        ("pretrained.stable_diffusion", "is"),
        ("video_diffusion.evaluate.video_classifier.path", "must"),
        ("emotion.datasets.dreamer.mat", "names"),
        ("fusion.vision_encoder", "names"),
        ("eeg2image.datasets.eeg-imagenet.eeg", "names"),
        ("eeg2image.datasets.eeg-imagenet.images", "names"),
        ("eeg2image.datasets.eeg-imagenet.synset_mapping", "is"),
    ]
    assert "is still the placeholder '/path/to/sd'; give a Stable Diffusion 1.4 folder" in lines[1]
    assert "MCG-NJU/videomae-base-finetuned-kinetics" in lines[2]
    assert "eeg_5_95_std.pth', which is not a file" in lines[5]
    assert "block_splits_by_image_all.pth', which is not a folder" in lines[6]
    # A real run is never told to fall back on the tiny random models.
    assert "tiny" not in str(error.value)


def _placeholder_keys(tree: dict, prefix: str = "") -> list[str]:
    """The dotted keys of ``tree`` whose value is a ``/path/to/`` placeholder."""
    keys = []
    for key, value in tree.items():
        if isinstance(value, dict):
            keys += _placeholder_keys(value, f"{prefix}{key}.")
        elif isinstance(value, str) and "/path/to/" in value:
            keys.append(f"{prefix}{key}")
    return keys


PRESET_PLACEHOLDERS = {
    preset: _placeholder_keys(yaml.safe_load((REPO / "config" / preset).read_text()))
    for preset in PRESETS
}


@pytest.mark.parametrize("preset", [preset for preset, keys in PRESET_PLACEHOLDERS.items() if keys])
def test_check_config_names_every_path_a_preset_leaves_to_set(preset, monkeypatch):
    """Each placeholder of a preset is listed, by key, in its header and by check-config."""
    keys = PRESET_PLACEHOLDERS[preset]
    text = (REPO / "config" / preset).read_text()
    header = text.split("\n\n")[0]
    assert "Set th" in header
    for key in keys:
        assert re.search(rf"^#\s+{re.escape(key)}\s", header, re.MULTILINE), (preset, key)
    monkeypatch.chdir(REPO)
    with pytest.raises(SystemExit) as error:
        eegdecode_main(["check-config", "--configfile", f"config/{preset}"])
    named = re.findall(r"config key '([^']+)' is still the placeholder", str(error.value))
    assert named == keys, str(error.value)
    assert "tiny" not in str(error.value)


def test_the_parse_time_checks_import_neither_torch_nor_scipy_signal_nor_snakemake():
    """Every snakemake start (and each of the test suite's many) runs these checks and reads the
    recorded sessions; torch and scipy.signal add about 5 s to each when imported for it. The
    package never imports Snakemake: `eegdecode check-config` runs without it."""
    parse_time_work = f"""
import sys
from eegdecode.workflow_config import prepare_config, read_config_file
from eegdecode.lsl.session import check_session_files
prepare_config(read_config_file({str(REPO / "config/config.yaml")!r}), {str(SCHEMA)!r})
modules = ("torch", "scipy.signal", "scipy.stats", "snakemake")
print(sorted(name for name in modules if name in sys.modules))
"""
    done = subprocess.run(
        [sys.executable, "-c", parse_time_work], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_a_dataset_set_to_null_is_left_out():
    config = parse(
        "emotion:\n  datasets:\n    demo-null: null\n"
        "eeg2image:\n  datasets:\n    demo-confound: null\n"
    )
    assert list(config["emotion"]["datasets"]) == ["demo"]
    assert list(config["workload"]["datasets"]) == ["demo", "demo-null"]
    assert list(config["eeg2image"]["datasets"]) == ["demo", "demo-null"]
    with pytest.raises(ValueError, match=r"'eeg2image.datasets.demo-null.image_models_from'"):
        parse("eeg2image:\n  datasets:\n    demo: null\n")
