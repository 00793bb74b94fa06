"""Click commands for the rule engine: `syncd plan`, `syncd rules test`, `syncd rules explain`.

The lead registers them on the root group: `cli.add_command(plan_command)` and
`cli.add_command(rules_group)`. Exit codes follow syncd.cli: 0 ok, 1 a test case failed,
2 bad configuration, rules or arguments.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import click

EXIT_FAILED = 1
EXIT_CONFIG = 2


def _fail(message: str, problems: list[str] | None = None) -> NoReturn:
    click.echo(f"syncd: {message}", err=True)
    for problem in problems or ():
        click.echo(f"  - {problem}", err=True)
    sys.exit(EXIT_CONFIG)


def _settings(ctx: click.Context) -> Any:
    from syncd.cli import settings_or_exit

    return settings_or_exit(ctx.find_root().obj)


def load_configured_rules(settings: Any) -> list[Any]:
    """The rules `[rules]` names (built-in pack, dirs, param overrides); exit 2 listing every problem."""
    from syncd.rules.loader import load_rules

    rules, problems = load_rules(settings.rules.dirs, overrides=settings.rules.overrides,
                                 builtin=settings.rules.builtin)
    if problems:
        _fail(f"{len(problems)} problem(s) in rule files", problems)
    return rules


def mirror_sources(settings: Any) -> list[str]:
    """Every `<kind>.<entity>` source the configured connectors may have mirrored."""
    from syncd.rules.fields import known_entities

    return [f"{kind}.{entity}" for kind in settings.connectors() for entity in known_entities()]


@contextmanager
def open_state(settings: Any, now: Any = None) -> Iterator[Any]:
    """The state store (stamped on `now`, a clock's now, when given); these commands write nothing to vendors."""
    from syncd.state import SqliteStateStore

    extra = {"now": now} if now is not None else {}
    with SqliteStateStore(settings.state.path, recover_interrupted=False, **extra) as state:
        yield state


@click.command("plan")
@click.option("--json", "as_json", is_flag=True, help="print the plan as JSON.")
@click.option("--at", "at", default=None, help="plan at this ISO time instead of now.")
@click.pass_context
def plan_command(ctx: click.Context, as_json: bool, at: str | None) -> None:
    """Print what a rule pass would write and flag now, from the current mirror; writes nothing."""
    result = plan_now(_settings(ctx), at)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, sort_keys=True))
        return
    for line in plan_lines(result):
        click.echo(line)


def plan_now(settings: Any, at: str | None = None) -> Any:
    """The plan the evaluate job would make: the same view (identity links, SLA clocks, task target), the same now.

    Built with `syncd.jobs.evaluate.build_view` over a job context like the runtime's, minus the
    connectors (planning reads the mirror only), so `syncd plan` lists what `syncd once` writes.
    """
    from syncd.clock import FixedClock, SystemClock, from_iso
    from syncd.jobs.context import JobContext
    from syncd.jobs.evaluate import build_view
    from syncd.rules.engine import plan

    rules = load_configured_rules(settings)
    clock = FixedClock(from_iso(at)) if at else SystemClock()
    with open_state(settings, clock.now) as state:
        job = JobContext(settings=settings, state=state, clock=clock, rules=rules)
        return plan(rules, build_view(job, persist_links=False), now=clock.now(), state=state)


def plan_lines(result: Any) -> list[str]:
    """The plan as text: writes, findings, capped rules, per-rule counts."""
    lines = [f"writes ({len(result.actions)}):"]
    lines += [f"  {a.rule_id}  {a.subject}  {a.summary}" for a in result.actions]
    lines.append(f"findings ({len(result.findings)}):")
    lines += [f"  {f.severity:8} {f.rule_id}  {f.subject}  {f.summary}" for f in result.findings]
    if result.capped:
        lines.append("capped (acting on nothing):")
        lines += [f"  {c.rule_id}: {c.due} records due, max_actions_per_run {c.limit}" for c in result.capped]
    lines.append("rules (considered / matched / held / due / repeat-suppressed):")
    lines += [f"  {rid}: {s.considered} / {s.matched} / {s.held} / {s.due} / {s.repeat_suppressed}"
              for rid, s in result.stats.items()]
    return lines


@click.group("rules")
def rules_group() -> None:
    """Test and explain rules."""


@rules_group.command("test")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def test_command(paths: tuple[Path, ...]) -> None:
    """Run rule test cases (*.test.yaml files, or directories holding them); exit 1 when a case fails."""
    from syncd.rules.testcases import report, run_tests

    results, problems = run_tests(list(paths))
    if problems:
        _fail(f"{len(problems)} problem(s) in rule tests", problems)
    for line in report(results):
        click.echo(line)
    if not results:
        _fail("no test cases found")
    if any(not r.passed for r in results):
        sys.exit(EXIT_FAILED)


@rules_group.command("explain")
@click.argument("rule_id")
@click.argument("record")
@click.option("--at", "at", default=None, help="evaluate at this ISO time instead of now.")
@click.pass_context
def explain_command(ctx: click.Context, rule_id: str, record: str, at: str | None) -> None:
    """Why RULE_ID does or does not fire for RECORD ("connectwise.tickets:4711"), condition by condition."""
    from syncd.clock import SystemClock, from_iso
    from syncd.rules.context import MirrorView
    from syncd.rules.explain import explain

    settings = _settings(ctx)
    rules = {r.id: r for r in load_configured_rules(settings)}
    if rule_id not in rules:
        _fail(f"unknown rule {rule_id!r}", [f"known rules: {', '.join(sorted(rules)) or 'none'}"])
    source, _, key = record.partition(":")
    if not key:
        _fail(f"record {record!r} is not SOURCE:KEY, e.g. connectwise.tickets:4711")
    now: datetime = from_iso(at) if at else SystemClock().now()
    with open_state(settings) as state:
        subject = state.get_record(source, key)
        if subject is None:
            _fail(f"record {record} is not in the mirror")
        if subject.is_deleted:
            _fail(f"record {record} was deleted at the vendor; rules do not look at it")
        view = MirrorView.from_state(state, [*mirror_sources(settings), source])
        for line in explain(rules[rule_id], subject, view=view, now=now, state=state):
            click.echo(line)
