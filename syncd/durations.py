"""One duration syntax for settings and rules: "90s", "30m", "24h", "14d", "1h30m", or seconds."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any) -> timedelta:
    """Parse a duration given as timedelta, seconds, or text like "1h30m"; raise ValueError otherwise."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or text like '30m'")
    if isinstance(value, int | float):
        return _non_negative(timedelta(seconds=value))
    if not isinstance(value, str):
        raise ValueError("a duration is a number of seconds or text like '30m'")
    text = value.strip().lower()
    if text.replace(".", "", 1).isdigit():
        return _non_negative(timedelta(seconds=float(text)))
    pos, total = 0, 0.0
    for match in _PART.finditer(text):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        pos = match.end()
    if pos != len(text) or not text:
        raise ValueError(f"{value!r} is not a duration; use e.g. '90s', '30m', '24h', '14d' or '1h30m'")
    return timedelta(seconds=total)


def _non_negative(delta: timedelta) -> timedelta:
    if delta < timedelta(0):
        raise ValueError("a duration cannot be negative")
    return delta


def format_duration(delta: timedelta) -> str:
    """Render a timedelta in the same syntax parse_duration reads ("1h30m", "45s")."""
    seconds = int(delta.total_seconds())
    if seconds == 0:
        return "0s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
]
