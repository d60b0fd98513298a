# Input functions of the focus calibration rules (rules/calibration.smk): the recorded sessions,
# found once per parse, and the model version each user's sessions name.

import functools


def focus_record_paths():
    return [
        f"{FOCUS_DATASET['root']}/eeg_record{number}.mat"
        for records in FOCUS_DATASET["records"]
        for number in records
    ]


@functools.cache
def complete_sessions():
    """The complete recorded sessions of every user, in session order (by id).

    An interrupted recording (``complete`` false) is left out. A file that cannot be read as a
    session (truncated, not HDF5) stops the workflow naming it, or with
    ``calibration.bad_sessions: skip`` is left out with a warning that lists it. Read once per
    parse: every input function below asks it again.
    """
    import h5py

    found = glob_wildcards(SESSION_PATTERN)
    sessions, unreadable = {}, []
    for user, session in sorted(zip(found.user, found.session)):
        path = SESSION_PATTERN.format(user=user, session=session)
        try:
            with h5py.File(path, "r") as h5:
                complete = bool(h5.attrs.get("complete", False))
        except OSError as error:
            unreadable.append(f"{path} ({error})")
            continue
        if complete:
            sessions.setdefault(user, []).append(session)
    if unreadable and CALIBRATION["bad_sessions"] == "error":
        raise ValueError(
            f"Session files that cannot be read (truncated or not HDF5): {unreadable}. Record "
            "them again or move them away; calibration.bad_sessions: skip leaves them out."
        )
    for entry in unreadable:
        logger.warning(
            f"Skipping an unreadable session (calibration.bad_sessions: skip): {entry}"
        )
    return sessions


@functools.cache
def focus_recipe():
    """Everything besides the sessions that decides a fine-tuned model: the params and code of
    the rules that make it and the base model it starts from."""
    import json

    return json.dumps(
        {
            "classes": CALIBRATION["classes"],
            "features": CALIBRATION["features"],
            "finetune": CALIBRATION["finetune"],
            "base": CALIBRATION["base"],
            "focus_dataset": FOCUS_DATASET,
            "demo": CALIBRATION["demo"],
            "code": [
                code(script)
                for script in (
                    "generate_demo_focus.py",
                    "train_focus_base.py",
                    "calibration_windows.py",
                    "finetune_focus.py",
                )
            ],
        },
        sort_keys=True,
    )


def focus_version(user, sessions):
    """A fine-tuned model's version: named after the sessions it was fitted on, their files'
    size and modification time, and :func:`focus_recipe`. A session file changed in place
    (re-recorded, repaired, damaged), a changed config key or changed code makes a new version
    folder instead of rerunning the one in use, which Snakemake would delete first; the
    pointer moves to the new one once it is complete.
    """
    import hashlib
    import os

    def identity(session):
        stat = os.stat(SESSION_PATTERN.format(user=user, session=session))
        return f"{session} {stat.st_size} {stat.st_mtime_ns}"

    lines = [*map(identity, sessions), focus_recipe()]
    digest = hashlib.sha1("\n".join(lines).encode()).hexdigest()[:10]
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
    if wildcards.version != focus_version(wildcards.user, sessions):
        raise ValueError(
            f"Version {wildcards.version} of user {wildcards.user!r} is not that of their "
            f"current sessions ({focus_version(wildcards.user, sessions)})."
        )
    return [
        f"results/calibration/{wildcards.user}/{session}/windows.h5"
        for session in sessions
    ]


def get_current_focus_model(wildcards):
    version = focus_version(wildcards.user, get_user_sessions(wildcards))
    return f"{FOCUS_RESULTS}/users/{wildcards.user}/{version}"


def get_calibration_targets():
    return [f"{FOCUS_RESULTS}/base", f"{FOCUS_RESULTS}/base_metrics.json"] + [
        f"{FOCUS_RESULTS}/users/{user}/current.json" for user in complete_sessions()
    ]
