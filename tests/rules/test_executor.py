"""apply(): through the ledger, exactly once across crashes; dry run writes nothing; failures never crash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from syncd.connectors.base import WriteResult
from syncd.errors import BadRequestError
from syncd.rules import FACTS, LoadedRule, MirrorView, apply, fact, load_rules, plan

from .conftest import SOURCES, Clock, FakeWriter, RuleStore, ticket, write_rule

RULE = """description: Note on waiting tickets
entity: tickets
when: {field: status_class, op: eq, value: waiting_customer}
actions:
  - {type: post_note, text: "Still waiting on the customer"}
"""


class Crash(BaseException):
    """The process dies (not an Exception: nothing in syncd catches it)."""


class CrashingWriter(FakeWriter):
    """Dies right after (or before) the vendor accepted the note, before the ledger hears of it."""

    def __init__(self, vendor: FakeWriter, *, after_write: bool) -> None:
        super().__init__()
        self.vendor, self.after_write = vendor, after_write

    def post_note(self, ticket_id: str, text: str, *, key: str) -> WriteResult:
        if self.after_write:
            self.vendor.post_note(ticket_id, text, key=key)
        raise Crash


def rules_in(tmp_path: Path, body: str = RULE, rule_id: str = "chase") -> list[LoadedRule]:
    write_rule(tmp_path / "rules", rule_id, body)
    rules, problems = load_rules([tmp_path / "rules"], builtin=False)
    assert problems == []
    return rules


def run(rules: list[LoadedRule], store: Any, clock: Clock, writer: Any, *, dry_run: bool = False) -> Any:
    result = plan(rules, MirrorView.from_state(store, SOURCES), now=clock.now(), state=store)
    return apply(result, state=store, writers={"connectwise": writer}, dry_run=dry_run, now=clock.now())


@pytest.mark.parametrize("after_write", [True, False])
@pytest.mark.parametrize("still_matches", [True, False])
def test_crash_between_intend_and_finish_then_restart_writes_once(
    tmp_path: Path, clock: Clock, after_write: bool, still_matches: bool
) -> None:
    # Arrange
    rules = rules_in(tmp_path)
    vendor = FakeWriter()
    path = tmp_path / "state.db"
    with RuleStore(path, now=clock.now) as store:
        store.upsert_records([ticket("1", status_class="waiting_customer")])
        with pytest.raises(Crash):
            run(rules, store, clock, CrashingWriter(vendor, after_write=after_write))
        assert [e.status for e in store.ledger_pending()] == ["intended"]
    clock.advance(minutes=5)
    # Act: a new process on the same state file
    with RuleStore(path, now=clock.now) as store:
        if not still_matches:
            store.upsert_records([ticket("1", status_class="closed")])
        report = run(rules, store, clock, vendor)
        again = run(rules, store, clock, vendor)
        # Assert
        assert len(vendor.notes) == 1
        assert store.ledger_pending() == []
        entry = store.ledger_get("chase/post_note/connectwise.tickets/1")
        assert entry is not None
        assert entry.status == "done"
        assert [o.status for o in report.outcomes] == ["done" if still_matches else "recovered"]
        assert again.outcomes == ()  # repeat_interval: done moments ago


def test_a_done_key_is_never_written_again(tmp_path: Path, store: RuleStore, clock: Clock) -> None:
    # Arrange
    rules = rules_in(tmp_path)
    store.upsert_records([ticket("1", status_class="waiting_customer")])
    result = plan(rules, MirrorView.from_state(store, SOURCES), now=clock.now(), state=store)
    writer = FakeWriter()
    # Act: the same plan applied twice (a retry of the whole pass)
    first = apply(result, state=store, writers={"connectwise": writer}, dry_run=False, now=clock.now())
    second = apply(result, state=store, writers={"connectwise": writer}, dry_run=False, now=clock.now())
    # Assert
    assert [o.status for o in first.outcomes] == ["done"]
    assert [o.status for o in second.outcomes] == ["already_done"]
    assert len(writer.calls) == 1


def test_dry_run_writes_nothing(tmp_path: Path, store: RuleStore, clock: Clock) -> None:
    # Arrange
    rules = rules_in(tmp_path, RULE + "  - {type: raise_finding, summary: waiting}\n")
    store.upsert_records([ticket("1", status_class="waiting_customer")])
    writer = FakeWriter()
    # Act
    report = run(rules, store, clock, writer, dry_run=True)
    # Assert
    assert writer.calls == []
    assert store.ledger_get("chase/post_note/connectwise.tickets/1") is None
    assert [(o.status, o.detail) for o in report.outcomes] == [
        ("would_do", "post internal note on ticket 1: Still waiting on the customer")]
    assert report.dry_run
    assert report.findings_raised == 1
    assert len(store.open_findings()) == 1


def test_unsupported_writer_method_is_a_failed_action(tmp_path: Path, store: RuleStore, clock: Clock) -> None:
    # Arrange
    @fact("probe_parent_incident", result=str | None)
    def probe_parent_incident(_subject: Any, _ctx: Any, _args: Any) -> str | None:
        """The open P1 of the company (test stub)."""
        return "900"

    try:
        rules = rules_in(tmp_path, """description: Child of the outage
entity: tickets
when: {field: status_class, op: eq, value: new}
actions:
  - {type: link_parent, parent_fact: probe_parent_incident}
""", "child-of-incident")
        store.upsert_records([ticket("1")])
        writer = FakeWriter()
        # Act
        report = run(rules, store, clock, writer)
        retried = run(rules, store, clock, writer)
    finally:
        del FACTS["probe_parent_incident"]
    # Assert
    assert [(o.status, o.detail) for o in report.outcomes] == [("failed", "writer does not support link_parent")]
    entry = store.ledger_get("child-of-incident/link_parent/connectwise.tickets/1/900")
    assert entry is not None
    assert entry.status == "failed"
    assert [o.status for o in retried.outcomes] == ["failed"]  # same key, tried again next pass


class RefusingWriter(FakeWriter):
    def post_note(self, ticket_id: str, text: str, *, key: str) -> WriteResult:
        self.calls.append(("post_note", key))
        if ticket_id == "1":
            raise BadRequestError("connectwise: 400 ticket is locked", connector="connectwise", status=400)
        return super().post_note(ticket_id, text, key=key)


def test_a_failing_write_does_not_stop_the_others(tmp_path: Path, store: RuleStore, clock: Clock) -> None:
    # Arrange
    rules = rules_in(tmp_path)
    store.upsert_records([ticket(k, status_class="waiting_customer") for k in ("1", "2")])
    writer = RefusingWriter()
    # Act
    report = run(rules, store, clock, writer)
    # Assert
    assert [o.status for o in report.outcomes] == ["failed", "done"]
    assert report.outcomes[0].detail == "BadRequestError: connectwise: 400 ticket is locked"
    assert list(writer.notes) == ["chase/post_note/connectwise.tickets/2"]


def test_no_writer_for_the_connector(tmp_path: Path, store: RuleStore, clock: Clock) -> None:
    rules = rules_in(tmp_path)
    store.upsert_records([ticket("1", status_class="waiting_customer")])
    result = plan(rules, MirrorView.from_state(store, SOURCES), now=clock.now(), state=store)
    report = apply(result, state=store, writers={}, dry_run=False, now=clock.now())
    expected = "no writer for 'connectwise' (connector not configured or read-only)"
    assert [o.detail for o in report.outcomes] == [expected]


def test_stop_is_honoured_between_writes(tmp_path: Path, store: RuleStore, clock: Clock) -> None:
    # Arrange
    rules = rules_in(tmp_path)
    store.upsert_records([ticket(k, status_class="waiting_customer") for k in ("1", "2")])
    result = plan(rules, MirrorView.from_state(store, SOURCES), now=clock.now(), state=store)
    writer = FakeWriter()
    # Act
    report = apply(result, state=store, writers={"connectwise": writer}, dry_run=False, now=clock.now(),
                   should_stop=lambda: len(writer.calls) >= 1)
    # Assert
    assert [o.key for o in report.outcomes] == ["chase/post_note/connectwise.tickets/1"]
    assert store.ledger_pending() == []
