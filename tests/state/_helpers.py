"""Helpers shared by the state store tests: a hand-driven clock and record builders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from syncd.records import Record

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class StepClock:
    """A clock that only moves when the test says so."""

    def __init__(self, start: datetime = T0) -> None:
        self.current = start

    def now(self) -> datetime:
        """Return the current fake time."""
        return self.current

    def advance(self, **delta: float) -> datetime:
        """Move the clock forward and return the new time."""
        self.current += timedelta(**delta)
        return self.current


def ticket(key: str, **fields: object) -> Record:
    """Build a normalized ticket record."""
    return Record("connectwise.tickets", key, T0, fields)
