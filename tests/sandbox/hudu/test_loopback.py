"""One end-to-end check over real loopback HTTP through the sandbox controller."""

from __future__ import annotations

import requests

from syncd.sandbox.controller import Sandbox

from .conftest import API_KEY, ARCHIVED_ASSET


def test_paging_assets_over_http(world):
    with Sandbox(world, vendors=["hudu"]) as sandbox:
        base = sandbox.url("hudu")
        with requests.Session() as http:
            http.headers["x-api-key"] = API_KEY
            ids, page = [], 1
            while True:
                resp = http.get(f"{base}/api/v1/assets", params={"page": page}, timeout=10)
                assert resp.status_code == 200
                batch = resp.json()["assets"]
                ids.extend(a["id"] for a in batch)
                if len(batch) < 25:
                    break
                page += 1
            denied = http.get(f"{base}/api/v1/assets", headers={"x-api-key": "wrong"}, timeout=10)
            info = http.get(f"{base}/api/v1/api_info", timeout=10).json()
    assert page == 3
    assert ids == [i for i in range(1, 63) if i != ARCHIVED_ASSET]
    assert denied.status_code == 401
    assert "error" in denied.json()
    assert info["version"] == "2.44.0"
