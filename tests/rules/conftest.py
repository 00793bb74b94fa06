"""Fixtures for the rule engine tests: a fixed clock, a state store with the `for:` table, a small mirror."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from syncd.connectors.base import WriteResult
from syncd.records import Record
from syncd.state import SqliteStateStore, _pending
from tests.state._helpers import T0, StepClock

FIXTURES = Path(__file__).parent / "fixtures"


# One step clock for all tests: the state tests' (same start, same `advance(**delta)`).
Clock = StepClock


class RuleStore(SqliteStateStore):
    """The state store plus the two `for:` methods the lead adds to SqliteStateStore."""

    def rule_pending(self, rule_id: str) -> dict[str, datetime]:
        return _pending.pending_since(self._db, rule_id)

    def set_rule_pending(self, rule_id: str, since: Mapping[str, datetime]) -> None:
        _pending.replace_pending(self._db, rule_id, since)


class FakeWriter:
    """A PSA writer that counts calls and finds its own earlier writes by key (the marker)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.notes: dict[str, tuple[str, str]] = {}
        self.links: dict[str, tuple[str, str]] = {}

    def post_note(self, ticket_id: str, text: str, *, key: str) -> WriteResult:
        self.calls.append(("post_note", key))
        if key in self.notes:
            return WriteResult(f"note-{key}", created=False)
        self.notes[key] = (ticket_id, text)
        return WriteResult(f"note-{key}", created=True)

    def link_configuration(self, ticket_id: str, configuration_id: str, *, key: str) -> WriteResult:
        self.calls.append(("link_configuration", key))
        created = key not in self.links
        self.links[key] = (ticket_id, configuration_id)
        return WriteResult(f"link-{ticket_id}-{configuration_id}", created=created)

    def create_ticket(self, *, company_id: str, summary: str, description: str, key: str,
                      board: str | None = None) -> WriteResult:
        self.calls.append(("create_ticket", key))
        return WriteResult(f"ticket-{key}", created=True)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[RuleStore]:
    with RuleStore(tmp_path / "state.db", now=clock.now) as opened:
        yield opened


def iso(value: datetime) -> str:
    return value.isoformat()


def ticket(key: str, **fields: Any) -> Record:
    """A normalized ConnectWise ticket, open and fresh unless told otherwise."""
    base: dict[str, Any] = {
        "number": key, "company_id": "c1", "contact_id": None, "summary": f"ticket {key}", "status": "New",
        "status_class": "new", "created": iso(T0 - timedelta(hours=1)), "updated": iso(T0 - timedelta(hours=1)),
        "priority": "P3", "configuration_ids": [],
    }
    base.update({k: iso(v) if isinstance(v, datetime) else v for k, v in fields.items()})
    return Record("connectwise.tickets", key, T0, base)


def note(key: str, ticket_id: str, text: str, *, created: datetime = T0, resolution: bool = False) -> Record:
    return Record("connectwise.notes", key, created, {"ticket_id": ticket_id, "text": text, "internal": True,
                                                      "resolution": resolution, "created": iso(created)})


def time_entry(key: str, ticket_id: str, hours: float) -> Record:
    return Record("connectwise.time_entries", key, T0, {"ticket_id": ticket_id, "hours": hours, "billable": True,
                                                        "start": iso(T0 - timedelta(hours=3))})


def contact(key: str, *, active: bool) -> Record:
    return Record("connectwise.contacts", key, T0, {"company_id": "c1", "name": f"contact {key}", "active": active})


SOURCES = ["connectwise.tickets", "connectwise.notes", "connectwise.time_entries", "connectwise.contacts"]


def write_rule(directory: Path, rule_id: str, body: str) -> Path:
    """Write `<rule_id>.yaml` with an id line followed by `body`."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{rule_id}.yaml"
    path.write_text(f"id: {rule_id}\n{body}", encoding="utf-8")
    return path
