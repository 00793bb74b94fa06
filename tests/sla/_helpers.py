"""Fixed instants for the SLA tests (never the wall clock)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(tz: ZoneInfo, *fields: int) -> datetime:
    """A wall-clock time in `tz` (year, month, day[, hour[, minute]]), as an aware datetime."""
    return datetime(*fields, tzinfo=tz)  # type: ignore[misc]
