"""`syncd rules test`: the promtool-style runner on passing and failing fixture cases, and its CLI."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from syncd.rules.cli import rules_group
from syncd.rules.testcases import report, run_tests

from .conftest import FIXTURES, write_rule


def test_passing_cases() -> None:
    # Act
    results, problems = run_tests([FIXTURES / "cases"])
    # Assert
    assert problems == []
    assert len(results) == 6
    assert all(r.passed for r in results), report(results)


def test_failing_case_shows_a_diff() -> None:
    # Act
    results, problems = run_tests([FIXTURES / "failing" / "wrong.test.yaml"])
    # Assert
    assert problems == []
    assert report(results) == [
        f"FAIL {FIXTURES / 'failing' / 'wrong.test.yaml'}: expects the wrong ticket",
        "  - missing action: {rule: 'chase-customer', record: 'connectwise.tickets:9', type: 'post_note'}",
        "  + unexpected action: {rule: 'chase-customer', record: 'connectwise.tickets:1', type: 'post_note'}",
        f"PASS {FIXTURES / 'failing' / 'wrong.test.yaml'}: this one is right",
        "1 passed, 1 failed",
    ]


def test_bad_records_and_bad_rules_are_problems(tmp_path: Path) -> None:
    # Arrange
    write_rule(tmp_path / "rules", "broken", "description: d\n")
    (tmp_path / "rules.test.yaml").write_text("rules: [rules]\neval_time: 2026-03-02T09:00:00Z\ncases: []\n")
    (tmp_path / "records.test.yaml").write_text("""rules: []
builtin: true
eval_time: 2026-03-02T09:00:00Z
cases:
  - name: typo
    records:
      connectwise.tickets: [{id: "1", stauts: New}]
""")
    # Act
    _results, problems = run_tests([tmp_path / "rules.test.yaml", tmp_path / "records.test.yaml"])
    # Assert
    assert problems[0].startswith(f"{tmp_path / 'rules' / 'broken.yaml'}:1: entity: required key is missing")
    assert problems[-1].startswith(f"{tmp_path / 'records.test.yaml'}: case 'typo': connectwise.tickets:1: "
                                   "unknown field(s) stauts; known: board,")


def test_cli_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    passing = runner.invoke(rules_group, ["test", str(FIXTURES / "cases")])
    failing = runner.invoke(rules_group, ["test", str(FIXTURES / "cases"), str(FIXTURES / "failing")])
    write_rule(tmp_path / "rules", "broken", "description: d\n")
    (tmp_path / "x.test.yaml").write_text("rules: [rules]\neval_time: 2026-03-02T09:00:00Z\ncases: []\n")
    broken = runner.invoke(rules_group, ["test", str(tmp_path)])
    assert passing.exit_code == 0
    assert passing.output.endswith("6 passed, 0 failed\n")
    assert failing.exit_code == 1
    assert "FAIL" in failing.output
    assert "7 passed, 1 failed" in failing.output
    assert broken.exit_code == 2
    assert "required key is missing" in broken.output
