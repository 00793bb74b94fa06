"""The built-in rule pack's own test cases (`syncd/rules/builtin/tests/*.test.yaml`) pass and cover every rule."""

from __future__ import annotations

from pathlib import Path

import yaml

from syncd.rules.loader import BUILTIN_DIR, load_rules
from syncd.rules.testcases import find_test_files, report, run_tests

CASES = BUILTIN_DIR / "tests"


def _cases() -> list[dict]:
    return [case for path in find_test_files([CASES])
            for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]]


def _records(case: dict) -> set[str]:
    return {f"connectwise.tickets:{row['id']}" for row in case.get("records", {}).get("connectwise.tickets", [])}


def _named(case: dict, rule_id: str) -> set[str]:
    expect = case.get("expect") or {}
    return {item["record"] for kind in ("actions", "findings") for item in expect.get(kind, [])
            if item.get("rule") == rule_id}


def test_every_builtin_case_passes() -> None:
    # Act
    results, problems = run_tests([CASES])
    # Assert
    assert problems == []
    assert results, "no built-in test cases found"
    assert all(r.passed for r in results), "\n".join(report(results))


def test_every_builtin_rule_has_cases_that_fire_and_cases_that_do_not() -> None:
    # Arrange
    rules, problems = load_rules([], builtin=True)
    cases = _cases()
    # Act
    fires = {r.id for r in rules if any(_named(c, r.id) for c in cases)}
    quiet = {r.id for r in rules
             if any(r.id in (c.get("only") or ()) and _records(c) - _named(c, r.id) for c in cases)}
    # Assert
    assert problems == []
    ids = {r.id for r in rules}
    assert ids - fires == set(), "rules without a case where they fire"
    assert ids - quiet == set(), "rules without a case where they stay quiet"


def test_every_builtin_rule_traces_to_a_seed() -> None:
    for path in sorted(Path(BUILTIN_DIR).glob("*.yaml")):
        header = path.read_text(encoding="utf-8").split("\nid:", 1)[0]
        assert "Seed 00" in header, f"{path.name} does not quote the procedure it comes from"


def test_hygiene_findings_say_what_to_fix_without_repeating_the_ticket() -> None:
    # The hygiene digest titles each row with the ticket (#number and summary) and lists the
    # `detail` of each of its findings beneath; a detail repeating the ticket reads twice.
    rules, problems = load_rules([], builtin=True)
    hygiene = [r for r in rules if r.spec.labels.get("category") == "hygiene"]
    assert problems == []
    assert hygiene
    for rule in hygiene:
        raised = [a for a in rule.spec.actions if a.type == "raise_finding"]
        assert raised, rule.id
        for action in raised:
            detail = action.annotations.get("detail", "")
            assert detail, f"{rule.id} has no detail annotation for the hygiene digest"
            assert "{number}" not in detail, rule.id
            assert "{summary}" not in detail, rule.id
