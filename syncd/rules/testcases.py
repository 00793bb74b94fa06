"""`syncd rules test`: promtool-style rule tests: records in, expected plan out.

A test file (`*.test.yaml`) names rule directories (relative to itself), an `eval_time`, and
cases. Each case gives normalized records by source (times may be relative to eval_time: "-2h",
"+30m"), optional identity stubs, `for:` clocks and earlier ledger writes, and the exact plan it
expects: every action and finding by rule id and record. A case passes when the plan has
exactly those (extra keys in an expectation, e.g. `args` or `summary`, must match too).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from syncd.durations import parse_duration
from syncd.records import Record
from syncd.rules.context import MirrorView, StaticIdentity, StubMachine, StubTicketDevice, TaskTarget, entity_of, stored
from syncd.rules.engine import Plan, plan
from syncd.rules.fields import entity_fields, known_entities
from syncd.rules.loader import LoadedRule, load_rules

_RELATIVE = re.compile(r"^[+-]\s*\d")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class DoneWrite(_Strict):
    """An earlier successful write, as the ledger would have it."""

    rule: str
    action: str
    record: str
    at: str | datetime


class IdentityStub(_Strict):
    """What identity resolution says about one ticket."""

    configuration: str | None = None
    rmm: str | None = None
    reason: str | None = None


class Expect(_Strict):
    """The plan a case expects."""

    actions: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    capped: list[str] = []


class Case(_Strict):
    """One test case."""

    name: str
    eval_time: datetime | None = None
    only: list[str] | None = None
    records: dict[str, list[dict[str, Any]]] = {}
    identity: dict[str, IdentityStub] = {}
    matching_since: dict[str, dict[str, str | datetime]] = {}
    done: list[DoneWrite] = []
    tasks: dict[str, str] = {}
    expect: Expect = Expect()


class RuleTestFile(_Strict):
    """A `*.test.yaml` file."""

    rules: list[str] = ["."]
    builtin: bool = False
    overrides: dict[str, dict[str, Any]] = {}
    eval_time: datetime
    cases: list[Case]

    @field_validator("eval_time")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return _aware(value)


@dataclass
class CaseResult:
    """The outcome of one case."""

    file: Path
    name: str
    diff: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Whether the plan was exactly as expected."""
        return not self.diff


class _CaseState:
    """The two reads planning makes, answered from the case."""

    def __init__(self, done: Mapping[tuple[str, str, str, str], datetime],
                 pending: Mapping[str, Mapping[str, datetime]]) -> None:
        self._done, self._pending = done, pending

    def ledger_last_done(self, rule_id: str, action: str, source: str, record_key: str) -> datetime | None:
        """When the case says this action last succeeded on the record."""
        return self._done.get((rule_id, action, source, record_key))

    def rule_pending(self, rule_id: str) -> Mapping[str, datetime]:
        """Since when the case says each record has matched the rule."""
        return self._pending.get(rule_id, {})


def when(value: str | datetime, base: datetime) -> datetime:
    """A time given as ISO text, a YAML timestamp, or relative to eval_time ("-2h", "+30m")."""
    if isinstance(value, datetime):
        return _aware(value)
    text = value.strip()
    if _RELATIVE.match(text):
        delta = parse_duration(text[1:].strip())
        return base - delta if text[0] == "-" else base + delta
    return _aware(datetime.fromisoformat(text.replace("Z", "+00:00")))


def run_test_file(path: Path) -> tuple[list[CaseResult], list[str]]:
    """Run every case of one test file; return results and problems (bad file, bad rules, bad records)."""
    try:
        spec = RuleTestFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        return [], [f"{path}: {exc}"]
    dirs = [(path.parent / d) for d in spec.rules]
    rules, problems = load_rules(dirs, overrides=spec.overrides, builtin=spec.builtin)
    if problems:
        return [], problems
    results = []
    for case in spec.cases:
        try:
            results.append(_run_case(path, case, rules, spec.eval_time))
        except ValueError as exc:
            problems.append(f"{path}: case {case.name!r}: {exc}")
    return results, problems


def _run_case(path: Path, case: Case, rules: list[LoadedRule], default_time: datetime) -> CaseResult:
    now = _aware(case.eval_time) if case.eval_time else default_time
    selected = [r for r in rules if case.only is None or r.id in case.only]
    records = [stored(rec) for source, rows in case.records.items() for rec in _records(source, rows, now)]
    devices = {ref: StubTicketDevice(StubMachine(s.configuration, s.rmm) if s.configuration or s.rmm else None,
                                     s.reason) for ref, s in case.identity.items()}
    view = MirrorView.from_records(records, identity=StaticIdentity(devices), tasks=TaskTarget(**case.tasks))
    done = {}
    for d in case.done:
        source, _, key = d.record.partition(":")
        done[(d.rule, d.action, source, key)] = when(d.at, now)
    pending = {rule: {ref: when(at, now) for ref, at in refs.items()} for rule, refs in case.matching_since.items()}
    result = plan(selected, view, now=now, state=_CaseState(done, pending))
    return CaseResult(path, case.name, compare(result, case.expect))


def _records(source: str, rows: list[dict[str, Any]], now: datetime) -> list[Record]:
    """Records of one source from a case, checked against the entity's fields, relative times resolved."""
    entity = entity_of(source)
    if entity not in known_entities():
        raise ValueError(f"source {source!r}: unknown entity {entity!r}; known: {', '.join(known_entities())}")
    kinds = entity_fields(entity)
    records = []
    for row in rows:
        fields = dict(row)
        key = str(fields.pop("id", "") or "")
        if not key:
            raise ValueError(f"{source}: every record needs an id")
        unknown = sorted(set(fields) - set(kinds))
        if unknown:
            raise ValueError(f"{source}:{key}: unknown field(s) {', '.join(unknown)}; "
                             f"known: {', '.join(sorted(kinds))}")
        for name, value in fields.items():
            if kinds[name].name == "datetime" and isinstance(value, str | datetime):
                fields[name] = when(value, now).isoformat()
        records.append(Record(source, key, now, fields))
    return records


def compare(result: Plan, expect: Expect) -> list[str]:
    """Diff lines between the plan and the expectation ("- missing", "+ unexpected"); empty when equal."""
    actual_actions = [{"rule": a.rule_id, "record": a.subject, "type": a.action, "args": dict(a.args),
                       "summary": a.summary, "key": a.key} for a in result.actions]
    actual_findings = [{"rule": f.rule_id, "record": f.subject, "severity": f.severity, "summary": f.summary}
                       for f in result.findings if not f.subject.startswith("rule:")]
    diff = _match("action", expect.actions, actual_actions, ("rule", "record", "type"))
    diff += _match("finding", expect.findings, actual_findings, ("rule", "record"))
    capped = sorted(c.rule_id for c in result.capped)
    if capped != sorted(expect.capped):
        diff.append(f"  capped: expected {sorted(expect.capped)}, got {capped}")
    return diff


def _match(what: str, expected: list[dict[str, Any]], actual: list[dict[str, Any]],
           shown: tuple[str, ...]) -> list[str]:
    left = list(actual)
    diff = []
    for want in expected:
        hit = next((a for a in left if all(a.get(k) == v for k, v in want.items())), None)
        if hit is None:
            diff.append(f"  - missing {what}: {_show(want)}")
        else:
            left.remove(hit)
    diff += [f"  + unexpected {what}: {_show({k: a[k] for k in shown})}" for a in left]
    return diff


def _show(item: Mapping[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {v!r}" for k, v in item.items()) + "}"


def find_test_files(paths: list[Path]) -> list[Path]:
    """Test files among `paths` (a directory means every `*.test.yaml` below it)."""
    found: list[Path] = []
    for path in paths:
        found.extend(sorted(path.rglob("*.test.yaml")) if path.is_dir() else [path])
    return found


def run_tests(paths: list[Path]) -> tuple[list[CaseResult], list[str]]:
    """Run every test file found under `paths`."""
    results, problems = [], []
    for path in find_test_files(paths):
        file_results, file_problems = run_test_file(path)
        results += file_results
        problems += file_problems
    return results, problems


def report(results: list[CaseResult]) -> list[str]:
    """PASS/FAIL lines with each failure's diff, and a summary line."""
    lines = []
    for r in results:
        lines.append(f"{'PASS' if r.passed else 'FAIL'} {r.file}: {r.name}")
        lines += r.diff
    failed = sum(not r.passed for r in results)
    lines.append(f"{len(results) - failed} passed, {failed} failed")
    return lines
