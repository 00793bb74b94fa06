"""One end-to-end check over real loopback HTTP through the sandbox server."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from syncd.sandbox.ninjaone import NinjaOneSimulator

from .world_data import DELETED_DEVICE, DEVICE_COUNT

controller = pytest.importorskip("syncd.sandbox.controller", reason="the sandbox controller is not available")


@pytest.mark.slow
def test_token_then_devices_paged_by_after(world) -> None:
    creds = NinjaOneSimulator.default_credentials
    with controller.Sandbox(world, vendors=["ninjaone"]) as sandbox:
        base = sandbox.url("ninjaone")
        resp = requests.post(f"{base}/ws/oauth/token", timeout=10, data={
            "grant_type": "client_credentials", "client_id": creds["client_id"],
            "client_secret": creds["client_secret"], "scope": "monitoring"})
        assert resp.status_code == 200, resp.text
        headers = {"Authorization": f"Bearer {resp.json()['access_token']}"}
        assert requests.get(f"{base}/v2/devices", timeout=10).status_code == 401
        ids: list[int] = []
        params: dict[str, Any] = {"pageSize": 7}
        while True:
            page = requests.get(f"{base}/v2/devices", params=params, headers=headers, timeout=10)
            assert page.status_code == 200, page.text
            ids.extend(d["id"] for d in page.json())
            if len(page.json()) < params["pageSize"]:
                break
            params["after"] = ids[-1]
        assert ids == [i for i in range(1, DEVICE_COUNT + 1) if i != DELETED_DEVICE]
