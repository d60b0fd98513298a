"""The bad-input corpus: every bad file and bad config the workflow refuses, run as a user runs it.

Each bad file is planted in a finished run (the shared demo, or two fine-tuned calibration
users) and the target that reads it is asked for again. Each case asserts a non-zero exit; a
message that names the file and what is wrong; that the failed job left no partial file and
its outputs are gone; and that the outputs of the other subjects, participants and users, and
every model already made, are exactly as they were. Each bad config is refused while the
workflow is parsed, before any job, naming the key (tests/test_workflow_config.py checks every
config case in-process; the cases here show that Snakemake runs those checks first).
"""

import dataclasses
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import h5py
import numpy as np
import pytest
import soundfile

from eegdecode.lsl.session import CalibrationSession

from .conftest import REPO, SMALL, copy_workdir, make_workdir, output_mtimes, snakemake

pytestmark = pytest.mark.slow

EEG = "results/demo/raw/EEG/sub2.npy"
SPEECH = "results/speech-demo/raw/p1"
BOB = "results/calibration/bob/s1/session.h5"


@dataclasses.dataclass(frozen=True)
class BadFile:
    """One bad file planted in a finished run, and what refusing it looks like."""

    damage: Callable[[Path], None]  # given the working directory
    target: str
    message: str  # a regular expression over Snakemake's output
    untouched: str  # outputs whose paths contain this are as they were
    removed: tuple[str, ...] = ()  # outputs of the failed job: gone afterwards
    log: str | None = None  # the failed job's log, which holds the message too
    override: str = ""  # a config file merged over the run's


def _npy(edit):
    def damage(workdir):
        path = workdir / EEG
        np.save(path, edit(np.load(path)))

    return damage


def _truncate(relative, keep=10_000):
    def damage(workdir):
        path = workdir / relative
        path.write_bytes(path.read_bytes()[:keep])

    return damage


def _with_nan(eeg):
    eeg[2, 10, 123] = np.nan
    return eeg


def _flat_o1(eeg):
    eeg[:, 58] = 0.0  # O1: a disconnected electrode
    return eeg


def _labels_that_do_not_fit(workdir):
    np.save(workdir / "results/demo/raw/Video/meta-info/All_video_label.npy", np.ones((3, 4)))


def _a_caption_missing(workdir):
    captions = workdir / "results/demo/raw/Video/BLIP-caption/3rd_10min.txt"
    captions.write_text("\n".join(captions.read_text().splitlines()[:-1]) + "\n")


def _shorter_audio(workdir):
    path = workdir / SPEECH / "audio.wav"
    audio, sfreq = soundfile.read(path)
    soundfile.write(path, audio[: 30 * sfreq], sfreq)


def _nan_seeg(workdir):
    path = workdir / SPEECH / "seeg.npy"
    seeg = np.load(path)
    seeg[100, 3] = np.nan
    np.save(path, seeg)


def _session(edit):
    def damage(workdir):
        path = workdir / BOB
        edit(CalibrationSession.load(path)).save(path)

    return damage


def _nan_samples(session):
    session.eeg[3, 5000:5100] = np.nan
    return session


def _stopped_early(session):
    # The recording stopped 10 s early, but its phases are those of the full protocol.
    return dataclasses.replace(session, eeg=session.eeg[:, :-1280],
                               timestamps=session.timestamps[:-1280],
                               dejittered_timestamps=None, gaps=None)  # fmt: skip


def _without_timestamps(workdir):
    with h5py.File(workdir / BOB, "a") as h5:
        del h5["timestamps"]


DEMO_FILES = {
    "eeg-truncated": BadFile(
        _truncate(EEG), "preprocess_all",
        r"Raw EEG file '.*raw/EEG/sub2.npy' could not be read as a NumPy .npy array",
        untouched="sub1", removed=("results/demo/clips/sub2.h5",),
        log="logs/segment/demo/sub2.log"),
    "eeg-wrong-shape": BadFile(
        _npy(lambda eeg: eeg[:, :61]), "preprocess_all",
        r"sub2.npy' has shape \(3, 61, 10400\), expected \(3, 62, 10400\)",
        untouched="sub1", removed=("results/demo/clips/sub2.h5",),
        log="logs/segment/demo/sub2.log"),
    "eeg-nan": BadFile(
        _npy(_with_nan), "preprocess_all",
        r"sub2.npy' has 1 NaN or infinite samples; the first is block 3, channel 11 \(F2\), "
        r"sample 124 \(0.615 s into the block; all 1-based\)",
        untouched="sub1", removed=("results/demo/clips/sub2.h5",),
        log="logs/segment/demo/sub2.log"),
    "eeg-flat-channel": BadFile(
        _npy(_flat_o1), "preprocess_all",
        r"sub2.npy: 1 channel\(s\) look broken: O1 \(flat\)\. .*features.on_flat_channel: warn",
        untouched="sub1", removed=("results/demo/clips/sub2.h5",),
        log="logs/segment/demo/sub2.log", override="features: {on_flat_channel: error}\n"),
    "labels-that-do-not-fit": BadFile(
        _labels_that_do_not_fit, "preprocess_all",
        r"All_video_label.npy': block 1 must present every concept 1..4 exactly once",
        untouched="speech-demo"),
    "caption-missing": BadFile(
        _a_caption_missing, "stimulus_all",
        r"3rd_10min.txt' has 19 lines, expected 20 \(one caption per clip",
        untouched="results/demo/clips/"),
    "audio-of-another-length": BadFile(
        _shorter_audio, "audio_all",
        r"raw/p1/seeg.npy covers 40.000 s but .*raw/p1/audio.wav 30.000 s",
        untouched="speech-demo/aligned/p2", removed=("results/speech-demo/aligned/p1.h5",),
        log="logs/align_recording/speech-demo/p1.log"),
    "seeg-nan": BadFile(
        _nan_seeg, "audio_all", r"raw/p1/seeg.npy holds 1 NaN or infinite sEEG values",
        untouched="speech-demo/aligned/p2", removed=("results/speech-demo/aligned/p1.h5",),
        log="logs/align_recording/speech-demo/p1.log"),
}  # fmt: skip

# Refused while the workflow is parsed, so nothing of either user changes, models included.
SESSION_FILES = {
    "session-nan": BadFile(
        _session(_nan_samples), "calibration_all",
        rf"{BOB} holds 100 NaN or infinite EEG samples, the first in channel 4 \(O1\) at "
        r"sample 5001 of \d+\. Record the session again, or move the file away",
        untouched="results/focus/"),
    "session-truncated": BadFile(
        _truncate(BOB, keep=200_000), "calibration_all",
        rf"{BOB} cannot be read as HDF5 \(a truncated copy, or not a session file\)",
        untouched="results/focus/"),
    "session-without-timestamps": BadFile(
        _without_timestamps, "calibration_all",
        rf"'{BOB}' has no dataset 'timestamps'", untouched="results/focus/"),
    # Readable but inconsistent: refused by the job that cuts the phases.
    "session-stopped-early": BadFile(
        _session(_stopped_early), "calibration_all",
        rf"{BOB}: phase 'unfocused' .* is not inside the recording",
        untouched="results/focus/", removed=("results/calibration/bob/s1/windows.h5",),
        log="logs/calibration_windows/bob/s1.log"),
}  # fmt: skip


def _refused_cleanly(workdir, case, config):
    before = output_mtimes(workdir, "results")
    case.damage(workdir)
    overrides = [config]
    if case.override:
        (workdir / "override.yaml").write_text(case.override)
        overrides.append(workdir / "override.yaml")
    done = snakemake(workdir, case.target, "--configfile", *overrides, check=False)
    output = done.stdout + done.stderr  # a parse-time error is printed on stdout
    assert done.returncode != 0, output[-3000:]
    assert re.search(case.message, output), output[-3000:]
    if case.log:
        assert re.search(case.message, (workdir / case.log).read_text())
    for path in case.removed:
        assert not (workdir / path).exists(), path
    after = output_mtimes(workdir, "results")
    kept = [path for path in before if case.untouched in path]
    assert kept and {path: after.get(path) for path in kept} == {p: before[p] for p in kept}
    assert not [path for path in workdir.rglob("*") if ".partial" in path.name]


@pytest.mark.xdist_group("workflow")
@pytest.mark.parametrize("case", DEMO_FILES.values(), ids=DEMO_FILES.keys())
def test_a_bad_file_of_the_demo_is_refused_cleanly(demo_run, tmp_path, case):
    _refused_cleanly(copy_workdir(demo_run, tmp_path / "work"), case, SMALL)


@pytest.mark.xdist_group("calibration")
@pytest.mark.parametrize("case", SESSION_FILES.values(), ids=SESSION_FILES.keys())
def test_a_bad_session_is_refused_and_every_model_kept(calibrated_users, tmp_path, case):
    workdir = copy_workdir(calibrated_users, tmp_path / "work")
    _refused_cleanly(workdir, case, workdir / "small_focus.yaml")


@pytest.mark.xdist_group("calibration")
def test_bad_sessions_are_skipped_with_the_reason_when_asked(calibrated_users, tmp_path):
    """``calibration.bad_sessions: skip``: the bad session is listed with why and left out;
    its user's model in use stays, and the other user's is not rerun."""
    workdir = copy_workdir(calibrated_users, tmp_path / "work")
    before = output_mtimes(workdir, "results/focus")
    SESSION_FILES["session-nan"].damage(workdir)
    (workdir / "skip.yaml").write_text("calibration: {bad_sessions: skip}\n")
    done = snakemake(workdir, "calibration_all", "--configfile", workdir / "small_focus.yaml",
                     workdir / "skip.yaml")  # fmt: skip
    assert re.search(rf"Skipping a bad session \(calibration.bad_sessions: skip\): {BOB} "
                     r"holds 100 NaN", done.stdout + done.stderr)  # fmt: skip
    assert output_mtimes(workdir, "results/focus") == before


# DEAP as released (per-file inputs, as a user's copy is read): 3 participants × 4 trials.
DEAP_METRICS = "results/fusion/deap/evaluation/valence_subject_wise.json"
DEAP_CONFIG = """\
fusion:
  datasets: {deap: {root: DEAP, subjects: [1, 2, 3]}}
  n_trials: 4
  evaluation: {protocols: [subject_wise], split: {train: [1], validation: [2], test: [3]}}
"""


@pytest.fixture(scope="session")
def deap_release(tmp_path_factory):
    """A DEAP-layout folder (the demo's writer, trials of the release's 63 s) with its
    valence evaluation run once to completion."""
    from eegdecode.datasets.deap_demo import write_demo_deap

    workdir = make_workdir(tmp_path_factory.mktemp("deap_release") / "work")
    write_demo_deap(workdir / "DEAP", n_subjects=3, n_trials=4, trial_s=60, video_s=0.5, fps=4,
                    frame_size=96, face_effect=1.0, eeg_effect=1.0, n_faceless_trials=0,
                    seed=0)  # fmt: skip
    (workdir / "deap.yaml").write_text(DEAP_CONFIG)
    snakemake(workdir, DEAP_METRICS, "--configfile", workdir / "deap.yaml")
    return workdir


def _mat_without_labels(workdir):
    from scipy import io

    path = workdir / "DEAP/data_preprocessed_matlab/s02.mat"
    io.savemat(path, {"data": io.loadmat(path)["data"]})


def _unreadable_video(workdir):
    path = workdir / "DEAP/face_video/s02/s02_trial03.avi"
    path.write_bytes(np.random.default_rng(0).bytes(4096))


def _ratings_without_a_video(workdir):
    """Participant 2's ratings lose the trial that showed video 4 (the rest renumbered)."""
    path = workdir / "DEAP/metadata_csv/participant_ratings.csv"
    header, *rows = path.read_text().splitlines()
    kept, trial = [header], 0
    for row in rows:
        fields = row.split(",")
        if fields[0] == "2":
            if fields[2] == "4":
                continue
            trial += 1
            fields[1] = str(trial)
        kept.append(",".join(fields))
    path.write_text("\n".join(kept) + "\n")


DEAP_FILES = {
    "deap-mat-without-labels": BadFile(
        _mat_without_labels, DEAP_METRICS,
        r"s02.mat holds no variable 'labels'; it holds \['data'\]",
        untouched="eeg/s01", removed=("results/fusion/deap/eeg/s02.h5",),
        log="logs/eeg_differential_entropy/deap/s02.log"),
    "deap-video-unreadable": BadFile(
        _unreadable_video, DEAP_METRICS, r"Face video '.*s02_trial03.avi' could not be opened",
        untouched="faces/s01", removed=("results/fusion/deap/faces/s02_crops.h5",),
        log="logs/detect_faces/deap/s02.log"),
    "deap-ratings-miss-a-video": BadFile(
        _ratings_without_a_video, DEAP_METRICS,
        r"participant_ratings.csv lists trials 1–3 of participant 2, but its face videos are "
        r"trials 1–4", untouched="faces/s01", removed=(DEAP_METRICS,),
        log="logs/evaluate_fusion/deap/valence_subject_wise.log"),
}  # fmt: skip


@pytest.mark.xdist_group("calibration")
@pytest.mark.parametrize("case", DEAP_FILES.values(), ids=DEAP_FILES.keys())
def test_a_bad_deap_file_is_refused_cleanly(deap_release, tmp_path, case):
    workdir = copy_workdir(deap_release, tmp_path / "work")
    _refused_cleanly(workdir, case, workdir / "deap.yaml")


@dataclasses.dataclass(frozen=True)
class BadConfig:
    """A config refused while the workflow is parsed, and the message that names its key."""

    override: str  # a config file passed with --configfile
    message: str
    target: str = "all"
    edit_workflow_config: Callable[[str], str] | None = None  # edits config/config.yaml


BAD_CONFIGS = {
    "unknown-key": BadConfig(
        "features:\n  n_ftt: 256\n",
        r"config key 'features': Additional properties are not allowed \('n_ftt' was "
        r"unexpected\)"),
    "fine-tuning-on-the-test-block": BadConfig(
        "video_diffusion:\n  finetune:\n    blocks: [1, 7]\n",
        r"'video_diffusion.finetune.blocks' \(\[1, 7\]\) must name blocks 1..7 other than the "
        r"test block 7"),
    "replaced-key": BadConfig(
        "seq2seq:\n  test_block: 2\n",
        r"'seq2seq.test_block' was replaced by 'split.test_block'"),
    "window-not-whole-samples": BadConfig(
        "windows:\n  500ms: {length_s: 0.503}\n",
        r"'windows.500ms.length_s' \(0.503 s\) must be a whole number of samples"),
    "missing-model-folder": BadConfig(
        "pretrained:\n  stable_diffusion: /nowhere/sd-1.4\n  tiny: {activate: false}\n",
        r"config key 'pretrained.stable_diffusion' names '/nowhere/sd-1.4', which is not a"),
    "seeg-rate-too-low": BadConfig(
        "audio:\n  seeg_sfreq: 250\n",
        r"The .npy sEEG \(config key 'audio.seeg_sfreq'\) is sampled at 250 Hz", "audio_all"),
    "same-name-twice": BadConfig(
        "audio:\n  name: demo\n", r"'audio.name' and 'dataset.name' are both 'demo'",
        "audio_all"),
    "null-twin-name": BadConfig(
        "audio:\n  name: demo-null\n",
        r"'audio.name' is 'demo-null', the folder of the EEG→video demo's null twin", "audio_all"),
    "validation-without-a-null-demo": BadConfig(
        "emotion:\n  datasets:\n    demo-null: null\n",
        r"validation_all checks the embedded demos as config/config.yaml configures them; this "
        r"config lacks emotion.datasets: demo-null", "validation_all"),
    "yaml-syntax": BadConfig(
        "{}\n", r"config file config/config.yaml, line \d+, column \d+: YAML syntax error: "
        r"expected ',' or ']'", edit_workflow_config=lambda text: text + "oops: [1, 2\n"),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD_CONFIGS.values(), ids=BAD_CONFIGS.keys())
def test_a_bad_config_is_refused_before_any_job(tmp_path, case):
    workdir = make_workdir(tmp_path / "work")
    if case.edit_workflow_config:
        (workdir / "config").unlink()
        shutil.copytree(REPO / "config", workdir / "config")
        path = workdir / "config/config.yaml"
        path.write_text(case.edit_workflow_config(path.read_text()))
    override = tmp_path / "override.yaml"
    override.write_text(case.override)
    done = snakemake(workdir, case.target, "--configfile", override, "--dry-run", check=False)
    output = done.stdout + done.stderr
    assert done.returncode != 0 and re.search(case.message, output), output[-3000:]
    assert not (workdir / "results").exists()
