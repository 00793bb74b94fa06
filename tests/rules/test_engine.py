"""plan(): pure, capped by max_actions_per_run, held by `for:`, spaced by repeat_interval."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from syncd.rules import NOTE_TEMPLATES, ActionEnv, LoadedRule, MirrorView, TaskTarget, apply, load_rules, plan
from syncd.rules.engine import CappedRule, Plan

from .conftest import SOURCES, T0, Clock, FakeWriter, RuleStore, ticket, write_rule

NOTE_RULE = """description: Ask for an update on waiting tickets
entity: tickets
when: {{field: status_class, op: eq, value: waiting_customer}}
for: {hold}
repeat_interval: 24h
max_actions_per_run: {cap}
labels: {{team: noc}}
actions:
  - {{type: post_note, text: "Waiting since {{updated}}; rule {{rule_id}}"}}
  - {{type: raise_finding, summary: "Ticket #{{number}} waits on the customer"}}
"""


def note_rule(tmp_path: Path, *, hold: str = "0s", cap: int = 25) -> list[LoadedRule]:
    write_rule(tmp_path, "chase-customer", NOTE_RULE.format(hold=hold, cap=cap))
    rules, problems = load_rules([tmp_path], builtin=False)
    assert problems == []
    return rules


def run_plan(rules: list[LoadedRule], store: Any, clock: Clock) -> Plan:
    return plan(rules, MirrorView.from_state(store, SOURCES), now=clock.now(), state=store)


class ReadOnlySpy:
    """Lets planning read the ledger, the `for:` table and the mirror; fails on anything else."""

    ALLOWED = frozenset({"ledger_last_done", "rule_pending", "iter_records"})

    def __init__(self, store: RuleStore) -> None:
        self.store, self.calls = store, []

    def __getattr__(self, name: str) -> Any:
        assert name in self.ALLOWED, f"plan() used state.{name}"
        self.calls.append(name)
        return getattr(self.store, name)


def test_plan_is_pure(tmp_path: Path, store: RuleStore, clock: Clock) -> None:
    # Arrange
    rules = note_rule(tmp_path)
    store.upsert_records([ticket("1", status_class="waiting_customer")])
    spy = ReadOnlySpy(store)
    # Act
    result = plan(rules, MirrorView.from_state(spy, SOURCES), now=clock.now(), state=spy)  # type: ignore[arg-type]
    # Assert
    assert [a.key for a in result.actions] == ["chase-customer/post_note/connectwise.tickets/1"]
    assert [f.subject for f in result.findings] == ["connectwise.tickets:1"]
    assert set(spy.calls) == {"ledger_last_done", "iter_records"}
    assert store.ledger_pending() == []
    assert store.open_findings() == []


def test_plan_renders_templates_and_counts(tmp_path: Path, store: RuleStore, clock: Clock) -> None:
    # Arrange
    rules = note_rule(tmp_path)
    store.upsert_records([ticket("1", status_class="waiting_customer"), ticket("2")])
    # Act
    result = run_plan(rules, store, clock)
    # Assert
    action = result.actions[0]
    assert (action.writer, action.method) == ("connectwise", "post_note")
    assert action.args == {"ticket_id": "1", "text": "Waiting since 2026-03-02T08:00:00+00:00; rule chase-customer"}
    assert result.findings[0].summary == "Ticket #1 waits on the customer"
    # The rule's own labels, plus the ticket's routing labels the engine adds (company, board, priority, owner).
    assert result.findings[0].labels == {"team": "noc", "company": "c1", "priority": "P3"}
    stats = result.stats["chase-customer"]
    assert (stats.considered, stats.matched, stats.due) == (2, 1, 1)


def test_blast_radius_cap_acts_on_nothing_and_says_so(tmp_path: Path, store: RuleStore, clock: Clock) -> None:
    # Arrange
    rules = note_rule(tmp_path, cap=2)
    store.upsert_records([ticket(k, status_class="waiting_customer") for k in ("1", "2", "3")])
    writer = FakeWriter()
    # Act
    result = run_plan(rules, store, clock)
    report = apply(result, state=store, writers={"connectwise": writer}, dry_run=False, now=clock.now())
    # Assert
    assert result.actions == ()
    assert result.capped == (CappedRule("chase-customer", 3, 2),)
    assert writer.calls == []
    assert report.outcomes == ()
    cap = store.get_finding(next(f.fingerprint for f in result.findings if f.subject == "rule:chase-customer"))
    assert cap is not None
    assert cap.severity == "critical"
    assert cap.summary == ("rule chase-customer wanted to act on 3 records in one pass, more than its "
                           "max_actions_per_run of 2; it acted on none")
    # The rule's own findings are still raised: they write nothing to a vendor.
    assert len(store.open_findings("chase-customer")) == 4


def test_under_the_cap_acts_on_all(tmp_path: Path, store: RuleStore, clock: Clock) -> None:
    rules = note_rule(tmp_path, cap=2)
    store.upsert_records([ticket(k, status_class="waiting_customer") for k in ("1", "2")])
    result = run_plan(rules, store, clock)
    assert len(result.actions) == 2
    assert result.capped == ()


def test_for_holds_until_the_match_has_lasted(tmp_path: Path, store: RuleStore, clock: Clock) -> None:
    # Arrange
    rules = note_rule(tmp_path, hold="1h")
    store.upsert_records([ticket("1", status_class="waiting_customer")])

    def step() -> Plan:
        result = run_plan(rules, store, clock)
        apply(result, state=store, writers={}, dry_run=True, now=clock.now())
        return result

    # Act / Assert
    first = step()
    assert first.actions == ()
    assert first.stats["chase-customer"].held == 1
    assert store.rule_pending("chase-customer") == {"connectwise.tickets:1": T0}
    clock.advance(minutes=30)
    assert step().actions == ()
    clock.advance(minutes=30)
    assert len(step().actions) == 1
    # A break in matching restarts the clock.
    store.upsert_records([ticket("1", status_class="in_progress")])
    clock.advance(minutes=5)
    assert step().actions == ()
    assert store.rule_pending("chase-customer") == {}
    store.upsert_records([ticket("1", status_class="waiting_customer")])
    clock.advance(minutes=5)
    assert step().actions == ()
    assert store.rule_pending("chase-customer") == {"connectwise.tickets:1": clock.now()}


def test_repeat_interval_through_the_ledger(tmp_path: Path, store: RuleStore, clock: Clock) -> None:
    # Arrange
    rules = note_rule(tmp_path)
    store.upsert_records([ticket("1", status_class="waiting_customer")])
    writer = FakeWriter()

    def step() -> Plan:
        result = run_plan(rules, store, clock)
        apply(result, state=store, writers={"connectwise": writer}, dry_run=False, now=clock.now())
        return result

    # Act
    first = step()
    clock.advance(hours=1)
    second = step()
    clock.advance(hours=23, minutes=1)
    third = step()
    # Assert
    assert len(first.actions) == 1
    assert second.actions == ()
    assert len(third.actions) == 1
    assert second.stats["chase-customer"].repeat_suppressed == 1
    assert third.actions[0].key == ("chase-customer/post_note/connectwise.tickets/1/after-20260302T090000.000000Z")
    assert len(writer.notes) == 2


def test_findings_resolve_when_the_rule_stops_matching(tmp_path: Path, store: RuleStore, clock: Clock) -> None:
    # Arrange
    rules = note_rule(tmp_path)
    store.upsert_records([ticket("1", status_class="waiting_customer")])
    apply(run_plan(rules, store, clock), state=store, writers={}, dry_run=True, now=clock.now())
    store.upsert_records([ticket("1", status_class="closed")])
    clock.advance(minutes=5)
    # Act
    report = apply(run_plan(rules, store, clock), state=store, writers={}, dry_run=True, now=clock.now())
    # Assert
    assert report.findings_resolved == 1
    assert store.open_findings() == []


def test_disabled_rules_match_nothing(tmp_path: Path, store: RuleStore, clock: Clock) -> None:
    write_rule(tmp_path, "paused", "enabled: false\n" + NOTE_RULE.format(hold="0s", cap=5))
    rules, problems = load_rules([tmp_path], builtin=False)
    store.upsert_records([ticket("1", status_class="waiting_customer")])
    result = run_plan(rules, store, clock)
    assert problems == []
    assert result.actions == ()
    assert result.findings == ()
    assert "paused" in result.stats


TASK_RULE = """description: KB update task
entity: tickets
when: {field: status_class, op: eq, value: closed}
actions:
  - {type: open_task, title: "Update the KB for {summary}", description: "From ticket #{number}", board: KB}
"""


def test_open_task_goes_to_the_docs_tool_else_to_a_board(tmp_path: Path, store: RuleStore, clock: Clock) -> None:
    # Arrange
    write_rule(tmp_path, "kb-task", TASK_RULE)
    rules, _ = load_rules([tmp_path], builtin=False)
    store.upsert_records([ticket("1", status_class="closed", summary="Outlook crashes")])
    # Act
    to_docs = plan(rules, MirrorView.from_state(store, SOURCES, tasks=TaskTarget(docs_kind="hudu")),
                   now=clock.now(), state=store)
    to_board = plan(rules, MirrorView.from_state(store, SOURCES), now=clock.now(), state=store)
    # Assert
    docs, board = to_docs.actions[0], to_board.actions[0]
    assert (docs.writer, docs.method) == ("hudu", "open_task")
    assert docs.args == {"company_id": None, "title": "Update the KB for Outlook crashes",
                         "description": "From ticket #1"}
    assert (board.writer, board.method) == ("connectwise", "create_ticket")
    assert board.args == {"company_id": "c1", "summary": "Update the KB for Outlook crashes",
                          "description": "From ticket #1", "board": "KB"}


def test_post_note_with_a_registered_template(tmp_path: Path, store: RuleStore, clock: Clock,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # Arrange
    def patch_history(subject: Any, env: ActionEnv) -> str:
        return f"Patches for {subject.key} (rule {env.rule_id})"

    monkeypatch.setitem(NOTE_TEMPLATES, "patch_history", ("recent patches", patch_history))
    write_rule(tmp_path, "patches", """description: Patch history note
entity: tickets
when: {field: status_class, op: eq, value: new}
actions: [{type: post_note, template: patch_history}]
""")
    rules, problems = load_rules([tmp_path], builtin=False)
    store.upsert_records([ticket("5")])
    # Act
    result = run_plan(rules, store, clock)
    # Assert
    assert problems == []
    assert result.actions[0].args == {"ticket_id": "5", "text": "Patches for 5 (rule patches)"}
