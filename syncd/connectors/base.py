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


@dataclass(frozen=True)
class WriteResult:
    """What a write produced: the vendor's id for it, and whether it was created now or found."""

    external_id: str
    created: bool


class TicketWriter(Protocol):
    """Writes to a PSA. Every call carries the ledger's idempotency key; each method first looks
    for its own earlier write (the key's marker) and returns it instead of writing twice."""

    def post_note(self, ticket_id: str, text: str, *, key: str) -> WriteResult:
        """Post an internal note (the marker is appended as a footer)."""
        ...

    def link_configuration(self, ticket_id: str, configuration_id: str, *, key: str) -> WriteResult:
        """Attach a configuration (asset) to a ticket; an existing link counts as done."""
        ...

    def create_ticket(self, *, company_id: str, summary: str, description: str, key: str,
                      board: str | None = None) -> WriteResult:
        """Open a ticket (KB update task, follow-up) on a board."""
        ...

    def link_parent(self, ticket_id: str, parent_id: str, *, key: str) -> WriteResult:
        """Make a ticket a child of an incident (parent) ticket; already so counts as done."""
        ...


class DocsWriter(Protocol):
    """Writes to a documentation tool."""

    def open_task(self, *, company_id: str | None, title: str, description: str, key: str) -> WriteResult:
        """Open a task (e.g. "update the KB article for ...") the way the tool allows."""
        ...


class Connector(Protocol):
    """A configured connection to one vendor tenant."""

    kind: str

    def streams(self) -> list[Stream]:
        """The streams this connector polls."""
        ...

    def check(self) -> None:
        """Make one cheap authenticated request; raise AuthError or TransportError on failure."""
        ...

    def writer(self) -> TicketWriter | DocsWriter | None:
        """The connector's writer, or None for a read-only connector."""
        ...

    def close(self) -> None:
        """Release sessions."""
        ...
