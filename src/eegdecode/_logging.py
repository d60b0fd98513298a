"""Package logger, the ``verbose`` switch of public functions, and log routing for scripts."""

import contextlib
import functools
import inspect
import logging
from collections.abc import Iterator
from pathlib import Path

logger = logging.getLogger("eegdecode")

_LEVELS = {True: logging.INFO, False: logging.WARNING}


def _level(verbose: bool | str | int | None) -> int | None:
    if verbose is None:
        return None
    if isinstance(verbose, bool):
        return _LEVELS[verbose]
    if isinstance(verbose, int):
        return verbose
    level = logging.getLevelName(str(verbose).upper())
    if not isinstance(level, int):
        raise ValueError(
            f"Invalid value for 'verbose': expected a bool, an int or one of 'DEBUG', 'INFO', "
            f"'WARNING', 'ERROR', got {verbose!r}."
        )
    return level


def verbose(function):
    """Let a public function's ``verbose`` argument set the package log level for one call."""
    signature = inspect.signature(function)
    if "verbose" not in signature.parameters:
        raise TypeError(f"{function.__qualname__} has no 'verbose' parameter to decorate.")

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        level = _level(signature.bind(*args, **kwargs).arguments.get("verbose"))
        if level is None:
            return function(*args, **kwargs)
        previous = logger.level
        logger.setLevel(level)
        try:
            return function(*args, **kwargs)
        finally:
            logger.setLevel(previous)

    return wrapper


@contextlib.contextmanager
def log_to_file(path: str | Path, level: int = logging.INFO) -> Iterator[logging.Logger]:
    """Send the package's log records (and an uncaught exception) to ``path``.

    Workflow scripts wrap their body in this so each job's ``log:`` file tells what was decided
    and, when the job fails, why. The exception is re-raised so the job still fails.
    """
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.captureWarnings(True)
    root = logging.getLogger()
    root.addHandler(handler)
    previous = logger.level
    logger.setLevel(level)
    try:
        yield logger
    except BaseException:
        logger.exception("the job failed")
        raise
    finally:
        logger.setLevel(previous)
        root.removeHandler(handler)
        handler.close()
