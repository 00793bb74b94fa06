"""Sync-health findings: late sources and rejected credentials are raised, routed and resolved."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from syncd.clock import FixedClock
from syncd.connectors.base import Stream
from syncd.digests.preview import preview_digests
from syncd.digests.render import render_text
from syncd.errors import RetryableApiError
from syncd.jobs import JobSpec, run_job
from syncd.jobs.context import JobContext
from syncd.jobs.poll import poll_stream
from syncd.jobs.synchealth import RULE_ID, check_sync_health
from syncd.records import Record
from syncd.runtime import run_once
from syncd.sandbox import Sandbox
from syncd.settings import Settings
from syncd.state import Finding, SqliteStateStore
from tests.test_metrics import poll_ids, sandbox, sandbox_runtime, sandbox_settings  # noqa: F401 - fixture

T0 = datetime(2026, 11, 17, 15, 0, tzinfo=UTC)
SOURCE = "connectwise.tickets"


class FlakyConnector:
    """A stand-in ConnectWise with one ticket stream that fails while `failing` is set."""

    kind = "connectwise"

    def __init__(self) -> None:
        self.failing = False

    def _fetch(self, since: datetime | None) -> Iterable[Record]:
        if self.failing:
            raise RetryableApiError("connectwise: GET /service/tickets -> 503 Service Unavailable", status=503)
        return [Record(SOURCE, "1", T0 - timedelta(hours=1), {"summary": "printer"})]

    def streams(self) -> list[Stream]:
        """One stream, polled every 5 minutes."""
        return [Stream(SOURCE, self._fetch, timedelta(minutes=5))]

    def writer(self) -> None:
        """No writes."""

    def close(self) -> None:
        """Nothing to release."""


@pytest.fixture
def flaky(tmp_path: Path) -> Iterator[tuple[JobContext, FlakyConnector, FixedClock]]:
    clock = FixedClock(T0)
    state = SqliteStateStore(tmp_path / "state.db", now=clock.now)
    connector = FlakyConnector()
    ctx = JobContext(settings=Settings(), state=state, clock=clock, connectors={"connectwise": connector})
    yield ctx, connector, clock
    state.close()


def poll(ctx: JobContext, connector: FlakyConnector) -> None:
    stream = connector.streams()[0]
    run_job(ctx, JobSpec(f"poll:{SOURCE}", lambda c: poll_stream(c, stream), stream.poll_interval, "connectwise"))


def open_findings(ctx: JobContext) -> list[Finding]:
    return ctx.state.open_findings(RULE_ID)


def test_a_source_failing_for_n_intervals_raises_a_warning_and_recovery_resolves_it(
        flaky: tuple[JobContext, FlakyConnector, FixedClock]) -> None:
    ctx, connector, clock = flaky
    poll(ctx, connector)
    connector.failing = True
    clock.advance(timedelta(minutes=10))
    poll(ctx, connector)
    assert check_sync_health(ctx, intervals=3).open == 0  # two intervals late: not yet

    clock.advance(timedelta(hours=2))
    poll(ctx, connector)
    result = check_sync_health(ctx, intervals=3)
    [finding] = open_findings(ctx)
    assert (result.late, result.open) == (1, 1)
    assert finding.severity == "warning"
    assert finding.summary == "ConnectWise tickets have not synced for 2h 10m (last success 2026-11-17 15:00 UTC)"
    assert dict(finding.labels) == {"category": "sync_health", "connector": "connectwise", "source": SOURCE}
    assert "503 Service Unavailable" in finding.annotations["detail"]

    connector.failing = False
    clock.advance(timedelta(minutes=1))
    poll(ctx, connector)
    assert check_sync_health(ctx, intervals=3).resolved == 1
    assert open_findings(ctx) == []


def test_a_source_that_never_synced_is_flagged_from_its_first_attempt(
        flaky: tuple[JobContext, FlakyConnector, FixedClock]) -> None:
    ctx, connector, clock = flaky
    connector.failing = True
    poll(ctx, connector)
    assert check_sync_health(ctx, intervals=3).open == 0
    clock.advance(timedelta(minutes=16))
    poll(ctx, connector)
    check_sync_health(ctx, intervals=3)
    [finding] = open_findings(ctx)
    assert finding.summary == ("ConnectWise tickets have never synced: polls failing for 16 min "
                               "(since 2026-11-17 15:00 UTC)")


def test_the_sync_health_digest_shows_the_finding(flaky: tuple[JobContext, FlakyConnector, FixedClock]) -> None:
    ctx, connector, clock = flaky
    poll(ctx, connector)
    clock.advance(timedelta(hours=1))
    check_sync_health(ctx, intervals=3)
    [digest] = preview_digests(ctx.settings.digests, ctx.state, ctx.state, "sync_health", clock.now())
    text = render_text(digest)
    assert "ConnectWise tickets have not synced for 1h 00m" in text
    assert "Polls every 5 min; flagged after 15 min" in text


def test_rejected_credentials_raise_a_critical_finding_until_a_poll_succeeds(
        sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811 - fixture
    wrong = sandbox_settings(sandbox, tmp_path, secrets={"SYNCD_CONNECTWISE__PRIVATE_KEY": "not-the-key"})
    with sandbox_runtime(wrong, sandbox, monkeypatch) as rt:
        run_once(rt, poll_ids(rt))
        assert "connectwise" in rt.ctx.disabled
        check_sync_health(rt.ctx, intervals=3)
        sandbox.clock.advance(3600)  # an hour later its sources are long late: still one finding, the cause
        run_once(rt, poll_ids(rt))   # the other connectors keep polling
        check_sync_health(rt.ctx, intervals=3)
        [finding] = open_findings(rt.ctx)
    assert finding.severity == "critical"
    assert finding.summary == "ConnectWise rejected syncd's credentials: nothing from ConnectWise is syncing"
    assert dict(finding.labels) == {"category": "sync_health", "connector": "connectwise", "source": "connectwise"}
    assert "Fix SYNCD_CONNECTWISE__PRIVATE_KEY and restart syncd" in finding.annotations["detail"]
    assert "401" in finding.annotations["detail"]

    fixed = sandbox_settings(sandbox, tmp_path)
    with sandbox_runtime(fixed, sandbox, monkeypatch) as rt:
        check_sync_health(rt.ctx, intervals=3)
        assert len(open_findings(rt.ctx)) == 1  # restarted, but nothing polled yet: not recovered
        run_once(rt, poll_ids(rt))
        assert check_sync_health(rt.ctx, intervals=3).resolved == 1
        assert open_findings(rt.ctx) == []
