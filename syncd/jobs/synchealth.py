"""Sync health: which sources are late or locked out, as findings a coordinator can act on.

A source (one poll stream, e.g. `connectwise.tickets`) is late when it has not polled
successfully for `intervals` times its poll interval; a connector whose credentials were rejected
is locked out until syncd restarts with new ones. Both raise findings of rule `sync-health`
(label category=sync_health, so they reach the sync-health digest) and resolve once the source
polls successfully again. The same per-source view feeds `/readyz` and the stream lag metrics.

Times come from the run history, so the state store must stamp runs with the job context's
clock (`SqliteStateStore(..., now=clock.now)`), as the daemon and the sandbox tests do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from pydantic import SecretStr

from syncd.digests.layouts import humanize
from syncd.jobs.context import JobContext
from syncd.state import Finding

log = structlog.get_logger(__name__)

RULE_ID = "sync-health"
CATEGORY = "sync_health"
# How far back the run history is read to find when a never-successful source was first tried.
FIRST_ATTEMPT_WINDOW = 50
VENDOR_NAMES = {"connectwise": "ConnectWise", "ninjaone": "NinjaOne", "hudu": "Hudu"}


@dataclass(frozen=True)
class SourceHealth:
    """One source's polling as the run history tells it, at `now`."""

    connector: str
    source: str
    interval: timedelta
    allowed_lag: timedelta
    now: datetime
    last_success: datetime | None
    first_attempt: datetime | None   # oldest run seen; the lag reference before any success
    last_error: str | None           # the latest run's error, when that run did not finish ok

    @property
    def lag(self) -> timedelta | None:
        """Time since the last successful poll, None before the first one."""
        return None if self.last_success is None else self.now - self.last_success

    @property
    def ready(self) -> bool:
        """Polled successfully within the allowed lag."""
        lag = self.lag
        return lag is not None and lag <= self.allowed_lag

    @property
    def late(self) -> bool:
        """Failing for longer than the allowed lag (a source never tried yet is not late)."""
        since = self.last_success or self.first_attempt
        return since is not None and self.now - since > self.allowed_lag


@dataclass(frozen=True)
class SyncHealthResult:
    """What one sync-health pass found."""

    sources: int
    late: int
    locked_out: int
    open: int
    resolved: int


def source_health(ctx: JobContext, *, intervals: int) -> list[SourceHealth]:
    """Every poll stream of every configured connector, with its last success and lag."""
    now = ctx.clock.now()
    found: list[SourceHealth] = []
    for kind, connector in ctx.connectors.items():
        for stream in connector.streams():
            job = f"poll:{stream.source}"
            recent = ctx.state.last_runs(job, FIRST_ATTEMPT_WINDOW)
            # Every scrape and /readyz comes here: ask the store again only when the window is full and
            # holds no success (a shorter window is the whole history).
            success = next((run for run in recent if run.status == "ok"), None)
            if success is None and len(recent) == FIRST_ATTEMPT_WINDOW:
                success = ctx.state.last_success(job)
            latest = recent[0] if recent else None
            error = latest.error or latest.status if latest is not None and latest.status != "ok" else None
            found.append(SourceHealth(
                connector=kind, source=stream.source, interval=stream.poll_interval,
                allowed_lag=stream.poll_interval * intervals, now=now,
                last_success=success.finished_at if success is not None else None,
                first_attempt=recent[-1].started_at if recent else None,
                last_error=error,
            ))
    return found


def check_sync_health(ctx: JobContext, *, intervals: int) -> SyncHealthResult:
    """Raise or refresh the sync-health findings of this pass and resolve the ones that recovered."""
    now = ctx.clock.now()
    sources = source_health(ctx, intervals=intervals)
    previous = {f.subject: f for f in ctx.state.open_findings(RULE_ID)}
    raised: list[Finding] = []
    locked: set[str] = set()
    for kind in ctx.connectors:
        own = [s for s in sources if s.connector == kind]
        reason = _locked_out(ctx, kind, own, previous.get(_auth_subject(kind)))
        if reason is not None:
            locked.add(kind)
            raised.append(_raise_auth(ctx, kind, own, reason, now))
    # A locked-out connector's sources are all late; its one critical finding says why.
    raised += [_raise_lag(ctx, s, now) for s in sources if s.late and s.connector not in locked]
    resolved = ctx.state.resolve_findings_not_in(RULE_ID, [f.fingerprint for f in raised], now)
    if resolved:
        log.info("sync_health_recovered", resolved=resolved)
    return SyncHealthResult(sources=len(sources), late=sum(s.late for s in sources), locked_out=len(locked),
                            open=len(raised), resolved=resolved)


def sync_health_job(ctx: JobContext) -> SyncHealthResult:
    """The `sync-health` job: one pass with the `[metrics] late_after_intervals` setting."""
    return check_sync_health(ctx, intervals=ctx.settings.metrics.late_after_intervals)


def _auth_subject(kind: str) -> str:
    return f"{kind}:credentials"


def _locked_out(ctx: JobContext, kind: str, own: list[SourceHealth], open_finding: Finding | None) -> str | None:
    """Why the connector is locked out, or None.

    This process knows from `ctx.disabled`. A finding raised earlier (by a previous `syncd once`,
    or before a restart) stays open until one of the connector's sources polls successfully after
    it was last confirmed: a pass that polled nothing proves nothing.
    """
    if kind in ctx.disabled:
        return ctx.disabled[kind]
    if open_finding is None:
        return None
    if any(s.last_success is not None and s.last_success >= open_finding.last_seen for s in own):
        return None
    return str(open_finding.annotations.get("reason") or "credentials rejected")


def _raise_auth(ctx: JobContext, kind: str, own: list[SourceHealth], reason: str, now: datetime) -> Finding:
    vendor = vendor_name(kind)
    entities = ", ".join(entity_name(s.source) for s in own) or "all sources"
    fix = ", ".join(_secret_variables(ctx, kind)) or "its credentials"
    return ctx.state.upsert_finding(
        rule_id=RULE_ID, subject=_auth_subject(kind), severity="critical", at=now,
        summary=f"{vendor} rejected syncd's credentials: nothing from {vendor} is syncing",
        labels={"category": CATEGORY, "connector": kind, "source": kind},
        annotations={"reason": reason,
                     "detail": f"{reason}. Not syncing: {entities}. Fix {fix} and restart syncd."},
    )


def _raise_lag(ctx: JobContext, source: SourceHealth, now: datetime) -> Finding:
    what = f"{vendor_name(source.connector)} {entity_name(source.source)}"
    since = source.last_success or source.first_attempt or now
    if source.last_success is not None:
        summary = f"{what} have not synced for {humanize(now - since)} (last success {_when(since)})"
    else:
        summary = f"{what} have never synced: polls failing for {humanize(now - since)} (since {_when(since)})"
    detail = (f"Polls every {humanize(source.interval)}; flagged after {humanize(source.allowed_lag)} without "
              f"a successful poll. Last error: {source.last_error or 'none recorded (is the daemon running?)'}")
    annotations = {"detail": detail, "lag_minutes": str(int((now - since).total_seconds() // 60))}
    if source.last_success is not None:
        annotations["last_success"] = source.last_success.isoformat()
    return ctx.state.upsert_finding(
        rule_id=RULE_ID, subject=source.source, severity="warning", at=now, summary=summary,
        labels={"category": CATEGORY, "connector": source.connector, "source": source.source},
        annotations=annotations,
    )


def _secret_variables(ctx: JobContext, kind: str) -> list[str]:
    """The environment variables holding this connector's secrets, e.g. SYNCD_HUDU__API_KEY."""
    section = ctx.settings.connectors().get(kind)
    if section is None:
        return []
    return [f"SYNCD_{kind.upper()}__{name.upper()}" for name, field in type(section).model_fields.items()
            if _is_secret(field.annotation)]


def _is_secret(annotation: object) -> bool:
    return annotation is SecretStr or SecretStr in getattr(annotation, "__args__", ())


def vendor_name(kind: str) -> str:
    """'ConnectWise' for connectwise; an unknown kind as given."""
    return VENDOR_NAMES.get(kind, kind)


def entity_name(source: str) -> str:
    """'patch events' for ninjaone.patch_events."""
    return source.partition(".")[2].replace("_", " ") or source


def _when(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def late_sources(health: Iterable[SourceHealth]) -> list[SourceHealth]:
    """The sources not ready (never polled, or polled longer ago than allowed)."""
    return [s for s in health if not s.ready]
