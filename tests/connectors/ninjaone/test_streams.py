"""Streams over a mocked NinjaOne: bookmarks become installedAfter, vanished alerts are resolved."""

from __future__ import annotations

from datetime import timedelta

import responses
from responses import matchers

from syncd.clock import FixedClock, to_iso
from syncd.connectors.ninjaone import NinjaOneConnector
from syncd.connectors.ninjaone.streams import ALERTS, PATCH_EVENTS
from syncd.jobs.context import JobContext
from syncd.jobs.poll import poll_stream, reconcile_stream
from syncd.settings import HttpSettings, Settings
from syncd.state import SqliteStateStore

from .conftest import BASE, NOW, no_sleep, settings, token_reply

ALERTS_URL = f"{BASE}/v2/alerts"
T_S = NOW.timestamp()


def stream(connector: NinjaOneConnector, source: str):
    """The connector's stream named `source`."""
    return next(s for s in connector.streams() if s.source == source)


def alert(uid: str, minutes_ago: int = 10) -> dict[str, object]:
    """An active alert row."""
    at = T_S - minutes_ago * 60
    return {"uid": uid, "deviceId": 1, "message": f"alert {uid}", "createTime": at, "updateTime": at}


def test_stream_names_and_cadence(connector: NinjaOneConnector) -> None:
    streams = {s.source: s for s in connector.streams()}
    assert set(streams) == {"ninjaone.companies", "ninjaone.devices", PATCH_EVENTS, ALERTS}
    assert streams[PATCH_EVENTS].incremental
    assert not streams["ninjaone.devices"].incremental
    assert streams[PATCH_EVENTS].overlap == timedelta(minutes=2) + timedelta(hours=1)
    assert streams["ninjaone.devices"].poll_interval == timedelta(minutes=15)
    assert streams["ninjaone.devices"].list_keys is not None


def test_patch_poll_sends_bookmark_minus_overlap_as_epoch_seconds(
        http: responses.RequestsMock, state: SqliteStateStore) -> None:
    # Arrange: a bookmark exists; idle poll = one request per report
    state.set_bookmark(PATCH_EVENTS, to_iso(NOW), read_started_at=NOW)
    after = int(T_S) - 120 - 3600
    token_reply(http)
    for path in ("os-patch-installs", "software-patch-installs"):
        http.get(f"{BASE}/v2/queries/{path}", json={"cursor": {"name": "c", "offset": 0, "count": 0}, "results": []},
                 match=[matchers.query_param_matcher({"installedAfter": str(after), "pageSize": "2"})])
    made = NinjaOneConnector(settings(), HttpSettings(), state, clock=FixedClock(NOW), sleep=no_sleep)
    ctx = JobContext(settings=Settings(), state=state, clock=FixedClock(NOW))
    # Act
    result = poll_stream(ctx, stream(made, PATCH_EVENTS))
    # Assert
    assert result.records == 0
    assert len(http.calls) == 3


def test_first_patch_poll_uses_initial_lookback(http: responses.RequestsMock, state: SqliteStateStore) -> None:
    # Arrange
    after = int(T_S) - 30 * 86400
    token_reply(http)
    for path in ("os-patch-installs", "software-patch-installs"):
        http.get(f"{BASE}/v2/queries/{path}", json={"results": []},
                 match=[matchers.query_param_matcher({"installedAfter": str(after), "pageSize": "2"})])
    made = NinjaOneConnector(settings(patch_initial_lookback="30d"), HttpSettings(), state,
                             clock=FixedClock(NOW), sleep=no_sleep)
    # Act / Assert
    assert list(stream(made, PATCH_EVENTS).fetch(None)) == []


def test_vanished_alert_is_resolved_then_reconciled_deleted(
        http: responses.RequestsMock, connector: NinjaOneConnector, state: SqliteStateStore) -> None:
    # Arrange
    token_reply(http)
    http.get(ALERTS_URL, json=[alert("a"), alert("b")])
    http.get(ALERTS_URL, json=[alert("b")])
    http.get(ALERTS_URL, json=[alert("b")])
    http.get(ALERTS_URL, json=[alert("b")])
    ctx = JobContext(settings=Settings(), state=state, clock=FixedClock(NOW))
    alerts = stream(connector, ALERTS)
    # Act
    poll_stream(ctx, alerts)
    poll_stream(ctx, alerts)
    after_resolution = state.get_record(ALERTS, "a")
    again = poll_stream(ctx, alerts)
    gone = reconcile_stream(ctx, alerts)
    # Assert
    assert after_resolution is not None
    assert after_resolution.fields["resolved"] == to_iso(NOW)
    assert after_resolution.fields["message"] == "alert a"
    assert state.get_record(ALERTS, "b").fields["resolved"] is None  # type: ignore[union-attr]
    assert again.records == 1               # a resolved alert is not re-emitted every poll
    assert gone == 1
    assert state.get_record(ALERTS, "a").is_deleted


def test_bad_row_is_skipped_not_fatal(http: responses.RequestsMock, connector: NinjaOneConnector) -> None:
    # Arrange: one alert lacks its creation time
    token_reply(http)
    broken = {"uid": "x", "message": "no time"}
    http.get(ALERTS_URL, json=[broken, alert("b")])
    # Act
    records = list(stream(connector, ALERTS).fetch(None))
    # Assert
    assert [r.key for r in records] == ["b"]


def test_check_and_read_only(http: responses.RequestsMock, connector: NinjaOneConnector) -> None:
    token_reply(http)
    http.get(f"{BASE}/v2/organizations", json=[{"id": 1, "name": "A"}])
    connector.check()
    assert connector.writer() is None
    assert connector.kind == "ninjaone"
