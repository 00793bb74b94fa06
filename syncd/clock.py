"""Time comes from a Clock so tests can freeze and advance it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol


class Clock(Protocol):
    """Anything that tells the current UTC time."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware UTC."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware UTC."""
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to (tests)."""

    def __init__(self, start: datetime) -> None:
        self._now = start if start.tzinfo else start.replace(tzinfo=UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """Return the frozen time."""
        with self._lock:
            return self._now

    def advance(self, delta: timedelta | float) -> None:
        """Move the clock forward by a timedelta or seconds."""
        step = delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        with self._lock:
            self._now += step


def to_iso(value: datetime) -> str:
    """Format an aware datetime as ISO-8601 UTC with a Z ('2026-11-17T15:00:00Z')."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def from_iso(text: str) -> datetime:
    """Parse ISO-8601 (with Z or an offset) to an aware UTC datetime; naive input is taken as UTC."""
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def as_datetime(value: Any) -> datetime | None:
    """A stored time (ISO text in the mirror) as an aware datetime; None when missing or unreadable."""
    if isinstance(value, datetime) or value is None:
        return value
    text = str(value)
    try:
        # The mirror's own form ("...Z") parses straight to UTC; only other forms need from_iso's
        # normalising, and whatever it accepts or refuses decides then.
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is UTC:
            return parsed
    except ValueError:
        pass
    try:
        return from_iso(text)
    except ValueError:
        return None
