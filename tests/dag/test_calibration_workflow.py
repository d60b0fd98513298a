"""The calibration rules: base model, per-session windows, per-user fine-tuning and versions."""

import contextlib
import dataclasses
import json
import re
import threading
import time

import numpy as np
import pytest

from eegdecode.lsl.session import CalibrationSession
from eegdecode.lsl.simulate import simulate_session
from eegdecode.training.focus import focus_pointer

from .conftest import make_workdir, output_mtimes, snakemake

pytestmark = pytest.mark.slow

SMALL_FOCUS = """
calibration:
  focus_dataset: {records: [[1], [2], [3, 4]], state_minutes: 0.5, test_subject: 1}
"""


def _record(workdir, user, session, *, seed, complete=True):
    protocol = [("countdown", 3), ("focused", 40), ("countdown", 3), ("unfocused", 40)]
    recorded = simulate_session(user, session, protocol, seed=seed, complete=complete)
    return recorded.save(workdir / f"results/calibration/{user}/{session}/session.h5")


@contextlib.contextmanager
def _watch_exists(path):
    """Check every millisecond, while the block runs, that ``path`` exists; yields the list
    of times (s from the start) when it did not."""
    absent, done = [], threading.Event()
    start = time.monotonic()

    def watch():
        while not done.wait(0.001):
            if not path.is_file():
                absent.append(time.monotonic() - start)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        yield absent
    finally:
        done.set()
        watcher.join()


def test_each_user_is_finetuned_and_a_new_session_reruns_only_that_user(tmp_path):
    workdir = make_workdir(tmp_path / "work")
    override = workdir / "small_focus.yaml"
    override.write_text(SMALL_FOCUS)
    _record(workdir, "alice", "20261101-100000", seed=1)
    _record(workdir, "bob", "20261101-110000", seed=2)
    _record(workdir, "bob", "20261101-120000", seed=3, complete=False)
    snakemake(workdir, "calibration_all", "--configfile", override)
    base = json.loads((workdir / "results/focus/base_metrics.json").read_text())
    assert base["test"]["balanced_accuracy"] > 0.6 and base["test"]["n_windows"] > 0
    users = workdir / "results/focus/users"
    first = json.loads((users / "alice/current.json").read_text())
    assert first["sessions"] == ["20261101-100000"] and (users / "alice" / first["model"]).is_dir()
    # bob's interrupted session is not used
    assert json.loads((users / "bob/current.json").read_text())["sessions"] == ["20261101-110000"]

    before = output_mtimes(workdir, "results/focus")
    _record(workdir, "alice", "20261102-100000", seed=4)
    plan = snakemake(workdir, "calibration_all", "--configfile", override, "--dry-run")
    # Jobs of a group (one user's windows, fine-tuning and pointer) are listed indented.
    jobs = set(re.findall(r"^\s*rule (\w+):", plan.stdout, re.MULTILINE))
    assert jobs == {"calibration_windows", "finetune_focus", "select_focus_model",
                    "calibration_all"}  # fmt: skip
    snakemake(workdir, "calibration_all", "--configfile", override)
    after = output_mtimes(workdir, "results/focus")
    changed = sorted(path for path in after if before.get(path) != after[path])
    assert changed and all("/users/alice/" in path for path in changed)
    second = json.loads((users / "alice/current.json").read_text())
    assert second["sessions"] == ["20261101-100000", "20261102-100000"]
    assert (users / "alice" / first["model"]).is_dir()  # the earlier version is kept
    metrics = json.loads((users / "alice" / f"{second['model']}_metrics.json").read_text())
    held_out = metrics["held_out"]
    assert held_out["finetuned_accuracy"] > held_out["base_accuracy"]

    # A changed fine-tuning setting makes a new version; the one in use is not rerun (which
    # would delete it first) and stays, and the pointer moves once the new one is complete.
    in_use = output_mtimes(workdir, f"results/focus/users/alice/{second['model']}")
    stronger = workdir / "stronger.yaml"
    stronger.write_text("calibration: {finetune: {l2: 10.0}}\n")
    with _watch_exists(users / "alice/current.json") as absent:
        snakemake(workdir, "results/focus/users/alice/current.json", "--configfile", override,
                  stronger)  # fmt: skip
    assert absent == [], "current.json was missing while it was being replaced"
    third = json.loads((users / "alice/current.json").read_text())
    assert third["model"] != second["model"] and third["sessions"] == second["sessions"]
    assert output_mtimes(workdir, f"results/focus/users/alice/{second['model']}") == in_use


def test_a_session_with_a_phase_outside_the_recording_is_rejected(tmp_path):
    workdir = make_workdir(tmp_path / "work")
    override = workdir / "small_focus.yaml"
    override.write_text(SMALL_FOCUS)
    path = _record(workdir, "carol", "s1", seed=5)
    session = CalibrationSession.load(path)
    # The recording stopped 10 s early: its timings are those of the shorter recording.
    cut = dataclasses.replace(session, eeg=session.eeg[:, :-1280],
                              timestamps=session.timestamps[:-1280],
                              dejittered_timestamps=None, gaps=None)  # fmt: skip
    cut.save(path)
    done = snakemake(workdir, "calibration_all", "--configfile", override, check=False)
    assert done.returncode != 0
    assert re.search(r"carol/s1/session.h5: phase 'unfocused' .* is not inside the recording",
                     done.stderr), done.stderr[-2000:]  # fmt: skip
    assert not (workdir / "results/calibration/carol/s1/windows.h5").exists()


def test_a_session_damaged_in_place_leaves_the_users_model_in_use(tmp_path):
    """NaN samples written into a session that a live model was fitted on: the rerun fails
    naming the file, and the model folder, its metrics and current.json stay as they were."""
    workdir = make_workdir(tmp_path / "work")
    override = workdir / "small_focus.yaml"
    override.write_text(SMALL_FOCUS)
    path = _record(workdir, "alice", "s1", seed=1)
    snakemake(workdir, "calibration_all", "--configfile", override)
    users = workdir / "results/focus/users"
    pointer = (users / "alice/current.json").read_text()
    model = users / "alice" / json.loads(pointer)["model"]
    kept = output_mtimes(workdir, f"results/focus/users/alice/{model.name}")

    damaged = CalibrationSession.load(path)
    damaged.eeg[3, 5000:5100] = np.nan
    damaged.save(path)
    done = snakemake(workdir, "calibration_all", "--configfile", override, check=False)
    assert done.returncode != 0
    message = done.stdout + done.stderr  # snakemake prints a parse-time error on stdout
    assert re.search(r"alice/s1/session.h5 holds 100 NaN or infinite EEG samples, the first in "
                     r"channel 4 \(O1\) at sample 5001", message), message[-2000:]  # fmt: skip
    skip = workdir / "skip.yaml"
    skip.write_text("calibration: {bad_sessions: skip}\n")
    skipped = snakemake(workdir, "calibration_all", "--configfile", override, skip)
    assert re.search(r"Skipping a bad session \(calibration.bad_sessions: skip\): "
                     r"results/calibration/alice/s1/session.h5 holds 100 NaN",
                     skipped.stdout + skipped.stderr)  # fmt: skip
    assert (users / "alice/current.json").read_text() == pointer
    assert output_mtimes(workdir, f"results/focus/users/alice/{model.name}") == kept
    assert (users / "alice" / f"{model.name}_metrics.json").is_file()
    assert focus_pointer(model) == json.loads(pointer)  # it still loads


def test_an_unreadable_session_stops_the_workflow_or_is_skipped(tmp_path):
    workdir = make_workdir(tmp_path / "work")
    override = workdir / "small_focus.yaml"
    override.write_text(SMALL_FOCUS)
    _record(workdir, "alice", "s1", seed=1)
    path = _record(workdir, "bob", "s1", seed=2)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # a copy cut short
    done = snakemake(workdir, "calibration_all", "--configfile", override, "-n", check=False)
    assert done.returncode != 0
    message = done.stdout + done.stderr  # snakemake prints a parse-time error on stdout
    assert "bob/s1/session.h5" in message and "calibration.bad_sessions" in message, message
    snakemake(workdir, "audio_all", "-n")  # a target that does not read the sessions runs
    skip = workdir / "skip.yaml"
    skip.write_text("calibration: {bad_sessions: skip}\n")
    plan = snakemake(workdir, "calibration_all", "--configfile", override, skip, "-n")
    assert re.search(r"Skipping a bad session \(calibration.bad_sessions: skip\): "
                     r"results/calibration/bob/s1/session.h5 cannot be read as HDF5",
                     plan.stdout + plan.stderr)  # fmt: skip
    assert "users/alice/current.json" in plan.stdout and "users/bob" not in plan.stdout
