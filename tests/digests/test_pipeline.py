"""The notify pipeline with a fixed clock: group_wait, repeat, resolved once, silences, inhibition,
windows, schedules, retry and the digest log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from syncd.clock import FixedClock
from syncd.digests.channels.base import Delivery
from syncd.digests.pipeline import DigestPipeline
from syncd.digests.settings import DigestSettings
from syncd.digests.silences import create_silence
from syncd.state import SqliteStateStore
from tests.digests.conftest import FakeNotifier, raise_finding, settings_dict


def pipeline(state: SqliteStateStore, silences: SqliteStateStore, clock: FixedClock, data: dict[str, Any],
             **notifiers: FakeNotifier) -> DigestPipeline:
    settings = DigestSettings.model_validate(data)
    fakes = notifiers or {"desk": FakeNotifier()}
    return DigestPipeline(settings, state, silences, clock, {(name, "webhook"): n for name, n in fakes.items()})


def sla(state: SqliteStateStore, clock: FixedClock, ticket: str, *, priority: str = "P3", company: str = "Acme",
        state_: str = "at_risk", minutes: int = 30) -> None:
    due = (clock.now() + timedelta(minutes=minutes)).isoformat()
    raise_finding(state, clock, f"sla-resolve-{state_.replace('_', '-')}", ticket,
                  labels={"category": "sla", "priority": priority, "company": company},
                  annotations={"state": state_, "clock": "resolve", "due": due, "remaining_minutes": str(minutes)})


def test_group_wait_then_send_then_quiet_then_repeat(state, silences, clock) -> None:
    # Arrange
    desk = FakeNotifier()
    pipe = pipeline(state, silences, clock, settings_dict(), desk=desk)
    raise_finding(state, clock, "closed-without-time-entry", "100")
    # Act / Assert: inside group_wait nothing goes out
    assert pipe.run_pass().waiting == 1
    assert desk.sent == []
    clock.advance(31)
    assert pipe.run_pass().sent == 1
    assert [f.subject for f in desk.sent[0].findings] == ["connectwise.tickets:100"]
    # unchanged within repeat_interval: quiet
    clock.advance(timedelta(hours=1))
    assert pipe.run_pass().quiet == 1
    assert len(desk.sent) == 1
    # after repeat_interval the same set is sent again
    clock.advance(timedelta(hours=3, minutes=1))
    assert pipe.run_pass().sent == 1
    assert len(desk.sent) == 2


def test_a_change_waits_for_group_interval(state, silences, clock) -> None:
    desk = FakeNotifier()
    pipe = pipeline(state, silences, clock, settings_dict(), desk=desk)
    raise_finding(state, clock, "closed-without-time-entry", "100")
    clock.advance(31)
    pipe.run_pass()
    raise_finding(state, clock, "closed-without-time-entry", "101")
    clock.advance(60)
    assert pipe.run_pass().waiting == 1
    clock.advance(timedelta(minutes=4))
    assert pipe.run_pass().sent == 1
    assert len(desk.sent[-1].findings) == 2


def test_resolved_findings_are_reported_once(state, silences, clock) -> None:
    desk = FakeNotifier()
    pipe = pipeline(state, silences, clock, settings_dict(), desk=desk)
    raise_finding(state, clock, "closed-without-time-entry", "100")
    clock.advance(31)
    pipe.run_pass()
    clock.advance(timedelta(minutes=10))
    state.resolve_findings_not_in("closed-without-time-entry", [], clock.now())
    # Act
    first = pipe.run_pass()
    clock.advance(timedelta(minutes=10))
    second = pipe.run_pass()
    clock.advance(timedelta(hours=5))
    third = pipe.run_pass()
    # Assert
    assert first.sent == 1
    assert second.sent == 0
    assert third.sent == 0
    assert [f.status for f in desk.sent[-1].resolved] == ["resolved"]
    assert "Resolved since the last digest" in [s.title for s in desk.sent[-1].sections]


def test_a_never_notified_resolution_is_not_reported(state, silences, clock) -> None:
    desk = FakeNotifier()
    pipe = pipeline(state, silences, clock, settings_dict(), desk=desk)
    raise_finding(state, clock, "closed-without-time-entry", "100")
    state.resolve_findings_not_in("closed-without-time-entry", [], clock.now())
    clock.advance(60)
    assert pipe.run_pass().sent == 0
    assert desk.sent == []


def test_p1_at_risk_goes_out_on_the_pass_that_raised_it(state, silences, clock) -> None:
    # Arrange
    data = settings_dict()
    data["route"]["routes"] = [
        {"matchers": ["category=sla", "priority=P1", "state=at_risk"], "receiver": "oncall", "digest": "sla",
         "group_wait": "0s", "group_interval": "0s", "repeat_interval": "1h", "group_by": ["company"]},
        {"matchers": ["category=sla"], "digest": "sla"},
    ]
    desk, oncall = FakeNotifier(), FakeNotifier()
    pipe = pipeline(state, silences, clock, data, desk=desk, oncall=oncall)
    sla(state, clock, "7", priority="P1")
    sla(state, clock, "8", priority="P3")
    # Act
    report = pipe.run_pass()
    # Assert
    assert report.sent == 1
    assert report.waiting == 1
    assert oncall.sent[0].kind == "sla"
    assert oncall.sent[0].title == "SLA at risk and breached · Acme"
    assert desk.sent == []


def test_sla_digest_is_most_urgent_first_with_time_left_or_overdue(state, silences, clock) -> None:
    data = settings_dict()
    data["route"]["routes"] = [{"matchers": ["category=sla"], "digest": "sla", "group_wait": "0s"}]
    desk = FakeNotifier()
    pipe = pipeline(state, silences, clock, data, desk=desk)
    sla(state, clock, "1", minutes=90)
    sla(state, clock, "2", minutes=15)
    sla(state, clock, "3", minutes=-65, state_="breached")
    sla(state, clock, "4", minutes=-5, state_="breached")
    pipe.run_pass()
    digest = desk.sent[0]
    assert digest.headline == "2 breached, 2 at risk"
    assert [(s.title, [r.badge for r in s.rows]) for s in digest.sections] == [
        ("Breached", ["overdue by 1h 05m", "overdue by 5 min"]),
        ("At risk", ["15 min left", "1h 30m left"]),
    ]


def test_silence_mutes_until_it_expires(state, silences, clock) -> None:
    desk = FakeNotifier()
    pipe = pipeline(state, silences, clock, settings_dict(), desk=desk)
    made = create_silence(silences, matchers=["company=Acme"], duration=timedelta(hours=4), author="kim",
                          reason="onsite migration", now=clock.now())
    raise_finding(state, clock, "closed-without-time-entry", "100")
    raise_finding(state, clock, "closed-without-time-entry", "200", labels={"company": "Globex"})
    clock.advance(60)
    report = pipe.run_pass()
    assert report.silenced == 1
    assert [f.labels["company"] for f in desk.sent[0].findings] == ["Globex"]
    # expiry: after ends_at the Acme finding changes the group and goes out
    clock.advance(timedelta(hours=4))
    pipe.run_pass()
    assert {f.labels["company"] for f in desk.sent[-1].findings} == {"Acme", "Globex"}
    assert silences.silences(active_at=clock.now()) == []
    assert made.author == "kim"


def test_expire_ends_a_silence_early(state, silences, clock) -> None:
    made = create_silence(silences, matchers=["company=Acme"], duration=timedelta(hours=4), author="kim",
                          reason="x", now=clock.now())
    clock.advance(60)
    ended = silences.expire_silence(made.id, clock.now())
    assert ended is not None
    assert ended.ends_at == clock.now()
    assert silences.silences(active_at=clock.now()) == []


def test_client_outage_inhibits_that_clients_sla_warnings(state, silences, clock) -> None:
    data = settings_dict(inhibit_rules=[
        {"source_matchers": ["category=incident"], "target_matchers": ["category=sla", "severity=warning"],
         "equal": ["company"]},
        {"source_matchers": ["priority=P1"], "target_matchers": ["category=sla", "priority!=P1"],
         "equal": ["company"]},
    ])
    data["route"]["group_wait"] = "0s"
    desk = FakeNotifier()
    pipe = pipeline(state, silences, clock, data, desk=desk)
    raise_finding(state, clock, "client-outage", "500", labels={"category": "incident"}, severity="critical")
    sla(state, clock, "1", company="Acme")
    sla(state, clock, "2", company="Globex")
    sla(state, clock, "3", company="Initech", priority="P1")
    sla(state, clock, "4", company="Initech")
    report = pipe.run_pass()
    sent = {f.annotations["ticket_number"] for d in desk.sent for f in d.findings}
    assert report.inhibited == 2
    assert sent == {"500", "2", "3"}  # the P1 is never muted by itself


def test_business_hours_window_holds_until_it_opens(state, silences, clock) -> None:
    data = settings_dict(windows={"business": {"days": ["mon-fri"], "start": "08:00", "end": "18:00",
                                               "timezone": "America/New_York"}})
    data["receivers"]["desk"]["active_windows"] = ["business"]
    desk = FakeNotifier()
    pipe = pipeline(state, silences, clock, data, desk=desk)
    raise_finding(state, clock, "closed-without-time-entry", "100")
    clock.advance(60)  # 09:01 UTC = 04:01 in New York
    assert pipe.run_pass().held == 1
    assert desk.sent == []
    clock.advance(timedelta(hours=4))  # 08:01 in New York
    assert pipe.run_pass().sent == 1


def test_scheduled_digest_goes_out_once_per_slot(state, silences, clock) -> None:
    data = settings_dict(digests={"hygiene": {"kind": "hygiene", "title": "Hygiene",
                                              "schedule": {"at": ["07:30"], "days": ["mon-fri"]}}})
    data["route"]["digest"] = "hygiene"
    data["route"]["repeat_interval"] = "1h"
    desk = FakeNotifier()
    pipe = pipeline(state, silences, clock, data, desk=desk)
    raise_finding(state, clock, "closed-without-time-entry", "100")
    assert pipe.run_pass().sent == 1  # Monday 07:30 passed 90 min ago and nothing went out since
    raise_finding(state, clock, "closed-without-resolution-code", "101")
    clock.advance(timedelta(hours=2))
    assert pipe.run_pass().waiting == 1  # changed, but the next slot is Tuesday 07:30
    clock.advance(timedelta(hours=21))  # Tuesday 08:00
    assert pipe.run_pass().sent == 1
    assert len(desk.sent) == 2


def test_failed_delivery_stays_pending_is_logged_and_sent_once_later(state, silences, clock) -> None:
    # Arrange
    desk = FakeNotifier(script=[Delivery(False, True, "HTTP 500", attempts=3)])
    pipe = pipeline(state, silences, clock, settings_dict(), desk=desk)
    raise_finding(state, clock, "closed-without-time-entry", "100")
    clock.advance(31)
    # Act
    first = pipe.run_pass()
    failed = state.last_digest("findings", "desk:webhook", '0:{category="hygiene"}', include_failed=True)
    clock.advance(60)
    second = pipe.run_pass()
    clock.advance(60)
    third = pipe.run_pass()
    # Assert
    assert first.failed == 1
    assert failed is not None
    assert failed.status == "failed"
    assert failed.attempts == 3
    assert state.get_finding(desk_fp(state)).last_notified_at is not None
    assert second.sent == 1
    assert third.quiet == 1
    assert len(desk.sent) == 1


def desk_fp(state: SqliteStateStore) -> str:
    return state.open_findings()[0].fingerprint


def test_notifier_crash_is_a_failed_delivery(state, silences, clock) -> None:
    class Boom(FakeNotifier):
        def send(self, digest):  # type: ignore[no-untyped-def]
            raise RuntimeError("template bug")

    pipe = pipeline(state, silences, clock, settings_dict(), desk=Boom())
    raise_finding(state, clock, "closed-without-time-entry", "100")
    clock.advance(31)
    report = pipe.run_pass()
    assert report.failed == 1
    assert "template bug" in report.errors[0]
    assert state.open_findings()[0].last_notified_at is None


def test_monthly_review_counts_recurring_issues_per_client(state, silences, clock) -> None:
    data = settings_dict()
    data["route"]["routes"] = [{"matchers": ["company=~.+"], "digest": "review", "group_by": [],
                                "continue": True}]
    desk = FakeNotifier()
    clock_start = clock.now()
    for n in range(3):
        raise_finding(state, clock, "reopened-after-close", f"3{n}")
    raise_finding(state, clock, "closed-without-time-entry", "40", labels={"company": "Globex"})
    state.resolve_findings_not_in("reopened-after-close", [], clock.now())
    clock.advance(timedelta(days=28) - (clock.now() - clock_start))  # Monday Mar 30, 09:00
    pipe = pipeline(state, silences, clock, data, desk=desk)
    assert pipe.run_pass().waiting == 1  # March 1st is too long ago to catch up; wait for April 1st
    clock.advance(timedelta(days=2))  # April 1st, 09:00: the 08:00 slot has passed
    pipe.run_pass()
    review = next(d for d in desk.sent if d.kind == "review")
    acme = review.sections[0]
    assert acme.title == "Acme: 3 findings"
    assert acme.rows[0].title == "Reopened after close: 3 times"
    assert acme.rows[0].bullets == ("tickets #30, #31, #32",)
    assert review.sections[1].title == "Globex: 1 finding, 1 one-off"
    assert datetime(2026, 4, 1, 8, tzinfo=UTC) <= clock.now()
    reopened = state.resolved_findings(clock.now() - timedelta(days=60))
    assert all(f.last_notified_at is None for f in reopened)  # the review marks nothing notified


def test_build_pipeline_wires_notifiers_and_disabled_does_nothing(state, silences, clock) -> None:
    from syncd.digests.pipeline import build_pipeline

    data = settings_dict()
    pipe = build_pipeline(DigestSettings.model_validate(data), state, clock)
    assert sorted(pipe.notifiers) == [("desk", "webhook"), ("oncall", "webhook")]
    off = pipeline(state, silences, clock, {**data, "enabled": False})
    raise_finding(state, clock, "closed-without-time-entry", "100")
    clock.advance(60)
    assert off.run_pass() == type(off.run_pass())()
