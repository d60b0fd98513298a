"""Calibration end to end, as ``eegdecode calibrate`` and the live page both run it: whose
session goes where, and the workflow target that fine-tunes the user's focus model on it."""

import re
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .._logging import logger

#: User and session names: they become folder names under results/, so no separators, no
#: leading dot or dash, and nothing a shell or a URL would read differently.
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
# A line of Snakemake's progress: "3 of 7 steps (43%) done".
_PROGRESS = re.compile(r"(\d+) of (\d+) steps \((\d+)%\) done")


def check_name(value: str, what: str = "user name") -> str:
    """``value`` if it is a safe user or session name (:data:`NAME_PATTERN`), else a
    ValueError that says what is allowed."""
    if not isinstance(value, str) or not NAME_PATTERN.fullmatch(value):
        raise ValueError(
            f"The {what} {value!r} is not allowed: use 1-64 letters, digits, '_' or '-', "
            f"starting with a letter or digit."
        )
    return value


def session_file(results: str | Path, user: str, session: str) -> Path:
    """Where a user's recorded session is saved: the path the workflow finds sessions at."""
    folder = Path(results) / "calibration" / check_name(user) / check_name(session, "session")
    return folder / "session.h5"


def rejected_session_file(results: str | Path, user: str, session: str) -> Path:
    """Where a recorded session that failed validation is kept, beside the folder's
    ``session.h5`` name, so that the workflow does not read it and nothing is lost."""
    return session_file(results, user, session).with_name("rejected-session.h5")


def pointer_file(results: str | Path, user: str) -> Path:
    """The user's current fine-tuned model (rule ``select_focus_model``)."""
    return Path(results) / "focus" / "users" / check_name(user) / "current.json"


def run_finetune(
    results: str | Path,
    user: str,
    *,
    cores: int = 2,
    configfiles: Sequence[str] = (),
    snakemake_args: Sequence[str] = (),
    on_progress: Callable[[int, int], None] | None = None,
    output: Callable[[str], None] | None = None,
) -> Path:
    """Run the workflow target that fine-tunes ``user``'s focus model, from the workflow's
    folder; returns the pointer file.

    ``on_progress(done, total)`` is called on each of Snakemake's progress lines, ``output``
    with every line it prints. A failed run raises RuntimeError with the end of its output.
    """
    target = pointer_file(results, user)
    snakemake = Path(sys.executable).with_name("snakemake")
    overrides = ["--configfile", *configfiles] if configfiles else []
    command = [str(snakemake), str(target), "--cores", str(cores), *overrides, *snakemake_args]
    logger.info("running %s", " ".join(command))
    lines = []
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    ) as process:
        for line in process.stdout:
            line = line.rstrip("\n")
            lines.append(line)
            if output is not None:
                output(line)
            if on_progress is not None and (match := _PROGRESS.search(line)):
                on_progress(int(match[1]), int(match[2]))
    if process.returncode != 0:
        tail = "\n".join(lines[-15:])
        raise RuntimeError(
            f"Fine-tuning failed (snakemake exit {process.returncode}); see logs/.\n{tail}"
        )
    return target
