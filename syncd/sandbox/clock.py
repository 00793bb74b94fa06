"""The sandbox's controllable clock, shared by every simulator of one Sandbox."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from syncd.clock import from_iso


def parse_instant(value: datetime | str) -> datetime:
    """Return an aware UTC datetime from a datetime or an ISO-8601 string ('...Z' allowed)."""
    if isinstance(value, str):
        return from_iso(value.strip())
    # World times are UTC by convention; a naive value is read as UTC, not local time.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def format_instant(value: datetime) -> str:
    """Return 'YYYY-MM-DDTHH:MM:SSZ' for an aware datetime."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class SandboxClock:
    """World time: frozen (tests move it by hand) or running (real time flows from `start`)."""

    def __init__(self, start: datetime | str, *, running: bool = False,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._monotonic = monotonic
        self._base = parse_instant(start)
        self._anchor = monotonic()
        self.running = running

    def now(self) -> datetime:
        """Return the current world time (aware, UTC)."""
        with self._lock:
            return self._now_locked()

    def _now_locked(self) -> datetime:
        if not self.running:
            return self._base
        # Elapsed time comes from the monotonic clock so a wall-clock jump does not move the world.
        return self._base + timedelta(seconds=self._monotonic() - self._anchor)

    def now_iso(self) -> str:
        """Return the current world time as 'YYYY-MM-DDTHH:MM:SSZ'."""
        return format_instant(self.now())

    def advance(self, seconds: float) -> datetime:
        """Move the world forward (or back, if negative) by `seconds`; return the new time."""
        with self._lock:
            self._base += timedelta(seconds=seconds)
            return self._now_locked()

    def set(self, instant: datetime | str) -> datetime:
        """Jump the world to `instant`; a running clock keeps running from there."""
        with self._lock:
            self._base = parse_instant(instant)
            self._anchor = self._monotonic()
            return self._base
