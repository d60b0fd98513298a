"""The calibration rules: base model, per-session windows, per-user fine-tuning and versions."""

import contextlib
import json
import re
import threading
import time

import numpy as np
import pytest

from eegdecode.lsl.session import CalibrationSession, read_calibration_windows
from eegdecode.training.focus import focus_pointer

from .conftest import SMALL_FOCUS, make_workdir, output_mtimes, record_session, snakemake

pytestmark = pytest.mark.slow


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
    record_session(workdir, "alice", "20261101-100000", seed=1)
    record_session(workdir, "bob", "20261101-110000", seed=2)
    record_session(workdir, "bob", "20261101-120000", seed=3, complete=False)
    snakemake(workdir, "calibration_all", "--configfile", override)
    base = json.loads((workdir / "results/focus/base_metrics.json").read_text())
    assert base["test"]["balanced_accuracy"] > 0.6 and base["test"]["n_windows"] > 0
    users = workdir / "results/focus/users"
    first = json.loads((users / "alice/current.json").read_text())
    assert first["sessions"] == ["20261101-100000"] and (users / "alice" / first["model"]).is_dir()
    # bob's interrupted session is not used
    assert json.loads((users / "bob/current.json").read_text())["sessions"] == ["20261101-110000"]

    before = output_mtimes(workdir, "results/focus")
    record_session(workdir, "alice", "20261102-100000", seed=4)
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


@pytest.mark.xdist_group("calibration")
def test_a_jittered_complete_1khz_recording_is_cut_and_finetuned(calibrated_users):
    session = CalibrationSession.load(calibrated_users / "results/calibration/dora/s1/session.h5")
    assert session.sfreq == 1000 and np.diff(session.timestamps).min() < -0.001
    assert len(session.gaps) == 0 and np.diff(session.dejittered_timestamps).min() > 0
    windows = read_calibration_windows(calibrated_users / "results/calibration/dora/s1/windows.h5")
    assert [phase.shape for phase in windows["focused"] + windows["unfocused"]] == [
        (7, 40 * 128)
    ] * 2
    users = calibrated_users / "results/focus/users"
    pointer = json.loads((users / "dora/current.json").read_text())
    assert (
        pointer["sessions"] == ["s1"]
        and focus_pointer(users / "dora" / pointer["model"]) == pointer
    )
