"""`/v2/activities` derived from patch installs: newest first, id-bounded paging."""

from __future__ import annotations

from .support import get
from .world_data import DELETED_DEVICE, ORG_A, PATCH_COUNT, device_org


def live_patch_ids(world) -> list[int]:
    """Patch-row ids of live devices, newest (highest) first."""
    rows = world.query("SELECT p.id FROM patch_installs p JOIN ninja_devices d ON d.id = p.device_id "
                       "WHERE d.deleted = 0 ORDER BY p.id DESC")
    return [r["id"] for r in rows]


def test_activities_newest_first_with_last_activity_id(sim, world, token) -> None:
    body = get(sim, token, "/v2/activities").body
    assert body["lastActivityId"] == PATCH_COUNT
    assert [a["id"] for a in body["activities"]] == live_patch_ids(world)[:200]
    assert all(a["deviceId"] != DELETED_DEVICE for a in body["activities"])
    first = body["activities"][0]
    assert first["activityType"] in ("PATCH_MANAGEMENT", "SOFTWARE_PATCH_MANAGEMENT")
    assert first["statusCode"].startswith(first["activityType"])


def test_paging_down_with_older_than_collects_everything(sim, world, token) -> None:
    ids: list[int] = []
    query: dict[str, int] = {"pageSize": 25}
    while True:
        page = get(sim, token, "/v2/activities", **query).body["activities"]
        ids.extend(a["id"] for a in page)
        if len(page) < 25:
            break
        query["olderThan"] = page[-1]["id"]
    assert ids == live_patch_ids(world)


def test_newer_than_window(sim, world, token) -> None:
    body = get(sim, token, "/v2/activities", newerThan=280, pageSize=10).body
    assert [a["id"] for a in body["activities"]] == [i for i in live_patch_ids(world) if i > 280][:10]
    rest = get(sim, token, "/v2/activities", newerThan=280, olderThan=body["activities"][-1]["id"]).body
    assert [a["id"] for a in body["activities"] + rest["activities"]] == \
        [i for i in live_patch_ids(world) if i > 280]


def test_activity_filters(sim, world, token) -> None:
    failed = get(sim, token, "/v2/activities", type="PATCH_MANAGEMENT",
                 status="PATCH_MANAGEMENT_INSTALL_FAILED", pageSize=1000).body["activities"]
    truth = world.query("SELECT p.id FROM patch_installs p JOIN ninja_devices d ON d.id = p.device_id "
                        "WHERE d.deleted = 0 AND p.kind = 'OS' AND p.status = 'FAILED' ORDER BY p.id DESC")
    assert [a["id"] for a in failed] == [r["id"] for r in truth]
    in_org = get(sim, token, "/v2/activities", df=f"org = {ORG_A}", pageSize=1000).body["activities"]
    assert in_org
    assert all(device_org(a["deviceId"]) == ORG_A for a in in_org)
    assert get(sim, token, "/v2/activities", **{"class": "SYSTEM"}).body["activities"] == []
    assert get(sim, token, "/v2/activities", seriesUid="00000000-0000-4000-8000-000000000001").body[
        "activities"] == []
    assert get(sim, token, "/v2/activities", pageSize=5).status == 400
