"""What a connector offers the jobs: streams to poll and a health check.

Each vendor is a folder under `syncd/connectors/` with the same files (`settings.py`,
`client.py`, `models.py`, `streams.py`, `writer.py`, `__init__.py`); vendor JSON stops at its
`models.py`, and everything a stream yields is a normalized `Record`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from syncd.records import Record


@dataclass(frozen=True)
class Stream:
    """One pollable collection of a connector, e.g. source "connectwise.tickets".

    `fetch(since)` yields every record changed at or after `since` (all records when None),
    reading to the last page. Incremental streams keep a bookmark of the newest `updated_at`
    seen; full streams (`incremental=False`) are re-read each poll. `list_keys`, when given,
    returns every live id cheaply so a periodic reconciliation can mark deletions, which no
    vendor's incremental query reports.
    """

    source: str
    fetch: Callable[[datetime | None], Iterable[Record]]
    poll_interval: timedelta
    overlap: timedelta = timedelta(minutes=2)
    incremental: bool = True
    list_keys: Callable[[], Iterable[str]] | None = None
    reconcile_interval: timedelta = timedelta(hours=6)


class Connector(Protocol):
    """A configured connection to one vendor tenant."""

    kind: str

    def streams(self) -> list[Stream]:
        """The streams this connector polls."""
        ...

    def check(self) -> None:
        """Make one cheap authenticated request; raise AuthError or TransportError on failure."""
        ...

    def close(self) -> None:
        """Release sessions."""
        ...
