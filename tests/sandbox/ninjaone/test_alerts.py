"""Active alerts, account-wide and per device."""

from __future__ import annotations

from .support import get
from .world_data import DELETED_DEVICE, ORG_B


def test_alerts_are_active_ones_of_live_devices(sim, token, faults) -> None:
    resp = get(sim, token, "/v2/alerts")
    assert resp.status == 200
    assert [(a["deviceId"], a["sourceType"]) for a in resp.body] == [
        (2, "AGENT_OFFLINE"), (3, "CONDITION_AGENT_CPU"), (4, "CONDITION_AGENT_DISK_FREE_SPACE"),
        (8, "CONDITION_AGENT_PATCH_LAST_INSTALLED")]
    assert all(a["deviceId"] != DELETED_DEVICE for a in resp.body)
    first = resp.body[0]
    assert set(first) >= {"uid", "deviceId", "message", "subject", "createTime", "updateTime", "sourceType",
                          "severity", "priority"}
    assert isinstance(first["createTime"], float)
    assert faults.pages[-1] == ("alerts", [a["uid"] for a in resp.body], True)


def test_alert_filters(sim, token) -> None:
    offline = get(sim, token, "/v2/alerts", sourceType="AGENT_OFFLINE").body
    assert [a["deviceId"] for a in offline] == [2]
    in_org_b = get(sim, token, "/v2/alerts", df=f"org = {ORG_B}", lang="en", tz="UTC").body
    assert [a["deviceId"] for a in in_org_b] == [2, 4, 8]
    assert get(sim, token, "/v2/alerts", df="org is 2").status == 400


def test_device_alerts(sim, token) -> None:
    resp = get(sim, token, "/v2/device/3/alerts")
    assert resp.status == 200
    assert [a["sourceType"] for a in resp.body] == ["CONDITION_AGENT_CPU"]     # the resolved one is gone
    assert get(sim, token, "/v2/device/1/alerts").body == []
    assert get(sim, token, f"/v2/device/{DELETED_DEVICE}/alerts").status == 404
