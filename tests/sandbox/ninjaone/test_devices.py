"""Organizations and devices: keyset paging, detailed shapes, device filters, deleted devices."""

from __future__ import annotations

from typing import Any

import pytest

from syncd.sandbox.ninjaone import NinjaOneSimulator

from .support import get
from .world_data import DELETED_DEVICE, DEVICE_COUNT, ORG_A, ORG_B, WORLD_NOW, device_class, device_org

LIVE_IDS = [i for i in range(1, DEVICE_COUNT + 1) if i != DELETED_DEVICE]


def page_all(sim: NinjaOneSimulator, token: str, path: str, size: int, **query: Any) -> list[list[dict]]:
    """Follow `after` = last id until a short page; return the pages."""
    pages: list[list[dict]] = []
    after = None
    while True:
        resp = get(sim, token, path, pageSize=size, after=after, **query)
        assert resp.status == 200, resp.body
        pages.append(resp.body)
        if len(resp.body) < size:
            return pages
        after = resp.body[-1]["id"]


@pytest.mark.parametrize("path", ["/v2/devices", "/v2/devices-detailed"])
@pytest.mark.parametrize("size", [1, 4, 8, 24, 100])
def test_devices_keyset_paging_collects_every_live_device(sim, token, faults, path, size) -> None:
    pages = page_all(sim, token, path, size)
    ids = [d["id"] for page in pages for d in page]
    assert ids == LIVE_IDS
    assert all(len(p) == size for p in pages[:-1])
    served = [(t, last) for t, _ids, last in faults.pages]
    assert all(t == "ninja_devices" for t, _ in served)
    assert [last for _, last in served] == [False] * (len(pages) - 1) + [True]


def test_devices_default_page_size_truncates_clients_that_ignore_paging(sim, world, token) -> None:
    rows = [(1000 + i, f"00000000-0000-4000-8000-{i:012d}", ORG_A, 1, "WINDOWS_WORKSTATION", f"X{i}",
             "[]", "[]", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
            for i in range(120)]
    world.executemany(
        "INSERT INTO ninja_devices (id, uid, organization_id, location_id, node_class, system_name, "
        "mac_addresses, ip_addresses, created_at, last_contact, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        rows)
    assert len(get(sim, token, "/v2/devices").body) == 100
    assert len(get(sim, token, "/v2/devices", pageSize=5000).body) == len(LIVE_IDS) + 120
    pages = page_all(sim, token, "/v2/devices", 100)
    assert [len(p) for p in pages] == [100, len(LIVE_IDS) + 20]


def test_device_basic_shape(sim, token) -> None:
    device = get(sim, token, "/v2/devices", pageSize=1).body[0]
    assert device["id"] == 1
    assert device["organizationId"] == ORG_A
    assert device["nodeClass"] == "WINDOWS_WORKSTATION"
    assert device["systemName"] == "ACME-WS-001"
    assert device["displayName"] == "ACME-WS-001"          # falls back to the system name
    assert isinstance(device["created"], float)
    assert isinstance(device["lastContact"], float)
    assert device["lastContact"] == WORLD_NOW.timestamp() - 60
    assert "system" not in device
    assert "references" not in device


def test_devices_detailed_shape(sim, token) -> None:
    device = get(sim, token, "/v2/devices-detailed", pageSize=4).body[3]
    assert device["id"] == 4
    assert device["displayName"] == "GLBX-WS-004 (front desk)"
    assert device["system"]["serialNumber"] == "SN000004"
    assert device["system"]["biosSerialNumber"] == "BIOS000004"
    assert device["system"]["manufacturer"] == "Dell Inc."
    assert device["system"]["model"] == "OptiPlex 7010"
    assert device["os"]["name"] == "Windows 11 Pro"
    assert device["lastLoggedInUser"] == "ACME\\user4"
    assert device["macAddresses"] == ["aa:bb:cc:00:00:04"]
    assert device["ipAddresses"] == ["10.0.0.4"]
    assert device["references"]["organization"] == {"id": ORG_B, "name": "Globex",
                                                    "nodeApprovalMode": "AUTOMATIC"}


def test_single_device_and_deleted_device(sim, token) -> None:
    resp = get(sim, token, "/v2/device/7")
    assert resp.status == 200
    assert resp.body["nodeClass"] == "MAC"
    assert resp.body["os"]["manufacturer"] == "Apple Inc."
    for missing in (DELETED_DEVICE, 9999):
        resp = get(sim, token, f"/v2/device/{missing}")
        assert resp.status == 404
        assert resp.body["resultCode"] == "FAILURE"
    assert get(sim, token, "/v2/device/abc").status == 400


@pytest.mark.parametrize(("df", "expected"), [
    (f"org = {ORG_A}", [i for i in LIVE_IDS if device_org(i) == ORG_A]),
    (f"org in ({ORG_A}, {ORG_B})", LIVE_IDS),
    (f"org in ({ORG_B})", [i for i in LIVE_IDS if device_org(i) == ORG_B]),
    ("class = WINDOWS_SERVER", [i for i in LIVE_IDS if device_class(i) == "WINDOWS_SERVER"]),
    (f"org = {ORG_A} AND class = WINDOWS_SERVER",
     [i for i in LIVE_IDS if device_org(i) == ORG_A and device_class(i) == "WINDOWS_SERVER"]),
    ("id = 7", [7]),
    ("id in (1,2,3, 13)", [1, 2, 3]),
    (f"org != {ORG_A} AND class in (MAC, WINDOWS_SERVER)",
     [i for i in LIVE_IDS if device_org(i) == ORG_B and device_class(i) in ("MAC", "WINDOWS_SERVER")]),
    ("offline", [i for i in LIVE_IDS if i % 6 == 0]),
    ("org = 999", []),
    ("", LIVE_IDS),
])
def test_device_filter(sim, token, df, expected) -> None:
    pages = page_all(sim, token, "/v2/devices", 5, df=df)
    assert [d["id"] for page in pages for d in page] == expected


@pytest.mark.parametrize("df", ["org = ", "org == 1", f"org = {ORG_A} and class = MAC", "org in (1, 2",
                                "colour = red", "org = 1 OR org = 2", "org = x", "AND"])
def test_unparseable_device_filter_is_400(sim, token, df) -> None:
    resp = get(sim, token, "/v2/devices", df=df)
    assert resp.status == 400
    assert resp.body["resultCode"] == "FAILURE"
    assert "device filter" in resp.body["errorMessage"]


def test_bad_paging_parameters_are_400(sim, token) -> None:
    assert get(sim, token, "/v2/devices", pageSize="ten").status == 400
    assert get(sim, token, "/v2/devices", after="x").status == 400
    assert get(sim, token, "/v2/devices", pageSize=0).status == 400


def test_organization_devices_paging(sim, token) -> None:
    pages = page_all(sim, token, f"/v2/organization/{ORG_B}/devices", 3)
    ids = [d["id"] for page in pages for d in page]
    assert ids == [i for i in LIVE_IDS if device_org(i) == ORG_B]
    assert all(d["organizationId"] == ORG_B for page in pages for d in page)


@pytest.mark.parametrize("path", ["/v2/organizations", "/v2/organizations-detailed"])
def test_organizations_keyset_paging(sim, token, faults, path) -> None:
    pages = page_all(sim, token, path, 1)
    assert [o["id"] for page in pages for o in page] == [ORG_A, ORG_B]
    assert [len(p) for p in pages] == [1, 1, 0]
    assert pages[0][0]["name"] == "ACME Corporation, Inc."
    assert faults.pages[-1] == ("companies", [], True)


def test_organization_detailed_and_single(sim, token) -> None:
    orgs = get(sim, token, "/v2/organizations-detailed").body
    assert [loc["id"] for loc in orgs[0]["locations"]] == [1101, 1102]
    resp = get(sim, token, f"/v2/organization/{ORG_B}")
    assert resp.status == 200
    assert resp.body["name"] == "Globex"
    assert get(sim, token, "/v2/organization/5555").status == 404
