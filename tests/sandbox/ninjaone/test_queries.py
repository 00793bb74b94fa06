"""`/v2/queries/*` cursor paging, patch-install filters and the per-device bare arrays."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from syncd.sandbox.ninjaone import NinjaOneSimulator
from syncd.sandbox.ninjaone.cursors import CURSOR_TTL_S

from .support import get
from .world_data import DELETED_DEVICE, ORG_A, device_org

OS_PATH = "/v2/queries/os-patch-installs"
SW_PATH = "/v2/queries/software-patch-installs"


def epoch(iso: str) -> float:
    """World ISO → epoch seconds."""
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def expected(world, kind: str, where: str = "1 = 1", params: tuple[Any, ...] = ()) -> list[tuple]:
    """Ground truth straight from the world: (deviceId, installedAt, status, name) in scan order."""
    rows = world.query(
        "SELECT p.* FROM patch_installs p JOIN ninja_devices d ON d.id = p.device_id "  # noqa: S608
        f"WHERE d.deleted = 0 AND p.kind = ? AND {where} ORDER BY p.installed_at, p.id", (kind, *params))
    return [(r["device_id"], epoch(r["installed_at"]), r["status"], r["name"]) for r in rows]


def served(row: dict[str, Any]) -> tuple:
    """The comparable part of a served patch row."""
    return row["deviceId"], row["installedAt"], row["status"], row.get("name", row.get("title"))


def scan(sim: NinjaOneSimulator, token: str, path: str, size: int, **query: Any) -> list[dict[str, Any]]:
    """Follow the cursor until a page with count 0; return every response body."""
    bodies = [get(sim, token, path, pageSize=size, **query).body]
    while bodies[-1]["cursor"]["count"] > 0:
        resp = get(sim, token, path, pageSize=size, cursor=bodies[-1]["cursor"]["name"])
        assert resp.status == 200, resp.body
        bodies.append(resp.body)
        assert len(bodies) < 1000
    return bodies


@pytest.mark.parametrize(("path", "kind"), [(OS_PATH, "OS"), (SW_PATH, "SOFTWARE")])
@pytest.mark.parametrize("size", [1, 7, 50, 1000])
def test_cursor_scan_collects_exactly_all_rows(sim, world, token, *, faults, path, kind, size) -> None:
    bodies = scan(sim, token, path, size)
    rows = [r for b in bodies for r in b["results"]]
    truth = expected(world, kind)
    assert [served(r) for r in rows] == truth
    assert all(r["deviceId"] != DELETED_DEVICE for r in rows)
    # One cursor name for the whole scan; offsets advance by count; the last page is empty.
    names = {b["cursor"]["name"] for b in bodies}
    assert len(names) == 1
    offsets = [b["cursor"]["offset"] for b in bodies]
    counts = [b["cursor"]["count"] for b in bodies]
    assert counts == [len(b["results"]) for b in bodies]
    assert offsets == [sum(counts[:i]) for i in range(len(counts))]
    assert counts[-1] == 0
    assert bodies[-1]["results"] == []
    assert all(isinstance(b["cursor"]["expires"], float) for b in bodies)
    pages = [p for p in faults.pages if p[0] == "patch_installs"]
    assert sum(len(ids) for _t, ids, _l in pages) == len(truth)
    assert pages[-1][2] is True


def test_query_rows_have_ids_deviceid_and_timestamp(sim, token) -> None:
    first = get(sim, token, OS_PATH, pageSize=5).body["results"][0]
    assert set(first) >= {"id", "name", "kbNumber", "severity", "status", "type", "installedAt", "deviceId",
                          "timestamp"}
    assert first["timestamp"] == first["installedAt"] + 300
    software = get(sim, token, SW_PATH, pageSize=5).body["results"][0]
    assert set(software) >= {"id", "productIdentifier", "title", "impact", "status", "type", "installedAt",
                             "deviceId", "timestamp"}


def test_patch_id_is_the_patch_not_the_install(sim, world, token) -> None:
    rows = [r for b in scan(sim, token, OS_PATH, 1000) for r in b["results"]]
    by_kb: dict[str, set[str]] = {}
    for row in rows:
        by_kb.setdefault(row["kbNumber"], set()).add(row["id"])
    assert all(len(ids) == 1 for ids in by_kb.values())
    assert len({r["id"] for r in rows}) < len(rows)


def test_status_filter(sim, world, token) -> None:
    rows = [r for b in scan(sim, token, OS_PATH, 20, status="FAILED") for r in b["results"]]
    truth = expected(world, "OS", "p.status = ?", ("FAILED",))
    assert truth
    assert [served(r) for r in rows] == truth
    assert get(sim, token, OS_PATH, status="PENDING").status == 400


def test_installed_window_is_half_open(sim, world, token) -> None:
    times = sorted({r["installed_at"] for r in world.query(
        "SELECT installed_at FROM patch_installs p JOIN ninja_devices d ON d.id = p.device_id "
        "WHERE p.kind = 'OS' AND d.deleted = 0")})
    after, before = times[40], times[120]
    rows = [r for b in scan(sim, token, OS_PATH, 25, installedAfter=int(epoch(after)),
                            installedBefore=int(epoch(before))) for r in b["results"]]
    truth = expected(world, "OS", "p.installed_at >= ? AND p.installed_at < ?", (after, before))
    assert [served(r) for r in rows] == truth
    # installedAfter is inclusive, installedBefore exclusive.
    assert min(r["installedAt"] for r in rows) == epoch(after)
    assert max(r["installedAt"] for r in rows) == epoch(times[119])


def test_installed_after_accepts_fractional_seconds(sim, world, token) -> None:
    times = sorted({r["installed_at"] for r in world.query("SELECT installed_at FROM patch_installs")})
    boundary = epoch(times[100])
    rows = [r for b in scan(sim, token, OS_PATH, 1000, installedAfter=boundary - 0.5) for r in b["results"]]
    assert min(r["installedAt"] for r in rows) == boundary
    rows = [r for b in scan(sim, token, OS_PATH, 1000, installedAfter=boundary + 0.5) for r in b["results"]]
    assert min(r["installedAt"] for r in rows) > boundary


def test_iso_dates_are_rejected_and_milliseconds_match_nothing(sim, world, token) -> None:
    resp = get(sim, token, OS_PATH, installedAfter="2026-11-01T00:00:00Z")
    assert resp.status == 400
    assert resp.body["resultCode"] == "FAILURE"
    times = sorted(r["installed_at"] for r in world.query("SELECT installed_at FROM patch_installs"))
    millis = int(epoch(times[0]) * 1000)
    assert get(sim, token, OS_PATH, installedAfter=millis).body["results"] == []


def test_device_filter_on_queries(sim, world, token) -> None:
    rows = [r for b in scan(sim, token, SW_PATH, 10, df=f"org = {ORG_A}") for r in b["results"]]
    assert rows
    assert all(device_org(r["deviceId"]) == ORG_A for r in rows)
    truth = expected(world, "SOFTWARE", "d.organization_id = ?", (ORG_A,))
    assert [served(r) for r in rows] == truth
    assert get(sim, token, SW_PATH, df="org ~ 1").status == 400


def test_software_filters(sim, world, token) -> None:
    product = world.query_one("SELECT product_identifier FROM patch_installs WHERE kind = 'SOFTWARE'")[0]
    query = {"type": "PATCH", "impact": "CRITICAL", "productIdentifier": product}
    rows = [r for b in scan(sim, token, SW_PATH, 1000, **query) for r in b["results"]]
    truth = expected(world, "SOFTWARE", "p.patch_type = ? AND p.impact = ? AND p.product_identifier = ?",
                     ("PATCH", "CRITICAL", product))
    assert [served(r) for r in rows] == truth
    assert get(sim, token, SW_PATH, impact="HUGE").status == 400


def test_expired_cursor_is_refused(sim, token, clock) -> None:
    first = get(sim, token, OS_PATH, pageSize=10).body
    assert first["cursor"]["expires"] == clock.now().timestamp() + CURSOR_TTL_S
    clock.advance(CURSOR_TTL_S - 1)
    second = get(sim, token, OS_PATH, pageSize=10, cursor=first["cursor"]["name"])
    assert second.status == 200
    assert second.body["cursor"]["offset"] == 10
    clock.advance(CURSOR_TTL_S)
    resp = get(sim, token, OS_PATH, pageSize=10, cursor=first["cursor"]["name"])
    assert resp.status == 400
    assert resp.body["resultCode"] == "FAILURE"
    assert "expired" in resp.body["errorMessage"]
    assert len(sim.cursors) == 0


def test_unknown_or_foreign_cursor_is_refused(sim, token) -> None:
    assert get(sim, token, OS_PATH, cursor="nope").status == 400
    sw_cursor = get(sim, token, SW_PATH, pageSize=1).body["cursor"]["name"]
    assert get(sim, token, OS_PATH, cursor=sw_cursor).status == 400


def test_cursor_is_a_snapshot(sim, world, token) -> None:
    first = get(sim, token, OS_PATH, pageSize=1000).body
    world.execute(
        "INSERT INTO patch_installs (device_id, kind, name, kb_number, severity, patch_type, status, "
        "installed_at, timestamp) VALUES (1, 'OS', 'late', 'KB1', 'LOW', 'SECURITY_UPDATES', 'INSTALLED', "
        "'2030-01-01T00:00:00Z', '2030-01-01T00:00:00Z')")
    rest = get(sim, token, OS_PATH, cursor=first["cursor"]["name"]).body
    assert rest["results"] == []
    fresh = [r for b in scan(sim, token, OS_PATH, 1000) for r in b["results"]]
    assert fresh[-1]["name"] == "late"


@pytest.mark.parametrize(("kind", "suffix"),
                         [("OS", "os-patch-installs"), ("SOFTWARE", "software-patch-installs")])
def test_per_device_bare_arrays(sim, world, token, *, faults, kind, suffix) -> None:
    device = 3
    resp = get(sim, token, f"/v2/device/{device}/{suffix}")
    assert resp.status == 200
    assert isinstance(resp.body, list)
    truth = [t for t in expected(world, kind) if t[0] == device]
    assert [(device, r["installedAt"], r["status"], r.get("name", r.get("title")))
            for r in resp.body] == truth
    assert all("deviceId" not in r and "timestamp" not in r for r in resp.body)
    assert faults.pages[-1][0] == "patch_installs"
    assert faults.pages[-1][2] is True


def test_per_device_filters_and_missing_devices(sim, world, token) -> None:
    times = sorted(r["installed_at"] for r in world.query("SELECT installed_at FROM patch_installs"))
    cut = int(epoch(times[150]))
    resp = get(sim, token, "/v2/device/5/os-patch-installs", status="INSTALLED", installedAfter=cut)
    truth = [t for t in expected(world, "OS") if t[0] == 5 and t[2] == "INSTALLED" and t[1] >= cut]
    assert [(5, r["installedAt"], r["status"], r["name"]) for r in resp.body] == truth
    assert get(sim, token, f"/v2/device/{DELETED_DEVICE}/os-patch-installs").status == 404
    assert get(sim, token, "/v2/device/4242/software-patch-installs").status == 404


def test_computer_systems_query(sim, token) -> None:
    bodies = scan(sim, token, "/v2/queries/computer-systems", 4, df=f"org = {ORG_A}")
    rows = [r for b in bodies for r in b["results"]]
    assert [r["deviceId"] for r in rows] == [i for i in range(1, 26) if i % 2 and i != DELETED_DEVICE]
    assert rows[0]["serialNumber"] == "SN000001"
    assert rows[0]["biosSerialNumber"] == "BIOS000001"
