"""One-line argument checks with uniform messages (in the manner of MNE's ``_check_option``)."""

import numbers
from collections.abc import Iterable
from typing import Any


def _format_allowed(allowed: Iterable[Any]) -> str:
    options = [repr(value) for value in allowed]
    if len(options) == 1:
        return options[0]
    return ", ".join(options[:-1]) + f" and {options[-1]}"


def check_option(name: str, value: Any, allowed: Iterable[Any], extra: str = "") -> Any:
    """Return ``value`` if it is one of ``allowed``, else raise a ValueError naming ``name``."""
    allowed = tuple(allowed)
    if value not in allowed:
        where = f" {extra}" if extra else ""
        raise ValueError(
            f"Invalid value for the '{name}' parameter{where}. Allowed values are "
            f"{_format_allowed(allowed)}, but got {value!r} instead."
        )
    return value


def validate_type(value: Any, types: type | tuple[type, ...], name: str) -> Any:
    """Return ``value`` if it is an instance of ``types``; else raise a TypeError naming it."""
    if not isinstance(value, types):
        names = (
            types.__name__ if isinstance(types, type) else " or ".join(t.__name__ for t in types)
        )
        raise TypeError(
            f"{name} must be an instance of {names}, got {type(value).__name__} instead."
        )
    return value


def ensure_positive_int(value: Any, name: str) -> int:
    """Return ``value`` as an int if it is a positive integer, else raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} ({value!r}) instead.")
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value!r}.")
    return int(value)


def ensure_positive_float(value: Any, name: str) -> float:
    """Return ``value`` as a float if it is a positive finite number, else raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} ({value!r}) instead.")
    if not value > 0 or value == float("inf"):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}.")
    return float(value)


def samples(duration_s: float, sfreq: float, name: str, unit: str = "samples") -> int:
    """Convert a duration to a whole number of samples (or video frames), refusing durations
    that fall between."""
    exact = duration_s * sfreq
    count = round(exact)
    if abs(exact - count) > 1e-6 * max(1.0, abs(exact)):
        raise ValueError(
            f"{name} = {duration_s!r} s is {exact!r} {unit} at {sfreq!r} Hz; it must be a whole "
            f"number of {unit}. Choose a duration that is a multiple of 1/{sfreq!r} s."
        )
    return int(count)


def dataclass_from_dict(cls, values: dict, what: str):
    """Build the dataclass ``cls`` from config ``values``, naming unknown keys.

    ``what`` says which settings they are, for the message ("training", "fine-tuning").
    """
    import dataclasses

    names = {field.name for field in dataclasses.fields(cls)}
    unknown = sorted(set(values) - names)
    if unknown:
        raise ValueError(f"Unknown {what} keys {unknown}; allowed keys are {sorted(names)}.")
    return cls(**values)
