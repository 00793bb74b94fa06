"""Every condition op at evaluation time, on fields and facts, including missing values."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from syncd.records import Record
from syncd.rules import FactContext, LoadedRule, MirrorView, load_rules
from syncd.rules.conditions import OPERATORS, evaluate
from syncd.rules.context import stored
from syncd.rules.model import OpName

from .conftest import T0, note, ticket, time_entry, write_rule


def compile_one(tmp_path: Path, entity: str, condition: str) -> LoadedRule:
    write_rule(tmp_path, "probe", f"""description: probe
entity: {entity}
when: {condition}
actions: [{{type: raise_finding, summary: probe}}]
""")
    rules, problems = load_rules([tmp_path], builtin=False)
    assert problems == []
    return rules[0]


def holds(tmp_path: Path, entity: str, condition: str, record: Record, *others: Record) -> bool:
    rule = compile_one(tmp_path, entity, condition)
    ctx = FactContext(now=T0, view=MirrorView.from_records([stored(r) for r in (record, *others)]))
    return evaluate(rule.when, stored(record), ctx)


CASES: list[tuple[str, str, dict[str, Any], bool]] = [
    ("eq", "{field: status_class, op: eq, value: closed}", {"status_class": "closed"}, True),
    ("eq", "{field: status_class, op: eq, value: closed}", {"status_class": "new"}, False),
    ("ne", "{field: status_class, op: ne, value: closed}", {"status_class": "new"}, True),
    ("ne", "{field: status_class, op: ne, value: closed}", {"status_class": "closed"}, False),
    ("lt", "{field: created, op: lt, value: '2026-03-01T00:00:00Z'}", {"created": T0 - timedelta(days=3)}, True),
    ("lt", "{field: created, op: lt, value: '2026-03-01T00:00:00Z'}", {"created": T0}, False),
    ("le", "{field: created, op: le, value: '2026-03-02T09:00:00Z'}", {"created": T0}, True),
    ("gt", "{field: created, op: gt, value: '2026-03-01T00:00:00Z'}", {"created": T0}, True),
    ("ge", "{field: created, op: ge, value: '2026-03-03T00:00:00Z'}", {"created": T0}, False),
    ("lt", "{field: responded, op: lt, value: '2026-03-03T00:00:00Z'}", {"responded": None}, False),
    ("in", "{field: priority, op: in, value: [P1, P2]}", {"priority": "P1"}, True),
    ("in", "{field: priority, op: in, value: [P1, P2]}", {"priority": "P3"}, False),
    ("not_in", "{field: priority, op: not_in, value: [P1, P2]}", {"priority": "P3"}, True),
    ("contains", "{field: summary, op: contains, value: printer}", {"summary": "the printer jams"}, True),
    ("contains", "{field: summary, op: contains, value: printer}", {"summary": "vpn down"}, False),
    ("contains", "{field: configuration_ids, op: contains, value: '812'}", {"configuration_ids": ["812"]}, True),
    ("matches", "{field: summary, op: matches, value: '(?i)^print'}", {"summary": "Printer jams"}, True),
    ("matches", "{field: summary, op: matches, value: '(?i)^print'}", {"summary": "my printer"}, False),
    ("present", "{field: resolution_code, op: present}", {"resolution_code": "fixed"}, True),
    ("present", "{field: resolution_code, op: present}", {"resolution_code": ""}, False),
    ("absent", "{field: resolution_code, op: absent}", {"resolution_code": None}, True),
    ("absent", "{field: configuration_ids, op: absent}", {"configuration_ids": []}, True),
    ("older_than", "{field: updated, op: older_than, value: 3d}", {"updated": T0 - timedelta(days=4)}, True),
    ("older_than", "{field: updated, op: older_than, value: 3d}", {"updated": T0 - timedelta(days=2)}, False),
    ("older_than", "{field: closed, op: older_than, value: 3d}", {"closed": None}, False),
    ("within", "{field: sla_resolve_due, op: within, value: 2h}", {"sla_resolve_due": T0 + timedelta(hours=1)}, True),
    ("within", "{field: sla_resolve_due, op: within, value: 2h}", {"sla_resolve_due": T0 + timedelta(hours=3)}, False),
    ("within", "{field: closed, op: within, value: 1d}", {"closed": T0 - timedelta(hours=5)}, True),
    ("eq", "{field: custom.resolution_type, op: eq, value: remote}", {"custom": {"resolution_type": "remote"}}, True),
    ("eq", "{field: id, op: eq, value: '7'}", {}, True),
]


@pytest.mark.parametrize(("op", "condition", "fields", "expected"), CASES)
def test_field_ops(tmp_path: Path, op: str, condition: str, fields: dict[str, Any], expected: bool) -> None:
    assert holds(tmp_path, "tickets", condition, ticket("7", **fields)) is expected


def test_every_op_is_covered_and_listed_in_the_schema() -> None:
    assert {case[0] for case in CASES} == set(OPERATORS) == set(OpName.__args__)


@pytest.mark.parametrize(("condition", "expected"), [
    ("{field: hours, op: lt, value: 1}", True),
    ("{field: hours, op: ge, value: 0.5}", True),
    ("{field: hours, op: gt, value: 0.5}", False),
    ("{field: billable, op: eq, value: true}", True),
])
def test_number_and_bool_fields(tmp_path: Path, condition: str, expected: bool) -> None:
    assert holds(tmp_path, "time_entries", condition, time_entry("t1", "7", 0.5)) is expected


@pytest.mark.parametrize(("condition", "expected"), [
    ("{all: [{field: status_class, op: eq, value: new}, {fact: note_count, op: ge, value: 2}]}", True),
    ("{all: [{field: status_class, op: eq, value: new}, {fact: note_count, op: ge, value: 3}]}", False),
    ("{any: [{field: status_class, op: eq, value: closed}, {fact: note_count, op: eq, value: 2}]}", True),
    ("{not: {fact: notes_since, args: {duration: 1h}, op: ge, value: 1}}", False),
    ("{not: {fact: notes_since, args: {duration: 1h}, op: ge, value: 2}}", True),
])
def test_groups_and_facts(tmp_path: Path, condition: str, expected: bool) -> None:
    notes = (note("n1", "7", "first", created=T0 - timedelta(days=2)), note("n2", "7", "second"))
    assert holds(tmp_path, "tickets", condition, ticket("7"), *notes) is expected


def test_param_values_are_used(tmp_path: Path) -> None:
    write_rule(tmp_path, "probe", """description: probe
entity: tickets
params: {stale_after: 3d, urgent: [P1, P2]}
when:
  all:
    - {field: updated, op: older_than, value: {param: stale_after}}
    - {field: priority, op: in, value: {param: urgent}}
actions: [{type: raise_finding, summary: probe}]
""")
    rules, _ = load_rules([tmp_path], builtin=False)
    stale = ticket("1", updated=T0 - timedelta(days=4), priority="P2")
    fresh = ticket("2", updated=T0 - timedelta(days=1), priority="P2")
    ctx = FactContext(now=T0, view=MirrorView.from_records([stored(stale), stored(fresh)]))
    assert [evaluate(rules[0].when, stored(r), ctx) for r in (stale, fresh)] == [True, False]

