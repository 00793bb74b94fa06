"""`syncd plan [--json] [--at]`: the evaluate job's plan (identity links included) from the mirror; writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from syncd.clock import to_iso
from syncd.records import Record
from syncd.rules.cli import plan_command

from .conftest import T0, Clock, RuleStore, ticket, write_rule

AT = ["--at", to_iso(T0)]


@pytest.fixture
def configured(tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_rule(tmp_path / "rules", "chase", """description: Chase waiting tickets
entity: tickets
when: {field: status_class, op: eq, value: waiting_customer}
actions:
  - {type: post_note, text: "Chasing #{number}"}
  - {type: raise_finding, summary: "#{number} waits"}
""")
    config = tmp_path / "syncd.toml"
    config.write_text(f'[state]\npath = "{tmp_path / "state.db"}"\n[rules]\nbuiltin = false\n'
                      f'dirs = ["{tmp_path / "rules"}"]\n')
    with RuleStore(tmp_path / "state.db", now=clock.now) as store:
        store.upsert_records([ticket("1", status_class="waiting_customer")])
    monkeypatch.setenv("SYNCD_CONFIG", str(config))
    # No connector is configured; the plan reads the tickets (and identity its own streams) anyway.
    monkeypatch.setattr("syncd.jobs.evaluate.mirror_sources", lambda _settings: ["connectwise.tickets"])
    return tmp_path


def test_plan_prints_writes_and_findings(configured: Path) -> None:
    # Act
    result = CliRunner().invoke(plan_command, AT)
    # Assert
    assert result.exit_code == 0, result.output
    assert "writes (1):\n  chase  connectwise.tickets:1  post internal note on ticket 1: Chasing #1\n" in result.output
    assert "findings (1):\n  warning  chase  connectwise.tickets:1  #1 waits\n" in result.output
    with RuleStore(configured / "state.db") as store:
        assert store.ledger_pending() == []
        assert store.open_findings() == []


def test_plan_json(configured: Path) -> None:
    result = CliRunner().invoke(plan_command, ["--json", *AT])
    data = json.loads(result.output)
    assert [a["key"] for a in data["actions"]] == ["chase/post_note/connectwise.tickets/1"]
    assert data["stats"]["chase"]["matched"] == 1


def test_plan_with_bad_rules_exits_2(configured: Path) -> None:
    (configured / "rules" / "chase.yaml").write_text("id: chase\n")
    result = CliRunner().invoke(plan_command, [])
    assert result.exit_code == 2
    assert "required key is missing" in result.output


def test_plan_lists_the_link_writes_identity_resolution_finds_like_the_evaluate_job(configured: Path) -> None:
    # Arrange: a ticket naming the hostname of its company's only configuration.
    write_rule(configured / "rules", "link", """description: Link the device identity found
entity: tickets
when:
  all:
    - {field: configuration_ids, op: absent}
    - {fact: linked_device, op: present}
actions:
  - {type: link_configuration}
""")
    with RuleStore(configured / "state.db") as store:
        store.upsert_records([
            Record("connectwise.companies", "c1", T0, {"name": "Acme"}),
            Record("connectwise.configurations", "812", T0, {
                "company_id": "c1", "name": "ACME-PC01", "mac_addresses": [], "external_ids": {}}),
            ticket("2", summary="ACME-PC01 will not boot"),
        ])
    # Act
    result = CliRunner().invoke(plan_command, ["--json", *AT])
    # Assert
    assert result.exit_code == 0, result.output
    links = [a for a in json.loads(result.output)["actions"] if a["rule"] == "link"]
    assert [(a["key"], a["args"]) for a in links] == [
        ("link/link_configuration/connectwise.tickets/2/812", {"ticket_id": "2", "configuration_id": "812"})]
