"""Wiring: settings -> state, connectors, job context and jobs; shared by `run`, `once`, `health`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import click
import structlog

from syncd.clock import Clock, SystemClock
from syncd.connectors import Connector, connector_factory
from syncd.durations import format_duration
from syncd.errors import ConfigError
from syncd.jobs import JobSpec, Outcome, build_jobs, run_job
from syncd.jobs.context import JobContext
from syncd.rules import load_rules, load_rules_or_raise
from syncd.settings import Settings
from syncd.state import Run, SqliteStateStore, StateStore

log = structlog.get_logger(__name__)


@dataclass
class Runtime:
    """A started syncd: its job context and the jobs built from settings."""

    ctx: JobContext
    jobs: list[JobSpec]


def build_connectors(settings: Settings, state: StateStore) -> dict[str, Connector]:
    """One connector per enabled section, each given read access to the mirror; unknown kinds are a ConfigError."""
    return {kind: connector_factory(kind)(section, settings.http, state)
            for kind, section in settings.connectors().items()}


def check_everything(settings: Settings) -> str:
    """Validate what can be validated without the network; return a one-line summary."""
    problems: list[str] = []
    for kind in settings.connectors():
        try:
            connector_factory(kind)
        except ConfigError as exc:
            problems.append(f"{kind}: {exc}")
    rules, rule_problems = load_rules(settings.rules.dirs, overrides=settings.rules.overrides,
                                      builtin=settings.rules.builtin)
    problems += rule_problems
    if problems:
        raise ConfigError(f"{len(problems)} problem(s)", problems=problems)
    kinds = ", ".join(settings.connectors()) or "none"
    mode = "dry run" if settings.daemon.dry_run else "live"
    return (f"configuration valid; connectors: {kinds}; rules: {len(rules)}; "
            f"state: {settings.state.path}; mode: {mode}")


@contextmanager
def open_runtime(settings: Settings, *, daemon: bool = False, clock: Clock | None = None) -> Iterator[Runtime]:
    """Open the state store and connectors; close them on exit.

    Only the daemon marks runs left `running` by a dead process as interrupted: a `syncd once`
    beside a live daemon must not mark the daemon's own runs.
    """
    rules = load_rules_or_raise(settings.rules.dirs, overrides=settings.rules.overrides,
                                builtin=settings.rules.builtin)
    settings.state.path.parent.mkdir(parents=True, exist_ok=True)
    clock = clock or SystemClock()
    # Run history, findings and bookmarks are stamped on the same clock the jobs read.
    state = SqliteStateStore(settings.state.path, recover_interrupted=daemon, now=clock.now)
    connectors = build_connectors(settings, state)
    try:
        ctx = JobContext(settings=settings, state=state, clock=clock, connectors=connectors, rules=rules)
        yield Runtime(ctx, build_jobs(ctx))
    finally:
        for connector in connectors.values():
            connector.close()
        state.close()


def run_once(runtime: Runtime, names: list[str]) -> int:
    """Run the named jobs (all when empty) once, in order; return the worst exit code."""
    known = {spec.id: spec for spec in runtime.jobs}
    unknown = [n for n in names if n not in known]
    if unknown:
        listing = ", ".join(known) or "none (no connector is configured)"
        raise ConfigError(f"unknown job(s): {', '.join(unknown)}", problems=[f"known jobs: {listing}"])
    selected = [known[n] for n in names] if names else runtime.jobs
    if not selected:
        click.echo("syncd: no jobs to run (no connector is configured)", err=True)
    worst = Outcome.OK
    for spec in selected:
        outcome = run_job(runtime.ctx, spec)
        if outcome != Outcome.OK:
            click.echo(f"syncd: {spec.id}: {_reason(runtime, spec)}", err=True)
        worst = max(worst, outcome, key=_severity)
    return int(worst)


def _reason(runtime: Runtime, spec: JobSpec) -> str:
    if spec.connector and spec.connector in runtime.ctx.disabled:
        return runtime.ctx.disabled[spec.connector]
    last = runtime.ctx.state.last_runs(spec.id, 1)
    return (last[0].error if last and last[0].error else "failed")


def _severity(outcome: Outcome) -> int:
    return {Outcome.OK: 0, Outcome.FAILED: 1, Outcome.UNREACHABLE: 2, Outcome.AUTH_REJECTED: 3}[outcome]


def health_report(settings: Settings) -> tuple[bool, list[str]]:
    """Healthy when some job finished ok within [health] max_silence and the latest run of no job failed."""
    if not settings.state.path.exists():
        return False, [f"unhealthy: no state file at {settings.state.path} (has the daemon run?)"]
    # A health probe must not mark the running daemon's runs as interrupted.
    state = SqliteStateStore(settings.state.path, recover_interrupted=False)
    try:
        runs = state.last_runs(None, 200)
    finally:
        state.close()
    latest: dict[str, Run] = {}
    for run in runs:
        latest.setdefault(run.job, run)
    now = SystemClock().now()
    fresh = [r for r in latest.values() if r.status == "ok" and r.finished_at
             and now - r.finished_at <= settings.health.max_silence]
    failing = [r for r in latest.values() if r.status == "failed"]
    lines = [f"{r.job}: {r.status} at {r.finished_at or r.started_at}" for r in latest.values()]
    if not fresh:
        window = settings.health.max_silence
        lines.insert(0, f"unhealthy: no job finished successfully in the last {format_duration(window)}")
        return False, lines
    if failing:
        lines.insert(0, "unhealthy: failing jobs: " + ", ".join(r.job for r in failing))
        return False, lines
    lines.insert(0, "healthy")
    return True, lines
