"""`syncd plan [--json]`: prints writes and findings from the mirror, writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from syncd.rules.cli import plan_command

from .conftest import Clock, RuleStore, ticket, write_rule


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
    monkeypatch.setattr("syncd.rules.cli.mirror_sources", lambda _settings: ["connectwise.tickets"])
    return tmp_path


def test_plan_prints_writes_and_findings(configured: Path) -> None:
    # Act
    result = CliRunner().invoke(plan_command, [])
    # Assert
    assert result.exit_code == 0, result.output
    assert "writes (1):\n  chase  connectwise.tickets:1  post internal note on ticket 1: Chasing #1\n" in result.output
    assert "findings (1):\n  warning  chase  connectwise.tickets:1  #1 waits\n" in result.output
    with RuleStore(configured / "state.db") as store:
        assert store.ledger_pending() == []
        assert store.open_findings() == []


def test_plan_json(configured: Path) -> None:
    result = CliRunner().invoke(plan_command, ["--json"])
    data = json.loads(result.output)
    assert [a["key"] for a in data["actions"]] == ["chase/post_note/connectwise.tickets/1"]
    assert data["stats"]["chase"]["matched"] == 1


def test_plan_with_bad_rules_exits_2(configured: Path) -> None:
    (configured / "rules" / "chase.yaml").write_text("id: chase\n")
    result = CliRunner().invoke(plan_command, [])
    assert result.exit_code == 2
    assert "required key is missing" in result.output
