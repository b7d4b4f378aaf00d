"""argparse types for numeric flags: a bad value is a usage error naming the flag, never a
traceback deep inside MXNet or a silently clamped setting.

    parser.add_argument("--batch-size", type=positive_int)
    parser.add_argument("--lr", type=positive_float)
"""

from __future__ import annotations

import argparse
import math


def _number(text: str, kind: type) -> int | float:
    try:
        value = kind(text)
    except ValueError:
        word = "an integer" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"{text!r} is not {word}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def positive_int(text: str) -> int:
    """An integer >= 1."""
    value = _number(text, int)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def non_negative_int(text: str) -> int:
    """An integer >= 0 (0 usually means "off" or "no limit")."""
    value = _number(text, int)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def finite_float(text: str) -> float:
    """Any finite number."""
    return _number(text, float)


def positive_float(text: str) -> float:
    """A finite number > 0."""
    value = _number(text, float)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, not {value:g}")
    return value


def non_negative_float(text: str) -> float:
    """A finite number >= 0."""
    value = _number(text, float)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value:g}")
    return value


def fraction(text: str) -> float:
    """A number in [0, 1) (dropout, a confidence)."""
    value = _number(text, float)
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"must be at least 0 and below 1, not {value:g}")
    return value


def open_fraction(text: str) -> float:
    """A number strictly between 0 and 1 (a validation share)."""
    value = _number(text, float)
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, not {value:g}")
    return value


def tail_fraction(text: str) -> float:
    """A number in (0, 1]: the last part of a text that an eval scores or types."""
    value = _number(text, float)
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 1, not {value:g}")
    return value


def fraction_list(text: str) -> list[float]:
    """Comma-separated numbers in [0, 1) (a sweep of confidences: "0.05,0.1,0.2")."""
    parts = [p.strip() for p in text.split(",")]
    if not parts or any(not p for p in parts):
        raise argparse.ArgumentTypeError(f"must be numbers separated by commas, not {text!r}")
    return [fraction(p) for p in parts]


def int_range(low: int, high: int):
    """A type for integers in [low, high] (a port, a process count with a sane bound)."""

    def parse(text: str) -> int:
        value = _number(text, int)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}, not {value}")
        return value

    parse.__name__ = f"int from {low} to {high}"
    return parse
