"""`syncd rules explain`: condition by condition, fact by fact, with values, ops and results."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from syncd.rules import MirrorView, explain, load_rules
from syncd.rules.cli import rules_group

from .conftest import SOURCES, T0, Clock, RuleStore, note, ticket, time_entry, write_rule

RULE = """description: Closed without time
entity: tickets
where: {field: status_class, op: in, value: [resolved, closed]}
when:
  all:
    - {fact: time_logged_hours, op: le, value: 0}
    - {not: {fact: notes_since, args: {duration: 1d}, op: ge, value: 2}}
for: 1h
actions:
  - {type: raise_finding, summary: "Ticket #{number} closed without time"}
  - {type: link_configuration}
"""


@pytest.fixture
def rule(tmp_path: Path) -> object:
    write_rule(tmp_path / "rules", "closed-no-time", RULE)
    rules, problems = load_rules([tmp_path / "rules"], builtin=False)
    assert problems == []
    return rules[0]


def lines_for(rule: object, store: RuleStore, clock: Clock, key: str) -> list[str]:
    subject = store.get_record("connectwise.tickets", key)
    assert subject is not None
    view = MirrorView.from_state(store, SOURCES)
    return explain(rule, subject, view=view, now=clock.now(), state=store)  # type: ignore[arg-type]


def test_explain_a_firing_rule(rule: object, store: RuleStore, clock: Clock) -> None:
    # Arrange
    store.upsert_records([ticket("7", status_class="closed"), note("n1", "7", "called", created=T0)])
    store.set_rule_pending("closed-no-time", {"connectwise.tickets:7": T0 - timedelta(hours=2)})
    # Act
    lines = lines_for(rule, store, clock, "7")
    # Assert
    assert lines == [
        "rule closed-no-time (tickets, severity warning): Closed without time",
        "record connectwise.tickets:7 at 2026-03-02T09:00:00Z",
        "where:",
        "  [x] field status_class in ('resolved', 'closed')  (value: 'closed')",
        "when:",
        "  [x] all",
        "    [x] fact time_logged_hours() le 0  (value: 0.0)",
        "    [x] not",
        "      [ ] fact notes_since(duration=1d) ge 2  (value: 1)",
        "for: 1h: matching since 2026-03-02T07:00:00Z; held long enough",
        "actions:",
        "  raise_finding: raises a warning finding: Ticket #7 closed without time",
        "  link_configuration: nothing: no identity resolution was supplied to this pass",
        "result: FIRES",
    ]


def test_explain_a_rule_that_does_not_fire(rule: object, store: RuleStore, clock: Clock) -> None:
    # Arrange
    store.upsert_records([ticket("8", status_class="closed"), time_entry("t1", "8", 0.25), ticket("9")])
    # Act
    logged = lines_for(rule, store, clock, "8")
    filtered = lines_for(rule, store, clock, "9")
    # Assert
    assert "    [ ] fact time_logged_hours() le 0  (value: 0.25)" in logged
    assert logged[-1] == "result: does not fire: when is false"
    assert filtered[-2:] == ["  [ ] field status_class in ('resolved', 'closed')  (value: 'new')",
                             "result: does not fire: the record is filtered out by where"]


def test_explain_a_match_still_held_by_for(rule: object, store: RuleStore, clock: Clock) -> None:
    store.upsert_records([ticket("7", status_class="closed")])
    lines = lines_for(rule, store, clock, "7")
    assert lines[-2:] == ["for: 1h: first match now (the clock starts with this pass); 1h to go",
                          "result: matches, but has not held for `for:` yet: nothing is done"]


def test_explain_cli(tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    # Arrange: a config whose state file holds one ticket, and a rule without `for:`
    write_rule(tmp_path / "rules", "closed-no-code", """description: Closed without a code
entity: tickets
when: {field: resolution_code, op: absent}
actions: [{type: raise_finding, summary: "no code"}]
""")
    config = tmp_path / "syncd.toml"
    config.write_text(f'[state]\npath = "{tmp_path / "state.db"}"\n[rules]\nbuiltin = false\n'
                      f'dirs = ["{tmp_path / "rules"}"]\n')
    with RuleStore(tmp_path / "state.db", now=clock.now) as store:
        store.upsert_records([ticket("7", status_class="closed")])
    monkeypatch.setenv("SYNCD_CONFIG", str(config))
    runner = CliRunner()
    # Act
    ok = runner.invoke(rules_group, ["explain", "closed-no-code", "connectwise.tickets:7", "--at", T0.isoformat()])
    missing = runner.invoke(rules_group, ["explain", "closed-no-code", "connectwise.tickets:70"])
    unknown = runner.invoke(rules_group, ["explain", "nope", "connectwise.tickets:7"])
    # Assert
    assert ok.exit_code == 0, ok.output
    assert "  [x] field resolution_code absent  (value: None)" in ok.output
    assert "result: FIRES" in ok.output
    assert missing.exit_code == 2
    assert "is not in the mirror" in missing.output
    assert unknown.exit_code == 2
    assert "known rules: closed-no-code" in unknown.output
