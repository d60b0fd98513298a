"""Emotion (DREAMER) and cognitive load (STEW) in the workflow: what the evaluation writes, the
published layouts, the deployed model, the report; corrupt dataset files stop the run naming
the file and the field. (The planted demo above chance and the null at chance, subject-wise:
validation_all, tests/validation.)"""

import json
import zipfile

import numpy as np
import pytest

from eegdecode.datasets.dreamer import load_dreamer
from eegdecode.datasets.stew import load_stew
from eegdecode.fileio import read_csv

from .conftest import SMALL, make_workdir, snakemake

pytestmark = pytest.mark.slow
# The tests of the shared small demo run share its worker (tests/dag/conftest.py).
shares_the_demo_run = pytest.mark.xdist_group("workflow")

TASKS = {"emotion": ("sst_emotionnet", "ccnn"), "workload": ("bilstm_7ch",)}


@shares_the_demo_run
@pytest.mark.parametrize("task", list(TASKS))
def test_the_summary_labels_the_parity_protocol_leaky(demo_run, task):
    """The original's segment-random split leaks subjects and clips: its rows are marked, the
    subject-wise ones (what validation_all checks) are not."""
    rows = read_csv(demo_run / f"results/{task}/summary.csv")
    assert {(row["model"], row["protocol"], row["leaky"]) for row in rows} == {
        (model, protocol, str(protocol == "segment_random"))
        for model in TASKS[task] for protocol in ("subject_wise", "segment_random")
    }  # fmt: skip


@shares_the_demo_run
def test_metrics_hold_every_fold_and_the_subjects_it_tested(demo_run):
    metrics = json.loads(
        (demo_run / "results/emotion/demo/evaluation/ccnn_subject_wise.json").read_text()
    )
    assert (metrics["dataset"], metrics["model"], metrics["architecture"]) == (
        "demo",
        "ccnn",
        "CCNN",
    )
    assert [fold["subjects"]["test"] for fold in metrics["folds"]] == [[1], [2], [3], [4]]
    assert metrics["class_names"] == ["LVLA", "LVHA", "HVLA", "HVHA"]
    assert np.array(metrics["folds"][0]["confusion"]).shape == (4, 4)
    figure = demo_run / "results/emotion/demo/qc/ccnn_subject_wise_confusion.png"
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@shares_the_demo_run
def test_the_demo_datasets_are_in_the_published_layouts(demo_run):
    subjects = load_dreamer(demo_run / "results/emotion/demo/DREAMER.mat")
    assert len(subjects) == 4 and len(subjects[0].stimuli) == 12
    assert subjects[0].stimuli[0].shape == (14, 384) and subjects[0].baselines[0].shape == (
        14,
        7808,
    )
    recordings = load_stew(demo_run / "results/workload/demo/raw", [1, 2, 3, 4])
    assert recordings[1]["hi"].shape == (14, 24 * 128)


@shares_the_demo_run
def test_the_live_cognitive_load_model_is_written_with_how_to_prepare_its_input(demo_run):
    from eegdecode.lsl.live import WorkloadModel
    from eegdecode.signal import FOCUS_CHANNELS

    model = WorkloadModel(demo_run / "results/workload/demo/models/bilstm_7ch")
    assert model.trained.split == {"train_subjects": [1, 2, 3], "validation_subjects": [4]}
    assert model.features == {"sfreq": 128.0, "channel_names": list(FOCUS_CHANNELS),
                              "clip_s": 2.0, "n_scales": 16, "class_names": ["rest", "workload"]}  # fmt: skip


@shares_the_demo_run
def test_the_report_shows_the_confusion_matrices_and_tables(demo_run, tmp_path):
    workdir = make_workdir(tmp_path / "work")
    for task in TASKS:
        (workdir / "results").mkdir(exist_ok=True)
        (workdir / f"results/{task}").symlink_to(demo_run / f"results/{task}")
    names = []
    for task in TASKS:
        snakemake(workdir, f"{task}_all", "--configfile", SMALL, "--report", f"{task}.zip")
        names += zipfile.ZipFile(workdir / f"{task}.zip").namelist()
    # emotion: 2 models × 2 protocols; cognitive load: 1 model × 2 protocols (the demos only)
    assert sum(name.endswith("_confusion.png") for name in names) == 6
    assert sum(name.endswith("summary.csv") for name in names) == 2


def test_a_truncated_stew_file_stops_the_run_naming_file_and_row(tmp_path):
    from eegdecode.datasets.mental_state_demo import write_demo_stew

    workdir = make_workdir(tmp_path / "work")
    root = tmp_path / "STEW"
    write_demo_stew(root, [1, 2, 3], recording_s=8, effect=1.0, seed=0)
    text = (root / "sub02_hi.txt").read_text()
    (root / "sub02_hi.txt").write_text(text[: len(text) // 2 + 5])
    (workdir / "stew.yaml").write_text(
        f"workload:\n  datasets:\n    stew: {{root: {root}, subjects: [1, 2, 3]}}\n"
    )
    target = "results/workload/stew/segments/bilstm_7ch.h5"
    done = snakemake(workdir, target, "--configfile", workdir / "stew.yaml", check=False)
    assert done.returncode != 0
    log = (workdir / "logs/workload_segments/stew/bilstm_7ch.log").read_text()
    assert "sub02_hi.txt, row" in log and "expected one per channel (14)" in log
    assert not (workdir / target).exists()


def test_a_dreamer_file_with_a_missing_field_stops_the_run_naming_it(tmp_path):
    from scipy import io

    from eegdecode.datasets.dreamer import write_dreamer_mat
    from eegdecode.datasets.mental_state_demo import synthesize_dreamer

    workdir = make_workdir(tmp_path / "work")
    mat = write_dreamer_mat(tmp_path / "DREAMER.mat",
                            synthesize_dreamer(3, n_clips=4, clip_s=2, effect=1.0, seed=0))  # fmt: skip
    dreamer = io.loadmat(mat)["DREAMER"][0, 0]
    io.savemat(mat, {"DREAMER": {name: dreamer[name] for name in dreamer.dtype.names
                                 if name != "EEG_Electrodes"}})  # fmt: skip
    (workdir / "dreamer.yaml").write_text(f"emotion:\n  datasets:\n    dreamer: {{mat: {mat}}}\n")
    target = "results/emotion/dreamer/segments/ccnn.h5"
    done = snakemake(workdir, target, "--configfile", workdir / "dreamer.yaml", check=False)
    assert done.returncode != 0
    log = (workdir / "logs/emotion_segments/dreamer/ccnn.log").read_text()
    assert "DREAMER.mat: DREAMER has no field 'EEG_Electrodes'" in log
    assert not (workdir / target).exists()
