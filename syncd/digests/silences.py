"""Silences in digests: create them with validation, and tell whether a finding is muted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from syncd.digests.matchers import Matcher, matches_all, parse_matchers
from syncd.state._silences import Silence

__all__ = ["Silence", "SilenceStore", "Silencer", "create_silence"]


class SilenceStore(Protocol):
    """The silence methods of the state store."""

    def add_silence(self, *, matchers: Sequence[str], starts_at: datetime, ends_at: datetime,
                    author: str, reason: str, at: datetime) -> Silence:
        """Store a new silence."""
        ...

    def silences(self, *, active_at: datetime | None = None) -> list[Silence]:
        """Return silences, newest first (only those active at `active_at` when given)."""
        ...

    def expire_silence(self, silence_id: int, at: datetime) -> Silence | None:
        """End a silence now; None if the id is unknown."""
        ...


def create_silence(
    store: SilenceStore, *, matchers: Sequence[str], duration: timedelta, author: str, reason: str,
    now: datetime, starts_at: datetime | None = None,
) -> Silence:
    """Validate and store a silence; raise ValueError on bad matchers, no author or no reason."""
    parse_matchers(matchers)
    problems = []
    if not matchers:
        problems.append("a silence needs at least one matcher (it would mute everything)")
    if duration <= timedelta(0):
        problems.append("the duration must be positive")
    if not author.strip():
        problems.append("an author is required")
    if not reason.strip():
        problems.append("a reason is required")
    if problems:
        raise ValueError("; ".join(problems))
    start = starts_at or now
    return store.add_silence(matchers=list(matchers), starts_at=start, ends_at=start + duration,
                             author=author.strip(), reason=reason.strip(), at=now)


class Silencer:
    """The silences active at one moment, parsed once per pass."""

    def __init__(self, silences: Sequence[Silence], now: datetime) -> None:
        self._active: list[tuple[Silence, tuple[Matcher, ...]]] = [
            (s, parse_matchers(s.matchers)) for s in silences if s.is_active(now)
        ]

    def silenced_by(self, labels: Mapping[str, str]) -> Silence | None:
        """Return the silence muting these labels, or None."""
        for silence, matchers in self._active:
            if matchers and matches_all(matchers, labels):
                return silence
        return None
