"""Fixtures for digest tests: a fixed clock, an in-memory state store, silences, a fake notifier."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from syncd.clock import FixedClock
from syncd.digests.channels.base import Delivery
from syncd.digests.model import Digest
from syncd.state import Finding, SqliteStateStore

MONDAY_9AM = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MONDAY_9AM)


@pytest.fixture
def state(clock: FixedClock) -> Iterator[SqliteStateStore]:
    store = SqliteStateStore(":memory:", now=clock.now)
    yield store
    store.close()


@pytest.fixture
def silences(state: SqliteStateStore) -> SqliteStateStore:
    """Silences live in the state store (migration 0005), as in the daemon."""
    return state


def raise_finding(state: SqliteStateStore, clock: FixedClock, rule: str, ticket: str, *,
                  labels: Mapping[str, str] | None = None, annotations: Mapping[str, str] | None = None,
                  severity: str = "warning", summary: str = "") -> Finding:
    """Raise a ticket finding the way the rules engine would."""
    base_labels = {"rule": rule, "severity": severity, "category": "hygiene", "company": "Acme",
                   "priority": "P3", "owner": "dana", "board": "Service"}
    base_ann = {"ticket_number": ticket, "ticket_url": f"https://psa.example/tickets/{ticket}",
                "summary": f"Ticket {ticket}"}
    return state.upsert_finding(
        rule_id=rule, subject=f"connectwise.tickets:{ticket}", severity=severity,
        summary=summary or f"{rule} on #{ticket}", at=clock.now(),
        labels={**base_labels, **(labels or {})}, annotations={**base_ann, **(annotations or {})},
    )


@dataclass
class FakeNotifier:
    """Records digests; answers from a script of Deliveries (then ok forever)."""

    channel: str = "fake"
    script: list[Delivery] = field(default_factory=list)
    sent: list[Digest] = field(default_factory=list)
    calls: int = 0

    def send(self, digest: Digest) -> Delivery:
        self.calls += 1
        outcome = self.script.pop(0) if self.script else Delivery(True)
        if outcome.ok:
            self.sent.append(digest)
        return outcome


def settings_dict(**overrides: Any) -> dict[str, Any]:
    """A small valid [digests] section with one receiver 'desk' on a fake channel."""
    base: dict[str, Any] = {
        "receivers": {"desk": {"webhook": {"url": "https://hooks.example/desk"}},
                      "oncall": {"webhook": {"url": "https://hooks.example/oncall"}}},
        "route": {"receiver": "desk", "group_by": ["category"], "group_wait": "30s",
                  "group_interval": "5m", "repeat_interval": "4h"},
    }
    base.update(overrides)
    return base
