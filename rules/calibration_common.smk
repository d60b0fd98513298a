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

    Each session file is loaded as training will load it (eegdecode.lsl.session
    .check_session_files, whose results are kept in SESSION_CHECKS so that a file is read
    again only when it changed). An interrupted recording (``complete`` false) is left out,
    with a log line. A file that cannot be used (truncated or not HDF5, missing datasets, NaN
    or infinite samples) stops the workflow naming it and why, or with
    ``calibration.bad_sessions: skip`` is left out with a warning that lists it and why. Read
    once per parse: every input function below asks it again.
    """
    from eegdecode.lsl.session import check_session_files

    found = glob_wildcards(SESSION_PATTERN)
    pairs = sorted(zip(found.user, found.session))
    paths = [
        SESSION_PATTERN.format(user=user, session=session) for user, session in pairs
    ]
    checks = check_session_files(
        paths, SESSION_CHECKS, checker=code("calibration_windows.py")
    )
    bad = [check.problem for check in checks.values() if check.problem]
    if bad and CALIBRATION["bad_sessions"] == "error":
        listed = "\n  ".join(bad)
        raise ValueError(
            f"Session files that cannot be used:\n  {listed}\nRecord them again or move them "
            "away; calibration.bad_sessions: skip leaves them out."
        )
    for problem in bad:
        logger.warning(
            f"Skipping a bad session (calibration.bad_sessions: skip): {problem}"
        )
    sessions = {}
    for (user, session), path in zip(pairs, paths):
        if checks[path].complete:
            sessions.setdefault(user, []).append(session)
        elif not checks[path].problem:
            logger.info(
                f"Leaving out an interrupted recording (complete = false): {path}"
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


def get_calibration_targets(wildcards):
    """The focus models and every user's pointer. An input function, so that the session
    files are checked only when a calibration target is asked for."""
    return [f"{FOCUS_RESULTS}/base", f"{FOCUS_RESULTS}/base_metrics.json"] + [
        f"{FOCUS_RESULTS}/users/{user}/current.json" for user in complete_sessions()
    ]
